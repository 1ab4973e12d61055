from datetime import timedelta

import pytest
from django.utils import timezone

from progress.models import GRACE, InvalidAnswer, Sitting, SittingClosed
from progress.scoring import grade_item
from progress.tasks import finalise_expired_sittings

from .conftest import correct_ids, wrong_ids


def test_only_the_exact_correct_set_scores():
    assert grade_item([1], {1})
    assert grade_item([1, 2], {1, 2})
    assert not grade_item([1], {1, 2})  # no partial credit
    assert not grade_item([1, 3], {1, 2})
    assert not grade_item([], {1})  # unanswered is wrong


def test_scoring_a_mock(mock):
    items = list(mock.items.prefetch_related("version__choices").order_by("position"))
    for item in items[:60]:
        mock.save_answer(item.position, selected=correct_ids(item))
    for item in items[60:70]:
        mock.save_answer(item.position, selected=wrong_ids(item))
    mock.finish()
    assert (mock.correct, mock.total) == (60, 75)
    assert mock.scaled_score == 820 and mock.passed
    assert sum(d["total"] for d in mock.result["domains"]) == 75
    assert {d["verdict"] for d in mock.result["domains"]} <= {
        "Meets competencies",
        "Needs improvement",
    }
    assert mock.items.filter(is_correct=True).count() == 60


def test_finishing_twice_keeps_the_first_result(mock):
    item = mock.items.prefetch_related("version__choices").first()
    mock.save_answer(item.position, selected=correct_ids(item))
    assert mock.finish() is True
    first = dict(mock.result)
    assert mock.finish() is False
    assert mock.result == first


def test_timed_out_sitting_keeps_saved_answers(mock):
    items = list(mock.items.prefetch_related("version__choices")[:5])
    for item in items:
        mock.save_answer(item.position, selected=correct_ids(item))
    later = mock.deadline + GRACE + timedelta(seconds=1)
    assert mock.finish_if_expired(now=later)
    mock.refresh_from_db()
    assert mock.status == "finished" and mock.timed_out
    assert mock.correct == 5
    assert mock.result["duration_seconds"] == 180 * 60
    for item in items:
        item.refresh_from_db()
        assert item.selected == correct_ids(item) and item.is_correct


def test_answer_within_grace_is_accepted_and_later_is_refused(mock):
    item = mock.items.prefetch_related("version__choices").first()
    mock.save_answer(
        item.position, selected=wrong_ids(item), now=mock.deadline + GRACE - timedelta(seconds=1)
    )
    with pytest.raises(SittingClosed):
        mock.save_answer(
            item.position,
            selected=correct_ids(item),
            now=mock.deadline + GRACE + timedelta(seconds=1),
        )
    item.refresh_from_db()
    assert item.selected == wrong_ids(item)


def test_answers_after_finishing_are_refused(mock):
    mock.finish()
    item = mock.items.first()
    with pytest.raises(SittingClosed):
        mock.save_answer(item.position, flagged=True)


def test_invalid_choices_are_refused(mock):
    item = mock.items.prefetch_related("version__choices").first()
    with pytest.raises(InvalidAnswer):
        mock.save_answer(item.position, selected=[999999])
    with pytest.raises(InvalidAnswer):
        mock.save_answer(item.position, selected=[c.id for c in item.version.choices.all()])


def test_beat_sweep_finalises_only_expired_mocks(mock, bob, sample_bank):
    from progress.assembly import start_mock

    other = start_mock(bob)
    Sitting.objects.filter(pk=mock.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    assert finalise_expired_sittings() == 1
    mock.refresh_from_db()
    other.refresh_from_db()
    assert mock.status == "finished" and mock.timed_out
    assert other.status == "in_progress"


def test_time_spent_is_recorded_per_question(mock):
    item = mock.items.first()
    mock.save_answer(item.position, seconds=42)
    mock.save_answer(item.position, seconds=8)
    item.refresh_from_db()
    assert item.time_spent_seconds == 50
