"""Reconciliation: every request, redirect hop and websocket handshake the network witness saw
leave the browser must be an exchange of the record; what is not is a capture gap.

A gap is matched to a cause where one is known, and a copy of it (URL and headers as sent: the
witness sees no bodies) is searched by the same detector as the record:
- a CORS preflight of a recorded request that the record lacks (the capture records the
  preflights its targets report; one answered from the preflight cache, or sent where no
  target reports it, is on the wire only);
- the browser checking a recorded service worker's script for an update (no DevTools session
  reports those fetches);
- DevTools' own loader re-sending a recorded request while Playwright reads its response body
  for a HAR or trace (`evidence`): a copy the audit made, searched apart and never counted as
  a request of the site (the audit's own HAR and trace no longer cause any);
- the browser's own traffic (no page caused it): listed apart, never as the site's.
Any other gap is unexplained: the record missed something that left, so the system cannot be
clean. Websocket data frames are counted too: frames sent on the wire beyond those recorded
are a gap that cannot be searched at all.

A request that only the interception saw (sent as a page was left) is recorded with the headers
of its pause, which lack what Chromium adds later (partitioned cookies among them): the record
takes the witness's headers as sent for it.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from typing import NamedTuple
from urllib.parse import urlsplit

from crawler import diagnostics
from crawler.model import CaptureGap, Exchange, GapCause, GapKind, without_fragment

PREFLIGHT = diagnostics.GAP_PREFLIGHT()
EVIDENCE = diagnostics.GAP_EVIDENCE()
BROWSER = diagnostics.GAP_BROWSER()
UPDATE_CHECK = diagnostics.GAP_UPDATE_CHECK()
# The traffic annotation of those checks (`netlog.annotation("service_worker_update_checker")`)
SERVICE_WORKER_UPDATE = 130931413
BODY_NOTE = "seen only on the wire by the network witness: URL and headers as sent, no body"
HEADERS_FROM_WIRE = "headers since taken as sent from the network witness"


class Reconciliation(NamedTuple):
    record: list[Exchange]  # with headers as sent from the wire where the record lacked them
    gaps: list[CaptureGap]  # for findings.json and the report
    copies: list[Exchange]  # the site's gaps, searched with the record
    browser: list[Exchange]  # the browser's own traffic, searched apart
    matched: int  # the witness's requests found in the record
    left: frozenset[int]  # seqs of the record's requests the witness saw leave the browser
    evidence: list[Exchange]  # the audit's own re-sends: searched apart, never the site's


def reconcile(record: list[Exchange], wire: list[Exchange]) -> Reconciliation:
    """Match the witness's requests to the record; copies of the rest get seqs after the
    record's. Attempts that never left are kept only for the browser's own. A request the
    record says the browser blocked is matched last: where the witness saw it leave all the
    same, the witness decides."""
    unmatched: dict[tuple[str, str], deque[int]] = defaultdict(deque)
    for e in sorted(record, key=lambda e: e.blocked is not None):
        if e.kind == "request" and not e.contained:
            unmatched[_key(e)].append(e.seq)
    left: set[int] = set()
    recorded = {without_fragment(e.url) for e in record if e.kind == "request"}
    seq = max((e.seq for e in record), default=0)
    gaps: list[CaptureGap] = []
    copies: list[Exchange] = []
    browser: list[Exchange] = []
    evidence: list[Exchange] = []
    matched = 0
    paused_only = {e.seq for e in record if e.source == "interception"}
    as_sent: dict[int, Exchange] = {}
    for request in wire:
        info = request.wire
        if info is None or (not info.on_wire and info.made_by != "browser"):
            continue
        if info.on_wire and info.made_by == "page" and unmatched[_key(request)]:
            left.add(match := unmatched[_key(request)].popleft())
            if match in paused_only:
                as_sent[match] = request
            matched += 1
            continue
        seq += 1
        copy = request.model_copy(update={"seq": seq, "body_note": BODY_NOTE})
        gaps.append(_gap(copy, recorded))
        {"browser": browser, "evidence": evidence}.get(gaps[-1].cause, copies).append(copy)
    return Reconciliation(
        [_headers_from(as_sent[e.seq], e) if e.seq in as_sent else e for e in record],
        gaps + _missing_frames(record, wire),
        copies,
        browser,
        matched,
        frozenset(left),
        evidence,
    )


def _headers_from(wire: Exchange, e: Exchange) -> Exchange:
    note = f"{e.body_note}; {HEADERS_FROM_WIRE}" if e.body_note else HEADERS_FROM_WIRE
    return e.model_copy(update={"headers": wire.headers, "body_note": note})


def _gap(e: Exchange, recorded: set[str]) -> CaptureGap:
    info, url = e.wire, without_fragment(e.url)
    assert info is not None
    cause: GapCause = "site"
    explanation = PREFLIGHT if _preflight(e) and url in recorded else None
    if info.annotation == SERVICE_WORKER_UPDATE and url in recorded:
        explanation = UPDATE_CHECK
    if info.made_by == "browser":
        cause, explanation = "browser", BROWSER
    elif info.made_by == "devtools" and url in recorded:
        cause, explanation = "evidence", EVIDENCE
    return CaptureGap(
        url=e.url,
        method=e.method,
        host=e.host,
        kind=_kind(e),
        cause=cause,
        explanation=explanation,
        left_machine=info.on_wire,
        exchange_seq=e.seq,
        time=e.time,
    )


def _missing_frames(record: list[Exchange], wire: list[Exchange]) -> list[CaptureGap]:
    """Websockets that sent more data frames on the wire than the record holds."""
    recorded = Counter(
        without_fragment(e.url)
        for e in record
        if e.kind == "websocket" and e.direction == "sent" and not e.contained
    )
    sent: Counter[str] = Counter()
    for e in wire:
        if e.wire and e.wire.on_wire and e.wire.frames_sent:
            sent[without_fragment(e.url)] += e.wire.frames_sent
    return [
        CaptureGap(
            url=url, host=urlsplit(url).hostname or "", kind="frames", frames=n - recorded[url]
        )
        for url, n in sent.items()
        if n > recorded[url]
    ]


def _kind(e: Exchange) -> GapKind:
    if e.resource_type == "websocket":
        return "websocket"
    if _preflight(e):
        return "preflight"
    return "redirect" if e.wire and e.wire.hop else "request"


def _preflight(e: Exchange) -> bool:
    return e.method == "OPTIONS" and e.header("access-control-request-method") is not None


def _key(e: Exchange) -> tuple[str, str]:
    return e.method, without_fragment(e.url)
