"""Scale linking keeps an unchanged item's parameters from one calibration to the next, whoever
answered it (pure functions, no database).

Two cohorts answer the same 300 items (true a ~ lognormal(0, 0.3), b ~ N(0, 1); 2,000 learners,
75-item forms, as in test_irt_recovery): the first is N(0, 1), the second N(0.5, 1), half a
logit more able. Each fit puts its own learners on N(0, 1), so on its own the second fit makes
every item look 0.5 logits easier; linked to the first, the items keep their difficulty up to
sampling noise.
"""

import numpy as np
import pytest

from progress.calibration import MIN_ANCHORS, PreviousFit, calibrate, link_to_previous

ITEMS, LEARNERS, FORM = 300, 2000, 75


def cohort(rng, a, b, mean_ability, learners=LEARNERS, items=ITEMS, form=FORM):
    theta = rng.normal(mean_ability, 1.0, learners)
    responses = np.full((learners, items), np.nan)
    for person in range(learners):
        seen = rng.choice(items, form, replace=False)
        p = 1.0 / (1.0 + np.exp(-a[seen] * (theta[person] - b[seen])))
        responses[person, seen] = (rng.random(form) < p).astype(float)
    return responses


def previous_of(result):
    return PreviousFit(result.fit_discrimination, result.fit_difficulty, result.responses)


@pytest.fixture(scope="module")
def two_runs():
    rng = np.random.default_rng(2027)
    a = rng.lognormal(0.0, 0.3, ITEMS)
    b = rng.normal(0.0, 1.0, ITEMS)
    tags = np.zeros(ITEMS)  # every item tagged "medium"
    first = calibrate(cohort(rng, a, b, 0.0), tags)
    later = cohort(rng, a, b, 0.5)
    return first, calibrate(later, tags), calibrate(later, tags, previous_of(first))


def test_a_more_able_cohort_moves_every_b_unless_the_fit_is_linked(two_runs):
    first, unlinked, linked = two_runs
    assert first.linking.method == "base" and unlinked.linking.method == "base"
    shift = unlinked.difficulty - first.difficulty
    drift = linked.difficulty - first.difficulty
    # Two independent fits of the same items differ by sampling noise alone: about
    # sqrt(2/π) × sqrt(se1² + se2²) on average.
    noise = float(np.mean(np.sqrt(2 / np.pi) * np.hypot(first.difficulty_se, linked.difficulty_se)))
    print(
        f"\nSecond cohort +0.5 logits, {ITEMS} items, {LEARNERS} learners each: "
        f"unlinked mean Δb = {shift.mean():+.3f} (mean |Δb| {np.abs(shift).mean():.3f}); "
        f"linked ({linked.linking.method}, A = {linked.linking.slope:.3f}, "
        f"B = {linked.linking.intercept:+.3f}, {linked.linking.anchors} anchors) "
        f"mean Δb = {drift.mean():+.3f}, mean |Δb| = {np.abs(drift).mean():.3f} "
        f"(sampling noise alone: {noise:.3f}); "
        f"mean |Δa| unlinked {np.abs(unlinked.discrimination - first.discrimination).mean():.3f},"
        f" linked {np.abs(linked.discrimination - first.discrimination).mean():.3f}"
    )
    assert -0.6 < shift.mean() < -0.4 and np.abs(shift).mean() > 0.4
    assert linked.linking.method == "stocking_lord" and linked.linking.anchors == ITEMS
    assert 0.4 < linked.linking.intercept < 0.6 and 0.9 < linked.linking.slope < 1.1
    assert abs(drift.mean()) < 0.05
    assert np.abs(drift).mean() < 1.25 * noise
    assert linked.linking.anchor_drift == pytest.approx(
        np.abs(linked.fit_difficulty - first.fit_difficulty).mean()
    )


def test_a_linked_ability_is_the_same_learner_on_both_scales(two_runs):
    # The same answers to the same 75 items give (nearly) the same EAP on the first run's
    # parameters and on the linked second run's: the scale, not the item, was what moved.
    from progress.calibration import ability_eap

    first, unlinked, linked = two_runs
    rng = np.random.default_rng(3)
    form = rng.choice(ITEMS, FORM, replace=False)
    answers = rng.random(FORM) < 0.7
    base = ability_eap(answers, first.discrimination[form], first.difficulty[form])[0]
    again = ability_eap(answers, linked.discrimination[form], linked.difficulty[form])[0]
    drifted = ability_eap(answers, unlinked.discrimination[form], unlinked.difficulty[form])[0]
    assert abs(again - base) < 0.05
    assert drifted < base - 0.3


def test_a_bank_calibrated_rasch_throughout_is_linked_by_a_shift_alone():
    rng = np.random.default_rng(11)
    old_b = rng.normal(0.0, 1.0, 40)
    new_b = old_b - 0.5 + rng.normal(0.0, 0.1, 40)  # the same items, a more able cohort
    previous = PreviousFit(np.ones(40), old_b, np.full(40, 60))
    linking = link_to_previous(
        previous, np.ones(40), new_b, np.full(40, 60), np.arange(40), rasch=True
    )
    assert (linking.method, linking.slope, linking.anchors) == ("mean_shift", 1.0, 40)
    assert linking.intercept == pytest.approx(0.5, abs=0.05)


def test_too_few_well_answered_common_items_leave_a_run_unlinked():
    old_b = np.linspace(-1, 1, 40)
    previous = PreviousFit(np.ones(40), old_b, np.full(40, 60))
    counts = np.where(np.arange(40) < MIN_ANCHORS - 1, 60, 49)  # the rest under 50 answers
    linking = link_to_previous(previous, np.ones(40), old_b - 0.5, counts, np.arange(40), False)
    assert (linking.method, linking.slope, linking.intercept) == ("unlinked", 1.0, 0.0)
    assert linking.anchors == MIN_ANCHORS - 1
