"""`make bench`: seed PostgreSQL, serve the site with gunicorn as in production, load it with
wrk next to three baselines, measure assembly, nightly reports and queries in process, and
write docs/benchmarks.md. Every HTTP figure is the median of ROUNDS interleaved runs, stated as
a ratio to a baseline measured in the same round.

Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/examprep_bench; the
database is created if missing and must be dedicated to the bench), BENCH_SECONDS (per run,
default 5), BENCH_ROUNDS (default 3), BENCH_RESEED=1 (drop and seed the synthetic data again),
WEB_CONCURRENCY / GUNICORN_THREADS (gunicorn, as in gunicorn.conf.py).
"""

import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from io import StringIO
from pathlib import Path
from urllib.parse import urlparse

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/examprep_bench"
BASE_DIR = Path(__file__).resolve().parent.parent.parent
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONNECTIONS = 32


def _free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


PORT = int(os.environ.get("BENCH_PORT") or _free_port())
NIGHTLY_LEARNERS, NIGHTLY_ANSWERS = 10_000, 100
LOAD_LEARNERS = 2_000  # each with an open 75-question mock and an API token
PAGE_LEARNERS = 200  # of those, with a browser session (exam page)
STARTERS = 1_000  # learners with no sitting yet, for the 9:00 start
RESULT_SITTINGS = 10
BANK_SIZES = (500, 10_000)
SAVE_EVERY, CLOCK_EVERY = 10, 60  # seconds, per learner, during a mock

LUA = r"""
local targets, method, pause, sequential, nextone = {}, "GET", 0, false, 0
init = function(args)
  method = args[2]; pause = tonumber(args[3] or "0"); sequential = args[4] == "seq"
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
  for line in io.lines(args[1]) do
    local path, auth, body = line:match("^([^\t]*)\t([^\t]*)\t?(.*)$")
    targets[#targets + 1] = {path, auth, body}
  end
end
request = function()
  local t
  if sequential then
    nextone = nextone + 1
    if nextone > #targets then wrk.thread:stop(); nextone = #targets end
    t = targets[nextone]
  else
    t = targets[math.random(#targets)]
  end
  local headers = {["Accept"] = "application/json", ["Content-Type"] = "application/json"}
  if t[2]:sub(1, 6) == "Token " then headers["Authorization"] = t[2]
  elseif t[2] ~= "" then headers["Cookie"] = t[2] end
  local body = nil
  if t[3] ~= "" then body = t[3] end
  return wrk.format(method, t[1], headers, body)
end
if pause > 0 then end
delay = function() return pause end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.3f, "non2xx": %d, "socket_errors": %d, ' ..
    '"p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
"""


def log(message):
    print(message, flush=True)


# ---- setup ------------------------------------------------------------------------------------
def ensure_database(url):
    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            log(f"Creating database {name}")
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def ensure_wrk():
    if shutil.which("wrk"):
        return
    log("Installing wrk (apt-get)")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], check=True)


def setup_django(url):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examprep.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from questions.models import Question

    call_command("migrate", verbosity=0)
    call_command("load_blueprint", verbosity=0, stdout=StringIO())
    if not Question.objects.filter(slug__startswith="bench-q-").exists() and not (
        Question.objects.exclude(slug__startswith="bench-q-").exists()
    ):
        call_command("import_bank", verbosity=0, stdout=StringIO())


# ---- seed -------------------------------------------------------------------------------------
def _copy_value(value):
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _copy(cursor, table, columns, rows):
    """COPY `rows` into `table`. Columns left out get their model field's default: Django keeps
    defaults in Python, not in the database, so a field added later would otherwise fail the
    seed with a NOT NULL violation."""
    from django.apps import apps

    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    columns = [name.strip('"') for name in columns]
    defaults = {
        f.column: _copy_value(f.get_default())
        for f in model._meta.concrete_fields
        if f.column not in columns and not f.primary_key and (f.has_default() or not f.null)
    }
    suffix = "\t".join(defaults.values())
    buffer = StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_value(v) for v in row))
        if defaults:
            buffer.write("\t" + suffix)
        buffer.write("\n")
    buffer.seek(0)
    names = ", ".join(f'"{name}"' for name in [*columns, *defaults])
    cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", buffer)


def _users(cursor, prefix, count, now):
    _copy(
        cursor,
        "auth_user",
        [
            "username",
            "password",
            "is_superuser",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
        ],
        ((f"{prefix}{n:05d}", "!", "f", "", "", "", "f", "t", now) for n in range(count)),
    )
    cursor.execute(
        "SELECT id FROM auth_user WHERE username LIKE %s ORDER BY username", [prefix + "%"]
    )
    return [row[0] for row in cursor.fetchall()]


