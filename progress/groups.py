"""Study groups: what members see of each other (progress summaries, never answers)."""

from django.db import transaction
from django.db.models import Max
from django.shortcuts import get_object_or_404

from domains.models import Domain

from .equating import irt_readiness
from .mastery import mastery_rows, unanswered_shares
from .models import Membership, Sitting, StudyGroup
from .readiness import Mastery, readiness

MAX_GROUP_SIZE = 50


class GroupError(ValueError):
    pass


def get_group_for_member(user, pk):
    """The group if `user` belongs to it, else 404: outsiders cannot even learn it exists."""
    return get_object_or_404(StudyGroup.objects.for_member(user).select_related("owner"), pk=pk)


def lock_groups(groups):
    """Lock the rows of `groups` (a StudyGroup queryset) in id order and return them, as read
    after the lock. Call it inside `transaction.atomic()`, first, before any change to who is
    in a group or owns it (joining, leaving, removing, an account deletion handing groups
    over): two such changes at once then run one after the other, each seeing the other's
    result (the owner it handed over to, the member who left), and taking the locks in one
    order they cannot deadlock. One query."""
    return list(StudyGroup.objects.select_for_update().filter(pk__in=groups).order_by("pk"))


def join(user, code):
    with transaction.atomic():
        locked = lock_groups(StudyGroup.objects.filter(join_code=code.strip().upper()))
        group = locked[0] if locked else None
        if group is None:
            raise GroupError("No group has that code. Check it with the person who shared it.")
        if group.memberships.count() >= MAX_GROUP_SIZE:
            raise GroupError(f"That group is full ({MAX_GROUP_SIZE} members).")
        Membership.objects.get_or_create(group=group, user=user)
    return group


def leave(user, group):
    with transaction.atomic():
        locked = lock_groups(StudyGroup.objects.filter(pk=group.pk))
        if not locked:
            return  # closed meanwhile (its last other member deleted their account)
        group = locked[0]
        if group.owner_id == user.id and group.memberships.count() > 1:
            raise GroupError(
                "Hand the group over or remove the other members before the owner leaves."
            )
        Membership.objects.filter(group=group, user=user).delete()
        if not group.memberships.exists():
            group.delete()


def remove_member(owner, group, user_id):
    with transaction.atomic():
        locked = lock_groups(StudyGroup.objects.filter(pk=group.pk))
        if not locked or locked[0].owner_id != owner.id:
            raise GroupError("Only the group's owner can remove members.")
        if user_id == owner.id:
            raise GroupError("The owner cannot remove themselves; leave the group instead.")
        Membership.objects.filter(group=group, user_id=user_id).delete()


def group_progress(group, now=None):
    """Each member's domain mastery, readiness and latest mock, in a constant number of queries."""
    members = list(
        group.memberships.select_related("user")
        .order_by("user__username")
        .values_list("user_id", "user__username")
    )
    ids = [uid for uid, _ in members]
    domains = list(Domain.objects.order_by("number"))
    weights = {d.number: d.weight_percent for d in domains}
    by_domain = mastery_rows(ids, "domain", now)
    latest = {
        row["user_id"]: row["last"]
        for row in Sitting.objects.finished()
        .mocks()
        .filter(user_id__in=ids)
        .values("user_id")
        .annotate(last=Max("finished_at"))
        .order_by()
    }
    scores = {
        (s.user_id, s.finished_at): s.scaled_score
        for s in Sitting.objects.finished()
        .mocks()
        .filter(user_id__in=ids, finished_at__in=latest.values())
    }
    empty = Mastery.from_counts()
    shares = unanswered_shares(ids, now)
    by_ability = irt_readiness(ids, now, shares)
    rows = []
    for uid, username in members:
        dm = {d.number: by_domain.get((uid, d.number), empty) for d in domains}
        rows.append(
            {
                "user_id": uid,
                "username": username,
                "is_owner": uid == group.owner_id,
                "domains": [{"number": n, **m.as_dict()} for n, m in dm.items()],
                "answered": sum(m.answered for m in dm.values()),
                "readiness": by_ability.get(uid) or readiness(dm, weights, shares.get(uid, 0.0)),
                "latest_mock_score": scores.get((uid, latest.get(uid))),
            }
        )
    return {
        "id": group.id,
        "name": group.name,
        "domains": [d.number for d in domains],
        "members": rows,
    }
