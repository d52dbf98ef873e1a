# StudioOS: `make run` starts the app with demo data; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
export REFLEX_USE_NPM := 1
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test lint audit setup lock browser clean

# Every package comes from requirements.lock (exact versions and hashes), installed with uv, which
# pip fetches first from the package index; `make lock` rewrites the lock after pyproject.toml changes.
UV_VERSION := 0.13.9
UV := $(BIN)/uv
LOCK_COMPILE := $(UV) pip compile pyproject.toml --extra test --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock" --quiet

$(STAMP): requirements.lock pyproject.toml tests/oidc_provider/package-lock.json
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	$(UV) pip install --quiet --python $(BIN)/python -r requirements.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	@# The OpenID Connect provider the sign-in tests run (tests/oidc_provider), with the venv's Node.
	cd tests/oidc_provider && ../../$(BIN)/npm ci --no-audit --no-fund --silent
	@touch $(STAMP)

setup: $(STAMP)

lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	$(LOCK_COMPILE) -o requirements.lock

run: $(STAMP)
	@mkdir -p var
	$(BIN)/studioos migrate
	$(BIN)/studioos seed-demo
	@echo ""
	@echo "StudioOS is starting at http://localhost:$(PORT)  (first start builds the frontend: about a minute)"
	@echo ""
	STUDIOOS_BASE_URL=$${STUDIOOS_BASE_URL:-http://localhost:$(PORT)} \
	  $(BIN)/reflex run --env prod --single-port --backend-port $(PORT)

browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = "0" ]; then \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "The browser tests need Debian's chromium: run 'sudo apt-get install chromium' and try again."; \
	  exit 1; \
	fi

# mypy reads its files and rules from [tool.mypy] in pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check studioos tests bench alembic/env.py rxconfig.py
	$(BIN)/ruff format --check studioos tests bench alembic/env.py rxconfig.py
	$(BIN)/mypy

# bandit fails on medium and high findings only (-ll); the checks it waives, and how a false alarm is
# marked (`# nosec BXXX  # why`), are under [tool.bandit] in pyproject.toml. pip check: every installed
# package's requirements are met. pip-audit is not here: its advisory service is out of reach from
# these machines (README, "Security checks").
audit: $(STAMP)
	$(BIN)/bandit -c pyproject.toml -r studioos -ll -q
	$(BIN)/pip check

# Service tests run on both cores (pytest-xdist: each worker has its own SQLite template and its own
# PostgreSQL database); the browser tests share one built app, so they run in one process after.
test: $(STAMP) browser lint audit
	$(BIN)/python -m pytest tests/unit tests/integration -q -n 2 --durations=10
	$(BIN)/python -m pytest tests/e2e -q --durations=10

clean:
	rm -rf .web var .pytest_cache .ruff_cache
