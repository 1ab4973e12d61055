"""Learners' data rights: export everything we hold about a learner, and delete the account.

Deletion keeps the anonymous evidence item statistics are computed from: finished sittings and
their answers move to a fresh inactive anonymous account of their own (no name, no email, no
login; one per deleted learner), so facility, discrimination, pick rates, the learners behind
them and peer standings stay what they were. Everything personal goes: the
login, profile, open sittings, reports, review queue, misconception hits, problem reports,
memberships, API tokens and sessions. A study group the learner owns passes to its longest-
standing other member, or closes when there is none.
"""

from django.contrib.auth import get_user_model
from django.db import OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from questions.models import ProblemReport

from .groups import lock_groups
from .models import (
    Membership,
    MisconceptionHit,
    MissTag,
    Profile,
    ReviewItem,
    Sitting,
    SittingItem,
    StudyGroup,
    WeakDomainReport,
)
from .notes import notes_export

DELETED_USERNAME = "deleted-learners"
EXPORT_FORMAT = 1


def export_learner_data(user):
    """Everything held about `user`, as JSON-ready data (dates as ISO 8601 strings).

    {format, exported_at, account, profile, sittings: [{..., items: [...]}], weak_domain_reports,
    review_queue, misconceptions_revealed, problem_reports, study_groups, notes, miss_log}.
    Items name the question version they pinned (`version`). An open mock's items
    carry the learner's own choices only (no correctness: it is not graded yet); an open mock's
    or timed block's name no question or version either, and their choices are places 1..n in
    the order shown, as on the exam page. Queries:
    a fixed number, whatever the volume."""
    profile = Profile.for_user(user)
    sittings = list(
        Sitting.objects.filter(user=user)
        .order_by("started_at", "id")
        .values(
            "id",
            "mode",
            "status",
            "title",
            "started_at",
            "deadline",
            "finished_at",
            "timed_out",
            "correct",
            "total",
            "scaled_score",
            "passed",
            "scoring_method",
            "ability",
            "ability_sd",
            "config",
            "notice",
            "result",
        )
    )
    open_ids = {s["id"] for s in sittings if s["status"] == Sitting.Status.IN_PROGRESS}
    # An open mock or timed block names no question and numbers options by place, as its page
    # does (Sitting.names_options_by_place): ids grow with authoring time, pilots are newest.
    by_place = {s["id"] for s in sittings if s["id"] in open_ids and s["deadline"] is not None}
    items = {}
    for item in (
        SittingItem.objects.filter(sitting__user=user)
        .order_by("sitting_id", "position")
        .values(
            "sitting_id",
            "position",
            "question_id",
            "question__slug",
            "version__number",
            "choice_order",
            "selected",
            "struck",
            "flagged",
            "time_spent_seconds",
            "answered_at",
            "is_correct",
            "is_pilot",
            "unsure",
        )
    ):
        sitting_id = item.pop("sitting_id")
        item["question"] = item.pop("question_id")
        item["question_slug"] = item.pop("question__slug")
        item["version"] = item.pop("version__number")
        shown = SittingItem(choice_order=item.pop("choice_order"))
        if sitting_id in by_place:
            del item["question"], item["version"]
            item["selected"] = shown.option_places(item["selected"])
            item["struck"] = shown.option_places(item["struck"])
        if sitting_id in open_ids:
            item.pop("is_correct")
            item.pop("is_pilot")  # told only once the mock has ended
            item.pop("question_slug")  # slugs name the solution ("...-alarm-auto-rollback")
        items.setdefault(sitting_id, []).append(item)
    for sitting in sittings:
        sitting["items"] = items.get(sitting["id"], [])
    return _iso(
        {
            "format": EXPORT_FORMAT,
            "exported_at": timezone.now(),
            "account": {
                "username": user.username,
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "date_joined": user.date_joined,
                "last_login": user.last_login,
            },
            "profile": {
                "extra_time": profile.extra_time,
                "hide_timer": profile.hide_timer,
                "time_zone": profile.time_zone,
            },
            "sittings": sittings,
            "weak_domain_reports": list(
                WeakDomainReport.objects.filter(user=user)
                .order_by("created_at")
                .values(
                    "id",
                    "created_at",
                    "answers",
                    "domains",
                    "tasks",
                    "misconceptions",
                    "readiness",
                    "practice_tasks",
                )
            ),
            "review_queue": list(
                ReviewItem.objects.filter(user=user)
                .order_by("due")
                .values("question_id", "card__slug", "due", "reviews", "lapses", "last_reviewed")
            ),
            "misconceptions_revealed": list(
                MisconceptionHit.objects.filter(user=user)
                .order_by("created_at")
                .values("card__slug", "item__sitting_id", "item__position", "created_at")
            ),
            "problem_reports": list(
                ProblemReport.objects.filter(reporter=user)
                .order_by("created_at")
                .values(*_problem_report_fields())
            ),
            "study_groups": list(
                Membership.objects.filter(user=user)
                .order_by("joined_at")
                .values("group_id", "group__name", "joined_at", "group__owner_id")
            ),
            "notes": notes_export(user),
            "miss_log": list(
                MissTag.objects.filter(user=user)
                .order_by("updated_at")
                .values(
                    "item__sitting_id", "item__position", "question__slug", "reason", "updated_at"
                )
            ),
        },
        owner_id=user.id,
    )


