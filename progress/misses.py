"""The miss log: the learner says why they missed a question (or got it right by luck).

Tags are given where answer data is shown: a checked tutor-mode practice item or any item of a
finished sitting (never an open mock or timed block). Wrong and unanswered items take the miss
reasons ("ran out of time" only against a clock: mocks and timed blocks, not untimed practice);
right items take only "guessed right", which also puts the question into spaced review
(luck is not knowledge). The weak-domain report reads the log (see reports.build_reports):
misreads and running out of time are test-taking problems, so they are taken out of the content
ranking and answered with test-taking advice instead.
"""

from collections import defaultdict

from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .access import get_sitting_for_user
from .models import MissTag

Reason = MissTag.Reason

ADVICE = {
    Reason.MISREAD: (
        "Read the last sentence of the stem first (what is asked: the LEAST operational "
        "overhead? the MOST cost-effective?), then the scenario, underlining its constraints; "
        "before answering, check your pick against every constraint."
    ),
    Reason.TIME: (
        "Pace yourself at 2.4 minutes a question: flag anything that takes longer than 3 "
        "minutes, move on and come back from the review screen; practise timed blocks."
    ),
    Reason.GUESSED: (
        "Right answers you guessed are in your review queue: review them until you can say "
        "why each wrong option is wrong."
    ),
    Reason.REASONING: (
        "Eliminate options first: for each, name the requirement it breaks. Re-read the "
        "explanations of questions you tagged and the misconception cards they link."
    ),
    Reason.DIDNT_KNOW: "Study the topic notes of the task statements below, then practise them.",
}


class NotReviewable(Exception):
    """The item's answer data is not shown yet (an open mock or timed block, or unchecked)."""


def reviewable_item(user, sitting_pk, position):
    """The learner's item whose feedback is shown, with its question; 404 for anyone else's
    sitting or a position not in it; NotReviewable while its answer data is hidden."""
    sitting = get_sitting_for_user(user, sitting_pk)
    item = get_object_or_404(sitting.items.select_related("question__domain"), position=position)
    if sitting.is_open and not (sitting.gives_feedback and item.answered_at):
        raise NotReviewable()
    item.sitting = sitting
    return item


def allowed_reasons(item):
    """Reasons that fit the item: "guessed right" for a right answer, the others otherwise;
    "ran out of time" only in a sitting against the clock (a mock or a timed block), never in
    untimed tutor-mode practice; none for an unscored pilot item (it counts nowhere, the miss log
    included). Reads `item.sitting` (loaded with the item: no query)."""
    if item.is_pilot:
        return []
    if item.is_correct:
        return [Reason.GUESSED]
    timed = item.sitting.is_timed
    return [r for r in Reason if r != Reason.GUESSED and (timed or r != Reason.TIME)]


def tag(user, item, reason, now=None):
    """Tag `item` (from reviewable_item) with `reason`, replacing an earlier tag; ValueError for
    a reason that does not fit. Returns the MissTag."""
    from .review import requeue_question
    from .tasks import enqueue_report

    now = now or timezone.now()
    if item.is_pilot:
        raise ValueError("This was an unscored pilot question: it is not part of your miss log.")
    if reason not in allowed_reasons(item):
        fits = ", ".join(Reason(r).label.lower() for r in allowed_reasons(item))
        raise ValueError(f"This answer can be tagged only as: {fits}.")
    with transaction.atomic():
        miss, _ = MissTag.objects.update_or_create(
            item=item,
            defaults={
                "user": user,
                "question_id": item.question_id,
                "reason": reason,
                "updated_at": now,
            },
        )
        if reason == Reason.GUESSED:
            requeue_question(user, item.question_id, now)
        transaction.on_commit(lambda: enqueue_report(user.id))
    return miss


def untag(user, item):
    from .tasks import enqueue_report

    deleted, _ = MissTag.objects.filter(item=item, user=user).delete()
    if deleted:
        transaction.on_commit(lambda: enqueue_report(user.id))
    return bool(deleted)


def tags_for_items(items):
    """{item id: reason} for these items. One query."""
    return dict(
        MissTag.objects.filter(
            item__in=[i.id if hasattr(i, "id") else i for i in items]
        ).values_list("item_id", "reason")
    )


def misses_by_reason_and_domain(user):
    """[{reason, domain, count}] of the learner's miss log, ordered. One query."""
    rows = (
        MissTag.objects.filter(user=user)
        .values("reason", "question__domain__number")
        .annotate(count=Count("id"))
        .order_by("reason", "question__domain__number")
    )
    return [
        {"reason": r["reason"], "domain": r["question__domain__number"], "count": r["count"]}
        for r in rows
    ]


def miss_table(rows, domain_numbers):
    """Rows for the dashboard: [{reason, label, counts: [per domain], total}], reasons in the
    order of Reason, domains in the order given; reasons without a miss are left out."""
    grid = defaultdict(dict)
    for row in rows:
        grid[row["reason"]][row["domain"]] = row["count"]
    table = []
    for reason in Reason:
        if reason.value not in grid:
            continue
        counts = [grid[reason.value].get(d, 0) for d in domain_numbers]
        table.append(
            {"reason": reason.value, "label": reason.label, "counts": counts, "total": sum(counts)}
        )
    return table


def report_inputs(user_ids):
    """For weak-domain reports, one query: ({(user, domain number): test-taking misses},
    {(user, task number): test-taking misses}, {user: {reason: count}})."""
    by_domain, by_task, by_reason = defaultdict(int), defaultdict(int), defaultdict(dict)
    rows = (
        MissTag.objects.filter(user_id__in=user_ids)
        .values("user_id", "reason", "question__domain__number", "question__task__number")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        uid, reason, n = row["user_id"], row["reason"], row["n"]
        by_reason[uid][reason] = by_reason[uid].get(reason, 0) + n
        if reason in MissTag.TEST_TAKING:
            by_domain[(uid, row["question__domain__number"])] += n
            by_task[(uid, row["question__task__number"])] += n
    return by_domain, by_task, by_reason


def advice_for(reason_counts):
    """[{reason, label, count, advice}] for a learner's miss counts, test-taking reasons first
    (then the rest by count)."""
    rows = [
        {"reason": r.value, "label": r.label, "count": reason_counts[r.value], "advice": ADVICE[r]}
        for r in Reason
        if reason_counts.get(r.value)
    ]
    return sorted(rows, key=lambda r: (r["reason"] not in MissTag.TEST_TAKING, -r["count"]))