def seed(rng):
    """Synthetic data, written with COPY. Idempotent: reuses an earlier seed unless BENCH_RESEED."""
    from django.db import connection, transaction
    from django.db.models import F

    from progress.models import Sitting
    from questions.models import Question, VersionChoice

    if os.environ.get("BENCH_RESEED") == "1":
        unseed()
    if Sitting.objects.filter(user__username=f"nightly-{NIGHTLY_LEARNERS - 1:05d}").exists():
        log("Reusing the synthetic data seeded earlier (BENCH_RESEED=1 seeds again).")
        return None
    started = time.perf_counter()
    now = "now()"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        (now,) = cursor.fetchone()
        # A bank of 10,000: the real questions plus synthetic drafts, published per phase.
        tasks = list(
            Question.objects.values_list("task_id", "domain_id").distinct().order_by("task_id")
        )
        real = Question.objects.count()
        _copy(
            cursor,
            "questions_question",
            [
                "slug",
                "kind",
                "difficulty",
                "stem",
                "explanation",
                '"references"',
                "status",
                "created_at",
                "updated_at",
                "domain_id",
                "task_id",
                "source_hash",
                "from_bank",
                "source_file",
                "constraints",
            ],
            (
                (
                    f"bench-q-{n:05d}",
                    "multiple" if n % 5 == 0 else "single",
                    2,
                    f"Synthetic scenario {n}.",
                    "Synthetic explanation.",
                    "[]",
                    "draft",
                    now,
                    now,
                    tasks[n % len(tasks)][1],
                    tasks[n % len(tasks)][0],
                    "",
                    "f",
                    "",
                    "[]",
                )
                for n in range(max(BANK_SIZES) - real)
            ),
        )
        cursor.execute("SELECT id, kind FROM questions_question WHERE slug LIKE 'bench-q-%%'")
        synthetic = cursor.fetchall()
        _copy(
            cursor,
            "questions_choice",
            ["question_id", "key", "position", "text", "is_correct", "why"],
            (
                (
                    qid,
                    "abcdef"[pos],
                    pos,
                    f"Option {pos}",
                    "t" if pos < (2 if kind == "multiple" else 1) else "f",
                    "-",
                )
                for qid, kind in synthetic
                for pos in range(5 if kind == "multiple" else 4)
            ),
        )
        # Version 1 of each synthetic question, as import would make it (sittings pin versions).
        cursor.execute(
            "INSERT INTO questions_questionversion"
            " (question_id, number, kind, stem, select_count, content_hash, created_at, note)"
            " SELECT q.id, 1, q.kind, q.stem, CASE WHEN q.kind = 'single' THEN 1 ELSE"
            " (SELECT count(*) FROM questions_choice c WHERE c.question_id = q.id"
            " AND c.is_correct) END, '', now(), '' FROM questions_question q"
            " WHERE q.slug LIKE 'bench-q-%%'"
        )
        cursor.execute(
            "INSERT INTO questions_versionchoice"
            " (version_id, key, position, text, is_correct, why)"
            " SELECT v.id, c.key, c.position, c.text, c.is_correct, c.why"
            " FROM questions_choice c JOIN questions_questionversion v"
            " ON v.question_id = c.question_id JOIN questions_question q ON q.id = c.question_id"
            " WHERE q.slug LIKE 'bench-q-%%'"
        )
        cursor.execute(
            "UPDATE questions_question q SET current_version_id = v.id"
            " FROM questions_questionversion v"
            " WHERE v.question_id = q.id AND q.slug LIKE 'bench-q-%%'"
        )
        cursor.execute(
            "UPDATE questions_questionversion SET item_root_id = id WHERE item_root_id IS NULL"
        )
        # Nightly learners: one finished practice set of 100 graded answers each (1,000,000).
        bank = list(
            Question.objects.exclude(slug__startswith="bench-q-").values_list("id", flat=True)
        )
        choices, versions, select_counts = {}, {}, {}
        for qid, vid, select_count, cid, right in VersionChoice.objects.filter(
            version__question__current_version=F("version"), version__question_id__in=bank
        ).values_list(
            "version__question_id", "version_id", "version__select_count", "id", "is_correct"
        ):
            choices.setdefault(qid, ([], []))[0 if right else 1].append(cid)
            versions[qid], select_counts[qid] = vid, select_count
        sitting_columns = [
            "user_id",
            "mode",
            "status",
            "title",
            "started_at",
            "deadline",
            "finished_at",
            "timed_out",
            "current_position",
            "config",
            "notice",
        ]
        users = _users(cursor, "nightly-", NIGHTLY_LEARNERS, now)
        then = now - timedelta(hours=3)
        _copy(
            cursor,
            "progress_sitting",
            sitting_columns,
            (
                (u, "practice", "finished", "bench", then, None, then, "f", 1, "{}", "")
                for u in users
            ),
        )
        cursor.execute(
            "SELECT s.id FROM progress_sitting s JOIN auth_user u ON u.id = s.user_id"
            " WHERE u.username LIKE 'nightly-%%' ORDER BY u.username"
        )
        sittings = [row[0] for row in cursor.fetchall()]
        item_columns = [
            "sitting_id",
            "position",
            "question_id",
            "version_id",
            "choice_order",
            "selected",
            "struck",
            "flagged",
            "time_spent_seconds",
            "answered_at",
            "is_correct",
            "select_count",
            "revision",
        ]

        def answered():
            for sitting_id in sittings:
                ability = rng.uniform(0.4, 0.9)
                for position, qid in enumerate(rng.sample(bank, NIGHTLY_ANSWERS), start=1):
                    right, wrong = choices[qid]
                    correct = rng.random() < ability
                    order = right + wrong
                    yield (
                        sitting_id,
                        position,
                        qid,
                        versions[qid],
                        json.dumps(order),
                        json.dumps(right if correct else wrong[:1]),
                        "[]",
                        "f",
                        rng.randint(20, 200),
                        now - timedelta(minutes=rng.randint(60, 180)),
                        "t" if correct else "f",
                        len(right),
                        1,
                    )

        _copy(cursor, "progress_sittingitem", item_columns, answered())
        # Load learners: an open mock each (75 items from the real bank), an API token, and for
        # some a browser session. Starters: nobody has a sitting yet.
        load = _users(cursor, "load-", LOAD_LEARNERS, now)
        _users(cursor, "start-", STARTERS, now)
        _copy(
            cursor,
            "progress_sitting",
            sitting_columns,
            (
                (
                    u,
                    "mock",
                    "in_progress",
                    "Mock exam",
                    now,
                    now + timedelta(minutes=180),
                    None,
                    "f",
                    1,
                    "{}",
                    "",
                )
                for u in load
            ),
        )
        cursor.execute(
            "SELECT s.id FROM progress_sitting s JOIN auth_user u ON u.id = s.user_id"
            " WHERE u.username LIKE 'load-%%' ORDER BY u.username"
        )
        mocks = [row[0] for row in cursor.fetchall()]

        def mock_items():
            for sitting_id in mocks:
                for position, qid in enumerate(rng.sample(bank, 75), start=1):
                    order = choices[qid][0] + choices[qid][1]
                    rng.shuffle(order)
                    yield (
                        sitting_id,
                        position,
                        qid,
                        versions[qid],
                        json.dumps(order),
                        "[]",
                        "[]",
                        "f",
                        0,
                        None,
                        None,
                        select_counts[qid],
                        0,
                    )

        _copy(cursor, "progress_sittingitem", item_columns, mock_items())
        cursor.execute("ANALYZE")
    log(
        f"Seeded {NIGHTLY_LEARNERS * NIGHTLY_ANSWERS:,} answered items and "
        f"{LOAD_LEARNERS} open mocks in {time.perf_counter() - started:.1f} s."
    )
    return time.perf_counter() - started


