"""Submitting never waits on or fails because of the broker."""

import pytest

from progress.models import WeakDomainReport
from progress.reports import latest_report
from progress.tasks import build_nightly_reports


@pytest.fixture
def broker_down(settings):
    """Point Celery at an address where nothing listens (never touches the machine's Redis)."""
    from examprep.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    saved_pool = app._pool
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app.conf.task_always_eager = False
    app._pool = None
    app.amqp._producer_pool = None
    yield
    if app._pool is not None:
        app._pool.force_close_all()
    app.conf.update(saved)
    app._pool = saved_pool
    app.amqp._producer_pool = None


def test_finishing_with_the_broker_down_saves_the_result_and_the_nightly_run_catches_up(
    alice, alice_client, sample_bank, broker_down, django_capture_on_commit_callbacks
):
    from progress import assembly
    from progress.tasks import enqueue_report

    assert enqueue_report(alice.id) is False  # refused quickly, logged, not raised
    sitting = assembly.start_mock(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(f"/sittings/{sitting.pk}/end/")
    assert response.status_code == 302
    page = alice_client.get(response.url)
    assert page.status_code == 200 and "Scaled score" in page.text
    sitting.refresh_from_db()
    assert sitting.status == "finished" and sitting.scaled_score is not None
    assert not WeakDomainReport.objects.filter(user=alice).exists()


def test_nightly_run_builds_reports_for_learners_active_today(alice, sample_bank):
    import random

    from progress import assembly

    from .conftest import answer

    sitting = assembly.start_practice(alice, count=5, rng=random.Random(9))
    answer(sitting, sitting.items.prefetch_related("version__choices").first(), right=False)
    sitting.finish()  # on_commit never runs inside this test's transaction: no report yet
    assert latest_report(alice) is None
    assert build_nightly_reports.apply().get() == 1
    assert latest_report(alice) is not None
