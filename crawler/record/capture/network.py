"""Each request as its target's `Network` events report it, put together and written once.

A request's story comes in several events, in no fixed order across their sources (the
renderer and the network service): `requestWillBeSent` (URL, method, resource type, frame,
initiator; again for each redirect hop, with the previous hop's response),
`requestWillBeSentExtraInfo` (the headers as actually sent, cookies included),
`responseReceived`, `responseReceivedExtraInfo` (raw response headers), and
`loadingFinished` or `loadingFailed` (with `blockedReason` for what the browser blocked before
sending it). A request is written when it has ended and its headers as sent have come, or
Chromium said none will (`hasExtraInfo`), or a second has passed (then with the headers as the
page set them). Its body comes from the interception's pause (`interception`), or, where no
pause holds it, is asked of the target once.

Each written request also goes to the HAR (`evidence.har`), with its response body read from
the target (never fetched again from the network) when Chromium kept one.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from crawler.model import BLOCKED_BEFORE_SENDING, BODY_LIMIT, PREFLIGHT_FAILED, without_fragment
from crawler.record.capture.connection import DevTools
from crawler.record.capture.devtools import PARTS_LEFT_OUT, posted_body, response_body
from crawler.record.capture.initiators import Initiator, from_event
from crawler.record.capture.interception import Interception
from crawler.record.capture.tape import Tape
from crawler.record.capture.targets import WORKERS, Target, Targets
from crawler.record.evidence.har import HarWriter, Response

_GRACE = 1.0  # seconds an ended request waits for its headers as sent
# seconds an answered request may go without ending: a response body the page never reads (a
# fire-and-forget fetch) keeps it in flight until the page is left, and the record must not wait
_UNREAD = 3.0
_NOT_RECORDED = ("data:",)  # never leaves the browser (Playwright did not report these either)
_NO_BODY_METHODS = {"GET", "HEAD", "OPTIONS"}
PENDING = "still pending when recording stopped"
TARGET_GONE = "still pending when its page or worker ended"
_BY_WORKER = (
    "body not captured: answered by the page's service worker, so it never left as such; what "
    "the worker sent on is recorded as the worker's own request"
)


@dataclass(eq=False)
class _Hops:
    """A request id's hops (each redirect its own), and the extra-info events of each, in the
    order they came: the n-th of each kind belongs to the n-th hop."""

    hops: list[_Request] = field(default_factory=list)
    sent: list[dict[str, str]] = field(default_factory=list)  # headers as sent
    raw: list[dict[str, str]] = field(default_factory=list)  # response headers as received

    @property
    def current(self) -> _Request | None:
        return self.hops[-1] if self.hops else None


@dataclass(eq=False)
class _Request:
    hops: _Hops
    index: int  # its place among its request id's hops
    target: Target
    request_id: str
    method: str
    url: str
    headers: dict[str, str]  # as the page set them, without cookies
    has_body: bool
    resource_type: str
    page_url: str | None
    frame_url: str | None
    step: str | None
    time: float
    initiator: Initiator
    body: bytes | None = None
    body_note: str | None = None
    contained: bool = False
    withheld: tuple[tuple[str, str], ...] = ()  # the cookies a contained request would carry
    by_worker: bool = False  # answered by a service worker: it never left as such
    partial: bool = False  # its body as DevTools handed it over, a part left out
    redirected_from: str | None = None
    extra_expected: bool = True
    response: Response | None = None
    failure: str | None = None
    blocked: str | None = None
    ended: float | None = None
    answered: float | None = None  # when its response came
    asking: int = 0  # answers still awaited (body, response body)
    response_body: bytes | None = None
    size: int = 0  # encoded bytes received
    written: bool = False

    @property
    def sent(self) -> dict[str, str] | None:
        return self.hops.sent[self.index] if len(self.hops.sent) > self.index else None

    @property
    def raw(self) -> dict[str, str] | None:
        return self.hops.raw[self.index] if len(self.hops.raw) > self.index else None

    def complete(self) -> bool:
        """Ended, answered, and with its extra info (or none will come)."""
        if self.ended is None or self.asking > 0 or self.written:
            return False
        if not self.extra_expected:
            return True
        return self.sent is not None and (self.response is None or self.raw is not None)


class Requests:
    def __init__(
        self,
        devtools: DevTools,
        targets: Targets,
        interception: Interception,
        tape: Tape,
        har: HarWriter | None,
        not_the_sites: Callable[[str], bool],
    ) -> None:
        self.devtools, self.targets, self.interception = devtools, targets, interception
        self.tape, self.har, self._not_the_sites = tape, har, not_the_sites
        self._ids: dict[str, _Hops] = defaultdict(_Hops)
        self._ending: list[_Request] = []  # ended, waiting for extra info or an answer

    # -- events ------------------------------------------------------------------------
    def will_be_sent(self, params: dict, session: str | None) -> None:
        target = self.targets.by_session.get(session or "")
        url = params["request"]["url"]
        if target is None or url.startswith(_NOT_RECORDED) or self._not_the_sites(url):
            return
        hops, redirect = self._ids[params["requestId"]], params.get("redirectResponse")
        previous = hops.current
        if previous is not None and previous.target is not target and not redirect:
            return  # the same request reported by a second target (an iframe's parent)
        hops.hops.append(self._new(hops, target, params, previous if redirect else None))
        if previous is not None and redirect:  # the hop before ends here, with its answer
            previous.response = response(redirect)
            previous.extra_expected = bool(params.get("redirectHasExtraInfo", True))
            self._ended(previous)

    def extra_info(self, params: dict) -> None:
        hops = self._ids[params["requestId"]]
        hops.sent.append(params.get("headers", {}))
        self._try_hop(hops, len(hops.sent) - 1)

    def response_extra_info(self, params: dict) -> None:
        hops = self._ids[params["requestId"]]
        hops.raw.append(params.get("headers", {}))
        self._try_hop(hops, len(hops.raw) - 1)

    def response_received(self, params: dict) -> None:
        if hop := self._current(params):
            hop.response = response(params["response"])
            hop.by_worker = bool(params["response"].get("fromServiceWorker"))
            hop.answered = time.monotonic()
            hop.extra_expected = bool(params.get("hasExtraInfo", True))

    def served_from_cache(self, params: dict) -> None:
        if hop := self._current(params):
            hop.extra_expected = False

    def finished(self, params: dict) -> None:
        if hop := self._current(params):
            hop.size = int(params.get("encodedDataLength") or 0)
            self._read_response_body(hop)
            self._ended(hop)

    def failed(self, params: dict) -> None:
        if hop := self._current(params):
            hop.failure = params.get("errorText") or "failed"
            hop.blocked = blocked(params)
            if hop.blocked and hop.blocked != PREFLIGHT_FAILED:
                hop.extra_expected = False  # never sent
            self._ended(hop)

    def target_gone(self, target: Target) -> None:
        """A closed page or ended worker: what it still had in flight is written as it is."""
        for hops in list(self._ids.values()):
            if (hop := hops.current) is not None and hop.target is target and hop.ended is None:
                hop.failure = None if hop.response else TARGET_GONE
                hop.extra_expected = False
                self._ended(hop)

    def sweep(self, everything: bool = False) -> None:
        """Write what has waited long enough (all of it at the end): an ended request without
        its headers as sent, and an answered one whose end does not come."""
        now = time.monotonic()
        for hops in list(self._ids.values()):
            hop = hops.current
            if hop and hop.ended is None and hop.answered and now - hop.answered > _UNREAD:
                self._ended(hop)  # as it is: its response body, if any, is not in the HAR
        for hop in list(self._ending):
            if everything or (hop.ended is not None and now - hop.ended > _GRACE):
                hop.extra_expected = False
                hop.asking = 0
                self._try_write(hop)

    def close(self) -> None:
        """Everything still in flight, as it is."""
        for hops in list(self._ids.values()):
            if (hop := hops.current) is not None and hop.ended is None:
                hop.failure = None if hop.response else PENDING  # answered: its end unseen
                self._ended(hop)
        self.sweep(everything=True)

    def _current(self, params: dict) -> _Request | None:
        hops = self._ids.get(params["requestId"])
        return hops.current if hops else None

    # -- putting a request together -----------------------------------------------------
    def _new(
        self, hops: _Hops, target: Target, params: dict, previous: _Request | None
    ) -> _Request:
        request = params["request"]
        url = request["url"] + request.get("urlFragment", "")
        page_url, frame_url = self._where(target, params)
        hop = _Request(
            hops=hops,
            index=len(hops.hops),
            target=target,
            request_id=params["requestId"],
            method=request["method"],
            url=url,
            headers=request.get("headers", {}),
            has_body=bool(request.get("hasPostData")),
            resource_type=(params.get("type") or "Other").lower(),
            page_url=page_url,
            frame_url=frame_url,
            step=self.tape.step,
            time=params.get("wallTime") or time.time(),
            initiator=from_event(params.get("initiator") or {}),
            redirected_from=previous.url if previous else None,
        )
        if "postData" in request:
            hop.body = request["postData"].encode("utf-8")
        return hop

    def _where(self, target: Target, params: dict) -> tuple[str | None, str | None]:
        """The page and frame a request was sent from (see `targets`)."""
        document = params.get("documentURL") or target.url or None
        main = params.get("frameId") == target.target_id
        if target.kind == "page" and main:
            if params.get("type") == "Document":  # a navigation: sent from the page it leaves
                return target.url or None, target.url or None
            if document == params["request"]["url"]:  # a worker's script names itself
                return target.url or None, target.url or None
            if document == without_fragment(target.url):  # the page as it is, fragment and all
                return target.url, target.url
            return document, document
        page = target.page
        if target.kind in WORKERS:
            return (page.url or None if page else None), target.url
        return (page.url if page else None), document

    def _ended(self, hop: _Request) -> None:
        if hop.ended is not None:
            return  # a second target reported the same end
        hop.ended = time.monotonic()
        pause = self.interception.claim(hop.request_id, hop.method, hop.url)
        if pause is not None:
            hop.contained = pause.contained
            if pause.contained:
                hop.withheld = tuple((k, v) for k, v in pause.headers if k.lower() == "cookie")
            if hop.has_body and hop.body is None:
                hop.body, hop.partial = pause.take_body(), pause.partial
        if hop.has_body and hop.body is None and hop.method not in _NO_BODY_METHODS:
            self._ask_body(hop)
        self._ending.append(hop)
        self._try_write(hop)

    def _ask_body(self, hop: _Request) -> None:
        """A body no pause held (e.g. a request blocked before the interception saw it)."""
        hop.asking += 1

        def got(answer: dict) -> None:
            if "postData" in (result := answer.get("result") or {}):
                hop.body = posted_body(result)
            else:
                hop.body_note = "body not captured: Chromium no longer held it"
            hop.asking -= 1
            self._try_write(hop)

        self.devtools.post(
            "Network.getRequestPostData", {"requestId": hop.request_id}, hop.target.session, got
        )

    def _read_response_body(self, hop: _Request) -> None:
        """For the HAR: the body Chromium kept for the target, never fetched again."""
        if self.har is None or hop.response is None or hop.size > BODY_LIMIT:
            return
        hop.asking += 1

        def got(answer: dict) -> None:
            if result := answer.get("result"):
                hop.response_body = response_body(result)
            hop.asking -= 1
            self._try_write(hop)

        self.devtools.post(
            "Network.getResponseBody", {"requestId": hop.request_id}, hop.target.session, got
        )

    def _try_hop(self, hops: _Hops, index: int) -> None:
        if index < len(hops.hops):
            self._try_write(hops.hops[index])

    def _try_write(self, hop: _Request) -> None:
        if not hop.complete():
            return
        hop.written = True
        self._ending.remove(hop)
        if hop.hops.current is hop and self._ids.get(hop.request_id) is hop.hops:
            del self._ids[hop.request_id]
        self._write(hop)

    def _write(self, hop: _Request) -> None:
        headers = tuple(pairs(hop.sent if hop.sent is not None else hop.headers))
        if not any(k.lower() == "cookie" for k, _ in headers):
            headers += hop.withheld
        if hop.response is not None and hop.raw:  # as received: Set-Cookie included
            hop.response.headers = tuple(pairs(hop.raw))
        missing = hop.has_body and hop.body is None
        note = hop.body_note
        if missing and hop.by_worker:  # what left is the worker's own request, recorded apart
            missing, note = False, _BY_WORKER
        if missing and note is None:
            note = "body not captured: neither the interception nor the target held it"
        if hop.partial:
            missing, note = True, PARTS_LEFT_OUT
        exchange = self.tape.write(
            initiator_type=hop.initiator.type,
            initiator=hop.initiator.frames,
            contained=hop.contained,
            kind="request",
            method=hop.method,
            url=hop.url,
            headers=headers,
            body=hop.body,
            body_note=note,
            body_missing=missing,
            resource_type=hop.resource_type,
            page_url=hop.page_url,
            frame_url=hop.frame_url,
            step=hop.step,
            time=hop.time,
            status=hop.response.status if hop.response else None,
            failure=hop.failure,
            blocked=hop.blocked,
            redirected_from=hop.redirected_from,
        )
        if self.har is not None and exchange is not None:
            self.har.add(exchange, hop.response, hop.response_body)


def blocked(failed: dict) -> str | None:
    """Why the browser did not send a request, from its `loadingFailed`: a reason decided
    before sending (csp, mixed-content, ...), or its CORS preflight failed (only that left)."""
    reason = failed.get("blockedReason")
    if reason in BLOCKED_BEFORE_SENDING:
        return reason
    if (failed.get("corsErrorStatus") or {}).get("corsError", "").startswith("Preflight"):
        return PREFLIGHT_FAILED
    return None


def response(given: dict) -> Response:
    """DevTools' `Network.Response` as the HAR takes it."""
    return Response(
        status=int(given.get("status") or 0),
        status_text=given.get("statusText", ""),
        headers=tuple(pairs(given.get("headers") or {})),
        mime_type=given.get("mimeType", ""),
        protocol=given.get("protocol", ""),
    )


def pairs(headers: dict[str, str]) -> Iterator[tuple[str, str]]:
    """DevTools joins a header's repeated values with newlines: one pair each."""
    for name, value in headers.items():
        for one in str(value).split("\n"):
            yield name, one