BENCH_USERS = r"^(nightly|load|start|result)-"


def unseed():
    from django.contrib.auth import get_user_model
    from django.db import connection

    from questions.models import Question

    log("Removing the earlier synthetic data")
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM progress_misconceptionhit WHERE user_id IN"
            " (SELECT id FROM auth_user WHERE username ~ %s)",
            [BENCH_USERS],
        )
        cursor.execute(
            "DELETE FROM progress_sittingitem WHERE sitting_id IN (SELECT s.id FROM"
            " progress_sitting s JOIN auth_user u ON u.id = s.user_id WHERE u.username ~ %s)",
            [BENCH_USERS],
        )
    get_user_model().objects.filter(username__regex=BENCH_USERS).delete()
    Question.objects.filter(slug__startswith="bench-q-").delete()


# ---- per-run state and request targets --------------------------------------------------------
def prepare(workdir, rng):
    """Reset what a run changes, create credentials; write one targets file per endpoint."""
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.utils import timezone
    from knox.models import AuthToken

    from examprep.bench.views import ensure_table
    from progress import assembly
    from progress.models import Sitting, SittingItem

    User = get_user_model()
    ensure_table()
    Sitting.objects.filter(user__username__startswith="start-").delete()
    with connection.cursor() as cursor:
        # Open mocks stay open: the clock restarts with each run.
        cursor.execute(
            "UPDATE progress_sitting SET status = 'in_progress', started_at = now(),"
            " deadline = now() + interval '180 minutes', finished_at = NULL, result = NULL"
            " WHERE user_id IN (SELECT id FROM auth_user WHERE username LIKE 'load-%%')"
        )
    users = list(User.objects.filter(username__regex=r"^(load|start)-"))
    # knox keeps only a digest, so each run issues fresh tokens (and drops the last run's).
    AuthToken.objects.filter(user__in=users).delete()
    tokens = {u.username: AuthToken.objects.create(user=u)[1] for u in users}

    results = []
    for n in range(RESULT_SITTINGS):
        user, _ = User.objects.get_or_create(username=f"result-{n:05d}")
        done = Sitting.objects.finished().filter(user=user).first()
        if done is None:
            sitting = assembly.start_mock(user, rng=rng)
            for item in sitting.items.all()[:60]:
                sitting.save_answer(item.position, selected=item.choice_order[: item.select_count])
            sitting.finish()
            done = sitting
        results.append((user, done.pk))

    expires = timezone.now() + timedelta(days=1)

    def session_for(user):
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        key = f"bench{user.pk:027d}"
        return Session(
            session_key=key, session_data=SessionStore().encode(data), expire_date=expires
        )

    page_users = list(
        User.objects.filter(username__startswith="load-").order_by("username")[:PAGE_LEARNERS]
    )
    sessions = [session_for(u) for u in page_users] + [session_for(u) for u, _ in results]
    Session.objects.filter(session_key__in=[s.session_key for s in sessions]).delete()
    Session.objects.bulk_create(sessions)

    mocks = list(
        Sitting.objects.filter(user__username__startswith="load-").values_list(
            "id", "user__username", "user_id"
        )
    )
    # Each learner saves the question it is on (the common case: select, change, strike, flag
    # before moving on); moving to another question costs one more UPDATE.
    positions = {sid: rng.randint(1, 75) for sid, _, _ in mocks}
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE progress_sitting s SET current_position = v.pos FROM (VALUES "
            + ",".join(f"({sid},{pos})" for sid, pos in positions.items())
            + ") AS v(id, pos) WHERE s.id = v.id"
        )
    choices = {}
    for sid, pos, order in SittingItem.objects.filter(sitting_id__in=positions).values_list(
        "sitting_id", "position", "choice_order"
    ):
        if positions[sid] == pos:
            choices[sid] = order
    page_ids = {u.pk for u in page_users}
    by_user = {int(s.session_key[5:]): f"sessionid={s.session_key}" for s in sessions}
    lines = {
        "bare": ["/bench/bare/\t\t"],
        "commit": ['/bench/commit/\t\t{"selected": [1], "seconds": 3}'],
        "auth_commit": [
            f'/bench/auth-commit/\tToken {tokens[name]}\t{{"selected": [1], "seconds": 3}}'
            for _, name, _ in mocks
        ],
        "autosave": [],
        "clock": [f"/api/v1/exams/{sid}/clock/\tToken {tokens[name]}\t" for sid, name, _ in mocks],
        "exam_page": [
            f"/sittings/{sid}/\t{by_user[uid]}\t" for sid, _, uid in mocks if uid in page_ids
        ],
        "results_page": [f"/sittings/{pk}/results/\t{by_user[u.pk]}\t" for u, pk in results],
        "start": [
            f'/api/v1/exams/\tToken {tokens[f"start-{n:05d}"]}\t{{"mode": "mock"}}'
            for n in range(STARTERS)
        ],
    }
    for sid, name, _ in mocks:
        pos = positions[sid]
        order = choices[sid]
        for _ in range(5):
            body = json.dumps({"selected": [rng.choice(order)], "seconds": rng.randint(1, 15)})
            lines["autosave"].append(
                f"/api/v1/exams/{sid}/items/{pos}/\tToken {tokens[name]}\t{body}"
            )
    paths = {}
    for name, rows in lines.items():
        paths[name] = workdir / f"{name}.txt"
        paths[name].write_text("\n".join(rows) + "\n")
    (workdir / "bench.lua").write_text(LUA)
    return paths


