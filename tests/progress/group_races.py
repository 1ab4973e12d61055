"""Study-group members deleting their accounts, or leaving, at the same instant (threads, one
connection each, like a threaded server's requests). Run directly on PostgreSQL by
test_group_races.py and on a SQLite file by tests/progress/sqlite_group_race.py. Each scenario
runs a few rounds (a race needs the timing to fall right) and returns what it saw; `check`
raises AssertionError on a 5xx, an exception or a group left broken."""

from datetime import timedelta

from django.utils import timezone

from tests.concurrency import at_once, logged_in_client
from tests.conftest import make_user

ROUNDS = 4


def _group(tag, names):
    """A group owned by the first of `names`, the others joining in order (the second is the
    heir: the longest-standing member after the owner)."""
    from progress.models import Membership, StudyGroup

    users = [make_user(f"{tag}-{name}") for name in names]
    group = StudyGroup.create(users[0], f"Group {tag}")
    start = timezone.now()
    for n, user in enumerate(users[1:], start=1):
        Membership.objects.create(group=group, user=user, joined_at=start + timedelta(seconds=n))
    return group, users


def _delete(user):
    client = logged_in_client(user)
    password = "pw-" + user.username
    return lambda: client.post(
        "/api/v1/me/delete/", {"password": password}, content_type="application/json"
    )


def _leave(user, group):
    client = logged_in_client(user)
    return lambda: client.post(f"/groups/{group.pk}/leave/")


def _status(result):
    return getattr(result, "status_code", repr(result))


def _run(tag, names, calls):
    group, users = _group(tag, names)
    by_name = dict(zip(names, users, strict=True))
    results = at_once([make(by_name, group) for make in calls])
    return [_status(r) for r in results], group.pk


def scenarios():
    """{name: [(statuses, group id), ...]} over ROUNDS rounds of each race."""
    races = {
        # The owner and the member who would inherit the group delete at once (a third stays).
        "owner_and_heir_delete": (
            ["owner", "heir", "third"],
            [lambda u, g: _delete(u["owner"]), lambda u, g: _delete(u["heir"])],
        ),
        # The owner and the only other member delete at once: the group must close.
        "owner_and_last_member_delete": (
            ["owner", "heir"],
            [lambda u, g: _delete(u["owner"]), lambda u, g: _delete(u["heir"])],
        ),
        # Two members (not the owner) delete at once.
        "two_members_delete": (
            ["owner", "heir", "third"],
            [lambda u, g: _delete(u["heir"]), lambda u, g: _delete(u["third"])],
        ),
        # Everybody at once.
        "everybody_deletes": (
            ["owner", "heir", "third"],
            [lambda u, g, n=n: _delete(u[n]) for n in ("owner", "heir", "third")],
        ),
        # The heir leaves while the owner deletes their account.
        "heir_leaves_as_owner_deletes": (
            ["owner", "heir"],
            [lambda u, g: _delete(u["owner"]), lambda u, g: _leave(u["heir"], g)],
        ),
        "heir_leaves_as_owner_deletes_with_a_third": (
            ["owner", "heir", "third"],
            [lambda u, g: _delete(u["owner"]), lambda u, g: _leave(u["heir"], g)],
        ),
    }
    seen = {}
    for n, (name, (names, calls)) in enumerate(races.items()):
        seen[name] = [_run(f"race{n}.{r}", names, calls) for r in range(ROUNDS)]
    return seen


def check(seen):
    """Every request answered without a 5xx or an exception (200 for deletions, a redirect for
    leaving), and every group left standing is owned by one of its members."""
    from progress.models import Membership, StudyGroup

    for name, rounds in seen.items():
        for statuses, _ in rounds:
            assert all(s in (200, 302) for s in statuses), (name, statuses)
    for group in StudyGroup.objects.all():
        members = set(Membership.objects.filter(group=group).values_list("user_id", flat=True))
        assert group.owner_id in members, (group.name, group.owner_id, members)
    # Races that leave nobody close the group; the others hand it to who is left.
    for name in (
        "owner_and_last_member_delete",
        "everybody_deletes",
        "heir_leaves_as_owner_deletes",
    ):
        for _, pk in seen[name]:
            assert not StudyGroup.objects.filter(pk=pk).exists(), name
    for _, pk in seen["owner_and_heir_delete"]:
        group = StudyGroup.objects.select_related("owner").get(pk=pk)
        assert group.owner.username.endswith("-third"), group.owner.username
    for _, pk in seen["two_members_delete"]:
        group = StudyGroup.objects.select_related("owner").get(pk=pk)
        assert group.owner.username.endswith("-owner") and group.memberships.count() == 1
