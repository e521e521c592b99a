"""Initiators against real Chromium: which script sent a request, and what loaded that script."""

from __future__ import annotations

import pytest

from crawler.analyse.initiators import sent_by
from crawler.analyse.system import analyse_system
from crawler.bundle import read_exchanges
from crawler.model import Citizen, CrawlSettings, Target
from crawler.record.session import record
from crawler.report.html import write_system
from crawler.testing import Response, SiteServer
from crawler.testing.portals import CPR

pytestmark = pytest.mark.browser  # every test here starts Chromium

PORTAL = "www.initiator.test"
A = (
    "setTimeout(function () { var s = document.createElement('script');\n"
    "  s.src = '/b.js'; document.head.appendChild(s); }, 10);"
)
B = (
    "function report() { navigator.sendBeacon('http://beacon.trackvendor.test/b?u=' + "
    "encodeURIComponent(location.href), 'x'); }\n"
    "setTimeout(report, 20);"
)
PAGE = """<!doctype html><title>Initiators</title>
<img src="http://pixel.imgvendor.test/p.gif">
<script src="/a.js"></script>
<iframe src="http://widget.framevendor.test/frame"></iframe>
<script>debugger; fetch('http://after.debugvendor.test/d', {mode: 'no-cors'});</script>
"""
FRAME = (
    "<!doctype html>\n<script>\n"
    "fetch('http://ping.framevendor.test/ping', {mode: 'no-cors'})</script>"
)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    routes = {
        f"{PORTAL}/": Response(PAGE),
        f"{PORTAL}/a.js": Response(A, "application/javascript"),
        f"{PORTAL}/b.js": Response(B, "application/javascript"),
        "widget.framevendor.test/frame": Response(FRAME),
    }
    out = tmp_path_factory.mktemp("initiator")
    with SiteServer(routes) as server:
        target = Target(
            system="initiator",
            start_url=f"http://{PORTAL}/?cpr={CPR}",
            first_party=("initiator.test",),
            resolve=tuple(server.resolve_rules()),
            crawl=CrawlSettings(depth=0, dwell=1.5),
        )
        rec = record(target, Citizen(cpr=CPR), out)
    exchanges, _ = read_exchanges(rec.requests_path)
    return rec, exchanges


def one(exchanges, host):
    hits = [e for e in exchanges if e.host == host]
    assert hits, f"nothing recorded for {host}; hosts: {sorted({e.host for e in exchanges})}"
    return hits[0]


def test_a_beacon_names_the_script_that_sent_it_and_the_script_that_loaded_that(recorded):
    _, ex = recorded
    beacon = one(ex, "beacon.trackvendor.test")
    assert beacon.initiator_type == "script"
    top = beacon.initiator[0]
    assert (top.url, top.line, top.function) == (f"http://{PORTAL}/b.js", 1, "report")
    urls = [f.url for f in beacon.initiator]
    assert f"http://{PORTAL}/a.js" in urls, "the async chain reaches the script that inserted b.js"
    text = sent_by(beacon)
    assert (
        text.startswith(f"sent by http://{PORTAL}/b.js:1:")
        and f"loaded by http://{PORTAL}/a.js:" in text
    )


def test_a_parser_inserted_image_names_the_document_and_line(recorded):
    _, ex = recorded
    image = one(ex, "pixel.imgvendor.test")
    assert image.initiator_type == "parser"
    assert image.initiator[0].url == f"http://{PORTAL}/?cpr={CPR}" and image.initiator[0].line == 2
    assert sent_by(image).startswith("sent by the HTML of ")


def test_a_request_from_a_cross_origin_iframe_names_the_frame_script(recorded):
    _, ex = recorded
    ping = one(ex, "ping.framevendor.test")
    assert ping.initiator_type == "script"
    assert (
        ping.initiator[0].url == "http://widget.framevendor.test/frame"
        and ping.initiator[0].line == 3
    )


def test_a_debugger_statement_does_not_stop_the_audit(recorded):
    rec, ex = recorded
    assert rec.errors == []
    assert one(ex, "after.debugvendor.test").initiator_type == "script"


def test_findings_carry_the_initiator_to_the_report(recorded, tmp_path):
    rec, _ = recorded
    result, exchanges = analyse_system(rec, Citizen(cpr=CPR))
    beacon = next(f for f in result.findings if f.host == "beacon.trackvendor.test")
    assert beacon.initiator.startswith(f"sent by http://{PORTAL}/b.js:1:") and not beacon.contained
    write_system(result, exchanges, tmp_path)
    html = (tmp_path / "report.html").read_text()
    assert "<dt>Sent by</dt>" in html and f"loaded by http://{PORTAL}/a.js:" in html
