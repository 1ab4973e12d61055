from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

SAMPLE_BANK = Path(__file__).parent / "data" / "bank"


@pytest.fixture(autouse=True)
def _fast_test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()  # throttle counters must not leak from one test into the next
    from examprep.resilience import markdown_cache, throttle_cache

    markdown_cache.open_until = throttle_cache.open_until = 0.0


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Tasks run in-process in tests, except those marked `worker`, which use the real one."""
    from examprep.celery import app

    if request.node.get_closest_marker("worker"):
        yield
        return
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


@pytest.fixture
def blueprint(db):
    call_command("load_blueprint", verbosity=0, stdout=StringIO())


@pytest.fixture
def sample_bank(blueprint):
    """95 small valid questions (5 per task statement), 2 cards, 1 topic note."""
    from questions.bank import apply_bank, check_bank, read_bank

    bank = read_bank(SAMPLE_BANK)
    assert check_bank(bank) == []
    apply_bank(bank)


def make_user(username, **extra):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        username=username, password="pw-" + username, **extra
    )


@pytest.fixture
def alice(db):
    return make_user("alice")


@pytest.fixture
def bob(db):
    return make_user("bob")


@pytest.fixture
def staff_admin(db):
    return make_user("admin", is_staff=True, is_superuser=True)


@pytest.fixture
def api(alice):
    client = APIClient()
    client.force_authenticate(alice)
    return client


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def real_worker():
    """A Celery worker on the real broker for the duration of the test (skips without Redis).

    Tests using it need `django_db(transaction=True)` so the worker sees committed rows."""
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    from examprep.celery import app

    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: no real broker to send the task through")
    assert not app.conf.task_always_eager
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        yield app
