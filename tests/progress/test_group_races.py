"""Study-group members deleting their accounts (or leaving) at the same moment: no 500, and no
group left owned by someone who is not in it (the races are in group_races.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from .group_races import check, scenarios

ROOT = Path(__file__).resolve().parents[2]


def test_simultaneous_group_deletions_and_leaving_on_the_embedded_sqlite_file(tmp_path):
    """On a SQLite file configured by examprep.settings, in a fresh interpreter (the test
    database of this run may be PostgreSQL or SQLite in memory; see tests/exams/
    test_concurrency.py)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    proc = subprocess.run(
        [sys.executable, "-m", "tests.progress.sqlite_group_race"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
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
