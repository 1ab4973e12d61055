"""An equated mock answered entirely right scores 1000, entirely wrong 100, as the linear
estimate does: the N(0, 1) prior of the ability estimate must not cap a perfect mock (#15)."""

import random

import pytest

from progress import assembly
from progress.models import Sitting

from .conftest import answer
from .test_equated_scores import calibrate, take_mock


@pytest.fixture
def calibrated(sample_bank):
    calibrate()


@pytest.mark.parametrize(("right_share", "score"), [(1.0, 1000), (0.0, 100)])
def test_a_perfect_or_blank_equated_mock_reaches_the_end_of_the_scale(
    alice,
    calibrated,
    client,
    right_share,
    score,
):
    sitting = take_mock(alice, right_share=right_share)
    assert sitting.scoring_method == Sitting.ScoringMethod.EQUATED
    assert sitting.scaled_score == score
    assert sitting.passed == (score == 1000)
    client.force_login(alice)
    page = client.get(f"/sittings/{sitting.pk}/results/").content.decode()
    assert f"Scaled score {score}" in page


def test_one_wrong_answer_scores_below_a_perfect_mock(alice, calibrated):
    sitting = assembly.start_mock(alice, rng=random.Random(3))
    for item in sitting.items.prefetch_related("version__choices"):
        answer(sitting, item, right=item.position != 1)
    sitting.finish()
    sitting.refresh_from_db()
    assert sitting.correct == sitting.total - 1
    assert 750 < sitting.scaled_score < 1000
