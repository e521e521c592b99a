"""What never left is not a leak: a request the browser refused to send is an attempt, listed
apart; a request that left, whatever became of its answer, is a finding."""

from __future__ import annotations

import pytest

from crawler.testing.holes import CPR, audit
from crawler.testing.never_left import never_left

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server():
    with never_left() as running:
        yield running


def test_a_pixel_the_pages_csp_blocked_is_an_attempt_not_a_leak(server, tmp_path):
    code, found = audit(server, tmp_path / "out", "csp")
    assert not server.received_by("cspvendor.test"), "the browser did not send it"
    assert (code, found["verdict"], found["findings"]) == (0, "clean", [])
    [attempt] = [a for a in found["attempts"] if a["identifier"] == "cpr"]
    assert (attempt["host"], attempt["blocked"], attempt["channel"]) == (
        "px.cspvendor.test",
        "csp",
        "url",
    )
    assert not any(t["organisation"] == "cspvendor.test" for t in found["third_parties"])


def test_a_request_whose_answer_the_browser_refused_still_left(server, tmp_path):
    code, found = audit(server, tmp_path / "out", "orb")
    assert server.received_by("orbvendor.test"), "the request itself was sent"
    assert (code, found["verdict"]) == (1, "leak")
    assert {f["host"] for f in found["findings"]} == {"api.orbvendor.test"}
    assert found["attempts"] == []


def test_a_failed_preflight_left_with_the_url_and_never_with_the_body(server, tmp_path):
    code, found = audit(server, tmp_path / "out", "preflight")
    received = server.received_by("corsvendor.test")
    assert [r.method for r in received] == ["OPTIONS"], "only the preflight left"
    assert (code, found["verdict"]) == (1, "leak")
    assert {(f["method"], f["channel"]) for f in found["findings"]} == {("OPTIONS", "url")}
    assert {(a["method"], a["channel"], a["blocked"]) for a in found["attempts"]} == {
        ("PUT", "url", "preflight"),
        ("PUT", "body", "preflight"),
    }
    assert all(CPR not in r.body.decode() for r in received)


def test_without_the_witness_the_recorded_preflight_carries_the_finding(server, tmp_path):
    code, found = audit(server, tmp_path / "out", "preflight", "--no-witness")
    assert (code, found["verdict"]) == (1, "leak")
    assert {(f["method"], f["channel"]) for f in found["findings"]} == {("OPTIONS", "url")}
    assert {(a["method"], a["channel"]) for a in found["attempts"]} == {
        ("PUT", "url"),
        ("PUT", "body"),
    }
