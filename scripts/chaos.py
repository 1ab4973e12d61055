"""`make chaos`: break the production-shaped stack on purpose and measure what a learner sees.

Runs on this machine only (loopback), bounded in count and time, and stops what it started:
  * a private redis-server on CHAOS_REDIS_PORT (never the machine's own Redis),
  * gunicorn (3 workers) on CHAOS_PORT, a Celery worker and beat,
against DATABASE_URL (PostgreSQL; the database is created by migrate's user if missing).

Run 1, Redis outage: learners finish practice sittings with Redis up, then Redis is stopped
mid-run and others finish; the median finish latency with Redis down must be within 0.2 s of
the one with Redis up, /healthz and other learners' autosaves keep answering, and once Redis is
back every pending report is built (outbox drained).

Run 2, durability: learners autosave answers while every web worker is killed with SIGKILL
several times; every save the server acknowledged (200) must be in the database.

Exit status 0 when every check holds; prints a summary either way.
"""

import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("CHAOS_PORT", "8712"))
REDIS_PORT = int(os.environ.get("CHAOS_REDIS_PORT", "6391"))
BASE = f"http://127.0.0.1:{PORT}"
LEARNERS = int(os.environ.get("CHAOS_LEARNERS", "12"))
PY = sys.executable
PROCS = []


def env():
    e = dict(os.environ)
    e.update(
        DEBUG="0",
        SECRET_KEY="chaos-" + "x" * 50,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        REDIS_URL=f"redis://127.0.0.1:{REDIS_PORT}/0",
        OUTBOX_DISPATCH_SECONDS="2",
        THROTTLE_ANON="100000/hour",
        THROTTLE_LOGIN="100000/hour",
        AXES_ENABLED="0",
    )
    return e


def start(args, name):
    log = open(ROOT / "var" / f"chaos-{name}.log", "w")  # noqa: SIM115 - lives with the process
    proc = subprocess.Popen(args, cwd=ROOT, env=env(), stdout=log, stderr=subprocess.STDOUT)
    PROCS.append(proc)
    return proc


def manage(*args):
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env(), check=True)


def redis_up():
    return start(
        ["redis-server", "--port", str(REDIS_PORT), "--save", "", "--appendonly", "no"], "redis"
    )


