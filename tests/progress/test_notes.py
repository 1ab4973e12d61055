"""Private notes on questions: written from practice feedback and a finished review, sanitised,
listed on "My notes" by domain with links back, the learner's alone, and exportable."""

import json
import random

from rest_framework.test import APIClient

from progress import assembly, notes
from progress.models import Note


def test_note_from_the_review_is_sanitised_and_listed_by_domain(
    api, alice_client, alice, finished_mock
):
    item = finished_mock.items.select_related("question__domain").get(position=3)
    url = f"/api/v1/exams/{finished_mock.id}/items/3/note/"
    text = "Use **CodeDeploy** `AllAtOnce`<script>alert(1)</script> [x](javascript:alert(2))"
    saved = api.put(url, {"text": text}, format="json")
    assert saved.status_code == 200
    assert "<strong>CodeDeploy</strong>" in saved.json()["html"]
    assert "<script" not in saved.json()["html"] and "javascript:" not in saved.json()["html"]
    assert api.get(url).json()["text"] == text
    review = alice_client.get(f"/sittings/{finished_mock.id}/results/")
    assert "<strong>CodeDeploy</strong>" in review.text and "<script>alert" not in review.text
    page = alice_client.get("/notes/")
    domain = item.question.domain
    assert f"Domain {domain.number}. {domain.name}" in page.text
    assert f'href="/sittings/{finished_mock.id}/results/#q3"' in page.text
    listing = api.get("/api/v1/notes/").json()
    assert listing == [
        {
            "text": text,
            "html": listing[0]["html"],
            "updated_at": listing[0]["updated_at"],
            "question": item.question_id,
            "domain": domain.number,
            "task": item.question.task.number,
            "url": f"/sittings/{finished_mock.id}/results/#q3",
        }
    ]


def test_one_note_per_question_and_empty_text_deletes_it(api, alice, finished_mock):
    url = f"/api/v1/exams/{finished_mock.id}/items/1/note/"
    api.put(url, {"text": "first"}, format="json")
    api.put(url, {"text": "second"}, format="json")
    assert list(Note.objects.filter(user=alice).values_list("text", flat=True)) == ["second"]
    assert api.put(url, {"text": "   "}, format="json").status_code == 204
    assert not Note.objects.exists() and api.get(url).status_code == 404
    assert api.put(url, {"text": "x" * 10001}, format="json").status_code == 400
    assert api.put(url, {"text": ["a"]}, format="json").status_code == 400


def test_notes_are_private(bob, alice, finished_mock, client):
    owner = APIClient()
    owner.force_authenticate(alice)
    owner.put(
        f"/api/v1/exams/{finished_mock.id}/items/1/note/",
        {"text": "alice-private-note"},
        format="json",
    )
    intruder = APIClient()
    intruder.force_authenticate(bob)
    assert intruder.get(f"/api/v1/exams/{finished_mock.id}/items/1/note/").status_code == 404
    assert intruder.get("/api/v1/notes/").json() == []
    client.force_login(bob)
    assert "alice-private-note" not in client.get("/notes/").text
    assert (
        client.post(f"/sittings/{finished_mock.id}/items/1/note/", {"text": "theirs"}).status_code
        == 404
    )
    assert notes.notes_export(bob) == []


def test_note_form_on_the_review_keeps_a_too_long_text(alice_client, finished_mock):
    url = f"/sittings/{finished_mock.id}/items/2/note/"
    assert alice_client.post(url, {"text": "short"}).status_code == 302
    long_text = "word " * 2100
    response = alice_client.post(url, {"text": long_text}, follow=True)
    assert "at most 10000 characters" in response.text
    assert "word word word" in response.text  # the text is shown again, not lost
    assert Note.objects.get().text == "short"


def test_note_from_tutor_practice_feedback(api, alice, sample_bank):
    sitting = assembly.start_practice(alice, count=5, rng=random.Random(7))
    url = f"/api/v1/exams/{sitting.id}/items/1/note/"
    assert api.put(url, {"text": "before checking"}, format="json").status_code == 409
    item = sitting.items.select_related("version").get(position=1)
    pick = [c.id for c in item.version.choices.all() if c.is_correct]
    api.put(f"/api/v1/exams/{sitting.id}/items/1/", {"selected": pick}, format="json")
    assert api.put(url, {"text": "remember this"}, format="json").status_code == 200
    state = api.get(f"/api/v1/exams/{sitting.id}/").json()
    assert state["items"][0]["feedback"]["note"]["text"] == "remember this"
    assert "note" not in state["items"][1]  # the unchecked item carries nothing
    assert notes.my_notes(alice)[0]["notes"][0]["url"] == f"/sittings/{sitting.id}/"


def test_my_notes_page_does_not_grow_queries_with_notes(
    alice_client, alice, finished_mock, django_assert_max_num_queries
):
    for item in finished_mock.items.all()[:3]:
        notes.save_note(alice, item, f"note {item.position}")
    with django_assert_max_num_queries(12) as few:
        alice_client.get("/notes/")
    for item in finished_mock.items.all()[3:40]:
        notes.save_note(alice, item, f"note {item.position}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = alice_client.get("/notes/")
    assert page.text.count("note-entry") == 40


def test_notes_export_is_json_able(alice, finished_mock):
    item = finished_mock.items.select_related("question__domain", "question__task").first()
    notes.save_note(alice, item, "exported")
    exported = notes.notes_export(alice)
    assert json.loads(json.dumps(exported)) == exported
    assert exported[0]["text"] == "exported" and exported[0]["question"] == item.question_id
    assert exported[0]["domain"] == item.question.domain.number
