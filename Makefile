# Build, run and test the quality-award portal.  GNU make; every recipe line starts with a tab.
#
#   make install   system packages (when root), .venv, Python packages (only when requirements.txt changed)
#   make run       migrate, load fixtures and demo data, collect static, serve on http://127.0.0.1:$(PORT)/
#                  (PORT=8000 unless given: make run PORT=8100)
#   make test      pytest on SQLite (Celery eager), then on PostgreSQL + Redis with a real Celery worker
#   make test-clock  the SQLite pass under libfaketime at CLOCK_DATES (the suite must not care what day it is)
#   make bench     every tests/bench/bench_*.py script
#   make clean     caches, collected static files, bench results (keeps .venv and the demo database)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

PYTHON ?= python3
# The port `make run` serves on (make run PORT=8100).
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements.stamp

SYSTEM_PACKAGES := chromium fonts-noto-cjk fonts-wqy-zenhei poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
	faketime

# The second test pass (PostgreSQL + Redis); override on the command line if yours live elsewhere.
PG_HOST ?= 127.0.0.1
PG_PORT ?= 5432
REDIS_HOST ?= 127.0.0.1
REDIS_PORT ?= 6379
PG_DATABASE_URL ?= postgres://postgres@$(PG_HOST):$(PG_PORT)/qualityaward
PG_BROKER_URL ?= redis://$(REDIS_HOST):$(REDIS_PORT)/15
PG_CACHE_URL ?= rediscache://$(REDIS_HOST):$(REDIS_PORT)/14

# Extra pytest arguments for both passes, e.g. `make test PYTEST_ARGS="-k workflow -x"`.
PYTEST_ARGS ?=
# Both passes run on two pytest-xdist workers, each with its own test database, cache database and,
# when a test needs the real Celery worker, its own Celery worker and queue (tests/conftest.py).
XDIST ?= -n 2

# Both passes pin the environment, so a developer's shell or .env cannot change what is tested
# (settings.py reads .env without overwriting variables that are already set).
SQLITE_ENV := DEBUG=1 DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 CACHE_URL=locmemcache:// \
	CELERY_BROKER_URL= CELERY_TASK_ALWAYS_EAGER=1 QA_REAL_CELERY=
PG_ENV := DEBUG=1 DATABASE_URL=$(PG_DATABASE_URL) CACHE_URL=$(PG_CACHE_URL) \
	CELERY_BROKER_URL=$(PG_BROKER_URL) CELERY_TASK_ALWAYS_EAGER=0 QA_REAL_CELERY=1

.PHONY: install system-packages fonts run test test-sqlite test-postgres test-clock bench clean

install: system-packages $(STAMP) fonts

# The subset Chinese fonts of generated PDFs (var/fonts; skips what is already up to date).
fonts: $(STAMP)
	$(PY) manage.py prepare_fonts

system-packages:
	@missing=""; \
	for pkg in $(SYSTEM_PACKAGES); do \
		dpkg -s "$$pkg" >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo ">> installing system packages:$$missing"; \
		apt-get update; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	else \
		echo "WARNING: missing system packages:$$missing"; \
		echo "WARNING: not root, so not installing them; run: sudo apt-get install$$missing"; \
		echo "WARNING: PDF rendering, CJK fonts, pdftotext or browser tests may fail without them."; \
	fi

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstalls only when requirements.txt is newer than the stamp (or the venv is new).
$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $(STAMP)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_seed_data
	$(PY) manage.py load_demo
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Pytest exit codes: 0 passed, 1 failed, 2 interrupted, 3 internal error, 4 usage error,
# 5 no tests collected. Anything but 0 fails the target; 5 gets its own message.
# The 25 slowest tests are listed at the end of each pass, to keep an eye on the suite's time.
define run_pytest
	rc=0; env $(2) $(PY) -m pytest $(XDIST) --durations=25 $(3) $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: the $(1) pass collected no tests (pytest exit 5): failing." >&2; exit 5; fi; \
	if [ $$rc -ne 0 ]; then echo "make test: the $(1) pass failed (pytest exit $$rc)." >&2; exit $$rc; fi
endef

