# Two commands do all set-up on a fresh machine: `make run` and `make test`.
# The database lives in the data folder (HOMECARE_DATA_DIR, default ~/.local/share/homecare) or at
# DATABASE_URL, never in this checkout: no target here deletes it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test test-fast lint bench worker clean audit-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# Only `homecare migrate` changes the schema (and copies an SQLite file first); serve refuses a stale one.
# Logs as readable text here; a service logs JSON lines (LOG_FORMAT).
run: setup
	$(BIN)/homecare migrate
	LOG_FORMAT=$${LOG_FORMAT:-text} $(BIN)/homecare serve --demo --host $(HOST) --port $(PORT)

# Two processes (pytest-xdist): CI has two cores. Celery tests and the demo-site tests each keep to one
# process (tests/conftest.py groups them).
TEST_WORKERS ?= 2

test: setup
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadgroup

test-fast: setup
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadgroup -m "not slow and not browser and not celery"

lint: setup
	$(BIN)/ruff check app solver models exchange tests bench scripts
	$(BIN)/mypy app solver models exchange tests bench scripts

# pip-audit lives in a virtual environment of its own: the project's environment is what it audits.
audit-deps: setup
	test -x .venv-audit/bin/pip-audit || ($(PYTHON) -m venv .venv-audit && .venv-audit/bin/pip install --quiet pip-audit)
	$(BIN)/pip freeze --exclude-editable > .venv-audit/requirements.txt
	$(BIN)/python scripts/audit_deps.py .venv-audit/requirements.txt .venv-audit/bin/pip-audit

bench: setup
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m bench

worker: setup
	$(BIN)/homecare worker

clean:
	rm -rf $(VENV) .venv-audit .pytest_cache build
