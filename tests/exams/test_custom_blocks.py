"""Custom blocks (unions of unused / incorrect / flagged / all within domains and task
statements) and timed blocks (2.4 minutes a question, no feedback until the end)."""

import random
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from progress import assembly, blocks
from progress.models import GRACE, Profile, Sitting
from questions.models import Question

from .conftest import correct_ids, wrong_ids
from .test_exam_api import assert_no_answer_data


@pytest.fixture
def history(alice, sample_bank):
    """Alice has met six questions of domain 1: q0 right, q1 wrong, q2 right but flagged,
    q3 flagged then answered again unflagged, q4 wrong and flagged, q5 dealt but untouched."""
    qs = list(Question.objects.live().for_domain(1).order_by("id")[:6])
    first = assembly.create_sitting(alice, "mock", [q.id for q in qs], rng=random.Random(3))
    items = {i.question_id: i for i in first.items.select_related("version")}

    def answer(sitting, q, right, flagged=False):
        item = sitting.items.get(question=q)
        pick = correct_ids(items[q.id]) if right else wrong_ids(items[q.id])
        sitting.save_answer(item.position, selected=pick, flagged=flagged)

    answer(first, qs[0], True)
    answer(first, qs[1], False)
    answer(first, qs[2], True, flagged=True)
    answer(first, qs[3], True, flagged=True)
    answer(first, qs[4], False, flagged=True)
    first.end()
    later = assembly.create_sitting(alice, "practice", [qs[3].id], rng=random.Random(4))
    later.save_answer(1, selected=correct_ids(later.items.get()), flagged=False)
    later.end()
    return qs


def test_sources_hold_what_their_names_say(alice, history):
    q = [x.id for x in history]
    assert blocks.source_question_ids(alice, "incorrect") == {q[1], q[4]}
    # Flagged in any sitting, not since unflagged: q3 was answered again without the flag.
    assert blocks.source_question_ids(alice, "flagged") == {q[2], q[4]}
    unused = blocks.source_question_ids(alice, "unused")
    assert not unused & set(q) and len(unused) == Question.objects.live().count() - 6
    assert blocks.source_question_ids(alice, "all") is None


def test_a_block_draws_from_the_union_of_its_sources(alice, history):
    q = [x.id for x in history]
    sitting = blocks.start_block(alice, sources=["incorrect", "flagged"], count=20)
    assert set(sitting.items.values_list("question_id", flat=True)) == {q[1], q[2], q[4]}
    assert sitting.config["from"] == ["incorrect", "flagged"] and sitting.deadline is None
    assert sitting.title == "Practice: incorrect + flagged"


def test_sources_combine_with_domains_and_tasks(alice, history):
    # Domain 2 holds none of alice's misses: incorrect within domain 2 is empty.
    with pytest.raises(ValueError, match="No published questions match"):
        blocks.start_block(alice, sources=["incorrect"], domains=[2])
    task = Question.objects.get(pk=history[1].id).task.number
    sitting = blocks.start_block(alice, sources=["incorrect"], tasks=[task], count=5)
    assert set(sitting.items.values_list("question__task__number", flat=True)) == {task}
    unused_d2 = blocks.start_block(alice, sources=["unused", "flagged"], domains=[2], count=75)
    assert set(unused_d2.items.values_list("question__domain__number", flat=True)) == {2}
    assert unused_d2.items.count() == Question.objects.live().for_domain(2).count()


def test_available_counts_per_source_and_for_the_choice(alice, history, api):
    counts = blocks.available_counts(alice, domains=[1], sources=["incorrect", "flagged"])
    in_domain = Question.objects.live().for_domain(1).count()
    assert counts == {
        "sources": {"unused": in_domain - 6, "incorrect": 2, "flagged": 2, "all": in_domain},
        "selected": 3,
    }
    body = api.get("/api/v1/exams/available/?from=incorrect&from=flagged&domains=1").json()
    assert body == counts
    assert api.get("/api/v1/exams/available/?from=nonsense").status_code == 400
    assert api.get("/api/v1/exams/available/?domains=x").status_code == 400


