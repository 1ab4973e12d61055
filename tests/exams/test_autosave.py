"""The autosave: what a save costs, what it answers, and two tabs that must not overwrite
each other."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken
from rest_framework.test import APIClient

from progress import answers
from progress.assembly import start_mock, start_practice
from progress.models import ReviewItem, Sitting, SittingClosed, SittingItem

from .conftest import correct_ids

SAVED_KEYS = {
    "position",
    "selected",
    "struck",
    "flagged",
    "revision",
    "answered",
    "complete",
    "server_time",
    "remaining_seconds",
}


def put(client, sitting, position, body):
    return client.put(
        f"/api/v1/exams/{sitting.pk}/items/{position}/", body, content_type="application/json"
    )


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + AuthToken.objects.create(user)[1])
    return client


def statements(ctx):
    """The SQL a request sent, without the savepoints the test's own transaction adds."""
    return [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN"))
    ]


def test_an_autosave_is_four_queries_and_never_reads_the_question(
    alice_client, alice, sample_bank, django_assert_max_num_queries
):
    sitting = start_mock(alice)
    # The page has been loaded already in a real sitting: the session knows the time zone.
    alice_client.get(f"/api/v1/exams/{sitting.pk}/clock/")
    # session + user, read-and-lock, update: 4 (+2 savepoints of the test's transaction).
    with (
        django_assert_max_num_queries(6),
        CaptureQueriesContext(connection) as ctx,
    ):
        response = put(alice_client, sitting, 1, {"selected": [1], "seconds": 5})
    assert response.status_code == 200
    sent = statements(ctx)
    assert len(sent) == 4
    assert not [sql for sql in sent if "questions_" in sql]
    # Moving to another question also records where the learner is: one more.
    with CaptureQueriesContext(connection) as ctx:
        assert put(alice_client, sitting, 2, {"flagged": True}).status_code == 200
    assert len(statements(ctx)) == 5
    assert Sitting.objects.get(pk=sitting.pk).current_position == 2


def test_a_token_autosave_is_four_queries(alice, sample_bank):
    sitting = start_mock(alice)
    client = token_client(alice)
    with CaptureQueriesContext(connection) as ctx:
        assert put(client, sitting, 1, {"flagged": True}).status_code == 200
    # knox: the token by its key, then its user (no write: renewal is at most hourly);
    # then read-and-lock and the update.
    assert len(statements(ctx)) == 4


def test_a_save_answers_with_the_saved_state_and_the_clock_not_the_question(
    alice_client, alice, sample_bank
):
    sitting = start_mock(alice)
    multiple = sitting.items.filter(select_count__gt=1).first()
    assert multiple is not None, "the sample bank has multiple-response questions"
    # An open mock names options by their place in the order shown.
    body = put(alice_client, sitting, multiple.position, {"selected": [1]}).json()
    assert set(body) == SAVED_KEYS
    assert body["selected"] == [1] and body["answered"] and not body["complete"]
    assert body["revision"] == 1 and 10790 <= body["remaining_seconds"] <= 10800
    assert SittingItem.objects.get(pk=multiple.pk).selected == multiple.choice_order[:1]
    both = list(range(1, multiple.select_count + 1))
    body = put(alice_client, sitting, multiple.position, {"selected": both}).json()
    assert body["complete"] and body["revision"] == 2
    cleared = put(alice_client, sitting, multiple.position, {"selected": []}).json()
    assert not cleared["answered"] and not cleared["complete"]


def test_items_store_what_a_save_validates(alice, sample_bank):
    sitting = start_mock(alice)
    for item in sitting.items.select_related("version").prefetch_related("version__choices"):
        assert item.select_count == item.version.select_count
        assert sorted(item.choice_order) == sorted(c.id for c in item.version.choices.all())


def test_a_stale_tab_cannot_overwrite_an_answer_given_elsewhere(alice, sample_bank):
    sitting = start_mock(alice)
    laptop, phone = token_client(alice), APIClient()
    phone.force_authenticate(alice)
    state = laptop.get(f"/api/v1/exams/{sitting.pk}/").json()
    seen = state["items"][0]["revision"]
    a, b = state["items"][0]["question"]["choices"][:2]
    newer = put(phone, sitting, 1, {"selected": [b["id"]], "revision": seen})
    assert newer.status_code == 200 and newer.json()["revision"] == seen + 1
    stale = put(laptop, sitting, 1, {"selected": [a["id"]], "flagged": True, "revision": seen})
    assert stale.status_code == 409
    body = stale.json()
    assert body["errors"][0]["code"] == "stale_revision"
    assert body["extra"]["item"] == {
        "position": 1,
        "selected": [b["id"]],
        "struck": [],
        "flagged": False,
        "revision": seen + 1,
    }
    stored = SittingItem.objects.get(sitting=sitting, position=1)
    assert (
        stored.selected == [stored.choice_order[b["id"] - 1]]
        and not stored.flagged
        and stored.revision == seen + 1
    )
    # The stale tab, now showing the current state, saves on top of it.
    again = put(
        laptop, sitting, 1, {"flagged": True, "revision": body["extra"]["item"]["revision"]}
    )
    assert again.status_code == 200 and again.json()["selected"] == [b["id"]]
    # A plain API client that sends no revision is not refused.
    assert put(laptop, sitting, 1, {"selected": [a["id"]]}).json()["revision"] == seen + 3


