"""One real task through Redis to a real Celery worker, with its effect seen in the database."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_finalises_an_expired_mock_through_redis(alice, real_worker):
    from django.core.management import call_command

    from progress.models import Sitting
    from progress.tasks import finalise_expired_sittings

    call_command("load_blueprint", verbosity=0)
    started = timezone.now() - timedelta(hours=4)
    sitting = Sitting.objects.create(
        user=alice, mode="mock", started_at=started, deadline=started + timedelta(minutes=180)
    )
    finalise_expired_sittings.delay()  # no result backend: watch the database instead
    deadline = time.monotonic() + 30
    while sitting.status != "finished" and time.monotonic() < deadline:
        time.sleep(0.2)
        sitting.refresh_from_db()
    assert sitting.status == "finished" and sitting.timed_out


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_runs_the_nightly_irt_calibration_through_redis(real_worker):
    from pathlib import Path

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from progress.models import ItemCalibration, Sitting, SittingItem
    from progress.tasks import calibrate_items
    from questions.bank import apply_bank, read_bank
    from questions.models import QuestionVersion

    call_command("load_blueprint", verbosity=0)
    apply_bank(read_bank(Path(__file__).parent.parent / "data" / "bank"))
    answered = list(QuestionVersion.objects.order_by("id")[:3])
    User = get_user_model()
    for n in range(30):  # 30 finished mocks on three questions: enough for a Rasch fit
        user = User.objects.create_user(f"learner{n}")
        sitting = Sitting.objects.create(
            user=user, mode="mock", status="finished", finished_at=timezone.now()
        )
        for position, version in enumerate(answered, start=1):
            SittingItem.objects.create(
                sitting=sitting,
                position=position,
                question_id=version.question_id,
                version=version,
                is_correct=(n + position) % (position + 1) != 0,
            )
    versions = QuestionVersion.objects.filter(question__status="published").count()
    calibrate_items.delay()  # no result backend: watch the database instead
    deadline = time.monotonic() + 60
    while ItemCalibration.objects.count() < versions and time.monotonic() < deadline:
        time.sleep(0.5)
    assert ItemCalibration.objects.count() == versions > 3
    fitted = ItemCalibration.objects.filter(version__in=answered)
    assert {(c.model, c.responses) for c in fitted} == {("rasch", 30)}
