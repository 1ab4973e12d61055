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
    return {
        "weak_domain_report": lambda payloads: build_reports(
            sorted({p["user_id"] for p in payloads})
        ),
    }


def add_report_request(user_id):
    """Record that `user_id` needs a weak-domain report; commits with the caller's transaction.

    Returns the Outbox row. Never touches the broker."""
    from .models import Outbox

    row = Outbox.objects.create(kind="weak_domain_report", payload={"user_id": user_id})
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

    Rows of one kind are coalesced (one report build for all pending learners). On failure the
    rows stay, with `attempts` incremented and `available_at` pushed back (2**attempts seconds);
    after MAX_ATTEMPTS they are kept but no longer tried (visible in the admin)."""
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
                try:
                    with transaction.atomic():
                        handlers[kind]([r.payload for r in kind_rows])
                except Exception as exc:  # noqa: BLE001 - keep the rows for a later try
                    log.warning(
                        "Outbox %s failed for %d row(s)", kind, len(kind_rows), exc_info=True
                    )
                    for r in kind_rows:
                        r.attempts += 1
                        r.last_error = f"{exc.__class__.__name__}: {exc}"[:500]
                        r.available_at = now + timedelta(seconds=2**r.attempts)
                        r.save(update_fields=["attempts", "last_error", "available_at"])
                    continue
                Outbox.objects.filter(pk__in=[r.pk for r in kind_rows]).delete()
                done += len(kind_rows)
        if len(rows) < batch:
            return done
