"""Production settings plus the bench-only URLconf. Loaded only by `make bench`'s gunicorn."""

import os

from django.core.exceptions import ImproperlyConfigured

from examprep.settings import *  # noqa: F403

if os.environ.get("EXAMPREP_BENCH") != "1":
    raise ImproperlyConfigured("examprep.bench.settings is for `make bench` only.")

ROOT_URLCONF = "examprep.bench.urls"
