"""gunicorn's production setup (read from the working directory: Docker, compose, `make bench`).

Chosen by measurement on a 2-core machine (docs/benchmarks.md): the exam's requests are short
and spend a large share of their time waiting on PostgreSQL (each save waits for its commit to
be flushed), so a few threads per worker keep both cores busy while a request waits, without the
memory of more processes. Override with WEB_CONCURRENCY / GUNICORN_THREADS.
"""

import multiprocessing
import os

workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
worker_class = "gthread" if threads > 1 else "sync"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Behind a load balancer: keep its connections open between requests.
keepalive = 5
timeout = 30
graceful_timeout = 30
# Recycle workers now and then so a slow leak can never grow without bound; rarely, since a
# worker that restarts leaves its peer alone for the ~2 s a new one takes to import Django (at
# 20,000 a 2-core node busy with saves recycled a worker every 20 s). 0 disables it (make bench).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "200000"))
max_requests_jitter = max_requests // 10
accesslog = None
