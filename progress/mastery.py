"""Per-learner mastery from the database, by aggregation (cost flat in the size of the history).

One grouped query per level (domain, task statement), for one learner or thousands at once.
"""

from datetime import timedelta

from django.db.models import Case, Count, FloatField, Q, Sum, Value, When
from django.utils import timezone

from domains.models import Domain, TaskStatement

from .equating import irt_readiness
from .models import SittingItem
from .readiness import (
    OLDER_DAYS,
    OLDER_WEIGHT,
    OLDEST_WEIGHT,
    RECENT_DAYS,
    RECENT_WEIGHT,
    Mastery,
    readiness,
)


def graded_answers():
    """Answered, graded items: the evidence for mastery (unanswered mock items are not, nor
    are unscored pilot items)."""
    return SittingItem.objects.without_pilots().filter(
        is_correct__isnull=False, answered_at__isnull=False
    )


def _weight(now):
    return Case(
        When(answered_at__gte=now - timedelta(days=RECENT_DAYS), then=Value(RECENT_WEIGHT)),
        When(answered_at__gte=now - timedelta(days=OLDER_DAYS), then=Value(OLDER_WEIGHT)),
        default=Value(OLDEST_WEIGHT),
        output_field=FloatField(),
    )


def mastery_rows(user_ids, level, now=None):
    """{(user_id, key): Mastery} where key is the domain number or task statement number."""
    now = now or timezone.now()
    field = {"domain": "question__domain__number", "task": "question__task__number"}[level]
    weight = _weight(now)
    rows = (
        graded_answers()
        .filter(sitting__user_id__in=user_ids)
        .values("sitting__user_id", field)
        .annotate(
            answered=Count("id"),
            correct=Count("id", filter=Q(is_correct=True)),
            w_answered=Sum(weight),
            w_correct=Sum(
                Case(
                    When(is_correct=True, then=weight),
                    default=Value(0.0),
                    output_field=FloatField(),
                )
            ),
        )
        .order_by()
    )
    return {
        (row["sitting__user_id"], row[field]): Mastery.from_counts(
            row["answered"], row["correct"], row["w_answered"], row["w_correct"]
        )
        for row in rows
    }


UNANSWERED_WINDOW_DAYS = 90


def unanswered_shares(user_ids, now=None):
    """{user_id: share (0-1) of questions left unanswered in mocks finished in the last 90
    days}; users without such mocks are absent (readiness then assumes 0). One query."""
    now = now or timezone.now()
    rows = (
        SittingItem.objects.without_pilots()
        .filter(
            sitting__user_id__in=user_ids,
            sitting__mode="mock",
            sitting__status="finished",
            sitting__finished_at__gte=now - timedelta(days=UNANSWERED_WINDOW_DAYS),
        )
        .values("sitting__user_id")
        .annotate(total=Count("id"), unanswered=Count("id", filter=Q(answered_at__isnull=True)))
        .order_by()
    )
    return {r["sitting__user_id"]: r["unanswered"] / r["total"] for r in rows if r["total"]}


def learner_progress(user, now=None):
    """Everything the dashboard and `GET /api/v1/progress/` show about mastery and readiness."""
    domains = list(Domain.objects.order_by("number"))
    tasks = list(TaskStatement.objects.select_related("domain").order_by("number"))
    by_domain = mastery_rows([user.id], "domain", now)
    by_task = mastery_rows([user.id], "task", now)
    domain_mastery = {
        d.number: by_domain.get((user.id, d.number), Mastery.from_counts()) for d in domains
    }
    return {
        "domains": [
            {
                "number": d.number,
                "name": d.name,
                "weight_percent": d.weight_percent,
                **domain_mastery[d.number].as_dict(),
            }
            for d in domains
        ],
        "tasks": [
            {
                "number": t.number,
                "title": t.title,
                "domain": t.domain.number,
                **by_task.get((user.id, t.number), Mastery.from_counts()).as_dict(),
            }
            for t in tasks
        ],
        "readiness": _readiness(user, domain_mastery, domains, now),
    }


def _readiness(user, domain_mastery, domains, now):
    """By ability where the learner's mock answers are calibrated (progress.equating), else from
    domain mastery (progress.readiness)."""
    shares = unanswered_shares([user.id], now)
    by_ability = irt_readiness([user.id], now, shares)
    if user.id in by_ability:
        return by_ability[user.id]
    weights = {d.number: d.weight_percent for d in domains}
    return readiness(domain_mastery, weights, shares.get(user.id, 0.0))
