# Ping'an — two commands on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
STAMP := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: soak devenv run test test-fast lint check venv assets migrate demo worker bench bench-hazards bench-ingest bench-rescue bench-risks bench-warnings bench-readings bench-scaleout bench-pages clean messages

# Runtime dependencies for `make run`; test and benchmark tools on top for `make test`.
$(STAMP): requirements.txt requirements-nodeps.txt
	test -x $(PYTHON) || $(PY) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -r requirements.txt
	$(PYTHON) -m pip install --quiet --no-deps -r requirements-nodeps.txt
	touch $(STAMP)

$(DEVSTAMP): $(STAMP) requirements-dev.txt
	$(PYTHON) -m pip install --quiet -r requirements-dev.txt
	touch $(DEVSTAMP)

venv: $(STAMP)

devenv: $(DEVSTAMP)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch node_modules/.installed

assets: node_modules/.installed

migrate: venv assets
	$(PYTHON) manage.py migrate --noinput

demo: migrate
	$(PYTHON) manage.py seed_demo

# Starts the web server, the background worker (and, when configured, the MQTT consumer and the
# sensor simulator) with the Qingyuan demo data; prints where to log in.
# Served by gunicorn with WhiteNoise (static files collected first); DEBUG stays off (DEBUG=1 to
# see tracebacks while developing). PINGAN_DEMO: SQLite, demo secret key, plain HTTP on localhost.
run: demo
	PINGAN_DEMO=1 $(PYTHON) manage.py createcachetable
	PINGAN_DEMO=1 $(PYTHON) manage.py collectstatic --noinput --verbosity 0
	PINGAN_DEMO=1 $(PYTHON) manage.py runplatform --host $(HOST) --port $(PORT)

# Bounded soak (minutes): citizens, staff, 10,000 sensors over HTTP (and MQTT with MQTT_URL) and the
# background worker at once, on the demo database (PostgreSQL with DATABASE_URL). ARGS: --seconds,
# --sensors, --faults[=all] … (manage.py soak --help; =all also restarts the broker and PostgreSQL).
# Prints requests, p95 per endpoint, errors, readings sent = stored, catch-up counts and memory.
soak: demo
	PINGAN_DEMO=1 $(PYTHON) manage.py createcachetable
	PINGAN_DEMO=1 $(PYTHON) manage.py collectstatic --noinput --verbosity 0
	PINGAN_DEMO=1 $(PYTHON) manage.py soak $(ARGS)

# Two workers (pytest-xdist), one a core; PYTEST_WORKERS=0 runs in one process (for pdb). Work
# stealing: a worker that runs out takes tests queued for the other, so one long test near the end
# no longer leaves a core idle (the SQLite run with its browser journeys: 11 min 36 s → 9 min 20 s
# on a slow two-core machine).
PYTEST_WORKERS ?= 2
PYTEST_DIST ?= --dist worksteal
test: devenv assets
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) $(PYTEST_DIST) $(PYTEST_ARGS)

test-fast: devenv assets
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) $(PYTEST_DIST) -m "not browser" $(PYTEST_ARGS)

# Ruff (rules and formatting), mypy (strict where pyproject.toml says), migrations in step with the
# models, Django's system checks.
lint: devenv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(PYTHON) manage.py makemigrations --check --dry-run
	$(PYTHON) manage.py check

check: lint test

# Translations: the .po and the compiled .mo are both committed, so running needs no gettext.
messages: venv
	$(PYTHON) manage.py makemessages -l en --ignore=.venv --ignore=node_modules --ignore=var
	$(PYTHON) manage.py compilemessages --ignore=.venv --ignore=node_modules

bench: bench-hazards bench-ingest bench-rescue bench-risks bench-warnings

bench-hazards: devenv
	$(PYTHON) bench/hazards.py $(ARGS)

bench-ingest: devenv
	$(PYTHON) bench/ingest.py $(ARGS)

# Every console page's server time for each demo role (DATABASE_URL with demo data; --cold: no cache).
bench-pages: devenv
	$(PYTHON) bench/pages.py $(ARGS)

bench-rescue: devenv
	$(PYTHON) bench/rescue.py $(ARGS)

# PostgreSQL only (DATABASE_URL): partitions, rollups, a year's chart p95.
bench-readings: devenv
	$(PYTHON) bench/readings.py $(ARGS)

# The soak mix with one and two of each process kind (DATABASE_URL with demo data, REDIS_URL).
bench-scaleout: devenv
	$(PYTHON) bench/scaleout.py $(ARGS)

bench-risks: devenv
	$(PYTHON) bench/risks.py $(ARGS)

bench-warnings: devenv
	$(PYTHON) bench/warnings.py $(ARGS)

clean:
	rm -rf var/pingan.sqlite3 var/huey.sqlite3 var/staticfiles
