"""Run by test_fixed_scale.py in a fresh interpreter whose DATABASE_URL names a SQLite file (the
embedded default as `make run` configures it): reference_race.dashboards_at_once. Prints one
JSON line with what it saw."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examprep.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from tests.conftest import SAMPLE_BANK  # noqa: E402
from tests.progress.reference_race import dashboards_at_once  # noqa: E402

settings.ALLOWED_HOSTS = ["testserver"]
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
call_command("migrate", verbosity=0)
call_command("load_blueprint", verbosity=0)
call_command("import_bank", str(SAMPLE_BANK), verbosity=0)

print(json.dumps(dashboards_at_once()))
sys.exit(0)
