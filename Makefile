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

test: install
	$(PYTEST) -n $(PYTEST_WORKERS) -m "not browser"
	$(PYTEST) -m browser

test-fast: install
	$(PYTEST) -n $(PYTEST_WORKERS) -m "not browser and not slow"

test-browser: install
	$(PYTEST) -m browser

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy compliance_hub tests

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	@echo "make bench: not yet (see the benchmark issue)"

bench-quick: install
	@echo "make bench-quick: not yet (see the benchmark issue)"

clean:
	rm -rf $(VENV) var build *.egg-info