METHODS = {
    "bare": "GET",
    "commit": "PUT",
    "auth_commit": "PUT",
    "autosave": "PUT",
    "clock": "GET",
    "exam_page": "GET",
    "results_page": "GET",
    "start": "POST",
}


# ---- gunicorn and wrk -------------------------------------------------------------------------
def server_env(url, static_root):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="examprep.bench.settings",
        EXAMPREP_BENCH="1",
        DEBUG="0",
        SECRET_KEY=env.get("SECRET_KEY") or "bench-only-not-a-secret-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=str(static_root),
        LOG_LEVEL="WARNING",
        GUNICORN_BIND=f"127.0.0.1:{PORT}",
        # A worker recycled mid-run would charge its restart to whichever figure was running.
        GUNICORN_MAX_REQUESTS="0",
    )
    env.pop("REDIS_URL", None)
    redis = bench_redis()
    if redis:
        # As in production: the rendered-markdown cache shared by the workers.
        env["REDIS_URL"] = redis
    return env


def bench_redis():
    """BENCH_REDIS_URL (default: database 13 of a local Redis), if it answers; else None."""
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001 - no Redis: the bench runs with the in-process cache
        return None
    return url


def start_server(env):
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "examprep.wsgi:application", "-c", "gunicorn.conf.py"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/bench/bare/", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("gunicorn did not start")


