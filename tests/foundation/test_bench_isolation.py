"""`make bench`'s baseline views exist only under its own settings, never on the site."""

import importlib
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured


@pytest.mark.parametrize("path", ["/bench/bare/", "/bench/commit/", "/bench/auth-commit/"])
def test_the_bench_baselines_are_not_served_by_the_site(client, db, path):
    assert client.get(path).status_code == 404
    assert client.put(path).status_code == 404


def test_the_bench_settings_refuse_to_load_outside_the_bench(monkeypatch):
    monkeypatch.delenv("EXAMPREP_BENCH", raising=False)
    monkeypatch.delitem(sys.modules, "examprep.bench.settings", raising=False)
    with pytest.raises(ImproperlyConfigured):
        importlib.import_module("examprep.bench.settings")


def test_the_bench_seed_fills_columns_it_does_not_name_with_their_defaults(alice, db):
    """A field added to a model later (an `is_pilot`, a `scoring_method`) must not break the
    seed's COPY with a NOT NULL violation: columns left out get their model defaults."""
    from django.db import connection

    from examprep.bench.run import _copy
    from progress.models import Sitting

    if connection.vendor != "postgresql":
        pytest.skip("the bench seeds PostgreSQL with COPY")
    with connection.cursor() as cursor:
        _copy(
            cursor,
            "progress_sitting",
            ["user_id", "mode", "status", "title", "started_at"],
            [(alice.pk, "practice", "finished", "bench", "2026-11-30 09:00:00+00")],
        )
    sitting = Sitting.objects.get(user=alice, title="bench")
    assert sitting.scoring_method == Sitting.ScoringMethod.LINEAR
    assert sitting.config == {} and sitting.timed_out is False
