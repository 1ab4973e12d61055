"""The IRT fit recovers known item parameters and abilities from simulated mocks (no database)."""

import time

import numpy as np

from progress.calibration import ability_eap, calibrate, item_information, precision_weighted

ITEMS, LEARNERS, FORM = 300, 2000, 75


def simulate(seed=2026):
    """2,000 learners θ ~ N(0, 1), each answering a random 75 of 300 items, as a mock draws them;
    true a ~ lognormal(0, 0.3), b ~ N(0, 1)."""
    rng = np.random.default_rng(seed)
    a = rng.lognormal(0.0, 0.3, ITEMS)
    b = rng.normal(0.0, 1.0, ITEMS)
    theta = rng.normal(0.0, 1.0, LEARNERS)
    responses = np.full((LEARNERS, ITEMS), np.nan)
    forms = np.array([rng.choice(ITEMS, FORM, replace=False) for _ in range(LEARNERS)])
    for person, form in enumerate(forms):
        p = 1.0 / (1.0 + np.exp(-a[form] * (theta[person] - b[form])))
        responses[person, form] = (rng.random(FORM) < p).astype(float)
    return a, b, theta, forms, responses


def test_fit_recovers_known_difficulty_discrimination_and_ability():
    a, b, theta, forms, responses = simulate()
    started = time.monotonic()
    # Every item tagged "medium" (prior b = 0): with ~500 answers an item the prior barely moves.
    result = calibrate(responses, np.zeros(ITEMS))
    fit_seconds = time.monotonic() - started
    estimates = [
        ability_eap(
            responses[person, form] == 1.0, result.discrimination[form], result.difficulty[form]
        )[0]
        for person, form in enumerate(forms)
    ]
    r_b = np.corrcoef(b, result.difficulty)[0, 1]
    r_a = np.corrcoef(a, result.discrimination)[0, 1]
    r_theta = np.corrcoef(theta, estimates)[0, 1]
    print(
        f"\nIRT recovery ({ITEMS} items, {LEARNERS} learners, {FORM}-item forms, "
        f"model {result.fit_model}, fit {fit_seconds:.1f} s): "
        f"r(difficulty) = {r_b:.3f}, r(discrimination) = {r_a:.3f}, r(ability, EAP) = {r_theta:.3f}"
    )
    assert result.fit_model == "2pl"
    assert set(result.model) == {"2pl"}
    assert r_b >= 0.95
    assert r_a >= 0.8
    assert r_theta >= 0.9
    # Standard errors are reported and sensible for ~500 answers an item.
    assert 0.02 < float(np.median(result.difficulty_se)) < 0.3


def test_thin_bank_is_fitted_as_rasch_and_thin_items_keep_their_tag():
    a, b, theta, forms, responses = simulate(seed=7)
    few = responses[:150]  # 150 mocks: ~38 answers an item, too few for discriminations
    few[:, 0] = np.nan  # nobody saw item 0
    prior = np.where(np.arange(ITEMS) % 3 == 0, 1.0, -1.0)
    result = calibrate(few, prior)
    assert result.fit_model == "rasch"
    assert result.model[0] == "prior" and result.responses[0] == 0
    assert result.difficulty[0] == 1.0 and result.difficulty_se[0] == 1.0
    assert result.discrimination[0] == 1.0
    fitted = [i for i, m in enumerate(result.model) if m == "rasch"]
    assert len(fitted) > 200
    assert all(
        result.discrimination[i] == 1.0 and result.discrimination_se[i] is None for i in fitted
    )
    # Still ordered like the truth, with SEs that reflect ~38 answers.
    assert np.corrcoef(b[fitted], result.difficulty[fitted])[0, 1] > 0.8
    assert float(np.median(result.difficulty_se[fitted])) > 0.25


def test_precision_weighting_moves_from_the_tag_to_the_data_as_answers_come_in():
    # A thin item (se 1) lands halfway between its tag and the data; a well-answered one (se 0.1)
    # keeps its estimate; an unbounded estimate leaves the prior standing.
    mean, sd = precision_weighted([1.0, 1.0, 1.0], 1.0, [-1.0, -1.0, np.nan], [1.0, 0.1, np.nan])
    assert np.allclose(mean, [0.0, 1.0 / 101 - 100 / 101, 1.0])
    assert np.allclose(sd, [2**-0.5, 101**-0.5, 1.0])


def test_ability_eap_is_the_prior_without_answers_and_rises_with_right_answers():
    theta, sd = ability_eap([], [], [])
    assert abs(theta) < 1e-9 and abs(sd - 1.0) < 1e-9
    a, b = [1.2] * 20, np.linspace(-2, 2, 20)
    low, low_sd = ability_eap([False] * 15 + [True] * 5, a, b)
    high, high_sd = ability_eap([True] * 15 + [False] * 5, a, b)
    assert low < -0.5 < 0.5 < high and abs(low + high) < 0.3
    assert 0.2 < high_sd < 1.0 and 0.2 < low_sd < 1.0
    # A single item: the posterior mean from a direct sum over a fine grid agrees.
    grid = np.linspace(-8, 8, 4001)
    post = np.exp(-(grid**2) / 2) / (1 + np.exp(-1.5 * (grid - 0.5)))
    expected = (grid * post).sum() / post.sum()
    assert abs(ability_eap([True], [1.5], [0.5])[0] - expected) < 1e-4


def test_item_information_peaks_at_the_difficulty_with_a_squared_over_four():
    info = item_information(2.0, 0.5, [0.5, -1.0, 2.0])
    assert abs(info[0] - 1.0) < 1e-12 and info[1] < info[0] and info[2] < info[0]
