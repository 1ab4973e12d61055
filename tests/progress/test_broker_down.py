"""A Redis outage never stalls a request: finishing writes an outbox row in its own transaction
and calls no broker; once the broker is back a dispatch builds every pending report."""

import random

import pytest

from progress.models import Outbox, WeakDomainReport
from progress.reports import latest_report
from progress.tasks import build_nightly_reports

from .conftest import answer


@pytest.fixture
def broker_down(settings, monkeypatch):
    """Celery points at an address where nothing listens, runs nothing eagerly, and every way
    to reach a broker fails the test's bookkeeping: `calls` lists each attempt."""
    from kombu import Connection

    from examprep.celery import app

    calls = []

    def refuse(self, *args, **kwargs):
        calls.append(self.as_uri())
        raise ConnectionRefusedError("broker down")

    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    saved_pool = app._pool
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app.conf.task_always_eager = False
    app._pool = None
    app.amqp._producer_pool = None
    monkeypatch.setattr(Connection, "connect", refuse)
    monkeypatch.setattr(Connection, "ensure_connection", refuse)
    monkeypatch.setattr(Connection, "default_channel", property(lambda self: refuse(self)))
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    yield calls
    if app._pool is not None:
        app._pool.force_close_all()
    app.conf.update(saved)
    app._pool = saved_pool
    app.amqp._producer_pool = None


def _finish_a_practice(user, client, capture):
    from progress import assembly

    sitting = assembly.start_practice(user, count=5, rng=random.Random(user.id))
    answer(sitting, sitting.items.prefetch_related("version__choices").first(), right=False)
    with capture(execute=True):
        response = client.post(f"/api/v1/exams/{sitting.pk}/submit/")
    return sitting, response


def test_finishing_with_the_broker_down_commits_the_outbox_row_and_calls_no_broker(
    alice, api, sample_bank, broker_down, django_capture_on_commit_callbacks
):
    sitting, response = _finish_a_practice(alice, api, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    sitting.refresh_from_db()
    assert sitting.status == "finished" and sitting.correct is not None
    assert list(Outbox.objects.values_list("kind", "payload")) == [
        ("weak_domain_report", {"user_id": alice.id})
    ]
    assert broker_down == []
    assert not WeakDomainReport.objects.filter(user=alice).exists()


def test_the_end_exam_form_and_a_report_request_call_no_broker_either(
    alice, alice_client, api, sample_bank, broker_down, django_capture_on_commit_callbacks
):
    from progress import assembly

    sitting = assembly.start_mock(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(f"/sittings/{sitting.pk}/end/")
        page = alice_client.get(response.url)
        requested = api.post("/api/v1/reports/")
    assert response.status_code == 302
    assert page.status_code == 200 and "Scaled score" in page.text
    assert requested.status_code == 202 and requested.json() == {"queued": True}
    assert Outbox.objects.count() == 2
    assert broker_down == []


def test_after_the_broker_returns_a_dispatch_builds_every_pending_report(
    alice, bob, api, sample_bank, broker_down, django_capture_on_commit_callbacks
):
    from rest_framework.test import APIClient

    from progress.tasks import dispatch_outbox

    bob_api = APIClient()
    bob_api.force_authenticate(bob)
    _finish_a_practice(alice, api, django_capture_on_commit_callbacks)
    _finish_a_practice(bob, bob_api, django_capture_on_commit_callbacks)
    assert Outbox.objects.count() == 2 and not WeakDomainReport.objects.exists()

    assert dispatch_outbox.apply().get() == 2  # what beat or a starting worker sends
    assert latest_report(alice) is not None and latest_report(bob) is not None
    assert not Outbox.objects.exists()
    assert dispatch_outbox.apply().get() == 0


def test_a_failing_build_keeps_its_row_for_a_later_try(alice, sample_bank, monkeypatch):
    from progress import outbox

    Outbox.objects.create(kind="weak_domain_report", payload={"user_id": alice.id})

    def broken(user_ids):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr("progress.reports.build_reports", broken)
    assert outbox.drain() == 0
    row = Outbox.objects.get()
    assert row.attempts == 1 and "database hiccup" in row.last_error
    built = []
    monkeypatch.setattr("progress.reports.build_reports", built.append)
    assert outbox.drain() == 0  # not yet: it waits 2 s before the next try
    assert outbox.drain(now=row.available_at) == 1
    assert built == [[alice.id]] and not Outbox.objects.exists()


def test_one_bad_row_does_not_hold_back_the_others(alice, bob, sample_bank, monkeypatch):
    from progress import outbox

    for user in (alice, bob):
        Outbox.objects.create(kind="weak_domain_report", payload={"user_id": user.id})
    Outbox.objects.create(kind="weak_domain_report", payload={"user_id": 424242})  # deleted
    Outbox.objects.create(kind="no_such_kind", payload={})
    built = []

    def build(user_ids):
        if alice.id in user_ids:
            raise RuntimeError("alice's data is broken")
        built.append(user_ids)

    monkeypatch.setattr("progress.reports.build_reports", build)
    assert outbox.drain() == 2  # bob's row, and the deleted learner's (nothing to build)
    assert [bob.id] in built
    left = sorted(Outbox.objects.values_list("kind", "payload", "attempts"))
    assert left == [
        ("no_such_kind", {}, 1),
        ("weak_domain_report", {"user_id": alice.id}, 1),
    ]


def test_without_a_broker_the_embedded_default_builds_the_report_right_after_the_finish(
    alice, api, sample_bank, django_capture_on_commit_callbacks
):
    _finish_a_practice(alice, api, django_capture_on_commit_callbacks)
    assert latest_report(alice) is not None
    assert not Outbox.objects.exists()


def test_markdown_renders_when_the_cache_is_down(settings):
    from questions.markdown import render_many

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    from django.core.cache import caches

    caches._settings = None
    html = render_many(["**bold**"])
    assert "<strong>bold</strong>" in html["**bold**"]


def test_after_a_cache_failure_the_cache_is_skipped_for_a_while_then_tried_again():
    from examprep.resilience import CacheBreaker

    now = [100.0]
    breaker = CacheBreaker("test", cooldown=30, clock=lambda: now[0])
    calls = []

    def down():
        calls.append(now[0])
        raise ConnectionError("redis down")

    assert breaker.call(down, "fallback") == "fallback"
    now[0] += 29
    assert breaker.call(down, "fallback") == "fallback"
    assert calls == [100.0]  # no second connection attempt inside the cooldown
    now[0] += 2
    assert breaker.call(lambda: "cached", "fallback") == "cached"


def test_nightly_run_builds_reports_for_learners_active_today(alice, sample_bank):
    from progress import assembly

    sitting = assembly.start_practice(alice, count=5, rng=random.Random(9))
    answer(sitting, sitting.items.prefetch_related("version__choices").first(), right=False)
    sitting.finish()  # on_commit never runs inside this test's transaction: no report yet
    assert latest_report(alice) is None
    assert build_nightly_reports.apply().get() == 1
    assert latest_report(alice) is not None
