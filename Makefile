# Compliance Hub. `make demo` and `make test` are the whole set-up on a fresh machine.
VENV ?= .venv
PY := $(VENV)/bin/python
HUB := $(VENV)/bin/compliance-hub
PYTEST := $(VENV)/bin/pytest
# Where `make demo`/`make run` serve (`make demo PORT=8001`); links in e-mails follow it
# (SITE_URL, unless set in the environment).
DEMO_HOST ?= 127.0.0.1
PORT ?= 8000
SITE_URL ?= http://$(DEMO_HOST):$(PORT)
DEMO_ENV := DEBUG=1 SITE_URL=$(SITE_URL)
PYTEST_WORKERS ?= 2

.PHONY: install demo run worker prereqs test test-fast test-browser lint format bench bench-quick clean

$(VENV)/.installed: pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# axe-core (npm, pinned in package-lock.json) for the browser tests' accessibility checks.
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The demo runs the worker beside the web server, as production does (certificate PDFs,
# e-mail). Ctrl-C stops both: the worker gets the terminal's SIGINT too, and the trap sends
# it SIGTERM however the server ends.
demo: install
	$(DEMO_ENV) $(HUB) migrate --noinput
	$(DEMO_ENV) $(HUB) seed-demo
	@$(DEMO_ENV) $(HUB) demo-link --ttl 3600
	@# The worker renders the demo's certificates in the background; its routine rounds are
	@# not logged (LOG_LEVEL=WARNING), so the sign-in link above stays on the screen.
	@$(DEMO_ENV) LOG_LEVEL=WARNING $(HUB) worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEMO_ENV) $(HUB) runserver --noreload $(DEMO_HOST):$(PORT)

run: install
	$(DEMO_ENV) $(HUB) migrate --noinput
	$(DEMO_ENV) $(HUB) runserver $(DEMO_HOST):$(PORT)

worker: install
	$(DEMO_ENV) $(HUB) worker

# Chromium, npm, unzip, pgbouncer, redis-server, fonts, PostgreSQL and Redis: installed and
# started when root with apt-get, else one message with the command to run (nothing runs).
prereqs:
	@bash scripts/check-prereqs

test: prereqs install $(AXE)
	$(PYTEST) -n $(PYTEST_WORKERS) -m "not browser"
	$(PYTEST) -m browser

test-fast: install
	$(PYTEST) -n $(PYTEST_WORKERS) -m "not browser and not slow"

test-browser: prereqs install $(AXE)
	$(PYTEST) -m browser

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy compliance_hub tests

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Benchmarks against their floors on PostgreSQL (BENCH_DATABASE_URL, default
# postgres://postgres@127.0.0.1:5432/compliance_hub_bench): `bench` builds (once) the
# 5M-assignment dataset and writes docs/benchmarks.md; `bench-quick` is the CI smoke run
# (small dataset, results in var/bench/). Both fail on errors, not on missed targets.
bench: install
	$(PY) bench/run.py

bench-quick: install
	$(PY) bench/run.py --quick

clean:
	rm -rf $(VENV) var build *.egg-info node_modules
