"""The record against the wire: everything the network witness saw leave the browser is in the
record, on every page that once lost something; and the audit itself adds nothing to the wire,
so the same audit counts the same twice."""

from __future__ import annotations

from collections import Counter

import pytest

from crawler.analyse.reconcile import UPDATE_CHECK
from crawler.testing import holes, portals
from crawler.testing.sites import Response, SiteServer

pytestmark = pytest.mark.browser  # every test here starts Chromium

# Every page of `holes` but the storm of popups (slow, and tested on its own), the form that
# the FormData page holds in an iframe, and the page that sends the citizen on to a third
# party's (its audit ends there, not on a page of the portal)
PAGES = sorted(
    route.split("/", 1)[1]
    for route in holes.routes()
    if route.startswith(holes.PORTAL + "/")
    and not route.endswith((".js", "/popups", "/popup", "-form", "/away"))
)


def not_the_browsers(found: dict) -> list[dict]:
    """Gaps but the browser's own traffic and its checks of a worker's script for updates,
    which no DevTools session reports (the witness names them: tests/analyse/test_reconcile)."""
    return [
        g
        for g in found["capture_gaps"]
        if g["cause"] != "browser" and g["explanation"] != UPDATE_CHECK
    ]


def test_the_witness_sees_nothing_leave_that_the_record_lacks(monkeypatch, tmp_path):
    monkeypatch.setenv("CPRAUDIT_CHROMIUM_ARGS", holes.SECURE_ORIGIN)
    index = "".join(f'<a href="/{page}">{page}</a> ' for page in PAGES)
    routes = holes.routes() | {f"{holes.PORTAL}/": Response(f"<!doctype html>{index}")}
    with SiteServer(routes) as server:
        code, found = holes.audit(server, tmp_path, "", "--depth", "1")
    assert code == 1, found["errors"]
    visited = {p["url"].rsplit("/", 1)[1] for p in found["coverage"]["pages"]}
    assert visited >= set(PAGES), "every page was audited"
    witness = found["witness"]
    assert witness["ran"] and not witness["failed"] and witness["matched"] > len(PAGES)
    assert not_the_browsers(found) == []


def test_an_audit_run_twice_counts_the_same_and_sends_nothing_the_page_did_not(tmp_path):
    """The leaky portal (redirects, a form, a popup, websockets, a worker, beacons as a page is
    left): each request carrying the CPR reached its receiver as often as the record has it,
    and a second run counts the same requests and findings."""
    counts = []
    for run in ("first", "second"):
        with portals.leaky_portal() as server:
            code, found = portals.adhoc(server, tmp_path / run)
        assert code == 1 and not_the_browsers(found) == []
        findings = Counter((f["host"], f["channel"], f["detail"]) for f in found["findings"])
        requests = {
            (f["host"], f["exchange_seq"]) for f in found["findings"] if f["method"] != "WS"
        }
        for host, n in Counter(host for host, _ in requests).items():
            sent = [r for r in holes.carrying(server, host) if r.method != "WS"]
            assert len(sent) == n, f"{host} received {len(sent)} with the CPR, {n} recorded"
        counts.append((found["requests"], findings))
    assert counts[0] == counts[1]