def test_the_page_and_the_api_carry_each_items_revision(alice_client, alice, sample_bank):
    sitting = start_mock(alice)
    sitting.save_answer(3, flagged=True)
    page = alice_client.get(f"/sittings/{sitting.pk}/").text
    assert '"revision": 1' in page or '"revision":1' in page
    state = alice_client.get(f"/api/v1/exams/{sitting.pk}/").json()
    assert [i["revision"] for i in state["items"][:3]] == [0, 0, 1]


def test_a_save_behind_a_finish_is_refused_and_not_stored(alice_client, alice, sample_bank):
    # The page loaded the sitting, then the learner's other tab ended the exam: the save that
    # arrives now must see the finish (it reads the sitting under its lock), not the old state.
    sitting = start_mock(alice)
    item = sitting.items.get(position=1)
    Sitting.objects.get(pk=sitting.pk).finish()
    with pytest.raises(SittingClosed):
        sitting.save_answer(1, selected=item.choice_order[:1])
    response = put(alice_client, sitting, 1, {"selected": item.choice_order[:1]})
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "sitting_closed"
    assert SittingItem.objects.get(pk=item.pk).selected == []


def test_a_checked_practice_answer_is_graded_and_queued_for_review(alice, sample_bank):
    sitting = start_practice(alice, domains=[6], count=5)
    item = sitting.items.prefetch_related("version__choices").get(position=1)
    wrong = [c.id for c in item.version.choices.all() if not c.is_correct][: item.select_count]
    saved = answers.save_answer(alice, sitting.pk, 1, selected=wrong)
    assert saved.feedback["correct"] is False
    assert saved.feedback["correct_choice_ids"] == correct_ids(item)
    assert SittingItem.objects.get(pk=item.pk).is_correct is False
    assert ReviewItem.objects.filter(user=alice, question_id=item.question_id).exists()
    # Sending the same answer again shows the feedback again and changes nothing.
    again = answers.save_answer(alice, sitting.pk, 1, selected=wrong)
    assert again.feedback == saved.feedback


def test_another_learners_item_is_404_whatever_the_body(alice, bob, sample_bank):
    sitting = start_mock(alice)
    intruder = token_client(bob)
    assert put(intruder, sitting, 1, {"flagged": True}).status_code == 404
    assert put(intruder, sitting, 1, {"flagged": True, "revision": 0}).status_code == 404
    assert not SittingItem.objects.get(sitting=sitting, position=1).flagged


def test_time_and_position_saves_never_make_an_answer_stale(alice_client, alice, sample_bank):
    """Reloading banks time on the question being left; that must not refuse the next answer
    given on the reloaded page (it carries the revision the page was rendered with)."""
    sitting = start_mock(alice)
    assert put(alice_client, sitting, 1, {"seconds": 5}).json()["revision"] == 0
    assert put(alice_client, sitting, 1, {}).json()["revision"] == 0
    saved = put(alice_client, sitting, 1, {"selected": [1], "revision": 0})
    assert saved.status_code == 200 and saved.json()["revision"] == 1
    # A real change from another tab still makes this tab's answer stale.
    stale = put(alice_client, sitting, 1, {"selected": [2], "revision": 0})
    assert stale.status_code == 409 and stale.json()["errors"][0]["code"] == "stale_revision"


def test_banking_time_on_the_question_left_does_not_move_the_learner(
    alice_client, alice, sample_bank
):
    sitting = start_mock(alice)
    put(alice_client, sitting, 3, {})  # the learner is on question 3
    put(alice_client, sitting, 2, {"seconds": 40})  # time spent on 2, sent on leaving it
    assert Sitting.objects.get(pk=sitting.pk).current_position == 3


def test_a_partial_practice_answer_is_kept_unchecked_until_complete(api, alice, sample_bank):
    from questions.models import Question

    question = Question.objects.get(slug="t1-4-4")  # Choose TWO
    sitting = start_practice(alice, question_ids=[question.id], count=5)
    item = sitting.items.get()
    right = correct_ids(item)
    partial = api.put(
        f"/api/v1/exams/{sitting.pk}/items/1/", {"selected": right[:1]}, format="json"
    ).json()
    assert "feedback" not in partial and partial["complete"] is False
    assert SittingItem.objects.get(pk=item.pk).is_correct is None
    done = api.put(f"/api/v1/exams/{sitting.pk}/items/1/", {"selected": right}, format="json")
    assert done.status_code == 200 and done.json()["feedback"]["correct"] is True


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/exams/{pk}/items/100000000000000000000/",
        "/api/v1/exams/100000000000000000000/items/1/",
    ],
)
def test_ids_beyond_64_bits_are_not_found(api, alice, sample_bank, url):
    sitting = start_mock(alice)
    response = api.put(url.format(pk=sitting.pk), {"flagged": True}, format="json")
    assert response.status_code == 404
