"""Restore drill: back up a database with a learner mid-sitting, restore it into a fresh one,
and find the same rows and the same open sitting (SQLite here; PostgreSQL when the suite runs
on it, as CI does)."""

import random
import sqlite3
import subprocess

import pytest
from django.apps import apps
from django.db import connection

from progress.backup import BackupError, backup, restore


def _tables():
    return sorted(
        {m._meta.db_table for m in apps.get_models() if m._meta.managed and not m._meta.proxy}
    )


def _counts_here():
    with connection.cursor() as cursor:
        counts = {}
        for table in _tables():
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


OPEN_SITTING_SQL = (
    "SELECT s.status, s.deadline, i.position, CAST(i.selected AS TEXT), "
    "CASE WHEN i.flagged THEN 1 ELSE 0 END, CAST(i.struck AS TEXT) "
    'FROM "progress_sitting" s JOIN "progress_sittingitem" i ON i.sitting_id = s.id '
    "WHERE s.status = 'in_progress' ORDER BY i.position"
)


def _open_sitting_here():
    with connection.cursor() as cursor:
        cursor.execute(OPEN_SITTING_SQL)
        return [tuple(map(str, row)) for row in cursor.fetchall()]


@pytest.fixture
def learner_mid_sitting(alice, bob, sample_bank):
    from progress import assembly
    from tests.progress.conftest import answer

    finished = assembly.start_practice(bob, count=5, rng=random.Random(1))
    finished.finish()
    sitting = assembly.start_mock(alice, rng=random.Random(2))
    items = list(sitting.items.prefetch_related("version__choices")[:3])
    for item in items:
        answer(sitting, item, right=item.position != 2)
    sitting.save_answer(3, flagged=True)
    return sitting


@pytest.mark.django_db(transaction=True)
def test_restore_drill(learner_mid_sitting, tmp_path):
    counts, open_sitting = _counts_here(), _open_sitting_here()
    assert counts["progress_sittingitem"] > 75 and len(open_sitting) == 75
    if connection.vendor == "sqlite":
        snapshot = backup(tmp_path / "examprep.sqlite3")
        fresh = restore(snapshot, database_name=tmp_path / "restored.sqlite3")
        db = sqlite3.connect(fresh)
        restored = {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in _tables()}
        restored_sitting = [tuple(map(str, r)) for r in db.execute(OPEN_SITTING_SQL)]
        db.close()
    else:
        restored, restored_sitting = _postgres_drill(tmp_path)
    assert restored == counts
    assert restored_sitting == open_sitting


def _postgres_drill(tmp_path):
    import psycopg2

    settings_dict = connection.settings_dict
    fresh = settings_dict["NAME"] + "_restored"
    admin = psycopg2.connect(
        dbname="postgres",
        host=settings_dict["HOST"] or "127.0.0.1",
        port=settings_dict["PORT"] or 5432,
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"],
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
        cursor.execute(f'CREATE DATABASE "{fresh}"')
    try:
        snapshot = backup(tmp_path / "examprep.dump")
        restore(snapshot, database_name=fresh)
        db = psycopg2.connect(
            dbname=fresh,
            host=settings_dict["HOST"] or "127.0.0.1",
            port=settings_dict["PORT"] or 5432,
            user=settings_dict["USER"],
            password=settings_dict["PASSWORD"],
        )
        with db.cursor() as cursor:
            restored = {}
            for table in _tables():
                cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
                restored[table] = cursor.fetchone()[0]
            cursor.execute(OPEN_SITTING_SQL)
            sitting = [tuple(map(str, row)) for row in cursor.fetchall()]
        db.close()
        return restored, sitting
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
        admin.close()


def test_restoring_a_file_that_is_not_a_backup_fails_cleanly(tmp_path, db):
    bogus = tmp_path / "not-a-backup"
    bogus.write_text("hello")
    target = tmp_path / "target.sqlite3"
    if connection.vendor == "sqlite":
        with pytest.raises((BackupError, sqlite3.DatabaseError)):
            restore(bogus, database_name=target)
        assert not target.exists()
    else:
        with pytest.raises(BackupError):
            restore(bogus, database_name="examprep_never_created")


def test_make_backup_and_restore_are_documented_targets():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    makefile = (root / "Makefile").read_text()
    assert "\nbackup:" in makefile and "\nrestore:" in makefile
    dry = subprocess.run(["make", "-n", "restore"], cwd=root, capture_output=True, text=True)
    assert "manage.py restore" in dry.stdout
