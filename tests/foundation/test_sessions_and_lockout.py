"""Accounts and sessions: lock-out by username and address, throttles that fail open, tokens
that expire and are revoked, admin preview permissions, mail, no-store, check --deploy."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from tests.conftest import make_user

HOME, AWAY = "203.0.113.7", "198.51.100.9"


def _site_login(password, ip, username="alice"):
    return Client(REMOTE_ADDR=ip).post(
        "/accounts/login/", {"username": username, "password": password}
    )


def test_five_wrong_passwords_lock_that_username_from_that_address_only(alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _site_login("wrong", HOME).status_code == 200  # the form's own error
    assert _site_login("wrong", HOME).status_code == 429  # the fifth locks
    locked = _site_login("pw-alice", HOME)  # even the right password waits now
    assert locked.status_code == 429
    assert "Try again in 15 minutes" in locked.text
    assert locked.headers["Retry-After"] == "900"
    # A stranger elsewhere cannot lock the candidate out: her own address still works.
    assert _site_login("pw-alice", AWAY).status_code == 302


def test_the_admin_login_and_the_token_endpoint_lock_out_too(alice, staff_admin, settings):
    admin = Client(REMOTE_ADDR=HOME)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        admin.post("/admin/login/", {"username": "admin", "password": "wrong"})
    assert (
        admin.post("/admin/login/", {"username": "admin", "password": "pw-admin"}).status_code
        == 429
    )

    api = APIClient(REMOTE_ADDR=HOME)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert (
            api.post("/api/v1/auth/token/", {"username": "alice", "password": "x"}).status_code
            == 400
        )
    assert (
        api.post("/api/v1/auth/token/", {"username": "alice", "password": "x"}).status_code == 429
    )
    locked = api.post("/api/v1/auth/token/", {"username": "alice", "password": "pw-alice"})
    assert locked.status_code == 429
    error = locked.json()["errors"][0]
    assert error["code"] == "locked_out" and "15 minutes" in error["detail"]
    assert locked.json()["extra"]["retry_after_seconds"] == 15 * 60


def test_staff_unlock_a_locked_out_learner_in_the_admin(alice, staff_admin, settings):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        _site_login("wrong", HOME)
    assert _site_login("pw-alice", HOME).status_code == 429
    admin = Client(REMOTE_ADDR=AWAY)
    admin.force_login(staff_admin)
    attempt = AccessAttempt.objects.get(username="alice")
    changelist = admin.get("/admin/axes/accessattempt/")
    assert changelist.status_code == 200 and "alice" in changelist.text
    admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert _site_login("pw-alice", HOME).status_code == 302


def test_the_anonymous_api_is_throttled_per_address(db, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK}
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    rates = {"anon": "1000/hour", "login": "3/hour"}
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        api = APIClient(REMOTE_ADDR=HOME)
        codes = [
            api.post("/api/v1/auth/token/", {"username": "x", "password": "y"}).status_code
            for _ in range(4)
        ]
        assert codes == [400, 400, 400, 429]
        other = APIClient(REMOTE_ADDR=AWAY)
        assert (
            other.post("/api/v1/auth/token/", {"username": "x", "password": "y"}).status_code == 400
        )
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original
        api_settings.reload()


def test_throttles_and_logins_work_when_the_cache_is_down(alice, settings):
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    caches._settings = None
    token = APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": "pw-alice"})
    assert token.status_code == 200
    assert APIClient().get("/api/v1/domains/").status_code == 200
    assert _site_login("pw-alice", HOME).status_code == 302


def _token(username="alice", password="pw-alice"):
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": password})
    assert response.status_code == 200
    return response.json()["token"]


def _api_with(token):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def test_a_password_change_revokes_every_api_token(
    alice, alice_client, django_capture_on_commit_callbacks
):
    tokens = [_token(), _token()]
    assert _api_with(tokens[0]).get("/api/v1/exams/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        done = alice_client.post(
            "/accounts/password_change/",
            {
                "old_password": "pw-alice",
                "new_password1": "Quiet-Harbour-73",
                "new_password2": "Quiet-Harbour-73",
            },
        )
    assert done.status_code == 302
    assert [_api_with(t).get("/api/v1/exams/").status_code for t in tokens] == [401, 401]
    assert alice_client.get("/home/").status_code == 200  # this browser stays signed in


def test_log_out_everywhere_revokes_tokens_and_other_sessions(alice):
    token = _token()
    elsewhere = Client()
    assert (
        elsewhere.post(
            "/accounts/login/", {"username": "alice", "password": "pw-alice"}
        ).status_code
        == 302
    )
    here = Client()
    here.post("/accounts/login/", {"username": "alice", "password": "pw-alice"})
    page = here.post("/profile/logout-everywhere/")
    assert page.status_code == 302
    assert _api_with(token).get("/api/v1/exams/").status_code == 401
    assert elsewhere.get("/home/").status_code == 302  # sent to log in
    assert here.get("/home/").status_code == 200


def test_log_out_everywhere_through_the_api(alice):
    first, second = _token(), _token()
    assert _api_with(first).post("/api/v1/auth/logout-all/").json() == {"tokens": 2, "sessions": 0}
    assert _api_with(second).get("/api/v1/exams/").status_code == 401


def test_tokens_expire_and_are_renewed_without_a_write_per_request(alice, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from knox.models import AuthToken

    token = _token()
    row = AuthToken.objects.get(user=alice)
    assert row.expiry - timezone.now() >= timedelta(hours=23)
    api = _api_with(token)
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            assert api.get("/api/v1/exams/").status_code == 200
    writes = [q["sql"] for q in queries if q["sql"].startswith(("UPDATE", "INSERT"))]
    assert writes == []
    AuthToken.objects.filter(pk=row.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert api.get("/api/v1/exams/").status_code == 401


def test_a_token_used_during_a_sitting_is_renewed_hourly(alice):
    from knox.models import AuthToken

    token = _token()
    AuthToken.objects.filter(user=alice).update(expiry=timezone.now() + timedelta(minutes=30))
    assert _api_with(token).get("/api/v1/exams/").status_code == 200
    assert AuthToken.objects.get(user=alice).expiry - timezone.now() > timedelta(hours=23)


@pytest.fixture
def preview_url(sample_bank):
    from questions.models import Question

    return f"/admin/questions/question/{Question.objects.first().pk}/preview/?reveal=1"


def test_admin_preview_needs_the_question_permission(preview_url, db):
    from django.contrib.auth.models import Permission

    bare = make_user("bare", is_staff=True)
    client = Client()
    client.force_login(bare)
    assert client.get("/admin/questions/question/").status_code == 403
    assert client.get(preview_url).status_code == 403
    bare.user_permissions.add(Permission.objects.get(codename="view_question"))
    assert client.get(preview_url).status_code == 200


def test_password_reset_sends_the_mail(alice, client, mailoutbox, settings):
    alice.email = "alice@example.org"
    alice.save()
    response = client.post("/accounts/password_reset/", {"email": "alice@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["alice@example.org"]
    assert "/accounts/reset/" in mailoutbox[0].body


def test_mail_goes_to_the_console_unless_smtp_is_configured(monkeypatch):
    import importlib

    import examprep.settings as conf

    monkeypatch.delenv("EMAIL_HOST", raising=False)
    assert importlib.reload(conf).EMAIL_BACKEND.endswith("console.EmailBackend")
    monkeypatch.setenv("EMAIL_HOST", "smtp.example.org")
    assert importlib.reload(conf).EMAIL_BACKEND.endswith("smtp.EmailBackend")
    monkeypatch.delenv("EMAIL_HOST")
    importlib.reload(conf)


def test_signed_in_pages_and_api_responses_are_not_stored(alice_client, api, blueprint):
    assert "no-store" in alice_client.get("/home/").headers["Cache-Control"]
    assert "no-store" in api.get("/api/v1/exams/").headers["Cache-Control"]
    assert "no-store" not in Client().get("/domains/").headers.get("Cache-Control", "")


def test_check_deploy_is_clean_with_the_compose_settings():
    import os
    import subprocess
    import sys
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parents[2]
    compose = yaml.safe_load((root / "docker-compose.yml").read_text())
    env = {k: str(v) for k, v in compose["x-app"]["environment"].items()}
    env["SECRET_KEY"] = "a-production-grade-secret-key-of-more-than-fifty-characters-0123456789"
    env.pop("DATABASE_URL")
    env.pop("REDIS_URL")
    for name, value in list(env.items()):
        if value.startswith("${"):
            env[name] = value.split(":-", 1)[1].rstrip("}") if ":-" in value else "x"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env={
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            **env,
            "DATABASE_URL": "",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_behind_a_proxy_the_address_it_saw_counts_and_junk_is_ignored(alice, settings):
    from examprep.accounts import client_ip

    settings.NUM_PROXIES = 1
    request = Client().get("/healthz").wsgi_request
    request.META.update(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_ip(request) == "203.0.113.7"  # the hop the proxy appended, not the forged one
    request.META["HTTP_X_FORWARDED_FOR"] = "not-an-address"
    assert client_ip(request) == "10.0.0.2"
    response = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="x\x01y").post(
        "/accounts/login/", {"username": "alice", "password": "wrong"}
    )
    assert response.status_code == 200
