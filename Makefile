# Quick start: `make demo` and `make test` work on a fresh clone; they set up what they need.
VENV   ?= .venv
PYTHON ?= python3
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: setup browser demo test bench clean

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

test: setup
	$(PY) -m pytest

bench: setup
	$(PY) -m benchmarks.detector
	$(PY) -m benchmarks.audit

clean:
	rm -rf $(VENV) reports/*/
