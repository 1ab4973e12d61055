import random
from collections import Counter
from datetime import timedelta

import pytest

from progress import assembly
from progress.models import Sitting
from questions.models import Question


def test_mock_draws_75_distinct_questions_by_the_blueprint(mock):
    items = list(mock.items.select_related("question__domain", "question__task"))
    assert len(items) == 75
    assert len({i.question_id for i in items}) == 75
    per_domain = Counter(i.question.domain.number for i in items)
    assert per_domain == {1: 17, 2: 13, 3: 11, 4: 11, 5: 10, 6: 13}
    per_task = Counter(i.question.task.number for i in items)
    # Spread over task statements: 17 over four tasks is 5/4/4/4, 13 over three is 5/4/4 ...
    for domain, tasks in {
        1: ["1.1", "1.2", "1.3", "1.4"],
        2: ["2.1", "2.2", "2.3"],
        5: ["5.1", "5.2", "5.3"],
    }.items():
        counts = [per_task[t] for t in tasks]
        assert max(counts) - min(counts) <= 1, (domain, counts)
    assert mock.deadline == mock.started_at + timedelta(minutes=180)
    assert mock.notice == ""


def test_a_short_domain_is_filled_from_the_others_and_the_learner_is_told(alice, sample_bank):
    Question.objects.filter(task__number__in=["2.1", "2.2"]).update(
        status="retired"
    )  # domain 2: 5 left
    sitting = assembly.start_mock(alice, rng=random.Random(5))
    assert sitting.items.count() == 75
    assert sitting.items.filter(question__domain__number=2).count() == 5


def test_option_order_is_shuffled_once_and_kept(mock):
    item = mock.items.first()
    order = list(item.choice_order)
    assert sorted(order) == sorted(c.id for c in item.version.choices.all())
    item.refresh_from_db()
    assert item.choice_order == order
    shuffled = sum(1 for i in mock.items.all() if i.choice_order != sorted(i.choice_order))
    assert shuffled > 30  # 75 items, each with 4-5 options: most come out of natural order


def test_unseen_questions_come_first_then_the_oldest_and_repeats_are_announced(alice, sample_bank):
    rng = random.Random(2)
    Question.objects.exclude(domain__number=1).update(
        status="retired"
    )  # 20 published questions left
    first = assembly.start_practice(alice, domains=[1], count=10, rng=rng)
    first_ids = set(first.items.values_list("question_id", flat=True))
    first.finish()
    second = assembly.start_practice(alice, domains=[1], count=10, rng=rng)
    second_ids = list(second.items.values_list("question_id", flat=True))
    # 10 never-seen questions exist: all of them come before any repeat.
    assert set(second_ids).isdisjoint(first_ids)
    second.finish()
    third = assembly.start_practice(alice, domains=[1], count=5, rng=rng)
    # Everything has been seen now: the five seen longest ago (the first set) come back.
    assert set(third.items.values_list("question_id", flat=True)) <= first_ids
    third.finish()
    mock = assembly.start_mock(alice, rng=rng)
    assert mock.items.count() == 20
    assert (
        "this mock has 20 questions instead of 75" in mock.notice and "seen before" in mock.notice
    )


def test_assembly_costs_a_constant_number_of_queries(
    alice, sample_bank, django_assert_max_num_queries
):
    # 19, whatever the bank: open sitting, domains, the draw (fresh + seen), last seen, enemies,
    # the profile lock (created here), the sitting, the pinned versions, two item batches,
    # and the savepoints around them.
    with django_assert_max_num_queries(19):
        assembly.start_mock(alice, rng=random.Random(3))


def test_an_open_mock_blocks_a_new_one_and_practice(mock, alice):
    with pytest.raises(assembly.OpenSittingExists) as exc:
        assembly.start_mock(alice)
    assert exc.value.sitting == mock
    with pytest.raises(assembly.OpenSittingExists):
        assembly.start_practice(alice, count=5)


def test_starting_practice_closes_an_open_practice_set(alice, sample_bank):
    old = assembly.start_practice(alice, count=5)
    new = assembly.start_practice(alice, count=5)
    old.refresh_from_db()
    assert old.status == "finished" and new.status == "in_progress"
    assert Sitting.objects.in_progress().filter(user=alice).count() == 1


def test_extra_time_applies_to_mocks_started_after(alice, sample_bank):
    from datetime import timedelta

    from progress.models import Profile

    profile = Profile.for_user(alice)
    profile.extra_time = True
    profile.save()
    sitting = assembly.start_mock(alice)
    assert sitting.deadline - sitting.started_at == timedelta(minutes=210)


def test_missed_questions_are_those_last_answered_wrong(alice, sample_bank):
    sitting = assembly.start_practice(alice, tasks=["3.1"], count=4, rng=random.Random(4))
    items = list(sitting.items.prefetch_related("version__choices"))
    for n, item in enumerate(items):
        right = [c.id for c in item.version.choices.all() if c.is_correct]
        # A complete wrong answer (tutor mode checks only complete answers).
        wrong = [c.id for c in item.version.choices.all() if not c.is_correct]
        sitting.save_answer(item.position, selected=right if n % 2 else wrong[: item.select_count])
    sitting.finish()
    missed = set(assembly.missed_question_ids(alice))
    assert missed == {items[0].question_id, items[2].question_id}


def test_losing_a_race_to_start_reports_the_open_sitting(alice, sample_bank, monkeypatch):
    # Two starts at once: the second passes the open-sitting check before the first commits,
    # then hits the unique constraint. It must answer "already open", not crash.
    from progress.models import SittingQuerySet

    first = assembly.start_mock(alice)
    monkeypatch.setattr(SittingQuerySet, "first", lambda self: None)
    with pytest.raises(assembly.OpenSittingExists) as exc:
        assembly.create_sitting(alice, "mock", [])
    assert exc.value.sitting == first


def test_practice_filters_add_up_domains_and_task_statements(alice, sample_bank):
    """'Pick domains and/or task statements': domain 1 plus task 2.1 is both, not neither."""
    sitting = assembly.start_practice(alice, domains=[1], tasks=["2.1"], count=75)
    picked = set(sitting.items.values_list("question__domain__number", "question__task__number"))
    assert {d for d, _ in picked} == {1, 2}
    assert {t for d, t in picked if d == 2} == {"2.1"}
    assert sitting.items.count() == 5 * 4 + 5  # all of domain 1's four tasks, and task 2.1
