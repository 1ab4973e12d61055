"""Simultaneous requests: no 500 "database is locked" on the embedded SQLite default, and
simultaneous practice starts behave exactly like starts one after another."""

import pytest
from django.db import connection

from progress import assembly
from tests.concurrency import (
    check_practice_starts,
    practice_starts,
    run_on_sqlite_file,
    saves_and_submits,
)
from tests.conftest import make_user


def test_concurrent_saves_submits_and_starts_on_the_embedded_sqlite_file(tmp_path):
    """Six practice checks and six mock submits at once, then twenty practice starts at once, on
    a SQLite file configured by examprep.settings (a fresh interpreter: the test database of
    this run may be PostgreSQL or SQLite in memory, neither of which is the embedded default)."""
    seen = run_on_sqlite_file("tests.exams.sqlite_race", tmp_path)
    assert seen["journal_mode"] == "wal"
    assert seen["saves_and_submits"] == [200] * 12


def test_the_embedded_default_uses_wal_and_immediate_transactions():
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the test database is not SQLite")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"] and options["timeout"] >= 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_submits_and_starts_on_the_configured_database(sample_bank):
    """The same race on the database this run uses (PostgreSQL in CI). SQLite in memory shares
    one cache between threads and reports table locks a file database would wait out, so the
    embedded default is raced on a file above instead."""
    if connection.vendor == "sqlite":
        pytest.skip("covered on a SQLite file by the test above")
    alice = make_user("alice")
    practice = assembly.start_practice(alice, count=6)
    mocks = [assembly.start_mock(make_user(f"learner{i}")) for i in range(6)]
    assert saves_and_submits(practice, mocks) == [200] * 12
    bob = make_user("bob")
    assembly.start_practice(bob, count=5)
    check_practice_starts(practice_starts(bob, 20), bob)
