"""Run by test_fixed_scale.py in a fresh interpreter whose DATABASE_URL names a SQLite file (the
embedded default as `make run` configures it): learners whose mocks became calibrated overnight
load their dashboards at the same instant, and each load finds no reference form version yet.
Prints one JSON line: the statuses and the reference form versions that exist afterwards."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examprep.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from tests.concurrency import at_once, logged_in_client  # noqa: E402
from tests.conftest import SAMPLE_BANK, make_user  # noqa: E402

settings.ALLOWED_HOSTS = ["testserver"]
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
call_command("migrate", verbosity=0)
call_command("load_blueprint", verbosity=0)
call_command("import_bank", str(SAMPLE_BANK), verbosity=0)

from progress.models import ReferenceFormVersion  # noqa: E402
from tests.progress.test_equated_scores import calibrate, take_mock  # noqa: E402

learners = [make_user(f"learner{i}") for i in range(4)]
for n, learner in enumerate(learners):
    take_mock(learner, right_share=0.7, seed=n)  # scored linearly: nothing is calibrated yet
calibrate()  # the nightly fit; no reference form version is made by it
clients = [logged_in_client(learner) for learner in learners]
statuses = at_once([lambda c=c: c.get("/progress/").status_code for c in clients])
versions = list(ReferenceFormVersion.objects.order_by("number").values_list("number", "note"))
print(json.dumps({"statuses": [getattr(s, "args", s) for s in statuses], "versions": versions}))
sys.exit(0)
