"""Readiness is calibrated: simulated learners with known abilities take mocks; we compare the
predicted pass probabilities and 80 % intervals with what then happens on the next mock.

The simulation draws each learner's per-domain ability from the model's prior population
(Beta(2.4, 1.6)), observes one full mock (75 answers split 17/13/11/11/10/13) and predicts the
next one. With N learners, an observed rate has a standard error of sqrt(p(1-p)/N); the
tolerances below are 3 standard errors plus 0.02 for the normal approximation of a discrete
count, so a correct model fails this test far less than 1 time in 100 (and the seed is fixed).
"""

import math
import random

import pytest

from domains.blueprint import split_by_weight
from progress.readiness import (
    PRIOR_CORRECT,
    PRIOR_WRONG,
    Mastery,
    correct_needed_to_pass,
    readiness,
    to_scaled,
)

WEIGHTS = {1: 22, 2: 17, 3: 15, 4: 15, 5: 14, 6: 17}
QUOTAS = split_by_weight(75, WEIGHTS)


def simulate(learners=4000, seed=20261123, mocks_observed=1):
    rng = random.Random(seed)
    outcomes = []
    for _ in range(learners):
        ability = {d: rng.betavariate(PRIOR_CORRECT, PRIOR_WRONG) for d in WEIGHTS}
        observed = {}
        for d, n in QUOTAS.items():
            n_obs = n * mocks_observed
            right = sum(rng.random() < ability[d] for _ in range(n_obs))
            observed[d] = Mastery.from_counts(n_obs, right)
        prediction = readiness(observed, WEIGHTS)
        next_mock = sum(sum(rng.random() < ability[d] for _ in range(n)) for d, n in QUOTAS.items())
        outcomes.append((prediction, next_mock))
    return outcomes


def test_pass_probabilities_are_calibrated():
    outcomes = simulate()
    need = correct_needed_to_pass()
    bins = {}
    for prediction, actual in outcomes:
        b = min(int(prediction["pass_probability"] * 5), 4)
        bins.setdefault(b, []).append((prediction["pass_probability"], actual >= need))
    checked = 0
    for rows in bins.values():
        if len(rows) < 150:
            continue
        predicted = sum(p for p, _ in rows) / len(rows)
        observed = sum(passed for _, passed in rows) / len(rows)
        se = math.sqrt(max(predicted * (1 - predicted), 0.01) / len(rows))
        assert abs(predicted - observed) <= 3 * se + 0.02, (predicted, observed, len(rows))
        checked += 1
    assert checked >= 3


def test_80_percent_interval_covers_the_next_mock_about_80_percent_of_the_time():
    outcomes = simulate()
    covered = sum(p["low"] <= to_scaled(actual) <= p["high"] for p, actual in outcomes) / len(
        outcomes
    )
    se = math.sqrt(0.8 * 0.2 / len(outcomes))
    assert abs(covered - 0.80) <= 3 * se + 0.02, covered


def test_more_evidence_narrows_the_interval():
    few = simulate(learners=300, mocks_observed=1)
    many = simulate(learners=300, mocks_observed=4)
    width = lambda rows: sum(p["high"] - p["low"] for p, _ in rows) / len(rows)  # noqa: E731
    assert width(many) < width(few)


def test_not_enough_data_gives_no_prediction():
    thin = {d: Mastery.from_counts(2, 2) for d in WEIGHTS}
    assert readiness(thin, WEIGHTS) is None
    one_domain_empty = {d: Mastery.from_counts(20, 15) for d in WEIGHTS}
    one_domain_empty[5] = Mastery.from_counts(0, 0)
    assert readiness(one_domain_empty, WEIGHTS) is None


def test_conservative_mastery_does_not_overreact_to_small_samples():
    lucky = Mastery.from_counts(3, 3)
    steady = Mastery.from_counts(60, 54)
    assert lucky.low < 0.75 < steady.low
    assert lucky.mean < steady.mean


# The IRT path (progress.equating.forecast): learners with abilities from N(0, 1) (the scale the
# calibration fits) take one mock of 75 items drawn from a 300-item calibrated bank, which is also
# the reference form; the forecast from that mock's ability posterior is compared with the
# equated score of a second, freshly drawn mock. Same tolerances as above; bins of 100 or more
# learners are checked (passing is rarer at this ability spread).


def simulate_irt(learners=5000, seed=20261130):
    from progress.equating import ReferenceForm, ability_posterior, equate, forecast, p_right

    rng = random.Random(seed)
    a = [math.exp(rng.gauss(0, 0.3)) for _ in range(300)]
    b = [rng.gauss(0, 1) for _ in range(300)]
    reference = ReferenceForm(tuple(a), tuple(b))

    def mock(theta):
        form = rng.sample(range(300), 75)
        fa, fb = [a[i] for i in form], [b[i] for i in form]
        return [rng.random() < p_right(theta, x, y) for x, y in zip(fa, fb, strict=True)], fa, fb

    outcomes = []
    for _ in range(learners):
        theta = rng.gauss(0, 1)
        prediction = forecast(ability_posterior(*mock(theta)), reference)
        outcomes.append((prediction, equate(*mock(theta), reference).scaled_score))
    return outcomes


@pytest.fixture(scope="module")
def irt_outcomes():
    return simulate_irt()


def test_irt_pass_probabilities_are_calibrated(irt_outcomes):
    bins = {}
    for prediction, score in irt_outcomes:
        b = min(int(prediction["pass_probability"] * 5), 4)
        bins.setdefault(b, []).append((prediction["pass_probability"], score >= 750))
    checked = 0
    print("\nIRT readiness: predicted vs observed pass rate on the next mock")
    for b, rows in sorted(bins.items()):
        predicted = sum(p for p, _ in rows) / len(rows)
        observed = sum(passed for _, passed in rows) / len(rows)
        print(
            f"  bin {b / 5:.1f}-{(b + 1) / 5:.1f}: {len(rows):5d} learners, "
            f"predicted {predicted:.3f}, observed {observed:.3f}"
        )
        if len(rows) < 100:
            continue
        se = math.sqrt(max(predicted * (1 - predicted), 0.01) / len(rows))
        assert abs(predicted - observed) <= 3 * se + 0.02, (predicted, observed, len(rows))
        checked += 1
    assert checked >= 4


def test_irt_80_percent_interval_covers_the_next_mock_about_80_percent_of_the_time(irt_outcomes):
    covered = sum(p["low"] <= score <= p["high"] for p, score in irt_outcomes) / len(irt_outcomes)
    print(f"\nIRT readiness: 80 % interval covered the next mock {covered:.3f} of the time")
    se = math.sqrt(0.8 * 0.2 / len(irt_outcomes))
    assert abs(covered - 0.80) <= 3 * se + 0.02, covered
