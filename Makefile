# Two commands on a fresh machine with Python 3.11: `make run` and `make test`.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
export ALLOCATOR_ENV ?= development
FLASK := $(BIN)/flask --app wsgi
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
POSTGRES_URL ?= $(or $(DATABASE_URL),postgresql+psycopg://postgres@127.0.0.1:5432/allocator)
REDIS_URL ?= redis://127.0.0.1:6379/0
RQ_QUEUE ?= allocator
PYTEST_ARGS ?=

.PHONY: run run-postgres worker test test-sqlite test-postgres lint migrate seed venv clean \
	chromium flaskenv mail-tools test-quick translations extract-messages update-messages

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

## Languages: gettext catalogues (.po, committed) compiled to .mo (built here, never committed)
TRANSLATIONS := allocator/translations
CATALOGUES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po \
		$(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d $(TRANSLATIONS) -l $* -i $< -o $@

translations: $(CATALOGUES:.po=.mo)

## After changing marked text: the template (.pot), then every catalogue updated from it
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ --sort-by-file --no-wrap \
		--project allocator --copyright-holder "allocator contributors" \
		-o $(TRANSLATIONS)/messages.pot allocator

update-messages: extract-messages
	$(BIN)/pybabel update --no-wrap --ignore-obsolete --no-fuzzy-matching -i $(TRANSLATIONS)/messages.pot \
		-d $(TRANSLATIONS)

## `flask --app wsgi …` (and plain `flask …`) in this checkout run the development settings
.flaskenv:
	printf 'FLASK_APP=wsgi\nALLOCATOR_ENV=development\n' > $@

flaskenv: .flaskenv

migrate: $(VENV)/.installed .flaskenv translations
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed-demo --if-empty

## Serve the demo workshop on http://127.0.0.1:$${PORT:-8000}
run: seed
	$(BIN)/gunicorn --config config/gunicorn.conf.py wsgi:app

## The same app on PostgreSQL (DATABASE_URL overrides; the database is created if missing)
run-postgres: $(VENV)/.installed translations
	DATABASE_URL=$(POSTGRES_URL) $(FLASK) create-database
	DATABASE_URL=$(POSTGRES_URL) $(FLASK) db upgrade
	DATABASE_URL=$(POSTGRES_URL) $(FLASK) seed-demo --if-empty
	DATABASE_URL=$(POSTGRES_URL) $(BIN)/gunicorn --config config/gunicorn.conf.py wsgi:app

## An RQ worker for background allocations (the app uses it when REDIS_URL is set)
worker: $(VENV)/.installed
	$(BIN)/rq worker --url $(REDIS_URL) $(RQ_QUEUE)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

CHROMIUM ?= /usr/bin/chromium
# Debian's Chromium; the fonts badges and pages print names in (DejaVu: Latin, Cyrillic,
# Greek, Arabic, Hebrew, Armenian, Georgian; Noto CJK: Chinese, Japanese, Korean; Noto core,
# 42 MB installed: Thai, Lao, Khmer, Myanmar, Devanagari, Bengali, Tamil, Sinhala, Ethiopic,
# Tibetan, Thaana and the rest); pdftoppm to read printed pages back; HarfBuzz's subsetter,
# without which WeasyPrint subsets each PDF's fonts in Python (0.3-0.5 s more per report).
BROWSER_PACKAGES := chromium fonts-noto-cjk fonts-noto-core fonts-dejavu-core poppler-utils \
	libharfbuzz-subset0
SUDO := $(if $(filter 0,$(shell id -u)),,$(shell command -v sudo))

## The browser the tests drive: installed from Debian when it is missing
chromium:
	@if [ -x $(CHROMIUM) ] && command -v pdftoppm >/dev/null && \
		fc-list 2>/dev/null | grep -q "Noto Sans CJK" && \
		fc-list 2>/dev/null | grep -q "Noto Sans Thai" && \
		fc-list 2>/dev/null | grep -q "DejaVu Sans" && \
		/sbin/ldconfig -p | grep -q libharfbuzz-subset; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] || sudo -n true 2>/dev/null; then \
		echo "Installing $(BROWSER_PACKAGES) from Debian for the browser tests"; \
		$(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive \
			$(SUDO) apt-get install -y -q $(BROWSER_PACKAGES); \
	else \
		echo "The browser and print tests need Chromium, fonts and pdftoppm. Run:"; \
		echo "  sudo apt-get install -y $(BROWSER_PACKAGES)"; \
		echo "then make test again (or set CHROMIUM=/path/to/chromium)."; exit 1; \
	fi

## SpamAssassin, which scores every kind of message the outbox sends (local rules only)
mail-tools:
	@if command -v spamassassin >/dev/null; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] || sudo -n true 2>/dev/null; then \
		echo "Installing spamassassin from Debian for the mail tests"; \
		$(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive \
			$(SUDO) apt-get install -y -q --no-install-recommends spamassassin; \
	else \
		echo "The mail tests score messages with SpamAssassin. Run:"; \
		echo "  sudo apt-get install -y --no-install-recommends spamassassin"; exit 1; \
	fi

# In two processes (pytest-xdist), one session per database. The tests that drive gunicorn
# and Chromium (tests/prod, tests/e2e) are the first worker's, one at a time as before,
# since their timings need a core (tests/conftest.py); they wait on the browser and the
# server for about half of their time, so the other worker runs the in-process tests
# beside them instead of after them, and takes the server tests left when those run out.
SERVER_TESTS := tests/prod tests/e2e
INPROCESS_TESTS := tests/unit tests/solver tests/api tests/web
PYTEST_ALL := $(BIN)/pytest -q -n 2 $(SERVER_TESTS) $(INPROCESS_TESTS)

# The tests' Python processes keep their bytecode (the git-ignored __pycache__ folders):
# with PYTHONDONTWRITEBYTECODE set, as in many CI images and containers, each of the ~70
# processes a run starts (the workers, every gunicorn, the CLI's) compiled allocator/ again
# (0.3 s) and pytest rewrote every test module and plugin anew (4 s per worker).
test-sqlite test-postgres test-quick: export PYTHONDONTWRITEBYTECODE :=

## Everything on SQLite, the browser tests included (they drive Chromium against gunicorn)
test-sqlite: $(VENV)/.installed-dev translations chromium mail-tools
	ALLOCATOR_ENV=testing CHROMIUM=$(CHROMIUM) $(PYTEST_ALL) $(PYTEST_ARGS)

## The database tests again on PostgreSQL (the browser's are SQLite's alone)
test-postgres: $(VENV)/.installed-dev translations
	ALLOCATOR_ENV=testing ALLOCATOR_TEST_DATABASE_URL=$(TEST_DATABASE_URL) \
		$(PYTEST_ALL) -m "db and not e2e" $(PYTEST_ARGS)

## A few minutes' check while working: lint, then everything but the browser and the slow
## tests, on SQLite, in two processes
test-quick: $(VENV)/.installed-dev translations
	$(BIN)/ruff check .
	ALLOCATOR_ENV=testing $(BIN)/pytest -q -n 2 -m "not e2e and not slow" \
		tests/unit tests/solver tests/web tests/api $(PYTEST_ARGS)

## Everything: lint, the whole suite on SQLite, the database tests again on PostgreSQL
test: lint test-sqlite test-postgres

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis screenshots .flaskenv
