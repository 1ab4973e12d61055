"""Weak-domain reports: rank what to study by expected points gained, in bulk.

`build_reports(user_ids)` costs a constant number of queries per call, whatever the number of
learners or answers (grouped aggregation; no answer is loaded into Python), which is what lets
the nightly run cover every active learner.
"""

import hashlib
from collections import defaultdict

from django.db.models import Count, Max
from django.utils import timezone

from domains.models import Domain, MisconceptionCard, TaskStatement

from . import misses
from .equating import irt_readiness
from .mastery import graded_answers, mastery_rows, unanswered_shares
from .models import MisconceptionHit, MissTag, WeakDomainReport
from .readiness import Mastery, expected_points, readiness, without_misses

PRACTICE_TASKS = 3
PRACTICE_COUNT = 20


def _fingerprints(user_ids):
    rows = (
        graded_answers()
        .filter(sitting__user_id__in=user_ids)
        .values("sitting__user_id")
        .annotate(n=Count("id"), last=Max("id"))
        .order_by()
    )
    hits = dict(
        MisconceptionHit.objects.filter(user_id__in=user_ids)
        .values("user_id")
        .annotate(n=Count("id"))
        .values_list("user_id", "n")
        .order_by()
    )
    # Tagging a miss changes the report too: the log's size and latest change are in the state.
    tags = {
        r["user_id"]: f"{r['n']}:{r['last']}"
        for r in MissTag.objects.filter(user_id__in=user_ids)
        .values("user_id")
        .annotate(n=Count("id"), last=Max("updated_at"))
        .order_by()
    }
    out = {}
    for row in rows:
        uid = row["sitting__user_id"]
        raw = f"{row['n']}:{row['last']}:{hits.get(uid, 0)}:{tags.get(uid, '')}"
        out[uid] = (row["n"], hashlib.sha256(raw.encode()).hexdigest()[:32])
    return out


def build_reports(user_ids, now=None):
    """Build a report for each learner in `user_ids` whose answers changed since their last one.

    Idempotent: the same answers give the same fingerprint and no second report.
    The miss log counts: misses tagged "misread" or "ran out of time" are taken out of the
    mastery used to rank domains and tasks (they are not a content gap) and the report carries
    test-taking advice for them (`miss_advice`).
    Returns the number of reports created.
    """
    now = now or timezone.now()
    user_ids = list(user_ids)
    fingerprints = _fingerprints(user_ids)
    if not fingerprints:
        return 0
    existing = set(
        WeakDomainReport.objects.filter(user_id__in=fingerprints).values_list(
            "user_id", "fingerprint"
        )
    )
    todo = [uid for uid, (_, fp) in fingerprints.items() if (uid, fp) not in existing]
    if not todo:
        return 0
    domains = list(Domain.objects.order_by("number"))
    weights = {d.number: d.weight_percent for d in domains}
    tasks = list(TaskStatement.objects.select_related("domain").order_by("number"))
    tasks_per_domain = defaultdict(int)
    for task in tasks:
        tasks_per_domain[task.domain.number] += 1
    by_domain = mastery_rows(todo, "domain", now)
    by_task = mastery_rows(todo, "task", now)
    cards = {c.id: c for c in MisconceptionCard.objects.all()}
    domain_numbers = {d.id: d.number for d in domains}
    hits = defaultdict(list)
    for row in (
        MisconceptionHit.objects.filter(user_id__in=todo)
        .values("user_id", "card_id")
        .annotate(n=Count("id"), last=Max("created_at"))
        .order_by()
    ):
        card = cards[row["card_id"]]
        hits[row["user_id"]].append(
            {
                "slug": card.slug,
                "belief": card.belief,
                "domain": domain_numbers[card.domain_id],
                "url": f"/misconceptions/{card.slug}/",
                "times": row["n"],
                "last": row["last"].isoformat(),
            }
        )
    empty = Mastery.from_counts()
    shares = unanswered_shares(todo, now)
    by_ability = irt_readiness(todo, now, shares)
    tt_domain, tt_task, miss_reasons = misses.report_inputs(todo)
    reports = []
    for uid in todo:
        dm = {d.number: by_domain.get((uid, d.number), empty) for d in domains}
        content = {n: without_misses(m, tt_domain.get((uid, n), 0)) for n, m in dm.items()}
        domain_rows = sorted(
            (
                {
                    "number": d.number,
                    "name": d.name,
                    **dm[d.number].as_dict(),
                    "test_taking_misses": tt_domain.get((uid, d.number), 0),
                    "expected_points": expected_points(d.weight_percent, content[d.number]),
                }
                for d in domains
            ),
            key=lambda r: (-r["expected_points"], r["number"]),
        )
        task_rows = sorted(
            (
                {
                    "number": t.number,
                    "title": t.title,
                    "domain": t.domain.number,
                    "url": f"/domains/{t.domain.slug}/{t.number}/",
                    **by_task.get((uid, t.number), empty).as_dict(),
                    "test_taking_misses": tt_task.get((uid, t.number), 0),
                    "expected_points": expected_points(
                        weights[t.domain.number] / tasks_per_domain[t.domain.number],
                        without_misses(
                            by_task.get((uid, t.number), empty), tt_task.get((uid, t.number), 0)
                        ),
                    ),
                }
                for t in tasks
            ),
            key=lambda r: (-r["expected_points"], r["number"]),
        )
        revealed = sorted(hits.get(uid, []), key=lambda h: (h["times"], h["last"]), reverse=True)
        answers, fingerprint = fingerprints[uid]
        reports.append(
            WeakDomainReport(
                user_id=uid,
                created_at=now,
                fingerprint=fingerprint,
                answers=answers,
                domains=domain_rows,
                tasks=task_rows,
                misconceptions=revealed,
                readiness=by_ability.get(uid) or readiness(dm, weights, shares.get(uid, 0.0)),
                practice_tasks=[row["number"] for row in task_rows[:PRACTICE_TASKS]],
                miss_advice=misses.advice_for(miss_reasons.get(uid, {})),
            )
        )
    WeakDomainReport.objects.bulk_create(reports, ignore_conflicts=True)
    return len(reports)


def latest_report(user):
    return WeakDomainReport.objects.filter(user=user).order_by("-created_at", "-id").first()
