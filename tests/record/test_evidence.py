"""The evidence bundle is what Playwright itself can read back: the HAR replays, the trace
parses."""

from __future__ import annotations

import json
import zipfile

import pytest
from playwright.sync_api import sync_playwright

from crawler.model import Citizen, CrawlSettings, Target
from crawler.record.browser import launch
from crawler.record.session import record
from crawler.testing import Response, SiteServer

pytestmark = pytest.mark.browser  # every test here starts Chromium

CPR = "0707614285"
PAGE = '<!doctype html><title>Konto</title><h1 id="h">Saldo 0 kr.</h1><img src="http://px.vendor.test/p.gif?a=1">'


def test_har_replays_in_playwright_and_trace_holds_the_visit(tmp_path):
    with SiteServer({"www.portal.test/konto": Response(PAGE)}) as server:
        target = Target(
            system="p",
            start_url="http://www.portal.test/konto",
            first_party=("portal.test",),
            resolve=tuple(server.resolve_rules()),
            crawl=CrawlSettings(depth=0, dwell=0.3),
        )
        rec = record(target, Citizen(cpr=CPR), tmp_path)
    assert rec.errors == []

    # The server is gone: the page can only come from the HAR.
    with sync_playwright() as pw:
        browser, _ = launch(pw, ["*.test=127.0.0.1:9"])
        context = browser.new_context()
        context.route_from_har(str(tmp_path / "network.har"), not_found="abort")
        page = context.new_page()
        page.goto("http://www.portal.test/konto")
        assert page.locator("#h").inner_text() == "Saldo 0 kr."
        browser.close()

    with zipfile.ZipFile(tmp_path / "trace.zip") as trace:
        events = [
            json.loads(line) for line in trace.read("trace.trace").splitlines() if line.strip()
        ]
        network = trace.read("trace.network").decode()
    assert events[0]["type"] == "context-options"
    assert any(e.get("method") == "goto" for e in events if e["type"] == "before")
    assert "px.vendor.test/p.gif" in network
