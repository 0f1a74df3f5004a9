# Compliance Hub. `make demo` and `make test` are the whole set-up on a fresh machine.
VENV ?= .venv
PY := $(VENV)/bin/python
HUB := $(VENV)/bin/compliance-hub
PYTEST := $(VENV)/bin/pytest
DEMO_ENV := DEBUG=1
PYTEST_WORKERS ?= 2

.PHONY: install demo run worker test test-fast test-browser lint format bench bench-quick clean

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

demo: install
	$(DEMO_ENV) $(HUB) migrate --noinput
	$(DEMO_ENV) $(HUB) seed-demo
	@$(DEMO_ENV) $(HUB) demo-link --ttl 3600
	$(DEMO_ENV) $(HUB) runserver --noreload 127.0.0.1:8000

run: install
	$(DEMO_ENV) $(HUB) migrate --noinput
	$(DEMO_ENV) $(HUB) runserver 127.0.0.1:8000

worker: install
	$(DEMO_ENV) $(HUB) worker

test: install $(AXE)
	$(PYTEST) -n $(PYTEST_WORKERS) -m "not browser"
	$(PYTEST) -m browser

test-fast: install
	$(PYTEST) -n $(PYTEST_WORKERS) -m "not browser and not slow"

test-browser: install $(AXE)
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
