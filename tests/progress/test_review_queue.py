import random
from datetime import timedelta

from django.utils import timezone

from progress import assembly
from progress.models import ReviewItem
from progress.review import due_question_ids

from .conftest import answer


def test_wrong_answers_and_revealed_cards_enter_the_queue(alice, finished_mock):
    wrong = finished_mock.items.filter(is_correct=False).count()
    assert ReviewItem.objects.filter(user=alice, question__isnull=False).count() == wrong
    cards = set(
        ReviewItem.objects.filter(user=alice, card__isnull=False).values_list(
            "card__slug", flat=True
        )
    )
    assert cards == {"config-rules-are-preventive", "canary-equals-linear"}
    item = ReviewItem.objects.filter(user=alice, question__isnull=False).first()
    assert item.fsrs_card["stability"] is not None and item.lapses == 1
    assert item.due <= timezone.now() + timedelta(minutes=15)  # "Again" is due again soon


def test_answering_a_due_item_in_practice_reschedules_it(alice, finished_mock, alice_client):
    later = timezone.now() + timedelta(hours=1)
    due = due_question_ids(alice, later)
    assert len(due) >= 30
    sitting = assembly.start_practice(
        alice, question_ids=due, count=5, rng=random.Random(6), now=later
    )
    queued = set(ReviewItem.objects.filter(user=alice).values_list("question_id", flat=True))
    item = next(
        i for i in sitting.items.prefetch_related("version__choices") if i.question_id in queued
    )
    before = ReviewItem.objects.get(user=alice, question=item.question)
    answer(sitting, item, right=True, now=later)
    after = ReviewItem.objects.get(pk=before.pk)
    assert after.reviews == before.reviews + 1
    assert after.due > later + timedelta(
        minutes=5
    )  # "Good" moves it past the 1-minute "Again" step
    # Right again when it is next due: it graduates and comes back in days, not minutes.
    from progress.review import record_graded

    item.refresh_from_db()
    record_graded(alice, [item], after.due, practice=True)
    graduated = ReviewItem.objects.get(pk=before.pk)
    assert graduated.due > after.due + timedelta(hours=20)


def test_review_due_button_starts_a_practice_set_of_due_items(alice_client, alice, finished_mock):
    ReviewItem.objects.filter(user=alice).update(due=timezone.now() - timedelta(minutes=1))
    home = alice_client.get("/home/")
    count = ReviewItem.objects.filter(user=alice).count()
    assert f"Review due ({count})" in home.text
    response = alice_client.post("/practice/review/")
    assert response.status_code == 302
    sitting = alice.sittings.get(status="in_progress")
    assert sitting.title == "Review due"
    due_questions = set(
        ReviewItem.objects.filter(user=alice, question__isnull=False).values_list(
            "question_id", flat=True
        )
    )
    assert set(sitting.items.values_list("question_id", flat=True)) <= due_questions | set(
        sitting.items.filter(version__choices__misconception__isnull=False).values_list(
            "question_id", flat=True
        )
    )


def test_review_due_api(api, alice, finished_mock):
    ReviewItem.objects.filter(user=alice).update(due=timezone.now() - timedelta(minutes=1))
    body = api.get("/api/v1/review/due/").json()
    assert len(body) == ReviewItem.objects.filter(user=alice).count()
    assert {b["kind"] for b in body} == {"question", "misconception"}