def wrk(workdir, paths, name, connections=CONNECTIONS, seconds=SECONDS, pause=0, seq=False):
    cmd = [
        "wrk",
        "-t1" if connections <= 64 else "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(workdir / "bench.lua"),
        f"http://127.0.0.1:{PORT}",
        "--",
        str(paths[name]),
        METHODS[name],
        str(pause),
        "seq" if seq else "all",
    ]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def collect(proc):
    out, _ = proc.communicate()
    for line in out.splitlines():
        if line.startswith("BENCH "):
            stats = json.loads(line[6:])
            stats["rps"] = stats["requests"] / stats["seconds"] if stats["seconds"] else 0
            return stats
    raise SystemExit(f"wrk failed:\n{out}")


def settle():
    """Wait until the server has drained what a run left queued (a slow page's backlog would
    otherwise be charged to the next run): a bare request answers in under 20 ms."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/bench/bare/", timeout=5):
                pass
        except OSError:
            pass
        if time.perf_counter() - started < 0.02:
            return
        time.sleep(0.2)


def run(workdir, paths, name, **kwargs):
    stats = collect(wrk(workdir, paths, name, **kwargs))
    settle()
    return stats


# ---- in-process measurements ------------------------------------------------------------------
def queries_per_request():
    """{endpoint: {5: queries, 75: queries}} through Django's test client: SQL statements sent,
    not counting transaction control (BEGIN and COMMIT add two round trips to every write)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from knox.models import AuthToken

    from progress.assembly import create_sitting, pick_mock_questions
    from progress.models import Sitting

    counts = {}
    for total in (5, 75):
        user, _ = get_user_model().objects.get_or_create(username=f"result-q{total}")
        Sitting.objects.filter(user=user).delete()
        token = AuthToken.objects.create(user)[1]
        ids, _ = pick_mock_questions(user, rng=random.Random(total), total=total)
        sitting = create_sitting(user, "mock", ids, rng=random.Random(total))
        item = sitting.items.get(position=1)
        page, api = Client(), Client(HTTP_AUTHORIZATION=f"Token {token}")
        page.force_login(user)
        base = f"/api/v1/exams/{sitting.pk}/"
        body = json.dumps({"selected": item.choice_order[:1], "seconds": 3})
        requests = [
            ("exam_page", page, "get", f"/sittings/{sitting.pk}/"),
            ("clock", api, "get", base + "clock/"),
            ("exam_state_api", api, "get", base),
            ("autosave_session", page, "put", base + "items/1/"),
            ("autosave_token", api, "put", base + "items/1/"),
            ("finish", api, "post", base + "submit/"),
            ("results_page", page, "get", f"/sittings/{sitting.pk}/results/"),
        ]
        for name, client, method, url in requests:
            with CaptureQueriesContext(connection) as ctx:
                if method == "put":
                    response = client.put(url, body, content_type="application/json")
                else:
                    response = getattr(client, method)(url)
            assert response.status_code == 200, (name, response.status_code)
            counts.setdefault(name, {})[total] = sum(
                1
                for q in ctx.captured_queries
                if not q["sql"].startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))
            )
    return counts


def assembly_p95(rng, runs=30):
    """{bank size: p95 ms of starting a mock} for learners with 100 answers of history. The real
    bank is always published, so the smaller size is at least the real bank (535 questions)."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from progress.assembly import start_mock
    from progress.models import Sitting
    from questions.models import Question

    learners = list(
        get_user_model().objects.filter(username__startswith="nightly-").order_by("?")[:runs]
    )
    out = {}
    real = Question.objects.exclude(slug__startswith="bench-q-").count()
    for size in BANK_SIZES:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE questions_question SET status = CASE WHEN id IN (SELECT id FROM"
                " questions_question WHERE slug LIKE 'bench-q-%%' ORDER BY id LIMIT %s)"
                " THEN 'published' ELSE 'draft' END WHERE slug LIKE 'bench-q-%%'",
                [max(0, size - real)],
            )
        with connection.cursor() as cursor:
            # Switching the bank rewrites its rows: vacuum, as autovacuum would have by then.
            cursor.execute("VACUUM ANALYZE questions_question")
        times = []
        for user in learners:
            started = time.perf_counter()
            sitting = start_mock(user, rng=rng)
            times.append((time.perf_counter() - started) * 1000)
            Sitting.objects.filter(pk=sitting.pk).delete()
        out[size] = statistics.quantiles(times, n=20)[18]
    Question.objects.filter(slug__startswith="bench-q-").update(status="draft")
    return out


def nightly_reports():
    from django.contrib.auth import get_user_model

    from progress.models import WeakDomainReport
    from progress.reports import build_reports
    from progress.tasks import NIGHTLY_CHUNK

    ids = list(
        get_user_model()
        .objects.filter(username__startswith="nightly-")
        .order_by("id")
        .values_list("id", flat=True)
    )
    WeakDomainReport.objects.filter(user_id__in=ids).delete()
    started = time.perf_counter()
    for start in range(0, len(ids), NIGHTLY_CHUNK):
        build_reports(ids[start : start + NIGHTLY_CHUNK])
    return time.perf_counter() - started


def profile_autosave(count=300):
    """pyinstrument over `count` in-process autosaves (BENCH_PROFILE=1)."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from knox.models import AuthToken
    from pyinstrument import Profiler

    from progress.models import Sitting

    user = get_user_model().objects.get(username="load-00000")
    sitting = Sitting.objects.get(user=user)
    item = sitting.items.get(position=sitting.current_position)
    client = Client(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user)[1]}")
    url = f"/api/v1/exams/{sitting.pk}/items/{item.position}/"
    body = json.dumps({"selected": item.choice_order[:1], "seconds": 2})
    profiler = Profiler(interval=0.0002)
    with profiler:
        for _ in range(count):
            client.put(url, body, content_type="application/json")
    return profiler.output_text(unicode=True, color=False, show_all=False)


