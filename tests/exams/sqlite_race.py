"""Run by test_concurrency.py in a fresh interpreter whose DATABASE_URL names a SQLite file: the
embedded default exactly as `make run` configures it (WAL, IMMEDIATE transactions, busy
timeout). Prints one JSON line with what the checks saw; exits non-zero on a failed check."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examprep.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from tests.concurrency import (  # noqa: E402
    check_practice_starts,
    practice_starts,
    saves_and_submits,
)
from tests.conftest import SAMPLE_BANK, make_user  # noqa: E402

settings.ALLOWED_HOSTS = ["testserver"]
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
call_command("migrate", verbosity=0)
call_command("load_blueprint", verbosity=0)
call_command("import_bank", str(SAMPLE_BANK), verbosity=0)

from progress import assembly  # noqa: E402

with django.db.connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal = cursor.fetchone()[0]

alice = make_user("alice")
practice = assembly.start_practice(alice, count=6)
mocks = [assembly.start_mock(make_user(f"learner{i}")) for i in range(6)]
statuses = saves_and_submits(practice, mocks)
assert statuses == [200] * 12, statuses

bob = make_user("bob")
assembly.start_practice(bob, count=5)
check_practice_starts(practice_starts(bob, 20), bob)
print(json.dumps({"journal_mode": journal, "saves_and_submits": statuses}))
sys.exit(0)
