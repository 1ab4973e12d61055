"""Requests at the same instant, from threads: each thread has its own database connection, as
each request of a threaded server has. Used by the SQLite race (tests/exams/sqlite_race.py, run
in a fresh interpreter on a file database) and directly on PostgreSQL."""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from django.db import connection
from django.test import Client

ROOT = Path(__file__).resolve().parents[1]


def run_on_sqlite_file(module, tmp_path):
    """Run `python -m module` in a fresh interpreter on a SQLite file configured by
    examprep.settings (the embedded default; this run's test database may be PostgreSQL or SQLite
    in memory); return the JSON of the last line it printed. Fails with its output otherwise."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    proc = subprocess.run(
        [sys.executable, "-m", module],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def at_once(calls):
    """Run the callables in threads released together; return their results in order (an
    exception is returned, not raised)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the caller asserts on it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def logged_in_client(user):
    client = Client()
    client.force_login(user)
    return client


def practice_starts(user, n):
    """`n` simultaneous `POST /api/v1/exams/ {"mode": "practice"}` by `user`: [(status, body)]."""
    clients = [logged_in_client(user) for _ in range(n)]

    def start(client):
        response = client.post(
            "/api/v1/exams/", {"mode": "practice", "count": 5}, content_type="application/json"
        )
        return response.status_code, response.json()

    return at_once([lambda c=c: start(c) for c in clients])


def saves_and_submits(practice, mocks):
    """At once: a practice check of every item of `practice` and the submit of every mock in
    `mocks` (each by its owner). [status codes]."""
    calls = []
    for item in practice.items.prefetch_related("version__choices"):
        client = logged_in_client(practice.user)
        body = {"selected": [item.version.choices.all()[0].id]}
        url = f"/api/v1/exams/{practice.pk}/items/{item.position}/"
        calls.append(lambda c=client, u=url, b=body: c.put(u, b, content_type="application/json"))
    for mock in mocks:
        client = logged_in_client(mock.user)
        url = f"/api/v1/exams/{mock.pk}/submit/"
        calls.append(lambda c=client, u=url: c.post(u, {}, content_type="application/json"))
    return [getattr(r, "status_code", repr(r)) for r in at_once(calls)]


def check_practice_starts(results, user):
    """What twenty simultaneous starts must look like: every one started its own set and said
    so; every set but the last was finished by the next start; nobody heard of a mock."""
    from progress.models import Sitting

    said = [(status, body.get("errors")) for status, body in results]
    assert [status for status, _ in results] == [201] * len(results), said
    started = {body["id"] for _, body in results}
    assert len(started) == len(results)
    open_ = list(Sitting.objects.filter(user=user).in_progress())
    assert len(open_) == 1 and open_[0].id in started
    finished = {body["finished_practice"] for _, body in results} - {None}
    everyone = set(Sitting.objects.filter(user=user).values_list("id", flat=True))
    assert finished == everyone - {open_[0].id}
