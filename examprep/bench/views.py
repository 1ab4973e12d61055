"""Baselines the exam endpoints are measured against, served by the same gunicorn and settings.

- bare: a JSON response, no database (the framework's ceiling);
- commit: a plain view that updates one row and commits (the floor of any durable save);
- auth_commit: the same write behind the exam API's authentication and DRF stack (the floor
  of an authenticated save).
"""

import random

from django.db import connection, transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework.decorators import api_view
from rest_framework.response import Response

ROWS = 10_000
TABLE = "bench_row"


def ensure_table():
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (id integer PRIMARY KEY, n integer NOT NULL,"
            " at timestamptz)"
        )
        cursor.execute(
            f"INSERT INTO {TABLE} (id, n) SELECT g, 0 FROM generate_series(1, %s) g"
            " ON CONFLICT DO NOTHING",
            [ROWS],
        )


def _write_one_row():
    # A different row per request, like autosaves of different learners.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET n = n + 1, at = now() WHERE id = %s", [random.randint(1, ROWS)]
        )


def bare(request):
    return JsonResponse({"ok": True})


@csrf_exempt
def commit(request):
    _write_one_row()
    return JsonResponse({"ok": True})


@api_view(["PUT"])
def auth_commit(request):
    _write_one_row()
    return Response({"ok": True, "user": request.user.pk})
