"""Celery tasks: thin wrappers that take ids, load, and call the domain functions."""

import logging
from datetime import timedelta

from celery import shared_task
from celery.signals import worker_ready
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from .models import Sitting, SittingItem

log = logging.getLogger(__name__)
TRANSIENT = (OperationalError, InterfaceError)
NIGHTLY_CHUNK = 500


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def finalise_expired_sittings():
    """Beat, every minute: score mocks whose deadline has passed, so a learner who closed the
    browser still gets a result. Returns how many it finished."""
    now = timezone.now()
    finished = 0
    for sitting in Sitting.objects.expired(now):
        finished += sitting.finish_if_expired(now)
    return finished


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=5,
    time_limit=60,
    soft_time_limit=50,
)
def build_weak_domain_report(self, user_id):
    from .reports import build_reports

    return build_reports([user_id])


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=5,
    time_limit=600,
    soft_time_limit=540,
)
def build_weak_domain_reports(user_ids):
    from .reports import build_reports

    return build_reports(user_ids)


@shared_task(acks_late=True, time_limit=300, soft_time_limit=280)
def build_nightly_reports():
    """Nightly: a report for every learner who answered anything in the last day, in chunks.

    This also catches reports that could not be enqueued when a sitting ended (broker down)."""
    since = timezone.now() - timedelta(days=1)
    user_ids = sorted(
        set(
            SittingItem.objects.filter(answered_at__gte=since)
            .values_list("sitting__user_id", flat=True)
            .distinct()
        )
    )
    for start in range(0, len(user_ids), NIGHTLY_CHUNK):
        build_weak_domain_reports.delay(user_ids=user_ids[start : start + NIGHTLY_CHUNK])
    return len(user_ids)


@shared_task(acks_late=True, time_limit=900, soft_time_limit=840)
def compute_item_statistics():
    from .item_analysis import compute_item_statistics as compute

    return compute()


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1740)
def calibrate_items():
    """Nightly, after the item statistics: refit the IRT parameters of the bank
    (progress.calibration). Returns the summary dict."""
    from .calibration import calibrate_items as calibrate

    return calibrate()


# About 26 ms per affected sitting: half an hour is some 60,000 mocks. RegradeJob.STUCK_AFTER
# must stay longer than the hard limit.
@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=5,
    time_limit=1800,
    soft_time_limit=1740,
)
def run_regrade_job(job_id):
    """The admin's regrade preview or apply (progress.regrading.run_job); returns the job's
    status. Handed over by the outbox, so it may arrive twice: it runs once."""
    from .regrading import run_job

    return run_job(job_id)


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def dispatch_outbox():
    """Beat (every OUTBOX_DISPATCH_SECONDS) and each worker at start: do the work that requests
    left in the outbox (progress.outbox). Returns how many rows were done."""
    from .outbox import drain

    return drain()


@worker_ready.connect
def _drain_outbox_when_a_worker_starts(sender=None, **kwargs):
    # Work left while the broker or every worker was down is done as soon as one is back.
    dispatch_outbox.delay()


def enqueue_report(user_id):
    """Ask for a report without touching the broker: an outbox row, committed at once (or with
    the caller's transaction). Returns True."""
    from .outbox import add_report_request

    with transaction.atomic():
        add_report_request(user_id)
    return True