def call(method, path, body=None, token=None, timeout=30):
    """(status, json or None, seconds)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Token {token}")
    began = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
            status = resp.status
    except urllib.error.HTTPError as exc:
        raw, status = exc.read(), exc.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, None, time.monotonic() - began
    took = time.monotonic() - began
    try:
        return status, json.loads(raw), took
    except ValueError:
        return status, None, took


def wait_for_site(limit=60):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if call("GET", "/healthz", timeout=2)[0] in (200, 503):
            return
        time.sleep(0.5)
    raise SystemExit("the site did not come up")


def learner(n):
    name = f"chaos{n}-{int(time.time())}"
    status, body, _ = call(
        "POST", "/api/v1/auth/register/", {"username": name, "password": "Harbour-Lamp-Quiet-7741"}
    )
    assert status == 201, (status, body)
    return body["token"]


def start_practice(token, count=5):
    status, body, _ = call("POST", "/api/v1/exams/", {"mode": "practice", "count": count}, token)
    assert status == 201, (status, body)
    return body


def answer_first(token, sitting):
    item = sitting["items"][0]
    choice = item["question"]["choices"][0]["id"]
    return call("PUT", f"/api/v1/exams/{sitting['id']}/items/1/", {"selected": [choice]}, token)


def finish(token, sitting):
    status, _, took = call("POST", f"/api/v1/exams/{sitting['id']}/submit/", None, token)
    return status, took


def redis_outage_run():
    print("== Run 1: Redis stopped mid-run")
    tokens = [learner(n) for n in range(LEARNERS * 2)]
    up, down = tokens[:LEARNERS], tokens[LEARNERS:]
    up_times, down_times, others = [], [], []
    for token in up:
        sitting = start_practice(token)
        answer_first(token, sitting)
        status, took = finish(token, sitting)
        assert status == 200, status
        up_times.append(took)
    redis = next(p for p in PROCS if p.args[0] == "redis-server")
    redis.send_signal(signal.SIGKILL)
    redis.wait()
    print("   redis-server killed")
    stop = threading.Event()

    def other_learners():
        token = tokens[0]
        sitting = start_practice(token)
        while not stop.is_set():
            others.append(("autosave",) + answer_first(token, sitting)[::2])
            others.append(("healthz",) + call("GET", "/healthz", timeout=10)[::2])

    watcher = threading.Thread(target=other_learners)
    watcher.start()
    sittings = [(t, start_practice(t)) for t in down]
    for token, sitting in sittings:
        answer_first(token, sitting)
        status, took = finish(token, sitting)
        assert status == 200, status
        down_times.append(took)
    stop.set()
    watcher.join()
    health = [o for o in others if o[0] == "healthz"]
    saves = [o for o in others if o[0] == "autosave"]
    med_up, med_down = statistics.median(up_times), statistics.median(down_times)
    print(f"   finish median with Redis up {med_up:.3f} s, down {med_down:.3f} s")
    print(
        f"   during the outage: {len(saves)} autosaves ({sum(s[1] == 200 for s in saves)} ok, "
        f"max {max(s[2] for s in saves):.3f} s), {len(health)} /healthz "
        f"({sorted({h[1] for h in health})}, max {max(h[2] for h in health):.3f} s)"
    )
    checks = {
        "finish with Redis down within 0.2 s of Redis up": med_down <= med_up + 0.2,
        "every autosave during the outage answered 200": all(s[1] == 200 for s in saves),
        "/healthz answered 503 within 2 s": all(h[1] == 503 and h[2] < 2 for h in health),
    }
    redis_up()
    deadline = time.monotonic() + 60
    pending = None
    while time.monotonic() < deadline:
        status, body, _ = call("GET", "/healthz", timeout=5)
        pending = body and body.get("outbox_pending")
        if status == 200 and pending == 0:
            break
        time.sleep(1)
    print(f"   Redis back: outbox pending {pending}")
    reports = [call("GET", "/api/v1/reports/latest/", None, t)[0] for t in down]
    checks["Redis back: outbox drained"] = pending == 0
    checks["Redis back: every learner who finished in the outage has a report"] = all(
        s == 200 for s in reports
    )
    return checks


def gunicorn_workers(master):
    out = subprocess.run(["pgrep", "-P", str(master.pid)], capture_output=True, text=True)
    return [int(pid) for pid in out.stdout.split()]


def durability_run(web):
    print("== Run 2: kill -9 of every web worker mid-save")
    tokens = [learner(100 + n) for n in range(LEARNERS)]
    # (sitting, position) -> [last acknowledged value, values sent after it whose answer was cut
    # off (the server may have stored one of those before its worker died)]
    acknowledged = {}
    lock = threading.Lock()
    stop = threading.Event()
    counts = {"sent": 0, "ok": 0, "failed": 0}
    statuses = {}

    def saver(token, sitting):
        items = sitting["items"]
        mock_like = 0
        while not stop.is_set():
            item = items[mock_like % len(items)]
            mock_like += 1
            choices = [c["id"] for c in item["question"]["choices"]]
            # Practice answers are final once checked: strike instead, which may change freely.
            struck = [choices[mock_like % len(choices)]]
            status, _, _ = call(
                "PUT",
                f"/api/v1/exams/{sitting['id']}/items/{item['position']}/",
                {"struck": struck},
                token,
                timeout=10,
            )
            with lock:
                counts["sent"] += 1
                statuses[status] = statuses.get(status, 0) + 1
                key = (sitting["id"], item["position"])
                if status == 200:
                    counts["ok"] += 1
                    acknowledged[key] = [struck, []]
                else:
                    counts["failed"] += 1
                    if key in acknowledged:
                        acknowledged[key][1].append(struck)

    sittings = [(t, start_practice(t, count=20)) for t in tokens]
    threads = [threading.Thread(target=saver, args=pair) for pair in sittings]
    for t in threads:
        t.start()
    kills = 0
    for _ in range(5):
        time.sleep(4)
        for pid in gunicorn_workers(web):
            os.kill(pid, signal.SIGKILL)
            kills += 1
    time.sleep(2)
    stop.set()
    for t in threads:
        t.join()
    out = subprocess.run(
        [PY, "manage.py", "shell", "-c", CHECK_SCRIPT],
        cwd=ROOT,
        env=env(),
        input=json.dumps([[s, p, *v] for (s, p), v in acknowledged.items()]),
        capture_output=True,
        text=True,
        check=True,
    )
    lost = int(out.stdout.strip().splitlines()[-1])
    print(
        f"   {kills} workers killed; {counts['sent']} saves sent, {counts['ok']} acknowledged, "
        f"{counts['failed']} refused or cut off; acknowledged but not stored: {lost}"
    )
    print(f"   answers by status (0 = connection cut): {dict(sorted(statuses.items()))}")
    return {"no acknowledged save lost": lost == 0, "saves acknowledged": counts["ok"] > 0}


CHECK_SCRIPT = """
import json, sys
from progress.models import SittingItem
lost = 0
for sitting, position, struck, maybe in json.load(sys.stdin):
    item = SittingItem.objects.get(sitting_id=sitting, position=position)
    lost += item.struck != struck and item.struck not in maybe
print(lost)
"""


def port_in_use(port):
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def main():
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("make chaos needs DATABASE_URL=postgres://... (a database of its own)")
    for port, name in ((PORT, "CHAOS_PORT"), (REDIS_PORT, "CHAOS_REDIS_PORT")):
        if port_in_use(port):
            raise SystemExit(f"port {port} is taken: set {name} to a free one")
    (ROOT / "var").mkdir(exist_ok=True)
    checks = {}
    try:
        redis_up()
        manage("migrate", "--noinput", "-v", "0")
        manage("load_blueprint")
        manage("import_bank")
        manage("collectstatic", "--noinput", "-v", "0")
        web = start(
            [
                PY,
                "-m",
                "gunicorn",
                "examprep.wsgi:application",
                "--bind",
                f"127.0.0.1:{PORT}",
                "--workers",
                "3",
                "--timeout",
                "60",
            ],
            "web",
        )
        start(
            [PY, "-m", "celery", "-A", "examprep", "worker", "--loglevel=INFO", "-c", "1"], "worker"
        )
        start(
            [
                PY,
                "-m",
                "celery",
                "-A",
                "examprep",
                "beat",
                "--loglevel=INFO",
                "--schedule",
                str(ROOT / "var" / "chaos-beat-schedule"),
            ],
            "beat",
        )
        wait_for_site()
        time.sleep(3)
        checks.update(redis_outage_run())
        checks.update(durability_run(web))
    finally:
        for proc in reversed(PROCS):
            if proc.poll() is None:
                proc.terminate()
        for proc in PROCS:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    print("== Checks")
    for name, ok in checks.items():
        print(f"   {'PASS' if ok else 'FAIL'}  {name}")
    return 0 if checks and all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
