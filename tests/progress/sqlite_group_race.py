"""Run by test_group_races.py in a fresh interpreter whose DATABASE_URL names a SQLite file (the
embedded default as `make run` configures it): the study-group races of group_races.py. Prints
one JSON line with what they saw; exits non-zero on a failed check."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examprep.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from tests.progress.group_races import check, scenarios  # noqa: E402

settings.ALLOWED_HOSTS = ["testserver"]
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
call_command("migrate", verbosity=0)

seen = scenarios()
check(seen)
print(json.dumps({name: [s for s, _ in rounds] for name, rounds in seen.items()}))
sys.exit(0)
