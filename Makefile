# examprep: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := examprep.settings

.PHONY: run test install install-test setup worker beat lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

setup: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_blueprint
	$(BIN)/python manage.py import_bank
	$(BIN)/python manage.py create_demo_users

run: setup
	@echo "examprep is at http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-test
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest $(PYTEST_ARGS)

worker: install
	$(BIN)/celery -A examprep worker --loglevel=INFO

beat: install
	$(BIN)/celery -A examprep beat --loglevel=INFO --schedule var/celerybeat-schedule

lint: install-test
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) staticfiles

# Load-tests the exam next to three baselines on PostgreSQL and writes docs/benchmarks.md (about
# 8 minutes; never part of `make test`). Uses DATABASE_URL if set, else a dedicated database
# (created if missing). `manage.py bench_reports` still times the nightly runs on their own.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/examprep_bench
bench: install
	@command -v wrk >/dev/null || apt-get install -y -q wrk || sudo apt-get install -y -q wrk
	DATABASE_URL="$${DATABASE_URL:-$(BENCH_DATABASE_URL)}" $(BIN)/python -m examprep.bench.run
