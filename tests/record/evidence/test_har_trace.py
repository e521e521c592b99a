"""The evidence bundle is what Playwright itself can read back: the HAR replays, the trace
parses."""

from __future__ import annotations

import json
import zipfile

import pytest
from playwright.sync_api import sync_playwright

from crawler.model import Citizen, CrawlSettings, Target, TraceMode
from crawler.record.browser.chromium import launch
from crawler.record.session import record
from crawler.run.audit import audit_system
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


def _target(server, path: str = "/konto", trace: TraceMode = "on") -> Target:
    return Target(
        system="p",
        start_url=f"http://www.portal.test{path}",
        first_party=("portal.test",),
        resolve=tuple(server.resolve_rules()),
        crawl=CrawlSettings(depth=0, dwell=0.3),
        trace=trace,
    )


def test_the_trace_holds_dom_snapshots_but_no_screencast(tmp_path):
    with SiteServer({"www.portal.test/konto": Response(PAGE)}) as server:
        record(_target(server), Citizen(cpr=CPR), tmp_path)
    with zipfile.ZipFile(tmp_path / "trace.zip") as trace:
        kinds = {json.loads(line)["type"] for line in trace.read("trace.trace").splitlines()}
        names = trace.namelist()
    assert "frame-snapshot" in kinds
    assert "screencast-frame" not in kinds
    assert not [n for n in names if n.endswith((".jpeg", ".jpg"))]


LEAKY = f'<!doctype html><title>Konto</title><img src="http://px.vendor.test/p.gif?cpr={CPR}">'


@pytest.mark.parametrize(
    ("trace", "path", "kept"),
    [
        ("off", "/leaky", False),
        ("retain-on-failure", "/konto", False),
        ("retain-on-failure", "/leaky", True),
    ],
)
def test_trace_off_and_retain_on_failure(tmp_path, trace, path, kept):
    routes = {"www.portal.test/konto": Response(PAGE), "www.portal.test/leaky": Response(LEAKY)}
    with SiteServer(routes) as server:
        result, _ = audit_system(_target(server, path, trace), Citizen(cpr=CPR), tmp_path)
    assert result.verdict == ("leak" if path == "/leaky" else "clean")
    assert (tmp_path / "trace.zip").exists() is kept
    assert (tmp_path / "network.har").exists()
