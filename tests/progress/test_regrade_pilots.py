"""A regrade of a pilot question changes no learner's score: the pilot counted nowhere (#15)."""

import random

import pytest

from domains.blueprint import scaled_score
from progress import assembly
from progress.models import ItemCalibration, Sitting
from progress.regrading import apply_regrade, plan_regrade

from .conftest import answer
from .test_equated_scores import calibrate


def mock_with_pilots(user, seed=5):
    """A finished mock whose first 10 items are pilots, 80 % of the rest right."""
    sitting = assembly.start_mock(user, rng=random.Random(seed))
    first = list(sitting.items.order_by("position").values_list("pk", flat=True)[:10])
    sitting.items.filter(pk__in=first).update(is_pilot=True)
    rng = random.Random(seed)
    for item in sitting.items.prefetch_related("version__choices"):
        answer(sitting, item, right=item.is_pilot or rng.random() < 0.8)
    sitting.finish()
    sitting.refresh_from_db()
    return sitting


@pytest.mark.parametrize("calibrated_when_taken", [False, True])
def test_dropping_a_pilot_leaves_the_score_alone(alice, sample_bank, client, calibrated_when_taken):
    if calibrated_when_taken:
        calibrate()
    sitting = mock_with_pilots(alice)
    before = (sitting.scaled_score, sitting.scoring_method, sitting.correct, sitting.total)
    # The nightly fit has moved on since (or calibrated the bank for the first time).
    ItemCalibration.objects.all().delete()
    calibrate(shift=0.4)
    pilot = sitting.items.filter(is_pilot=True).first()

    assert [c.delta for c in plan_regrade(pilot.version, "drop")] == [0]
    apply_regrade(pilot.version, "drop")

    sitting.refresh_from_db()
    assert (sitting.scaled_score, sitting.scoring_method, sitting.correct, sitting.total) == before
    client.force_login(alice)
    page = client.get(f"/sittings/{sitting.pk}/results/").content.decode()
    assert "Re-scored" not in page
    assert Sitting.objects.get(pk=sitting.pk).items.get(pk=pilot.pk).scored is False


def test_a_regrade_keeps_a_linear_mock_linear(alice, sample_bank):
    """Scored linearly before the bank was calibrated, a mock re-scored after calibration moves
    by the corrected question only, not by a switch to equating."""
    sitting = mock_with_pilots(alice)
    assert sitting.scoring_method == Sitting.ScoringMethod.LINEAR
    calibrate()
    right = sitting.items.filter(is_pilot=False, is_correct=True).first()
    apply_regrade(right.version, "drop")
    sitting.refresh_from_db()
    assert sitting.scoring_method == Sitting.ScoringMethod.LINEAR
    assert (sitting.correct, sitting.total) == (sitting.result["correct"], 64)
    assert sitting.scaled_score == scaled_score(sitting.correct, 64)
    assert sitting.result["linear_reason"] == "form"
