# The one place for set-up, serving, testing and benchmarks. Every target installs what it
# needs into .venv first, so a fresh clone needs nothing but Python 3.11 and make.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The PostgreSQL pass of the test suite; CI and this machine run a server with trust auth.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/quizsite
PYTEST_ARGS ?=

.PHONY: install install-test axe run serve test test-sqlite test-postgres lint format messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# axe-core for the browser tests' accessibility scan, into the git-ignored node_modules/.
AXE_JS := node_modules/axe-core/axe.min.js
$(AXE_JS):
	npm install --no-save --no-package-lock --no-audit --no-fund axe-core@4

axe: $(AXE_JS)

## make run: set up SQLite with the Russian question set and serve http://127.0.0.1:$(PORT)
run: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --no-input
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py import_quiz fixtures/
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py ensure_admin
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## make test: lint, then the whole suite on SQLite and again on PostgreSQL
test: install-test lint test-sqlite test-postgres

test-sqlite: install-test axe
	env -u DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: install-test
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make messages: refresh and compile translations (needs GNU gettext, for developers only)
messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages -l ru -l en --no-location --ignore '.venv/*' --ignore 'tests/*' --ignore 'bench/*'
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) var .pytest_cache
