# ISCM Assessments. `make run` sets everything up and serves; `make test` lints and tests.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000

.PHONY: run setup install test lint format migrate demo worker beat bench messages clean

# The links the server prints and mails (sign-in line, invitations, reminders) use SITE_URL, so
# it follows HOST unless set; jobs go to the embedded file-system broker unless a broker is set.
run: export SITE_URL ?= http://$(HOST)
run: export CELERY_BROKER_URL ?= filesystem://localhost/
run: setup
	HOST=$(HOST) PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile.dev

setup: install .env
	mkdir -p var/static
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference_data
	$(PY) manage.py load_questionnaires
	$(PY) manage.py load_demo
	$(PY) manage.py ensure_demo_admin
	$(PY) manage.py compilemessages --ignore=.venv -v 0

install: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# A local .env with a random secret key; real environment variables override it.
.env:
	@echo "DEBUG=true" > .env
	@echo "SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" >> .env
	@echo "Wrote .env (DEBUG=true, random SECRET_KEY)."

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: install .env lint
	mkdir -p var/static
	$(PY) manage.py compilemessages --ignore=.venv -v 0
	$(PY) manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)
	@# The concurrent writers again, on the embedded default's SQLite (a file in var/).
	DATABASE_URL=sqlite:///$(CURDIR)/var/concurrency.sqlite3 $(BIN)/pytest -p no:xdist --create-db -q \
		tests/assessments/responses/test_concurrency.py

messages: install
	$(PY) manage.py makemessages -l fr -l es --ignore=.venv --ignore=var --ignore=tests/node_modules --no-obsolete

worker: install .env
	$(BIN)/celery -A config worker --loglevel=INFO

beat: install .env
	mkdir -p var && $(BIN)/celery -A config beat --loglevel=INFO -s var/celerybeat-schedule

# The benchmark uses its own PostgreSQL database (see docs/performance.md).
BENCH_ARGS ?= --scales 1,10

bench: install .env
	$(PY) manage.py bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/iscm.sqlite3 var/static
