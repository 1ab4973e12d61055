"""Study-group members deleting their accounts (or leaving) at the same moment: no 500, and no
group left owned by someone who is not in it (the races are in group_races.py)."""

import pytest
from django.db import connection

from tests.concurrency import run_on_sqlite_file

from .group_races import check, scenarios


def test_simultaneous_group_deletions_and_leaving_on_the_embedded_sqlite_file(tmp_path):
    """On a SQLite file configured by examprep.settings, in a fresh interpreter (the test
    database of this run may be PostgreSQL or SQLite in memory; see tests/exams/
    test_concurrency.py)."""
    seen = run_on_sqlite_file("tests.progress.sqlite_group_race", tmp_path)
    assert set(seen) >= {"owner_and_heir_delete", "heir_leaves_as_owner_deletes"}


@pytest.mark.django_db(transaction=True)
def test_simultaneous_group_deletions_and_leaving_on_the_configured_database():
    """The same races on the database this run uses (PostgreSQL in CI)."""
    if connection.vendor == "sqlite":
        pytest.skip("covered on a SQLite file by the test above")
    check(scenarios())


def test_a_deletion_that_hits_a_deadlock_is_retried_once(alice, bob, monkeypatch):
    from django.contrib.auth import get_user_model
    from django.db import OperationalError

    from progress import data_rights
    from progress.groups import join
    from progress.models import StudyGroup

    group = StudyGroup.create(alice, "Pair")
    join(bob, group.join_code)
    real = data_rights.new_anonymous_learner
    calls = []

    def deadlocked_once():
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("deadlock detected")
        return real()

    monkeypatch.setattr(data_rights, "new_anonymous_learner", deadlocked_once)
    summary = data_rights.delete_account(alice)
    assert summary["groups_handed_over"] == 1 and len(calls) == 2
    assert not get_user_model().objects.filter(username="alice").exists()
    assert StudyGroup.objects.get(pk=group.pk).owner_id == bob.id

    def always_deadlocked():
        raise OperationalError("deadlock detected")

    monkeypatch.setattr(data_rights, "new_anonymous_learner", always_deadlocked)
    with pytest.raises(OperationalError):
        data_rights.delete_account(bob)  # twice: the second error is not swallowed
    assert get_user_model().objects.filter(username="bob").exists()