# Both passes always run (CI gets the whole picture from one run); the target fails if either did.
test: install
	@rc=0; \
	$(MAKE) --no-print-directory test-sqlite || rc=1; \
	$(MAKE) --no-print-directory test-postgres || rc=1; \
	if [ $$rc -ne 0 ]; then echo "make test: FAILED (see the pass(es) above)." >&2; else echo "make test: both passes green."; fi; \
	exit $$rc

# Pass 1: the embedded configuration. Browser tests (marker `browser`) run in this pass only:
# they exercise pages, not the database engine, and Chromium doubles their cost.
test-sqlite:
	@echo ">> pytest pass 1/2: SQLite, Celery eager, browser tests included"
	@$(call run_pytest,SQLite,$(SQLITE_ENV),)

# The SQLite pass with the machine's clock moved (libfaketime) to each of CLOCK_DATES in turn: the suite
# pins its own clock (tests/clock_support.py), so each run must be as green as today's. Every date runs;
# the target fails if any did, and names it.
CLOCK_DATES ?= 2027-04-15 2027-12-31 2028-06-30
test-clock: install
	@failed=""; \
	for day in $(CLOCK_DATES); do \
		echo ">> make test-clock: the SQLite pass with the machine's clock at $$day 10:00"; \
		faketime "$$day 10:00:00" $(MAKE) --no-print-directory test-sqlite || failed="$$failed $$day"; \
	done; \
	if [ -n "$$failed" ]; then echo "make test-clock: FAILED at:$$failed" >&2; exit 1; fi; \
	echo "make test-clock: green at $(CLOCK_DATES)."

# Pass 2: the production stack. Skipped when PostgreSQL or Redis is unreachable, except in CI.
test-postgres:
	@reach() { $(PY) -c 'import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close()' "$$1" "$$2" 2>/dev/null; }; \
	down=""; \
	reach $(PG_HOST) $(PG_PORT) || down="$$down PostgreSQL($(PG_HOST):$(PG_PORT))"; \
	reach $(REDIS_HOST) $(REDIS_PORT) || down="$$down Redis($(REDIS_HOST):$(REDIS_PORT))"; \
	if [ -n "$$down" ]; then \
		if [ "$${CI:-}" = true ]; then \
			echo "make test: CI=true but unreachable:$$down. The PostgreSQL + Redis pass is required in CI." >&2; \
			exit 1; \
		fi; \
		echo ">> pytest pass 2/2 SKIPPED: unreachable:$$down (required when CI=true)"; \
		exit 0; \
	fi; \
	echo ">> pytest pass 2/2: PostgreSQL + Redis, real Celery worker, browser tests excluded"; \
	$(call run_pytest,PostgreSQL,$(PG_ENV),-m "not browser")

# Runs each tests/bench/bench_*.py that is a script (has an `if __name__ == "__main__":` block);
# helper modules beside them (bench_settings.py, bench_urls.py, ...) are skipped. Every script runs even
# when one fails; the last step, tests/bench/summary.py, prints one table of every goal of the issue with
# its measured value (未测 when no script measured it) and fails the target when any is not met.
# BENCH_SECONDS / BENCH_USERS size the mixed load (60 s, 50 users unless given).
bench: install
	@shopt -s nullglob; scripts=(); failed=""; \
	for f in tests/bench/bench_*.py; do if grep -q "__name__ == .__main__." "$$f"; then scripts+=("$$f"); fi; done; \
	if [ $${#scripts[@]} -eq 0 ]; then echo "make bench: no tests/bench/bench_*.py scripts yet."; exit 0; fi; \
	mkdir -p bench-results; rm -f bench-results/*.json; \
	echo ">> uptime before: $$(uptime)"; \
	for script in "$${scripts[@]}"; do \
		echo ">> $$script"; \
		PYTHONPATH=$(CURDIR) $(PY) "$$script" || failed="$$failed $$script"; \
	done; \
	echo ">> uptime after: $$(uptime)"; \
	rc=0; PYTHONPATH=$(CURDIR) $(PY) tests/bench/summary.py || rc=$$?; \
	if [ -n "$$failed" ]; then echo "make bench: failed or missed its goal:$$failed" >&2; rc=1; fi; \
	exit $$rc

clean:
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +
	rm -rf .pytest_cache bench-results var/static var/test.sqlite3*
