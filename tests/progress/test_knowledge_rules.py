"""The rule between score and knowledge: a mock's score counts an unanswered question as wrong;
mastery, the review queue and missed questions ignore questions never answered; readiness
forecasts a score, so it assumes the learner's recent share of unanswered questions."""

import random

from progress import assembly
from progress.mastery import learner_progress
from progress.models import ReviewItem
from progress.readiness import Mastery, readiness

WEIGHTS = {1: 22, 2: 17, 3: 18, 4: 15, 5: 14, 6: 14}


def timed_out_mock(alice, answered):
    """A mock where alice answers `answered` questions wrong and the time runs out."""
    sitting = assembly.start_mock(alice, rng=random.Random(5))
    items = list(sitting.items.prefetch_related("version__choices")[:answered])
    for item in items:
        wrong = [c.id for c in item.version.choices.all() if not c.is_correct][:1]
        sitting.save_answer(item.position, selected=wrong)
    sitting.finish(timed_out=True)
    return sitting, items


def test_unanswered_questions_of_a_timed_out_mock_are_not_missed_knowledge(alice, sample_bank):
    sitting, answered = timed_out_mock(alice, 2)
    assert sitting.correct == 0 and sitting.total == 75  # the score counts all 75
    wrong = {i.question_id for i in answered}
    assert set(assembly.missed_question_ids(alice)) == wrong
    queued = set(
        ReviewItem.objects.filter(user=alice, question__isnull=False).values_list(
            "question_id", flat=True
        )
    )
    assert queued == wrong
    not_reached = set(assembly.not_reached_question_ids(alice))
    assert len(not_reached) == 73 and not (not_reached & wrong)


def test_answering_a_not_reached_question_later_takes_it_off_that_list(alice, sample_bank):
    sitting, _ = timed_out_mock(alice, 0)
    qid = assembly.not_reached_question_ids(alice)[0]
    practice = assembly.start_practice(alice, question_ids=[qid], count=1)
    item = practice.items.prefetch_related("version__choices").get()
    right = [c.id for c in item.version.choices.all() if c.is_correct]
    practice.save_answer(1, selected=right)
    practice.end()
    assert qid not in assembly.not_reached_question_ids(alice)


def test_mastery_ignores_never_answered_questions(alice, sample_bank):
    timed_out_mock(alice, 2)
    progress = learner_progress(alice)
    assert sum(d["answered"] for d in progress["domains"]) == 2


def test_readiness_counts_the_recent_share_left_unanswered():
    strong = {d: Mastery.from_counts(40, 36) for d in WEIGHTS}
    answers_all = readiness(strong, WEIGHTS)
    leaves_a_third = readiness(strong, WEIGHTS, unanswered_share=1 / 3)
    assert answers_all["unanswered_share"] == 0
    assert leaves_a_third["predicted_score"] < answers_all["predicted_score"] - 200
    assert leaves_a_third["pass_probability"] < answers_all["pass_probability"]


def test_the_dashboard_and_results_state_the_rule(alice_client, alice, sample_bank):
    sitting, _ = timed_out_mock(alice, 2)
    results = alice_client.get(f"/sittings/{sitting.pk}/results/").text
    assert "counts unanswered and incomplete questions as wrong" in results
    assert "73 unanswered here" in results
    dashboard = alice_client.get("/progress/").text
    assert (
        'id="mastery-rule"' in dashboard
        and "Mastery counts only questions you answered" in dashboard
    )
    assert "Questions you never answered" in dashboard  # how the review queue is built
    home = alice_client.get("/home/").text
    assert "Questions I did not reach (73)" in home and "My missed questions (2)" in home


def test_the_migration_takes_never_answered_questions_out_of_the_queue(alice, sample_bank):
    from importlib import import_module

    from django.apps import apps

    sitting, answered = timed_out_mock(alice, 1)
    unanswered = sitting.items.filter(answered_at__isnull=True).first()
    ReviewItem.objects.create(
        user=alice, question_id=unanswered.question_id, due=sitting.finished_at
    )
    migration = import_module("progress.migrations.0006_review_queue_without_unanswered")
    migration.drop_unanswered(apps, None)
    queued = set(
        ReviewItem.objects.filter(user=alice, question__isnull=False).values_list(
            "question_id", flat=True
        )
    )
    assert queued == {answered[0].question_id}
