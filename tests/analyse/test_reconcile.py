"""Reconciling the network witness with the record: what is matched, what is a gap, which gaps
are explained, and what a gap does to the verdict."""

from __future__ import annotations

from crawler.analyse import gaps
from crawler.analyse.reconcile import (
    BROWSER,
    EVIDENCE,
    HEADERS_FROM_WIRE,
    PREFLIGHT,
    SERVICE_WORKER_UPDATE,
    UPDATE_CHECK,
    reconcile,
)
from crawler.model import Wire, WitnessSummary
from crawler.testing import make_exchange

PAGE = "http://portal.skat.test"


def wire(url: str, method: str = "GET", seq: int = 100, **info):
    headers = info.pop("headers", ())
    return make_exchange(
        url=url, method=method, seq=seq, source="witness", headers=headers, wire=Wire(**info)
    )


def test_a_request_only_the_interception_saw_takes_its_headers_as_sent_from_the_wire():
    """Its pause lacked the partitioned cookies Chromium added later; a target's request keeps
    the headers its own events reported as sent."""
    url, sent = "http://t.tracker.test/bye", (("Cookie", "chat=v"), ("Accept", "*/*"))
    record = [
        make_exchange(url=url, seq=1, source="interception", headers=(("Accept", "*/*"),)),
        make_exchange(url=url, seq=2, headers=(("Accept", "*/*"),)),
    ]
    result = reconcile(record, [wire(url, initiator=PAGE, headers=sent)] * 2)
    assert [(e.headers, e.body_note) for e in result.record] == [
        (sent, HEADERS_FROM_WIRE),
        ((("Accept", "*/*"),), None),
    ]


def test_every_recorded_request_matches_once_and_the_rest_are_gaps():
    record = [
        make_exchange(url="http://t.tracker.test/p", seq=1),
        make_exchange(url="http://t.tracker.test/p", seq=2),
        make_exchange(url="http://c.tracker.test/c", seq=3, contained=True),
    ]
    seen = [
        wire("http://t.tracker.test/p#frag", initiator=PAGE),
        wire("http://t.tracker.test/p", initiator=PAGE),
        wire("http://t.tracker.test/p", initiator=PAGE),  # a third one the record lacks
        wire("http://c.tracker.test/c", initiator=PAGE),  # contained: it should never have left
        wire("http://x.tracker.test/never", initiator=PAGE, on_wire=False),
    ]
    result = reconcile(record, seen)
    assert result.matched == 2
    assert [(g.url, g.cause, g.explanation, g.exchange_seq) for g in result.gaps] == [
        ("http://t.tracker.test/p", "site", None, 4),
        ("http://c.tracker.test/c", "site", None, 5),
    ]
    assert [c.seq for c in result.copies] == [4, 5] and result.browser == []
    assert all(c.source == "witness" and c.body_note for c in result.copies)


def test_preflights_evidence_resends_and_the_browsers_own_traffic_are_explained():
    record = [
        make_exchange(url="http://api.tracker.test/a", method="POST", seq=1),
        make_exchange(url="http://api.tracker.test/a", seq=2),
    ]
    seen = [
        wire("http://api.tracker.test/a", made_by="devtools", initiator=PAGE),  # before the page's
        wire("http://api.tracker.test/a", initiator=PAGE),
        wire(
            "http://api.tracker.test/a",
            "OPTIONS",
            initiator=PAGE,
            headers=(("Access-Control-Request-Method", "POST"),),
        ),
        wire("http://api.tracker.test/a", made_by="devtools", initiator=PAGE),
        wire("https://update.example/u", "POST", made_by="browser", on_wire=False),
        wire("http://other.tracker.test/o", made_by="devtools", initiator=PAGE),  # never recorded
    ]
    result = reconcile(record, seen)
    assert result.matched == 1, "a re-send never stands for the request the page sent"
    assert [(g.kind, g.cause, g.explanation, g.left_machine) for g in result.gaps] == [
        ("request", "evidence", EVIDENCE, True),
        ("preflight", "site", PREFLIGHT, True),
        ("request", "evidence", EVIDENCE, True),
        ("request", "browser", BROWSER, False),
        ("request", "site", None, True),
    ]
    assert [c.url for c in result.browser] == ["https://update.example/u"]
    assert len(result.evidence) == 2, "the audit's own copies are kept apart"
    assert len(result.copies) == 2, "the preflight and the unexplained gap, as the site's"


def test_a_service_workers_update_checks_are_explained_gaps_searched_as_the_sites():
    """Chromium fetches a service worker's script again to check it for updates, with no
    DevTools event: only the witness sees it, by its traffic annotation."""
    script = "http://portal.skat.test/sw.js?cpr=0707614285"
    record = [make_exchange(url=script, seq=1, resource_type="script")]
    seen = [
        wire(script, initiator=PAGE),
        wire(script, initiator=PAGE, annotation=SERVICE_WORKER_UPDATE),
        wire("http://portal.skat.test/other.js", initiator=PAGE, annotation=SERVICE_WORKER_UPDATE),
    ]
    result = reconcile(record, seen)
    assert result.matched == 1
    assert [(g.url, g.cause, g.explanation) for g in result.gaps] == [
        (script, "site", UPDATE_CHECK),
        ("http://portal.skat.test/other.js", "site", None),  # no worker of the record's
    ]
    assert [c.url for c in result.copies] == [script, "http://portal.skat.test/other.js"]


def test_websocket_frames_on_the_wire_beyond_the_record_are_a_gap():
    url = "ws://chat.tracker.test/s"
    record = [
        make_exchange(url=url, seq=1, resource_type="websocket"),
        make_exchange(url=url, seq=2, kind="websocket", method="WS", direction="sent", body=b"a"),
    ]
    result = reconcile(record, [wire(url, initiator=PAGE, frames_sent=3)])
    assert result.matched == 1
    assert [(g.kind, g.frames, g.exchange_seq) for g in result.gaps] == [("frames", 2, 0)]


def test_an_unexplained_gap_or_a_failed_witness_keeps_a_system_from_being_clean():
    ran = WitnessSummary(ran=True, requests=3, matched=2)
    explained = reconcile(
        [make_exchange(url="http://p.tracker.test/p", seq=1)],
        [wire("http://p.tracker.test/p", made_by="devtools", initiator=PAGE)],
    ).gaps
    assert gaps.errors(ran, explained) == []
    missed = reconcile([], [wire("http://m.tracker.test/m", initiator=PAGE)]).gaps
    (error,) = gaps.errors(ran, missed)
    assert error.startswith("1 capture gap: ") and "http://m.tracker.test/m" in error
    failed = WitnessSummary(ran=False, failed=True, reason="Chromium wrote no NetLog")
    assert "witness failed" in gaps.errors(failed, [])[0]
    off = WitnessSummary(ran=False, reason="switched off (--no-witness)")
    assert gaps.errors(off, []) == [] and "switched off" in gaps.notes(off, [])[0]