def _problem_report_fields():
    # Every column but who else touched it (the author who resolved it is not the learner's).
    skip = {"reporter", "resolved_by"}
    return [f.attname for f in ProblemReport._meta.concrete_fields if f.name not in skip]


def _iso(value, owner_id):
    if isinstance(value, dict):
        out = {}
        for key, inner in value.items():
            if key == "group__owner_id":
                out["is_owner"] = inner == owner_id
                continue
            out[key.replace("__", "_")] = _iso(inner, owner_id)
        return out
    if isinstance(value, list):
        return [_iso(v, owner_id) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def new_anonymous_learner():
    """A fresh inactive account with no usable password, name or email, to hold one deleted
    learner's finished sittings: `deleted-learners-<16 hex digits>`. One per deleted learner, so
    every per-learner figure (the distinct learners behind item statistics, each learner's first
    mock in peer standings) still counts them as the learners they were; one shared account
    would collapse them into one learner. Registration refuses the reserved prefix, and the
    account cannot sign in (inactive, password "!")."""
    import secrets

    User = get_user_model()
    while True:
        name = f"{DELETED_USERNAME}-{secrets.token_hex(8)}"
        # An active account made before the prefix was reserved may hold any such name.
        if not User.objects.filter(username__iexact=name).exists():
            return User.objects.create(username=name, is_active=False, email="", password="!")


def is_reserved_username(name):
    """Names a learner may not register (they belong to the system)."""
    return str(name).lower().startswith(DELETED_USERNAME)


def delete_account(user):
    """Delete `user` as described in the module docstring. Returns a summary:
    {sittings_kept_anonymously, groups_handed_over, groups_closed}.

    Safe against other members of the same groups deleting their accounts or leaving at the
    same moment: the groups are locked first (groups.lock_groups) and owners and members read
    after the lock; a deadlock or serialization failure elsewhere is retried once."""
    for attempt in (1, 2):
        try:
            return _delete_account(user)
        except OperationalError:  # deadlock detected, serialization failure, SQLite busy
            if attempt == 2:
                raise


def _delete_account(user):
    from examprep.accounts import end_other_sessions, revoke_tokens

    with transaction.atomic():
        # Before anything else: another member's deletion may be handing a group to this user.
        groups = lock_groups(
            StudyGroup.objects.filter(
                Q(owner=user) | Q(pk__in=Membership.objects.filter(user=user).values("group_id"))
            )
        )
        anonymous = new_anonymous_learner()
        Sitting.objects.filter(user=user, status=Sitting.Status.IN_PROGRESS).delete()
        kept = Sitting.objects.filter(user=user).update(user=anonymous)
        handed, closed = 0, 0
        for group in groups:
            if group.owner_id != user.id:
                continue
            successor = group.memberships.exclude(user=user).order_by("joined_at", "id").first()
            if successor is None:
                group.delete()
                closed += 1
            else:
                group.owner_id = successor.user_id
                group.rotate_code()  # the old code was known to the departing owner
                group.save(update_fields=["owner"])
                handed += 1
        revoke_tokens(user)
        end_other_sessions(user)
        _forget_sign_in_records(user.get_username())
        # Cascades: profile, reports, review queue, misconception hits, problem reports,
        # memberships, lock-out records stay keyed by username only.
        user.delete()
    return {
        "sittings_kept_anonymously": kept,
        "groups_handed_over": handed,
        "groups_closed": closed,
    }


def _forget_sign_in_records(username):
    """django-axes keeps sign-in attempts and logs (username, address, browser): personal data
    that goes with the account."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username=username).delete()