# ---- the run ----------------------------------------------------------------------------------
NOTES = "<!-- notes: kept by make bench -->"
BASELINES = ("bare", "commit", "auth_commit")
MEASURED = ("autosave", "exam_page", "clock", "results_page")


def warm_up(workdir, paths):
    """Every endpoint for a moment first: workers start, connections open, caches fill."""
    for name in BASELINES + MEASURED:
        run(workdir, paths, name, seconds=2)


def load_rounds(workdir, paths):
    """ROUNDS rounds; in each, every endpoint once (baselines and measured interleaved)."""
    rounds = []
    for number in range(1, ROUNDS + 1):
        figures = {}
        for name in BASELINES + MEASURED:
            figures[name] = run(workdir, paths, name)
            f = figures[name]
            log(
                f"  round {number} {name:13} {f['rps']:8.0f} req/s  p50 {f['p50_ms']:6.1f} ms"
                f"  p99 {f['p99_ms']:6.1f} ms  non-2xx {f['non2xx']}  errors {f['socket_errors']}"
            )
        rounds.append(figures)
    return rounds


def capacity(workdir, paths):
    """Ramp the exam mix (saves every SAVE_EVERY s, a clock poll every CLOCK_EVERY s per learner)
    until a save's p99 passes 100 ms or errors appear. Returns (learners, steps)."""
    steps, best = [], 0
    clock_share = SAVE_EVERY / CLOCK_EVERY  # clock polls per save
    for connections in (4, 8, 16, 32, 64, 128, 256):
        clock_conns = max(1, round(connections * clock_share / (1 + clock_share)))
        saves = wrk(workdir, paths, "autosave", connections=connections - clock_conns)
        clock = wrk(workdir, paths, "clock", connections=clock_conns)
        s, c = collect(saves), collect(clock)
        settle()
        learners = int(min(s["rps"] * SAVE_EVERY, c["rps"] * CLOCK_EVERY))
        errors = s["non2xx"] + s["socket_errors"] + c["non2xx"] + c["socket_errors"]
        ok = s["p99_ms"] <= 100 and errors == 0
        steps.append((connections, s["rps"], s["p99_ms"], c["rps"], errors, learners, ok))
        log(
            f"  capacity: {connections:3} connections  saves {s['rps']:6.0f}/s p99 "
            f"{s['p99_ms']:6.1f} ms  clock {c['rps']:5.0f}/s  errors {errors}"
            f"  -> {learners} learners"
        )
        if ok:
            best = max(best, learners)
        elif errors or (len(steps) > 1 and learners < steps[-2][5] * 1.05):
            # Past the p99 limit the ramp goes on only while throughput still grows, to find
            # the throughput bound as well.
            break
    return best, steps


def throughput_bound(steps):
    """Learners the largest error-free step served, whatever its p99: what the node holds when
    latency is not the limit (on a machine busy with other work, the p99 rule may never pass)."""
    return max((n for _, _, _, _, errors, n, _ in steps if errors == 0), default=0)


