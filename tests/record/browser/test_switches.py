"""The browser's own traffic: with cpraudit's switches, no call home leaves the machine, and
Playwright's own list of disabled features survives ours."""

from __future__ import annotations

import re
from pathlib import Path

import playwright
import pytest
from playwright.sync_api import sync_playwright

from crawler.record.browser import chromium
from crawler.record.browser.switches import PLAYWRIGHT_DISABLED, QUIET_ARGS
from crawler.record.capture.netlog import NetLog, switches
from crawler.testing import Response, SiteServer


def test_playwrights_disabled_features_are_kept_in_the_one_switch_chromium_reads():
    bundle = Path(playwright.__file__).parent / "driver/package/lib/coreBundle.js"
    listed = re.search(r"disabledFeatures = \[(.*?)\]", bundle.read_text(), re.DOTALL)
    assert listed, "Playwright's chromiumSwitches moved: check PLAYWRIGHT_DISABLED by hand"
    theirs = set(re.findall(r'^\s*"(\w+)"', listed.group(1), re.MULTILINE))
    assert theirs and theirs <= set(PLAYWRIGHT_DISABLED)
    (ours,) = [a for a in QUIET_ARGS if a.startswith("--disable-features=")]
    assert set(PLAYWRIGHT_DISABLED) <= set(ours.split("=", 1)[1].split(","))


@pytest.mark.browser
def test_no_call_home_leaves_the_machine_during_an_audit(tmp_path):
    """Chromium 156 called clients2.google.com, update.googleapis.com and accounts.google.com
    within seconds of starting; its NetLog shows every attempt, sent or not."""
    site = SiteServer({"portal.skat.test/": Response("<img src='http://px.tracker.test/p'>")})
    with site as server, sync_playwright() as pw:
        launched, _ = chromium.launch(pw, server.resolve_rules(), extra=switches(tmp_path / "n"))
        try:
            page = launched.new_context().new_page()
            page.goto("http://portal.skat.test/")
            page.wait_for_timeout(5000)
        finally:
            launched.close()
    requests = NetLog.read(tmp_path / "n").requests
    assert {r.url for r in requests if r.on_wire} >= {"http://portal.skat.test/"}
    own = [r for r in requests if r.exchange(0).wire.made_by == "browser"]
    assert not [r.url for r in own if r.on_wire], "the browser's own traffic left the machine"
    assert not [r.url for r in own if "google" in r.url], "the browser called Google"
