# Quick start: `make run` (set up and serve the demo) and `make test` (the whole test suite).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run install migrate demo test test-postgres fuzz-api bench bench-smoke messages openapi check clean

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

# The demo's stand-in VNeID at /demo-vneid/ ("Đăng nhập bằng VNeID" on /dang-nhap/; egov/demo_idp).
run: export EGOV_DEMO_IDP ?= 1
# The demo's stand-in remote signing service (CSC API v2) at /demo-csc/csc/v2/ (egov/demo_csc), which the
# officers' remote signatures use unless EGOV_CSC_URL names another service.
run: export EGOV_DEMO_CSC ?= 1
run: export EGOV_CSC_URL ?= http://127.0.0.1:$(PORT)/demo-csc/csc/v2/
# The demo's Zalo stand-in: every kind has a (made-up) ZNS template; messages land in var/zalo.log.
run: export ZALO_TEMPLATES ?= dossier.submitted=demo-1001,dossier.received=demo-1002,dossier.supplement_requested=demo-1003,dossier.result_ready=demo-1004,dossier.apology=demo-1005

# Serves the site and runs the task worker (notifications) beside it; Ctrl+C stops both.
# Seeding never blocks serving: seed_demo adds what is missing and reports what it skipped, and even if
# it fails outright the site serves the data it has.
run: migrate
	$(PY) manage.py seed_demo || echo "seed_demo failed (see above); serving the existing data" >&2
	$(PY) manage.py deliver_outbox
	@echo "Serving http://127.0.0.1:$(PORT)  (Ctrl+C to stop)"
	$(PY) manage.py db_worker --queue-name default --interval 1 --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(PY) -m pytest

# Same suite against PostgreSQL (DATABASE_URL must point at a server where the user may create databases).
test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/egov} $(PY) -m pytest

# API fuzzing (docs/operations.md, "API fuzzing"): schemathesis against the app on a free port, fresh
# database (SQLite, or the PostgreSQL database named by DATABASE_URL, dropped and recreated), as an
# officer and as an administrator; fails on any server error or schema violation.
fuzz-api: install
	scripts/fuzz_api.sh

# Benchmarks (bench/README.md): PostgreSQL at 127.0.0.1:5432 (user postgres), wrk and pgbench.
# bench: the full run on the database egov_bench (create it first: bench/run --generate 1000000);
# results in bench/results/. bench-smoke: a fresh 2,000-dossier database, a few seconds per scenario,
# no thresholds; results in bench/results/tmp/ (not committed).
bench: install
	bench/run

bench-smoke: install
	bench/run --smoke

# Regenerate translation catalogues after changing user-facing text.
messages: install
	$(PY) manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=staticfiles
	$(PY) manage.py compile_catalogues

# Regenerate the committed OpenAPI document (a test checks it is current).
openapi: install
	$(PY) manage.py export_openapi_schema --api egov.api.api --indent 2 --sorted > docs/api/openapi.json

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .hypothesis
