"""`make bench`: load tests of the exam endpoints next to baselines, on PostgreSQL.

Nothing here is wired into the production URLconf: the baselines are served only when gunicorn
runs with `examprep.bench.settings`, which refuses to load unless EXAMPREP_BENCH=1.
"""
