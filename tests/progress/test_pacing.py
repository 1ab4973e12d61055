"""Pacing: time per question, per domain and per third against the exam's 144 s (#15)."""

import random
from collections import defaultdict

import pytest

from progress import answers, assembly
from progress.item_analysis import compute_item_statistics
from progress.models import QuestionStats, SittingItem
from progress.pacing import PACE_SECONDS, sitting_pacing
from questions.models import Question
from tests.conftest import make_user


def timed_mock(user, seed=1, times=None):
    """A finished mock whose item at position p took times(p) seconds."""
    sitting = assembly.start_mock(user, rng=random.Random(seed))
    for item in sitting.items.all():
        SittingItem.objects.filter(pk=item.pk).update(time_spent_seconds=times(item.position))
    sitting.finish()
    sitting.refresh_from_db()
    return sitting


def behind_in_the_middle(position):
    # 1-25 at 100 s (ahead), 26-50 at 250 s (the running total passes 50 x 144 s), 51-75 at
    # 60 s (back under the allowance by the end); two very slow items in the middle.
    return {30: 400, 31: 300}.get(position) or (
        100 if position <= 25 else 250 if position <= 50 else 60
    )


@pytest.fixture
def slow_mock(alice, sample_bank):
    return timed_mock(alice, times=behind_in_the_middle)


def test_pacing_figures_of_a_constructed_mock(slow_mock):
    pacing = sitting_pacing(slow_mock)
    times = {p: behind_in_the_middle(p) for p in range(1, 76)}
    total = sum(times.values())
    assert PACE_SECONDS == 144
    assert pacing["questions"] == 75 and pacing["seconds"] == total == 10_250 + 150 + 50
    assert pacing["average_seconds"] == round(total / 75, 1)
    assert pacing["over_pace"] is False  # 139 s a question over the whole mock
    thirds = pacing["thirds"]
    assert [(t["first"], t["last"]) for t in thirds] == [(1, 25), (26, 50), (51, 75)]
    assert [t["seconds"] for t in thirds] == [2500, 6250 + 200, 1500]
    assert [t["over_pace"] for t in thirds] == [False, True, False]
    assert [t["running_allowance"] for t in thirds] == [3600, 7200, 10800]
    assert pacing["fell_behind"] == 1  # questions 26-50: 8,950 s used of 7,200 allowed
    assert pacing["slow_items"][:2] == [
        {"position": 30, "seconds": 400, "domain": pacing["slow_items"][0]["domain"]},
        {"position": 31, "seconds": 300, "domain": pacing["slow_items"][1]["domain"]},
    ]
    assert len(pacing["slow_items"]) == 2
    expected = defaultdict(lambda: [0, 0])
    for item in slow_mock.items.select_related("question__domain"):
        expected[item.question.domain.number][0] += 1
        expected[item.question.domain.number][1] += times[item.position]
    assert {d["number"]: [d["questions"], d["seconds"]] for d in pacing["domains"]} == expected
    for d in pacing["domains"]:
        assert d["over_pace"] == (d["seconds"] > 144 * d["questions"])


def test_a_learner_who_keeps_up_never_falls_behind(alice, sample_bank):
    pacing = sitting_pacing(timed_mock(alice, times=lambda p: 144))
    assert pacing["fell_behind"] is None and pacing["slow_items"] == []
    assert pacing["average_seconds"] == 144.0 and not pacing["over_pace"]


def test_results_page_and_api_show_the_pacing_in_constant_queries(
    alice_client, slow_mock, django_assert_max_num_queries
):
    alice_client.get(f"/sittings/{slow_mock.pk}/results/")  # the session write of a first visit
    # The results page's 11 queries before pacing, plus pacing's two grouped aggregates.
    with django_assert_max_num_queries(13):
        page = alice_client.get(f"/sittings/{slow_mock.pk}/results/")
    text = page.text
    assert "Pacing" in text
    assert "You fell behind the pace in <strong>questions 26–50</strong>" in text
    assert "by question 50 you had used 2 h 29 min of the 2 h 00 min the pace allows" in text
    assert "2 min 24 s a question the real exam allows" in text
    assert 'href="#q30">30</a> (6 min 40 s)' in text
    with django_assert_max_num_queries(13):
        body = alice_client.get(f"/api/v1/exams/{slow_mock.pk}/").json()
    assert body["pacing"] == sitting_pacing(slow_mock)


def test_an_open_mock_has_no_pacing_in_the_api(alice, api, sample_bank):
    sitting = assembly.start_mock(alice, rng=random.Random(2))
    assert "pacing" not in api.get(f"/api/v1/exams/{sitting.pk}/").json()


def test_the_autosaves_seconds_are_what_pacing_adds_up(alice, sample_bank):
    sitting = assembly.start_mock(alice, rng=random.Random(3))
    item = sitting.items.prefetch_related("version__choices").get(position=4)
    choice = item.version.choices.first().id
    answers.save_answer(alice, sitting.pk, 4, selected=[choice], seconds=90)
    answers.save_answer(alice, sitting.pk, 4, seconds=75)  # leaving the question banks time
    sitting.finish()
    pacing = sitting_pacing(sitting)
    assert pacing["seconds"] == 165 and pacing["thirds"][0]["seconds"] == 165


def test_dashboard_and_progress_api_show_the_pace_trend(
    alice, alice_client, api, sample_bank, django_assert_max_num_queries
):
    first = timed_mock(alice, seed=4, times=lambda p: 180)
    second = timed_mock(alice, seed=5, times=lambda p: 120)
    with django_assert_max_num_queries(20):
        page = alice_client.get("/progress/")
    table = page.text.split('id="pace-trend"')[1].split("</table>")[0]
    assert table.count("<tr>") == 3  # header and two mocks, oldest first
    assert table.index("3 min 00 s") < table.index("2 min 00 s")
    assert "slower" in table and "within" in table
    trend = api.get("/api/v1/progress/").json()["pacing_trend"]
    assert [(t["sitting"], t["average_seconds"]) for t in trend] == [
        (first.pk, 180.0),
        (second.pk, 120.0),
    ]


def test_item_statistics_give_each_version_its_median_time(sample_bank):
    question = Question.objects.get(slug="t2-1-1")
    for n, seconds in enumerate([30, 90, 60, 400], start=1):
        user = make_user(f"learner{n}")
        sitting = assembly.start_practice(user, question_ids=[question.id], count=1)
        item = sitting.items.prefetch_related("version__choices").get()
        choice = item.version.choices.first().id
        answers.save_answer(user, sitting.pk, 1, selected=[choice], seconds=seconds)
        if n == 3:
            compute_item_statistics()
            # 30, 60, 90: the middle one.
            assert QuestionStats.objects.get(version=item.version).median_seconds == 60
    compute_item_statistics()
    # 30, 60, 90, 400: the mean of the middle two.
    assert QuestionStats.objects.get(version=question.current_version).median_seconds == 75
