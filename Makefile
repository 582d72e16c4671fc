# Two commands on a fresh machine with Python 3.11: `make run` and `make test`.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
export ALLOCATOR_ENV ?= development
FLASK := $(BIN)/flask --app wsgi
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: run test test-sqlite test-postgres lint migrate seed venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

migrate: $(VENV)/.installed
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed-demo --if-empty

## Serve the demo workshop on http://127.0.0.1:$${PORT:-8000}
run: seed
	$(BIN)/gunicorn --config config/gunicorn.conf.py wsgi:app

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

test-sqlite: $(VENV)/.installed-dev
	ALLOCATOR_ENV=testing $(BIN)/pytest -q $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed-dev
	ALLOCATOR_ENV=testing ALLOCATOR_TEST_DATABASE_URL=$(TEST_DATABASE_URL) \
		$(BIN)/pytest -q -m db $(PYTEST_ARGS)

## Everything: lint, the whole suite on SQLite, the database tests again on PostgreSQL
test: lint test-sqlite test-postgres

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
