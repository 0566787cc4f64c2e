# The one place for set-up, serving, testing and benchmarks. Every target installs what it
# needs into .venv first, so a fresh clone needs nothing but Python 3.11 and make.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The PostgreSQL pass of the test suite; CI and this machine run a server with trust auth.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/quizsite
# `make bench` drops and recreates this database; `make soak` adds a quiz to it.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/qs_bench
# `make soak-cluster` drops and recreates this one, and flushes Redis database SOAK_REDIS_DB.
CLUSTER_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/qs_cluster
PYTEST_ARGS ?=

.PHONY: install install-test axe run serve test test-sqlite test-postgres lint format \
	lock messages clean deploy-check bench bench-peer soak soak-cluster wrk haproxy code-css

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.installed-lock: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[lock]'
	touch $@

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# axe-core for the browser tests' accessibility scan, into the git-ignored node_modules/.
AXE_JS := node_modules/axe-core/axe.min.js
$(AXE_JS):
	npm install --no-save --no-package-lock --no-audit --no-fund axe-core@4

axe: $(AXE_JS)

## make run: set up SQLite with the Russian question set, then serve http://127.0.0.1:$(PORT)
## with the task queue's consumer beside it (emails print here); Ctrl-C stops both
run: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --no-input
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py createcachetable
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py import_quiz fixtures/
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py ensure_admin
	DEBUG=$${DEBUG:-1} PORT=$(PORT) sh -c '$(BIN)/python manage.py run_huey & worker=$$!; \
		trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
		$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)'

## make test: lint, then the whole suite on SQLite and again on PostgreSQL
test: install-test lint deploy-check test-sqlite test-postgres

## make deploy-check: production settings pass Django's deployment checklist
deploy-check: install
	env -u DATABASE_URL -u REDIS_URL DEBUG=0 ALLOWED_HOSTS=quiz.example.com \
		SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

test-sqlite: install-test axe
	env -u DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: install-test
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

## make lint: ruff (lint and format) and mypy with django-stubs (pyproject.toml)
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make lock: pin pyproject's dependencies, with hashes, into requirements.lock (what the
## Docker image installs); run it after changing them. LOCK_ARGS=--upgrade takes newer releases.
LOCK_ARGS ?=
lock: $(VENV)/.installed-lock
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --strip-extras \
		--no-emit-index-url --no-emit-find-links $(LOCK_ARGS) -o requirements.lock pyproject.toml

## make code-css: write Pygments' colours for highlighted code to static/quizzes/code.css
## (after a Pygments upgrade or a change of quizzes/markup/stylesheet.py; a test compares)
code-css: install
	$(BIN)/python -m quizzes.markup.stylesheet static/quizzes/code.css

## make messages: refresh and compile translations (needs GNU gettext, for developers only)
messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages -l ru -l en --no-location --ignore '.venv/*' --ignore 'tests/*' --ignore 'bench/*'
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore '.venv/*'

## make bench: seed 100,000 attempts, load-test every endpoint with wrk, print the table
## (bench/README.md; BENCH_ATTEMPTS, BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_PORT)
bench: $(VENV)/.installed-bench wrk
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.run

## make bench-peer: CPU per candidate request, in-process, beside the peer app
## django-survey-and-report in its own virtualenv .venv-peer (bench/README.md; PEER_REQUESTS)
PEER_VENV := .venv-peer
PEER_PACKAGES := django-survey-and-report==1.5.0 Django==5.2.19 psycopg2-binary==2.9.13
PEER_REQUESTS ?= 40
PEER_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/qs_bench_peer
BENCH_PEER_OURS_URL ?= postgres://postgres@127.0.0.1:5432/qs_bench_peer_ours

$(PEER_VENV)/.installed: Makefile
	$(PYTHON) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PEER_VENV)/bin/pip install --quiet $(PEER_PACKAGES)
	touch $@

bench-peer: $(VENV)/.installed-bench $(PEER_VENV)/.installed
	BENCH_DATABASE_URL=$(BENCH_PEER_OURS_URL) PEER_DATABASE_URL=$(PEER_DATABASE_URL) \
		PEER_PYTHON=$(PEER_VENV)/bin/python timeout 1800 \
		$(BIN)/python -m bench.peer_compare --requests $(PEER_REQUESTS)

## make soak: 10,000 simulated candidates at a human pace, then audit what was stored
## (SOAK_CANDIDATES, SOAK_SECONDS, SOAK_PACE, SOAK_CONNECTIONS, SOAK_PORT)
soak: $(VENV)/.installed-bench
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.soak

## make soak-cluster: the soak through HAProxy over two gunicorn replicas (Redis, PostgreSQL,
## Huey consumer), one replica stopped and restarted mid-run, then the audit (bench/README.md;
## SOAK_CANDIDATES 300, SOAK_SECONDS 120, SOAK_PACE, SOAK_PORT, SOAK_REDIS_DB 9, SOAK_RATE_LIMIT)
soak-cluster: $(VENV)/.installed-bench haproxy
	CLUSTER_DATABASE_URL=$(CLUSTER_DATABASE_URL) $(BIN)/python -m bench.cluster

# HAProxy is a Debian package; without apt (or root) soak-cluster stops and says so.
haproxy:
	@command -v haproxy >/dev/null 2>&1 || test -x /usr/sbin/haproxy || { \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy) \
			>/dev/null 2>&1 && echo "installed haproxy" || \
		echo "haproxy could not be installed (apt-get install haproxy needs root): soak-cluster cannot run"; }

# wrk is a Debian package; without apt (or root) the benchmark uses its Python load generator.
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) \
			>/dev/null 2>&1 && echo "installed wrk" || \
		echo "wrk could not be installed: bench falls back to the asyncio + httpx load generator"; }

## make backup [BACKUP_FILE=path]: pg_dump (PostgreSQL) or an exact copy (SQLite) of the database,
## by default to $DATA_DIR/backups/<timestamp>.dump|.sqlite3 (DATA_DIR defaults to var/)
BACKUP_FILE ?=
.PHONY: backup restore
backup: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py backup $(if $(BACKUP_FILE),--output "$(BACKUP_FILE)")

## make restore [BACKUP_FILE=path]: replace ALL data with a backup (asks first; default: newest)
restore: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py restore $(if $(BACKUP_FILE),"$(BACKUP_FILE)")

clean:
	rm -rf $(VENV) $(PEER_VENV) var .pytest_cache
