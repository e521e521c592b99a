# Quick start: `make demo` and `make test` work on a fresh clone; they set up what they need.
VENV   ?= .venv
PYTHON ?= python3
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

# Browser tests mostly wait on pages and timers: one more test worker than cores.
TEST_JOBS ?= 3

.PHONY: setup browser demo test lint bench clean

setup: $(STAMP) browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# A Chromium for Playwright: the Playwright-managed one, else the system's, else install one.
browser: $(STAMP)
	$(PY) -m crawler.record.browser --ensure

demo: setup
	$(VENV)/bin/cpraudit demo

# Everything CI checks: lint, types, and the whole suite (the built wheel's demo included).
test: setup lint
	$(PY) -m pytest -n $(TEST_JOBS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: setup
	$(PY) -m benchmarks.detector
	$(PY) -m benchmarks.audit

clean:
	rm -rf $(VENV) reports/*/