def nine_oclock(workdir, paths, cohort):
    """A cohort of `cohort` in its steady mix while a tenth of it starts a mock within 10 s."""
    starters = min(cohort // 10, STARTERS)
    save_rate, clock_rate = cohort / SAVE_EVERY, cohort / CLOCK_EVERY
    # Enough connections that the offered rate holds even when responses slow down.
    save_conns, clock_conns, start_conns = 128, 16, 32
    procs = {
        "saves": wrk(
            workdir, paths, "autosave", save_conns, 10, pause=int(save_conns / save_rate * 1000)
        ),
        "clock": wrk(
            workdir, paths, "clock", clock_conns, 10, pause=int(clock_conns / clock_rate * 1000)
        ),
        "starts": wrk(
            workdir,
            paths,
            "start",
            start_conns,
            10,
            pause=int(start_conns / (starters / 10) * 1000),
            seq=True,
        ),
    }
    out = {name: collect(proc) for name, proc in procs.items()}
    out["starters"] = starters
    out["cohort"] = cohort
    return out


def machine():
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (pg,) = cursor.fetchone()
    import django

    load = os.getloadavg()
    gunicorn = subprocess.run(
        [sys.executable, "-c", "import gunicorn; print(gunicorn.__version__)"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()[1]
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; {platform.platform()}; Python "
        f"{platform.python_version()}, Django {django.get_version()}, PostgreSQL {pg} "
        f"(same machine), gunicorn {gunicorn}, wrk {wrk_version}; load average at start "
        f"{load[0]:.1f} (other work shares the machine)"
    )


def median_ratio(rounds, name, base, key="rps"):
    return statistics.median(r[name][key] / r[base][key] for r in rounds)


def median(rounds, name, key):
    return statistics.median(r[name][key] for r in rounds)


def main():
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgres"):
        raise SystemExit("make bench needs PostgreSQL: set DATABASE_URL=postgres://...")
    os.environ.update(
        DEBUG="0",
        SECRET_KEY=os.environ.get("SECRET_KEY") or "bench-only-not-a-secret-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("REDIS_URL", None)
    static_root = Path(tempfile.gettempdir()) / "examprep-bench-static"
    os.environ["STATIC_ROOT"] = str(static_root)
    began = time.perf_counter()
    ensure_wrk()
    ensure_database(url)
    setup_django(url)
    from django.core.management import call_command

    # Every run: a static file added since the last run must be in the manifest, or every page
    # that names it fails with 500.
    call_command("collectstatic", "--noinput", verbosity=0)
    rng = random.Random(13)
    about = machine()
    seeded = seed(rng)
    workdir = Path(tempfile.mkdtemp(prefix="examprep-bench-"))
    paths = prepare(workdir, rng)
    from django.db import connection

    connection.close()
    server = start_server(server_env(url, static_root))
    try:
        log(f"Load: wrk, {CONNECTIONS} connections, {SECONDS} s per run, {ROUNDS} rounds")
        warm_up(workdir, paths)
        rounds = load_rounds(workdir, paths)
        cohort, steps = capacity(workdir, paths)
        start_cohort = cohort or throughput_bound(steps)
        start = nine_oclock(workdir, paths, start_cohort) if start_cohort else None
    finally:
        server.terminate()
        server.wait(timeout=30)
    log("In process: queries per request, mock assembly, nightly reports")
    queries = queries_per_request()
    assembly = assembly_p95(rng)
    nightly = nightly_reports()
    profile = profile_autosave() if os.environ.get("BENCH_PROFILE") == "1" else None
    elapsed = time.perf_counter() - began
    report = write_report(
        about, rounds, cohort, steps, start, queries, assembly, nightly, seeded, elapsed
    )
    print(report)
    if profile:
        print(profile)


def write_report(about, rounds, cohort, steps, start, queries, assembly, nightly, seeded, elapsed):
    from django.conf import settings

    rows = []
    for name in BASELINES + MEASURED:
        rows.append(
            f"| {name} | {median(rounds, name, 'rps'):,.0f} | {median(rounds, name, 'p50_ms'):.1f} "
            f"| {median(rounds, name, 'p99_ms'):.1f} | {median_ratio(rounds, name, 'bare'):.3f} "
            f"| {sum(r[name]['non2xx'] + r[name]['socket_errors'] for r in rounds)} |"
        )
    summary = {
        "autosave_vs_commit_ratio": f"{median_ratio(rounds, 'autosave', 'commit'):.2f}",
        "autosave_vs_auth_commit_ratio": f"{median_ratio(rounds, 'autosave', 'auth_commit'):.2f}",
        "autosave_rps": f"{median(rounds, 'autosave', 'rps'):.0f}",
        "autosave_p50_ms": f"{median(rounds, 'autosave', 'p50_ms'):.1f}",
        "autosave_p99_ms": f"{median(rounds, 'autosave', 'p99_ms'):.1f}",
        "autosave_non2xx": str(sum(r["autosave"]["non2xx"] for r in rounds)),
        "question_page_vs_bare_ratio": f"{median_ratio(rounds, 'exam_page', 'bare'):.3f}",
        "question_page_p99_ms": f"{median(rounds, 'exam_page', 'p99_ms'):.1f}",
        "clock_vs_bare_ratio": f"{median_ratio(rounds, 'clock', 'bare'):.3f}",
        "results_page_vs_bare_ratio": f"{median_ratio(rounds, 'results_page', 'bare'):.3f}",
        "results_page_p99_ms": f"{median(rounds, 'results_page', 'p99_ms'):.1f}",
        "assembly_p95_ms_500": f"{assembly[500]:.1f}",
        "assembly_p95_ms_10000": f"{assembly[10000]:.1f}",
        "capacity_learners_per_node": str(cohort),
        "capacity_learners_throughput_bound": str(throughput_bound(steps)),
        "nine_oclock_start_errors": str(
            sum(
                start[k]["non2xx"] + start[k]["socket_errors"] for k in ("saves", "clock", "starts")
            )
            if start
            else "n/a"
        ),
        "nightly_reports_seconds_10000x100": f"{nightly:.1f}",
        "autosave_queries": str(queries["autosave_session"][75]),
        "autosave_queries_token": str(queries["autosave_token"][75]),
    }
    gunicorn = (
        f"{os.environ.get('WEB_CONCURRENCY', os.cpu_count())} workers x "
        f"{os.environ.get('GUNICORN_THREADS', '8')} threads (gunicorn.conf.py)"
    )
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (examprep/bench/run.py); the figures below are from its last run.",
        "",
        f"**Machine**: {about}.",
        "",
        f"**Setup**: gunicorn {gunicorn}, `DEBUG=0`, plain HTTP, PostgreSQL "
        f"(`{settings.DATABASES['default']['NAME']}`, CONN_MAX_AGE "
        f"{settings.DATABASES['default']['CONN_MAX_AGE']}), "
        + ("Redis for the shared cache" if bench_redis() else "no Redis (in-process cache)")
        + ". Data: "
        f"{NIGHTLY_LEARNERS:,} learners x {NIGHTLY_ANSWERS} answered items, {LOAD_LEARNERS:,} "
        f"open 75-question mocks, the real bank plus synthetic questions"
        + (f" (seeded in {seeded:.0f} s)" if seeded else "")
        + f". wrk: {CONNECTIONS} connections, {SECONDS} s per run, {ROUNDS} interleaved rounds;"
        " each figure is the median over the rounds, ratios are taken within a round. "
        "Autosaves are API saves with a token on the question the learner is on.",
        "",
        "| endpoint | req/s | p50 ms | p99 ms | ratio to bare | non-2xx + errors |",
        "|---|---:|---:|---:|---:|---:|",
        *rows,
        "",
        "Queries per request, 5-question mock / 75-question mock (SQL statements; BEGIN and"
        " COMMIT, two more round trips for each write, not counted; autosave_session is the"
        " exam page's save, autosave_token an API client's):",
        "",
        "| request | 5 | 75 |",
        "|---|---:|---:|",
        *(f"| {name} | {c[5]} | {c[75]} |" for name, c in queries.items()),
        "",
        "Capacity ramp (the exam mix: a save every 10 s and a clock poll every 60 s per learner;"
        " closed-loop wrk, stopping when a save's p99 passes 100 ms or errors appear):",
        "",
        "| connections | saves/s | save p99 ms | clock/s | errors | learners held |",
        "|---:|---:|---:|---:|---:|---:|",
        *(
            f"| {c} | {s:,.0f} | {p:.1f} | {k:,.0f} | {e} | {n:,}{'' if ok else ' (over)'} |"
            for c, s, p, k, e, n, ok in steps
        ),
        "",
    ]
    if start:
        lines += [
            f"9:00 start: {start['cohort']:,} learners in their steady mix while "
            f"{start['starters']:,} of "
            f"them start a mock within 10 s: saves p99 {start['saves']['p99_ms']:.1f} ms, starts "
            f"p99 {start['starts']['p99_ms']:.1f} ms ({start['starts']['requests']} started), "
            f"errors {summary['nine_oclock_start_errors']}.",
            "",
        ]
    lines += [
        "Mock assembly p95 (30 learners with 100 answers each): bank of 500 (or the whole real"
        f" bank when larger) "
        f"{assembly[500]:.1f} ms, bank of 10,000 {assembly[10000]:.1f} ms.",
        "",
        f"Nightly weak-domain reports, {NIGHTLY_LEARNERS:,} learners x {NIGHTLY_ANSWERS} answers: "
        f"{nightly:.1f} s.",
        "",
        f"Whole run: {elapsed / 60:.1f} minutes.",
        "",
        "```",
        *(f"{k}: {v}" for k, v in summary.items()),
        "```",
        "",
    ]
    text = "\n".join(lines)
    target = BASE_DIR / "docs" / "benchmarks.md"
    target.parent.mkdir(exist_ok=True)
    # Hand-written notes (what the profiles showed, what misses and why) follow NOTES and are
    # kept from run to run.
    notes = ""
    if target.exists() and NOTES in target.read_text():
        notes = target.read_text()[target.read_text().index(NOTES) :]
    target.write_text(text + ("\n" + notes if notes else ""))
    return text


if __name__ == "__main__":
    main()
