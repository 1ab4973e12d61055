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


PILOT_TASKS = ["1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2", "6.1", "6.2"]


def write_pilot_bank(root, count=12):
    """A bank folder with `count` valid questions in `status: pilot` (ids pilot-1 ...), for
    import beside the sample bank; returns the folder."""
    import yaml

    questions = []
    for n in range(1, count + 1):
        task = PILOT_TASKS[(n - 1) % len(PILOT_TASKS)]
        questions.append(
            {
                "id": f"pilot-{n}",
                "domain": int(task[0]),
                "task": task,
                "kind": "single",
                "difficulty": 2,
                "stem": f"Scenario {n} for task {task}, new. Which option is right?\n",
                "choices": [
                    {
                        "key": "a",
                        "text": f"First choice of new {n}",
                        "correct": True,
                        "why": "Right.",
                    },
                    {"key": "b", "text": f"Second choice of new {n}", "why": "Wrong."},
                    {"key": "c", "text": f"Third choice of new {n}", "why": "Wrong."},
                    {"key": "d", "text": f"Fourth choice of new {n}", "why": "Wrong."},
                ],
                "explanation": f"Explanation of new question {n}.\n",
                "references": ["https://docs.aws.amazon.com/codedeploy/latest/userguide/"],
                "status": "pilot",
            }
        )
    folder = Path(root) / "pilot-bank"
    (folder / "questions").mkdir(parents=True, exist_ok=True)
    (folder / "questions" / "pilots.yaml").write_text(yaml.safe_dump(questions, sort_keys=False))
    return folder


@pytest.fixture
def pilot_bank(sample_bank, tmp_path):
    """The sample bank (95 published) plus 12 pilot questions, imported from YAML."""
    from questions.bank import apply_bank, check_bank, read_bank

    bank = read_bank(write_pilot_bank(tmp_path))
    assert check_bank(bank) == []
    apply_bank(bank)
