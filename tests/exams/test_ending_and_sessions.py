"""Ending a sitting near the deadline, answers that did not count, and stale CSRF tokens."""

from datetime import timedelta

import pytest
from django.test import Client

from progress.assembly import start_mock
from progress.models import GRACE

from .conftest import correct_ids


def test_ending_within_the_grace_scores_what_arrived_and_counts_as_time_up(alice, sample_bank):
    sitting = start_mock(alice)
    item = sitting.items.prefetch_related("version__choices").first()
    in_grace = sitting.deadline + GRACE - timedelta(seconds=1)
    sitting.save_answer(item.position, selected=correct_ids(item), now=in_grace)
    sitting.end(now=in_grace)
    assert sitting.timed_out and sitting.correct == 1


def test_ending_before_the_deadline_is_not_a_time_out(alice, sample_bank):
    sitting = start_mock(alice)
    sitting.end()
    assert sitting.status == "finished" and not sitting.timed_out


def test_results_name_the_answers_the_page_could_not_deliver(alice_client, alice, sample_bank):
    sitting = start_mock(alice)
    sitting.end()
    page = alice_client.get(f"/sittings/{sitting.pk}/results/?not_counted=2,99,x")
    assert "1 answer did not count" in page.text
    assert 'href="#q2">Question 2</a> — scored as unanswered' in page.text
    assert "Question 99" not in page.text
    plain = alice_client.get(f"/sittings/{sitting.pk}/results/")
    assert "did not count" not in plain.text


def test_a_stale_csrf_token_gets_a_page_that_explains_not_a_framework_error(alice, sample_bank):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    sitting = start_mock(alice)
    response = client.post(
        f"/sittings/{sitting.pk}/end/",
        {"csrfmiddlewaretoken": "stale" * 8},
        HTTP_REFERER=f"http://testserver/sittings/{sitting.pk}/",
    )
    assert response.status_code == 403
    assert "That page was out of date" in response.text
    assert f'href="http://testserver/sittings/{sitting.pk}/"' in response.text
    assert "CSRF verification failed" not in response.text
    sitting.refresh_from_db()
    assert sitting.is_open


def test_a_stale_csrf_token_on_a_json_request_gets_json(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post("/profile/", {}, HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "csrf_failed"


def test_a_foreign_referer_is_not_offered_as_the_way_back(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post("/profile/", {}, HTTP_REFERER="https://evil.example/")
    assert response.status_code == 403 and "evil.example" not in response.text


@pytest.mark.parametrize("logged_in", [True, False])
def test_the_session_endpoint_gives_the_current_csrf_token(alice, logged_in):
    client = Client(enforce_csrf_checks=True)
    if logged_in:
        client.force_login(alice)
    body = client.get("/session/").json()
    assert body["authenticated"] is logged_in and len(body["csrf_token"]) >= 32
    if logged_in:
        # The token works for the next write.
        ok = client.post(
            "/profile/", {"csrfmiddlewaretoken": body["csrf_token"], "hide_timer": "on"}
        )
        assert ok.status_code == 302


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.url.endswith("favicon.svg")
