"""A transactional outbox: work that must happen after a commit, handed off without the broker.

A web request never talks to Celery's broker. It writes an `Outbox` row in the same transaction
as the change that needs the work (a finished sitting, a report request); the row commits or
rolls back with it. `drain()` runs the pending work in-process and deletes the rows it did; it is
called by the `dispatch_outbox` task (beat, every OUTBOX_DISPATCH_SECONDS, and once when a worker
starts), by `manage.py drain_outbox`, and straight after the commit when Celery runs eagerly (the
embedded default, with no worker at all). If Redis is down, rows simply wait: nothing is lost and
no request waits.

Why not django-celery-outbox: it needs SELECT ... SKIP LOCKED (no SQLite, our embedded default),
its own relay daemon and hard dependencies on datadog, structlog and sentry-sdk.
"""

import logging
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

log = logging.getLogger(__name__)

BATCH = 200
MAX_ATTEMPTS = 8


def _handlers():
    from .reports import build_reports

    # kind -> function(list of payloads); each kind coalesces its payloads into one call.
    def weak_domain_reports(payloads):
        from django.contrib.auth import get_user_model

        wanted = {p["user_id"] for p in payloads}
        # A learner who deleted their account since: nothing to build.
        users = get_user_model().objects.filter(pk__in=wanted).values_list("pk", flat=True)
        build_reports(sorted(users))

    def regrade_jobs(payloads):
        from .tasks import run_regrade_job

        # A job handed over twice (a retried batch) runs once: run_job checks its status.
        for job_id in sorted({p["job_id"] for p in payloads}):
            run_regrade_job.delay(job_id=job_id)

    return {"weak_domain_report": weak_domain_reports, "regrade_job": regrade_jobs}


def add_report_request(user_id):
    """Record that `user_id` needs a weak-domain report; commits with the caller's transaction.

    Returns the Outbox row. Never touches the broker."""
    from .models import Outbox

    row = Outbox.objects.create(kind="weak_domain_report", payload={"user_id": user_id})
    transaction.on_commit(_drain_now_if_eager)
    return row


def add_regrade_job(job_id):
    """Hand RegradeJob `job_id` to a worker once the caller's transaction commits (with no
    worker, Celery eager: run it in-process right after the commit). Returns the Outbox row."""
    from .models import Outbox

    row = Outbox.objects.create(kind="regrade_job", payload={"job_id": job_id})
    transaction.on_commit(_drain_now_if_eager)
    return row


def _drain_now_if_eager():
    """The embedded default has no worker: do the work right after the commit, in-process."""
    from examprep.celery import app

    if app.conf.task_always_eager:
        try:
            drain()
        except Exception:  # noqa: BLE001 - the learner's result is saved; a later drain retries
            log.warning("Outbox drain after commit failed; it will be retried.", exc_info=True)


def drain(now=None, batch=BATCH):
    """Run every pending outbox row whose time has come; returns how many rows were done.

    Rows of one kind are coalesced (one report build for all pending learners); if that fails,
    each row is tried alone so one bad row cannot hold the others back. A row that fails stays,
    with `attempts` incremented and `available_at` pushed back (2**attempts seconds); after
    MAX_ATTEMPTS it is kept but no longer tried (visible in the admin)."""
    from .models import Outbox

    now = now or timezone.now()
    handlers = _handlers()
    done = 0
    while True:
        with transaction.atomic():
            pending = Outbox.objects.filter(
                available_at__lte=now, attempts__lt=MAX_ATTEMPTS
            ).order_by("id")
            if connection.features.has_select_for_update_skip_locked:
                pending = pending.select_for_update(skip_locked=True)
            rows = list(pending[:batch])
            if not rows:
                return done
            by_kind = {}
            for row in rows:
                by_kind.setdefault(row.kind, []).append(row)
            for kind, kind_rows in by_kind.items():
                handler = handlers.get(kind)
                error = _attempt(kind, handler, kind_rows)
                if error is not None and len(kind_rows) > 1:
                    # Try each row alone: one bad row must not hold the others back.
                    outcomes = [(row, _attempt(kind, handler, [row])) for row in kind_rows]
                else:
                    outcomes = [(row, error) for row in kind_rows]
                succeeded = [row.pk for row, failure in outcomes if failure is None]
                for row, failure in outcomes:
                    if failure is not None:
                        row.attempts += 1
                        row.last_error = f"{failure.__class__.__name__}: {failure}"[:500]
                        row.available_at = now + timedelta(seconds=2**row.attempts)
                        row.save(update_fields=["attempts", "last_error", "available_at"])
                Outbox.objects.filter(pk__in=succeeded).delete()
                done += len(succeeded)
        if len(rows) < batch:
            return done


def _attempt(kind, handler, rows):
    """Run `handler` on the rows' payloads in a savepoint; the exception, or None."""
    try:
        if handler is None:
            raise LookupError(f"no outbox handler for {kind!r}")
        with transaction.atomic():
            handler([row.payload for row in rows])
    except Exception as exc:  # noqa: BLE001 - kept for a later try
        log.warning("Outbox %s failed for %d row(s)", kind, len(rows), exc_info=True)
        return exc
    return None
