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
