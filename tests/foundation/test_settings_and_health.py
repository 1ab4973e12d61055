import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _settings_with(env):
    """Import the settings in a fresh interpreter with this environment; return (rc, stderr)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL")
    }
    clean.update(env)
    code = "import examprep.settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)"
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    return proc.returncode, proc.stdout + proc.stderr


def test_embedded_default_is_sqlite_and_eager_celery():
    rc, out = _settings_with({})
    assert rc == 0, out
    assert "django.db.backends.sqlite3 True" in out


def test_empty_urls_mean_the_embedded_default():
    rc, out = _settings_with({"DATABASE_URL": "", "REDIS_URL": ""})
    assert rc == 0, out
    assert "django.db.backends.sqlite3 True" in out


def test_database_and_redis_urls_switch_to_postgres_and_a_real_broker():
    rc, out = _settings_with(
        {"DATABASE_URL": "postgres://u@h:5432/d", "REDIS_URL": "redis://h:6379/0"}
    )
    assert rc == 0, out
    assert "django.db.backends.postgresql False" in out


def test_refuses_to_start_without_secret_key_when_debug_is_off():
    rc, out = _settings_with({"DEBUG": "0"})
    assert rc != 0
    assert "SECRET_KEY must be set" in out


def test_nonsense_debug_value_fails_loudly():
    rc, out = _settings_with({"DEBUG": "maybe"})
    assert rc != 0
    assert "DEBUG='maybe' is not a boolean" in out


def test_healthz_reports_database_and_broker(client, db, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "broker": "eager",
        "outbox_pending": 0,
        "failing": [],
    }


def test_healthz_is_503_naming_an_unreachable_broker(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "ok"
    assert response.json()["broker"].startswith("unreachable")
    assert response.json()["failing"] == ["broker"]


def test_healthz_names_a_broken_database(client, db, monkeypatch):
    from examprep import views

    monkeypatch.setattr(views, "database_status", lambda: "unreachable: OperationalError")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable: OperationalError"


def test_compose_file_has_the_stack_and_only_uses_settings_the_app_reads():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "db", "redis"}
    assert "gunicorn" in services["web"]["command"] and "migrate" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A examprep worker")
    assert services["beat"]["command"].startswith("celery -A examprep beat")
    assert services["db"]["image"] == "postgres:16" and services["redis"]["image"] == "redis:7"
    assert "pgdata" in compose["volumes"]
    for name in ("web", "worker", "db", "redis"):
        assert "healthcheck" in services[name], name
    settings_source = (ROOT / "examprep" / "settings.py").read_text()
    read = set(re.findall(r'env_(?:bool|list)\("([A-Z_]+)"', settings_source))
    read |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', settings_source))
    read |= {"DATABASE_URL"}  # read by dj_database_url.config()
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DEBUG"] == "0"
        assert set(env) <= read, set(env) - read


def test_readme_starts_with_the_two_commands():
    lines = [line.strip() for line in (ROOT / "README.md").read_text().splitlines()]
    commands = [line for line in lines if line.startswith("make ")]
    assert commands[:2] == ["make run", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_pages_send_a_strict_content_security_policy(client, db):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_api_docs_are_served_without_a_cdn(client, db):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "jsdelivr" not in page.text


@pytest.mark.skipif(
    not shutil.which("docker-compose"), reason="Debian's docker-compose is not installed"
)
def test_compose_file_validates_with_docker_compose():
    proc = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        env={**os.environ, "SECRET_KEY": "validation-only"},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr


def test_errors_go_to_sentry_only_when_a_dsn_is_set(monkeypatch):
    import importlib

    import sentry_sdk

    import examprep.settings as conf

    calls = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **kwargs: calls.append(kwargs))
    monkeypatch.delenv("SENTRY_DSN", raising=False)
    importlib.reload(conf)
    assert calls == []
    monkeypatch.setenv("SENTRY_DSN", "https://key@errors.example.org/1")
    importlib.reload(conf)
    assert calls[0]["dsn"] == "https://key@errors.example.org/1"
    assert calls[0]["send_default_pii"] is False
    monkeypatch.delenv("SENTRY_DSN")
    importlib.reload(conf)
