# Quick start: `make demo` and `make test` work on a fresh clone; they set up what they need.
VENV   ?= .venv
PYTHON ?= python3
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

# Browser tests mostly wait on pages and timers: one more test worker than cores.
TEST_JOBS ?= 3

.PHONY: setup data tools demo test lint docs bench messages clean

setup: $(STAMP) data tools

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) -m compileall -q crawler  # as a wheel's install does, where PYTHONDONTWRITEBYTECODE is set
	touch $(STAMP)

# What audits need besides Python (cpraudit setup, as a pip-installed cpraudit runs it): a
# Chromium (Playwright's, else the system's, else Debian's package as root), and the owner
# database (Ghostery's TrackerDB) and DuckDuckGo's autoconsent, pinned in
# crawler/data/npm/package-lock.json and installed with npm into ~/.local/share/cpraudit. Without
# npm the audits still run, with owners beyond the bundled list unknown (every report says so);
# systems with consent states are refused with the reason.
data: $(STAMP)
	@$(VENV)/bin/cpraudit setup || \
		(command -v npm >/dev/null && exit 1; \
		 echo "npm not found: third parties' owners will be unknown beyond the bundled list;" \
			"install Node.js 20+ and npm, then run make setup again")

# What some features and their tests need from Debian: certutil (ca_file: a test CA for Chromium),
# Xvfb (a headed browser: codegen's, a login by hand, tested on a virtual display) and xdotool (the
# tests' person at that display). Installed as root where apt-get is; elsewhere the tests that need
# them are skipped with the reason.
tools:
	@missing=""; \
	command -v certutil >/dev/null || missing="$$missing libnss3-tools"; \
	command -v Xvfb >/dev/null || missing="$$missing xvfb"; \
	command -v xdotool >/dev/null || missing="$$missing xdotool"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -qq $$missing >/dev/null 2>&1 || \
		{ apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; } || \
		echo "could not install$$missing (ca_file and the headed-browser tests need them; tests skip without)"; \
	else \
		echo "not installed:$$missing (ca_file and the headed-browser tests need them; tests skip without)"; \
	fi

demo: setup
	$(VENV)/bin/cpraudit demo

# Everything CI checks: lint, types, and the whole suite (the built wheel's demo included).
test: setup lint
	$(PY) -m pytest -n $(TEST_JOBS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# docs/reference/ from the code: the command line, audit.toml and the schema of findings.json.
# tests/test_docs.py fails while what is written there is not what this makes now.
docs: $(STAMP)
	$(PY) -m crawler.reference docs/reference

bench: setup
	$(PY) -m benchmarks.detector
	$(PY) -m benchmarks.audit
	$(PY) -m benchmarks.witness
	$(PY) -m benchmarks.capture
	$(PY) -m benchmarks.memory
	$(PY) -m benchmarks.names
	$(PY) -m benchmarks.history

# The reports' messages (babel.cfg) merged into each language's catalogue; translate what is
# new or marked fuzzy in crawler/report/locale/*/LC_MESSAGES/messages.po, then run the tests.
messages: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg --no-location --omit-header -o $(VENV)/messages.pot \
		crawler
	$(VENV)/bin/pybabel update -i $(VENV)/messages.pot -d crawler/report/locale --width 100 \
		--ignore-pot-creation-date

clean:
	rm -rf $(VENV) reports/*/
