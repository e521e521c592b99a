"""Reading and writing reports needs neither a browser nor an audit's configuration: a report
can be rebuilt anywhere the evidence is, and the stages' arrows point one way."""

from __future__ import annotations

import json
import subprocess
import sys

LOADED = (
    "import json, sys, crawler.report; "
    "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('playwright', 'crawler')))))"
)


def test_importing_the_reports_loads_neither_playwright_nor_the_configuration():
    done = subprocess.run(
        [sys.executable, "-c", LOADED], capture_output=True, text=True, check=True
    )
    loaded = json.loads(done.stdout)
    unwanted = [
        m
        for m in loaded
        if m.split(".")[0] == "playwright"
        or m.startswith(("crawler.config", "crawler.record", "crawler.history", "crawler.run"))
    ]
    assert unwanted == [], "crawler.report imports these; import them where they are used"
    assert "crawler.report.html" in loaded, "the check ran"
