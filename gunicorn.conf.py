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
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = 20_000
max_requests_jitter = 2_000
accesslog = None
