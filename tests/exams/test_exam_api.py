import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from progress.models import GRACE, Sitting, SittingItem
from questions.models import VersionChoice

from .conftest import correct_ids

FORBIDDEN_KEYS = {
    "is_correct",
    "why",
    "why_html",
    "explanation",
    "explanation_html",
    "misconception",
    "feedback",
    "correct_choice_ids",
    "result",
    "revealed_misconceptions",
    # Peer figures (which option others picked, the share right), the miss log and notes are
    # answer data too: never in an open mock or timed block.
    "peers",
    "right_share",
    "miss_reason",
    "miss_reasons",
    "note",
    "standing",
}


def assert_no_answer_data(payload, sitting):
    """Nothing in the payload tells which options are right."""
    text = json.dumps(payload, default=str)
    for key in FORBIDDEN_KEYS:
        assert f'"{key}"' not in text, key
    for why in VersionChoice.objects.filter(version__sitting_items__sitting=sitting).values_list(
        "why", flat=True
    )[:50]:
        assert why not in text
    assert "Why option" not in text and "Explanation for" not in text


def test_start_a_mock(api, sample_bank):
    response = api.post("/api/v1/exams/", {"mode": "mock"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["mode"] == "mock" and body["status"] == "in_progress"
    assert len(body["items"]) == 75 and 10790 <= body["remaining_seconds"] <= 10800
    item = body["items"][0]
    assert set(item) == {
        "position",
        "question",
        "selected",
        "struck",
        "flagged",
        "time_spent_seconds",
        "revision",
    }
    assert item["revision"] == 0
    # Nothing tells one question from another while the mock is open (ids grow with authoring
    # time, domains count against the blueprint: either would single out the pilots).
    assert set(item["question"]) == {
        "kind",
        "select_count",
        "choose_label",
        "stem_html",
        "choices",
    }
    for shown in body["items"]:
        places = [c["id"] for c in shown["question"]["choices"]]
        assert places == list(range(1, len(places) + 1))
    assert set(item["question"]["choices"][0]) == {"id", "text_html"}
    assert_no_answer_data(body, Sitting.objects.get(pk=body["id"]))
    api.post(f"/api/v1/exams/{body['id']}/submit/")
    finished = api.get(f"/api/v1/exams/{body['id']}/").json()["items"][0]["question"]
    assert {"id", "version", "domain", "task"} <= set(finished)
    assert finished["choices"][0]["id"] > 0 and "why_html" not in finished["choices"][0]


def test_a_second_mock_is_409_with_the_open_ones_id(api, sample_bank):
    first = api.post("/api/v1/exams/", {"mode": "mock"}, format="json").json()
    again = api.post("/api/v1/exams/", {"mode": "mock"}, format="json")
    assert again.status_code == 409 and again.json()["extra"]["id"] == first["id"]
    assert again.json()["errors"][0]["code"] == "open_sitting"
    practice = api.post("/api/v1/exams/", {"mode": "practice", "count": 5}, format="json")
    assert practice.status_code == 409


def test_bad_start_requests_are_400(api, sample_bank):
    assert api.post("/api/v1/exams/", {"mode": "exam"}, format="json").status_code == 400
    assert (
        api.post("/api/v1/exams/", {"mode": "practice", "count": 2}, format="json").status_code
        == 400
    )
    assert (
        api.post(
            "/api/v1/exams/", {"mode": "practice", "tasks": ["9.9"]}, format="json"
        ).status_code
        == 400
    )
    assert api.post("/api/v1/exams/", {"mode": "missed"}, format="json").status_code == 400


def test_saving_an_answer_and_every_refusal(api, alice, bob, sample_bank):
    body = api.post("/api/v1/exams/", {"mode": "mock"}, format="json").json()
    sid = body["id"]
    item = body["items"][0]
    choice = item["question"]["choices"][0]["id"]
    url = f"/api/v1/exams/{sid}/items/1/"
    saved = api.put(
        url,
        {"selected": [choice], "flagged": True, "struck": [item["question"]["choices"][1]["id"]]},
        format="json",
    )
    assert saved.status_code == 200
    assert saved.json()["selected"] == [choice] and saved.json()["flagged"] is True
    assert_no_answer_data(saved.json(), Sitting.objects.get(pk=sid))
    stored = SittingItem.objects.get(sitting_id=sid, position=1)
    assert stored.selected == [stored.choice_order[choice - 1]]
    assert stored.struck == [stored.choice_order[1]]
    for not_an_option in (0, -1, len(item["question"]["choices"]) + 1, stored.choice_order[0]):
        refused = api.put(url, {"selected": [not_an_option]}, format="json")
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["attr"] == "selected"
    assert api.put(url, {"struck": [0]}, format="json").json()["errors"][0]["attr"] == "struck"
    too_many = [c["id"] for c in item["question"]["choices"]][
        : item["question"]["select_count"] + 1
    ]
    assert api.put(url, {"selected": too_many}, format="json").status_code == 400
    assert (
        api.put(f"/api/v1/exams/{sid}/items/99/", {"flagged": True}, format="json").status_code
        == 404
    )
    intruder = APIClient()
    intruder.force_authenticate(bob)
    assert intruder.put(url, {"flagged": False}, format="json").status_code == 404
    assert intruder.get(f"/api/v1/exams/{sid}/").status_code == 404
    assert intruder.post(f"/api/v1/exams/{sid}/submit/").status_code == 404
    assert APIClient().put(url, {"flagged": False}, format="json").status_code in (401, 403)
    # Past the deadline plus grace: refused, nothing changes, and the sitting is finalised.
    Sitting.objects.filter(pk=sid).update(deadline=timezone.now() - GRACE - timedelta(seconds=1))
    late = api.put(url, {"selected": [], "flagged": False}, format="json")
    assert late.status_code == 409 and late.json()["extra"]["id"] == sid
    stored = SittingItem.objects.get(sitting_id=sid, position=1)
    assert stored.selected == [stored.choice_order[choice - 1]] and stored.flagged
    assert Sitting.objects.get(pk=sid).status == "finished"


def test_state_of_an_open_mock_never_carries_answers(api, sample_bank):
    sid = api.post("/api/v1/exams/", {"mode": "mock"}, format="json").json()["id"]
    state = api.get(f"/api/v1/exams/{sid}/")
    assert state.status_code == 200
    assert_no_answer_data(state.json(), Sitting.objects.get(pk=sid))
    listing = api.get("/api/v1/exams/").json()
    assert listing[0]["id"] == sid and listing[0]["scaled_score"] is None


def test_submit_returns_the_result_and_is_idempotent(api, alice, sample_bank):
    sid = api.post("/api/v1/exams/", {"mode": "mock"}, format="json").json()["id"]
    sitting = Sitting.objects.get(pk=sid)
    for item in sitting.items.prefetch_related("version__choices")[:60]:
        api.put(
            f"/api/v1/exams/{sid}/items/{item.position}/",
            {"selected": item.option_places(correct_ids(item))},
            format="json",
        )
    first = api.post(f"/api/v1/exams/{sid}/submit/")
    assert first.status_code == 200
    result = first.json()["result"]
    assert (
        result["correct"] == 60
        and result["total"] == 75
        and result["scaled_score"] == 820
        and result["passed"]
    )
    assert [d["number"] for d in result["domains"]] == [1, 2, 3, 4, 5, 6]
    assert set(result["domains"][0]) == {"number", "name", "correct", "total", "percent", "verdict"}
    assert api.post(f"/api/v1/exams/{sid}/submit/").json() == first.json()
    finished = api.get(f"/api/v1/exams/{sid}/").json()
    assert finished["result"] == result
    assert "why_html" in finished["items"][0]["feedback"]["choices"][0]
    assert (
        api.put(f"/api/v1/exams/{sid}/items/1/", {"flagged": True}, format="json").status_code
        == 409
    )


def test_practice_gives_feedback_after_each_answer_and_locks_it(api, sample_bank):
    body = api.post(
        "/api/v1/exams/", {"mode": "practice", "domains": [6], "count": 5}, format="json"
    ).json()
    assert body["deadline"] is None and body["remaining_seconds"] is None
    assert_no_answer_data(body, Sitting.objects.get(pk=body["id"]))
    sid = body["id"]
    item = SittingItem.objects.get(sitting_id=sid, position=1)
    # A complete wrong answer (tutor mode checks only complete ones), linked options first.
    choices = list(item.version.choices.all())
    linked = [c.id for c in choices if not c.is_correct and c.misconception_id]
    wrong = linked + [c.id for c in choices if not c.is_correct and not c.misconception_id]
    wrong = wrong[: item.select_count]
    answer = api.put(f"/api/v1/exams/{sid}/items/1/", {"selected": wrong}, format="json").json()
    feedback = answer["feedback"]
    assert feedback["correct"] is False
    assert feedback["correct_choice_ids"] == correct_ids(item)
    assert all(c["why_html"] for c in feedback["choices"])
    if item.version.choices.filter(id=wrong[0], misconception__isnull=False).exists():
        assert feedback["revealed_misconceptions"][0]["slug"] == "config-rules-are-preventive"
    # Other, unchecked items of the same practice set still carry nothing.
    state = api.get(f"/api/v1/exams/{sid}/").json()
    assert "feedback" in state["items"][0] and "feedback" not in state["items"][1]
    changed = api.put(
        f"/api/v1/exams/{sid}/items/1/", {"selected": correct_ids(item)}, format="json"
    )
    assert changed.status_code == 400


def test_practice_by_task_statement(api, sample_bank):
    body = api.post(
        "/api/v1/exams/", {"mode": "practice", "tasks": ["1.4"], "count": 20}, format="json"
    ).json()
    assert len(body["items"]) == 5 and {i["question"]["task"] for i in body["items"]} == {"1.4"}


@pytest.mark.parametrize("page", ["sitting", "api"])
def test_nothing_in_the_exam_page_tells_the_answers(alice_client, alice, sample_bank, page):
    from progress.assembly import start_mock

    sitting = start_mock(alice)
    text = alice_client.get(
        f"/sittings/{sitting.pk}/" if page == "sitting" else f"/api/v1/exams/{sitting.pk}/"
    ).text
    for key in ("is_correct", "why", "explanation", "misconception", "correct_choice"):
        assert not re.search(rf'"{key}', text), key
    assert "Why option" not in text and "Explanation for" not in text and "<!--" not in text


def test_queries_are_constant_for_page_save_and_results(
    alice_client, alice, sample_bank, django_assert_max_num_queries
):
    from progress.assembly import start_mock

    sitting = start_mock(alice)
    with django_assert_max_num_queries(14):
        assert alice_client.get(f"/sittings/{sitting.pk}/").status_code == 200
    item = sitting.items.prefetch_related("version__choices").first()
    with django_assert_max_num_queries(14):
        response = alice_client.put(
            f"/api/v1/exams/{sitting.pk}/items/1/",
            {"selected": item.option_places(correct_ids(item))},
            content_type="application/json",
        )
        assert response.status_code == 200
    sitting.finish()
    with django_assert_max_num_queries(12):
        assert alice_client.get(f"/sittings/{sitting.pk}/results/").status_code == 200
    with django_assert_max_num_queries(12):
        assert alice_client.get(f"/api/v1/exams/{sitting.pk}/").status_code == 200


def _queries(fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_assembly_queries_do_not_grow_with_the_bank(alice, bob, sample_bank):
    from pathlib import Path

    from django.conf import settings

    from progress.assembly import start_mock
    from questions.bank import apply_bank, read_bank

    small = _queries(lambda: start_mock(alice))
    apply_bank(read_bank(Path(settings.BASE_DIR) / "fixtures" / "bank"))  # 95 -> 338 questions
    assert _queries(lambda: start_mock(bob)) == small


def test_page_and_results_queries_do_not_grow_with_the_number_of_questions(
    alice_client, alice, sample_bank
):
    from random import Random

    from progress.assembly import create_sitting, pick_mock_questions

    alice_client.get("/home/")  # the first request of a session loads the learner's time zone
    counts = {}
    for total in (6, 75):
        ids, _ = pick_mock_questions(alice, rng=Random(total), total=total)
        sitting = create_sitting(alice, "mock", ids, rng=Random(total))
        page = _queries(lambda s=sitting: alice_client.get(f"/sittings/{s.pk}/"))
        sitting.finish()
        results = _queries(lambda s=sitting: alice_client.get(f"/sittings/{s.pk}/results/"))
        counts[total] = (page, results)
    assert counts[6] == counts[75]
