"""A learner's problem report: the authors' queue, the reply, and the learner's notice."""

import random

import pytest
from rest_framework.test import APIClient

from progress import assembly
from questions.models import ProblemReport, Question


@pytest.fixture
def seen(alice, sample_bank):
    """alice has been given t1-1-1 in a practice set, so she may report it."""
    question = Question.objects.get(slug="t1-1-1")
    assembly.create_sitting(alice, "practice", [question.id], rng=random.Random(1))
    return question


def test_report_goes_to_the_review_queue_with_the_version_seen(seen, alice_client, client):
    response = alice_client.post(
        f"/questions/{seen.pk}/report/", {"reason": "wrong_answer", "text": "b is right"}
    )
    assert response.status_code == 302
    report = ProblemReport.objects.get()
    assert report.status == "open" and report.version == seen.current_version
    from tests.conftest import make_user

    admin = make_user("boss", is_staff=True, is_superuser=True)
    client.force_login(admin)
    queue = client.get("/admin/questions/question/?analysis=reported")
    assert "t1-1-1" in queue.text and "t1-1-2" not in queue.text
    change = client.get(f"/admin/questions/question/{seen.pk}/change/")
    assert "b is right" in change.text and "Version 1 (current)" in change.text


def test_learner_sees_status_reply_and_a_notice_until_read(seen, alice, alice_client):
    report = ProblemReport.objects.create(
        question=seen, version=seen.current_version, reporter=alice, reason="typo", text="x"
    )
    page = alice_client.get("/reports/mine/")
    assert "Open" in page.text and "new repl" not in alice_client.get("/").text
    report.resolve(None, ProblemReport.Status.FIXED, "Fixed the typo in version 2. Thanks!")
    home = alice_client.get("/domains/")
    assert "1 new reply" in home.text
    api = APIClient()
    api.force_authenticate(alice)
    body = api.get("/api/v1/problem-reports/").json()
    assert body[0]["status"] == "fixed" and body[0]["new_reply"] is True
    assert body[0]["reply"] == "Fixed the typo in version 2. Thanks!" and body[0]["version"] == 1
    page = alice_client.get("/reports/mine/")
    assert "Fixed the typo in version 2" in page.text and "Fixed" in page.text
    assert "new repl" not in alice_client.get("/domains/").text
    assert api.get("/api/v1/problem-reports/").json()[0]["new_reply"] is False


def test_nobody_sees_anyone_elses_reports(seen, alice, bob):
    ProblemReport.objects.create(question=seen, reporter=alice, reason="typo", text="secret")
    api = APIClient()
    api.force_authenticate(bob)
    assert api.get("/api/v1/problem-reports/").json() == []
    from django.test import Client

    client = Client()
    client.force_login(bob)
    assert "secret" not in client.get("/reports/mine/").text


def test_declining_in_the_admin_with_a_reply_notifies_the_learner(seen, alice, client):
    from tests.conftest import make_user

    report = ProblemReport.objects.create(question=seen, reporter=alice, reason="unclear")
    admin = make_user("boss", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        f"/admin/questions/problemreport/{report.pk}/change/",
        {"status": "declined", "resolution": "The stem states the RPO; the key stands."},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "declined" and report.resolved_by == admin
    assert ProblemReport.objects.answered_unseen(alice).count() == 1
