"""Equating, on simulated learners (pure functions, no database).

A bank of 300 items with known 2PL parameters (a ~ lognormal(0, 0.3), b ~ N(0, 1), as the
calibration branch simulates) is its own reference form. One 75-item form is drawn from it and
shifted to an easy (b − 0.25) and a hard (b + 0.25) version: 0.5 logits apart. Learners of a
fixed ability sit each version many times; the equated score must not care which version they
got, while the linear estimate does.
"""

import math
import random

import pytest

from domains.blueprint import scaled_score
from progress.equating import (
    GRID,
    ReferenceForm,
    ability_eap,
    equate,
    form_is_calibrated,
    p_right,
)

ABILITIES = (-1.0, 0.0, 0.5, 1.0, 1.5)
SITTINGS = 300


def bank(seed=20261130, items=300):
    rng = random.Random(seed)
    a = tuple(math.exp(rng.gauss(0, 0.3)) for _ in range(items))
    b = tuple(rng.gauss(0, 1) for _ in range(items))
    return rng, a, b


def sit(rng, theta, a, b):
    return [rng.random() < p_right(theta, ai, bi) for ai, bi in zip(a, b, strict=True)]


def test_easy_and_hard_forms_give_the_same_equated_score_but_not_the_same_linear_one():
    rng, a, b = bank()
    reference = ReferenceForm(a, b)
    form = rng.sample(range(len(a)), 75)
    form_a = [a[i] for i in form]
    versions = {
        "easy": [b[i] - 0.25 for i in form],
        "hard": [b[i] + 0.25 for i in form],
    }
    print("\nability  equated easy/hard (gap)   linear easy/hard (gap)   reference-form score")
    for theta in ABILITIES:
        equated, linear = {}, {}
        for name, form_b in versions.items():
            eq = lin = 0
            for _ in range(SITTINGS):
                answers = sit(rng, theta, form_a, form_b)
                eq += equate(answers, form_a, form_b, reference).scaled_score
                lin += scaled_score(sum(answers), len(answers))
            equated[name], linear[name] = eq / SITTINGS, lin / SITTINGS
        eq_gap = equated["easy"] - equated["hard"]
        lin_gap = linear["easy"] - linear["hard"]
        print(
            f"{theta:+.1f}     {equated['easy']:6.1f} / {equated['hard']:6.1f} ({eq_gap:+5.1f})"
            f"    {linear['easy']:6.1f} / {linear['hard']:6.1f} ({lin_gap:+5.1f})"
            f"    {reference.scaled(theta)}"
        )
        assert abs(eq_gap) <= 15, (theta, equated)
        assert lin_gap >= 40, (theta, linear)


def test_equated_scale_puts_750_where_the_linear_estimate_does_on_the_reference_form():
    _, a, b = bank()
    reference = ReferenceForm(a, b)
    cut = reference.cut_ability()
    assert reference.scaled(cut) == 750
    assert reference.scaled(cut - 0.01) < 750
    # Slope fixed by the mapping: the score is the linear estimate of the expected share.
    for theta in (-2.0, 0.0, 0.7, 2.0):
        assert reference.scaled(theta) == round(100 + 900 * reference.expected_share(theta))


def test_more_right_answers_never_lower_the_ability():
    _, a, b = bank()
    form_a, form_b = a[:75], b[:75]
    answers = [False] * 75
    last = ability_eap(answers, form_a, form_b)[0]
    for i in range(75):
        answers[i] = True
        theta, sd = ability_eap(answers, form_a, form_b)
        assert theta > last and 0 < sd < 1
        last = theta
    assert GRID[0] < last < GRID[-1]


def test_ability_recovers_the_true_one_on_average():
    rng, a, b = bank()
    estimates = [ability_eap(sit(rng, 1.0, a[:75], b[:75]), a[:75], b[:75]) for _ in range(200)]
    mean = sum(t for t, _ in estimates) / len(estimates)
    spread = math.sqrt(sum((t - mean) ** 2 for t, _ in estimates) / len(estimates))
    reported_sd = sum(sd for _, sd in estimates) / len(estimates)
    # EAP shrinks toward the prior mean by about 1 / (1 + information): a few hundredths here.
    assert 0.85 < mean < 1.0
    assert abs(spread - reported_sd) < 0.05


def test_a_form_is_calibrated_from_90_percent_of_its_scored_items():
    assert form_is_calibrated(75, 75)
    assert form_is_calibrated(68, 75)
    assert not form_is_calibrated(67, 75)
    assert not form_is_calibrated(0, 0)


def test_mismatched_inputs_are_refused():
    with pytest.raises(ValueError):
        ability_eap([True, False], [1.0], [0.0])
    with pytest.raises(ValueError):
        ReferenceForm((), ())