def test_api_starts_a_custom_block(api, history):
    response = api.post(
        "/api/v1/exams/",
        {"mode": "practice", "from": ["incorrect", "flagged"], "domains": [1], "count": 20},
        format="json",
    )
    assert response.status_code == 201
    assert {i["question"]["id"] for i in response.json()["items"]} == {
        history[1].id,
        history[2].id,
        history[4].id,
    }
    bad = api.post("/api/v1/exams/", {"mode": "practice", "from": ["mine"]}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["attr"] == "from.0"
    empty = api.post(
        "/api/v1/exams/", {"mode": "practice", "from": ["incorrect"], "domains": [3]}, format="json"
    )
    assert (
        empty.status_code == 400 and "No published questions" in empty.json()["errors"][0]["detail"]
    )


def test_practice_page_shows_counts_and_starts_a_block(alice_client, history):
    page = alice_client.get("/practice/")
    assert _source_counts(page.text) == {
        "unused": Question.objects.live().count() - 6,
        "incorrect": 2,
        "flagged": 2,
        "all": Question.objects.live().count(),
    }
    assert "Flagged (flagged in a sitting, not unflagged since) — <span" in page.text
    response = alice_client.post("/practice/", {"sources": ["flagged"], "count": 5})
    sitting = Sitting.objects.in_progress().get()
    assert response.url == f"/sittings/{sitting.id}/"
    assert set(sitting.items.values_list("question_id", flat=True)) == {
        history[2].id,
        history[4].id,
    }


def _source_counts(html):
    return {s: int(n) for s, n in re.findall(r'data-source-count="(\w+)">(\d+)<', html)}


def test_practice_page_counts_follow_the_domains_and_tasks_ticked(
    alice_client, alice, history, django_assert_max_num_queries
):
    """Server-rendered for the state the page opens in (a link's ?domain=/?task=, a posted
    form shown again); practice.js updates the same figures from the API as boxes change."""
    from domains.models import Domain, TaskStatement

    in_domain_2 = Question.objects.live().for_domain(2).count()
    domain_2 = Domain.objects.get(number=2)
    with django_assert_max_num_queries(14):
        page = alice_client.get(f"/practice/?domain={domain_2.pk}")
    # Alice's misses and flags are all in domain 1: none of them is in domain 2.
    assert _source_counts(page.text) == {
        "unused": in_domain_2,
        "incorrect": 0,
        "flagged": 0,
        "all": in_domain_2,
    }
    assert f"{in_domain_2} questions match your choice." in page.text
    missed_task = TaskStatement.objects.get(questions=history[1].id)
    page = alice_client.get(f"/practice/?task={missed_task.pk}")
    missed_there = [q for q in (history[1], history[4]) if q.task_id == missed_task.pk]
    assert _source_counts(page.text)["incorrect"] == len(missed_there)
    other_task = TaskStatement.objects.exclude(pk=missed_task.pk).filter(domain__number=1).first()
    page = alice_client.get(f"/practice/?task={other_task.pk}")
    assert _source_counts(page.text)["incorrect"] == 2 - len(missed_there)
    # A form sent back with an error keeps the scope and sources it was sent with.
    page = alice_client.post(
        "/practice/",
        {"domains": [domain_2.pk], "sources": ["incorrect"], "count": 5},
    )
    assert "No published questions match" in page.text
    assert _source_counts(page.text)["incorrect"] == 0
    assert "0 questions match your choice." in page.text
    everything = alice_client.get("/practice/?domain=x&task=99999999999999999999")
    assert _source_counts(everything.text)["all"] == Question.objects.live().count()


def test_timed_block_deadline_is_two_point_four_minutes_a_question(api, alice, sample_bank):
    now = timezone.now()
    sitting = blocks.start_block(alice, domains=[3], count=10, timed=True, now=now)
    assert sitting.mode == "practice" and sitting.deadline == now + timedelta(minutes=24)
    assert sitting.title == "Timed block: all · Domain 3"
    sitting.end(now=now)
    Profile.objects.filter(user=alice).update(extra_time=True)
    longer = blocks.start_block(alice, count=15, timed=True, now=now)
    assert longer.deadline == now + timedelta(minutes=36 * 210 / 180)
    longer.end(now=now)  # an open timed block blocks a new start, as a mock does
    body = api.post(
        "/api/v1/exams/", {"mode": "practice", "count": 5, "timed": True}, format="json"
    ).json()
    assert body["timed"] is True and body["remaining_seconds"] >= 5 * 144 * 210 / 180 - 5


def test_timed_block_gives_no_feedback_until_the_end(api, alice, sample_bank):
    body = api.post(
        "/api/v1/exams/", {"mode": "practice", "count": 5, "timed": True}, format="json"
    ).json()
    sitting = Sitting.objects.get(pk=body["id"])
    first = sitting.items.select_related("version").get(position=1)
    saved = api.put(
        f"/api/v1/exams/{sitting.id}/items/1/",
        {"selected": first.option_places(wrong_ids(first))},
        format="json",
    )
    assert saved.status_code == 200
    assert_no_answer_data(saved.json(), sitting)
    # Saving the same answer again (a retried autosave) reveals nothing either.
    repeat = api.put(
        f"/api/v1/exams/{sitting.id}/items/1/",
        {"selected": first.option_places(wrong_ids(first))},
        format="json",
    )
    assert_no_answer_data(repeat.json(), sitting)
    assert_no_answer_data(api.get(f"/api/v1/exams/{sitting.id}/").json(), sitting)
    # The answer can still change, as in a mock (a checked tutor-mode answer cannot).
    again = api.put(
        f"/api/v1/exams/{sitting.id}/items/1/",
        {"selected": first.option_places(correct_ids(first))},
        format="json",
    )
    assert again.status_code == 200
    assert (
        api.put(f"/api/v1/exams/{sitting.id}/items/1/miss/", {"reason": "misread"}).status_code
        == 409
    )
    result = api.post(f"/api/v1/exams/{sitting.id}/submit/").json()["result"]
    # Scored like a mock: the four unanswered questions count as wrong.
    assert result["correct"] == 1 and result["total"] == 5
    final = api.get(f"/api/v1/exams/{sitting.id}/").json()
    assert final["items"][0]["feedback"]["correct"] is True


def test_timed_block_closes_at_its_deadline(api, alice, sample_bank):
    now = timezone.now()
    sitting = blocks.start_block(alice, count=5, timed=True, now=now - timedelta(minutes=13))
    item = sitting.items.select_related("version").get(position=1)
    assert sitting.deadline == now - timedelta(minutes=1)
    late = api.put(
        f"/api/v1/exams/{sitting.id}/items/1/", {"selected": correct_ids(item)}, format="json"
    )
    assert late.status_code == 409
    sitting.refresh_from_db()
    assert sitting.status == "finished" and sitting.timed_out and sitting.correct == 0
    assert sitting.deadline + GRACE < timezone.now()


def test_timed_block_page_has_the_clock_and_no_check_button(alice_client, alice, sample_bank):
    sitting = blocks.start_block(alice, count=5, timed=True)
    page = alice_client.get(f"/sittings/{sitting.id}/")
    assert 'data-timed="1"' in page.text and 'id="timer"' in page.text
    assert 'id="check"' not in page.text and 'id="unsure"' not in page.text
    sitting.end()  # an open timed block blocks a new start, as a mock does
    tutor = alice_client.post("/practice/", {"count": 5})
    tutor_page = alice_client.get(tutor.url)
    assert 'data-timed="0"' in tutor_page.text and 'id="check"' in tutor_page.text
    assert 'id="timer"' not in tutor_page.text


def test_an_open_timed_block_is_not_ended_by_starting_other_practice(alice, api, sample_bank):
    first = api.post(
        "/api/v1/exams/", {"mode": "practice", "count": 5, "timed": True}, format="json"
    )
    assert first.status_code == 201
    second = api.post("/api/v1/exams/", {"mode": "practice", "count": 5}, format="json")
    assert (
        second.status_code == 409 and "timed practice block" in second.json()["errors"][0]["detail"]
    )
    from progress.models import Sitting

    assert Sitting.objects.get(pk=first.json()["id"]).status == "in_progress"


def test_the_latest_answer_and_flag_go_by_time_not_by_id(alice, sample_bank):
    """Ids need not follow the learner's time (a restored backup renumbers rows, a sitting dealt
    earlier can be answered later): the sitting with the higher ids is the *earlier* one here."""
    qs = list(Question.objects.live().for_domain(3).order_by("id")[:3])
    ids = [q.id for q in qs]
    now = timezone.now()
    later = assembly.create_sitting(alice, "practice", ids, rng=random.Random(5), now=now)
    item = {i.question_id: i for i in later.items.select_related("version")}
    # Later in time: q0 wrong and flagged, q1 flagged without an answer, q2 wrong.
    later.save_answer(item[ids[0]].position, selected=wrong_ids(item[ids[0]]), flagged=True)
    later.save_answer(item[ids[1]].position, flagged=True)
    later.save_answer(item[ids[2]].position, selected=wrong_ids(item[ids[2]]))
    later.end()
    earlier = assembly.create_sitting(alice, "practice", ids, rng=random.Random(6), now=now)
    # Earlier in time (higher ids): all three right, none flagged.
    for i in earlier.items.select_related("version"):
        earlier.save_answer(i.position, selected=correct_ids(i))
    earlier.end()
    a_day = timedelta(days=1)
    Sitting.objects.filter(pk=earlier.pk).update(started_at=now - a_day, finished_at=now - a_day)
    earlier.items.update(answered_at=now - a_day)
    assert max(later.items.values_list("id", flat=True)) < min(
        earlier.items.values_list("id", flat=True)
    )

    assert blocks.source_question_ids(alice, "flagged") == {ids[0], ids[1]}
    assert blocks.source_question_ids(alice, "incorrect") == {ids[0], ids[2]}
    assert set(assembly.missed_question_ids(alice)) == {ids[0], ids[2]}
    counts = blocks.available_counts(alice, domains=[3], sources=["flagged"])
    assert counts["sources"]["flagged"] == 2 and counts["sources"]["incorrect"] == 2
