"""One real task through Redis to a real Celery worker, with its effect seen in the database."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

pytestmark = pytest.mark.skipif(
    not settings.REDIS_URL, reason="REDIS_URL is not set: no real broker to send the task through"
)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_finalises_an_expired_mock_through_redis(alice):
    from celery.contrib.testing.worker import start_worker
    from django.core.management import call_command

    from examprep.celery import app
    from progress.models import Sitting
    from progress.tasks import finalise_expired_sittings

    call_command("load_blueprint", verbosity=0)
    started = timezone.now() - timedelta(hours=4)
    sitting = Sitting.objects.create(
        user=alice, mode="mock", started_at=started, deadline=started + timedelta(minutes=180)
    )
    assert not app.conf.task_always_eager
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        result = finalise_expired_sittings.delay()
        assert result.get(timeout=30) == 1
    sitting.refresh_from_db()
    assert sitting.status == "finished" and sitting.timed_out
