"""Recorder: every request, redirect hop and websocket frame of a browser context, to disk.

Two sources, because neither alone sees everything Chromium sends:
- Playwright's context events give page, frame, resource type and the headers as sent
  (`headers_array()`, cookies included) for pages, popups, iframes, workers and service workers.
- A browser-wide CDP `Fetch` interception sees every request that may carry a body before it
  leaves (all of them in contain mode), including the bodies of `sendBeacon(Blob)` and other
  blob bodies (which Playwright drops), beacons sent while a page unloads (which no page-level
  event reports) and the requests of shared workers. A request it pauses twice (one network id)
  is one entry.
Websockets of pages and dedicated workers come from Playwright, those of shared and service
workers from DevTools sessions in them (`initiators`, `worker_sockets`); a new such worker's
script request waits, paused, until that session is set up in it.
Each request also gets its initiator (the script stack or HTML position that sent it, see
`initiator`). The recording modes are addons (`crawler.record.addons`), called through their
hooks where the interception pauses a request or a response: contain mode answers CPR-carrying
third-party requests there and gates workers' websockets; legacy referrer mode edits first-party
document responses.
Each exchange goes to the tape (`tape`), which writes it to `requests.jsonl` and flushes it as it
completes: analysis reads the file afterwards, and a crash mid-audit loses nothing already seen.
The interception decodes a body only when it is the one kept or an addon asks.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from dataclasses import dataclass

from playwright.sync_api import (
    Browser,
    BrowserContext,
    Error,
    Page,
    Request,
    Response,
    WebSocket,
)

from crawler.model import BLOCKED_BEFORE_SENDING, PREFLIGHT_FAILED, without_fragment
from crawler.record.addons.hooks import Addons
from crawler.record.capture.devtools import request_body
from crawler.record.capture.initiators import Initiators
from crawler.record.capture.tape import Tape
from crawler.record.capture.worker_sockets import WorkerSockets

_NO_BODY_METHODS = {"GET", "HEAD", "OPTIONS"}
# What the interception pauses outside contain mode: every kind of request but those that never
# carry a body and that Playwright reports for every page, frame and worker that can send them
# (shared workers cannot: they have no document). Each pause is a round trip through Python,
# which images, stylesheets, fonts and media, half of a page's requests, no longer wait for.
# Chromium 156 takes no other names in a filter; what it files as none of these (prefetches,
# worker scripts, favicons) is "Other".
# Fetch and XHR stay paused although Playwright has most of their bodies, and Chromium copies
# each paused body twice into the pause (a 50 MB upload: about 0.45 GB more at the peak): the
# keepalive fetches a page sends as it is left go out from the browser once the document is
# gone, seen by no page session, Playwright's or ours, and filed as "XHR" when paused. Chromium
# cannot tell fetch, XHR and EventSource apart when it pauses: a filter on any one of them pauses
# all three. (Tested: `test_what_a_page_sends_as_it_is_left_is_recorded`.)
_PAUSED_KINDS: tuple[str, ...] = (
    "Document",
    "Script",
    "XHR",
    "Fetch",
    "EventSource",
    "Ping",
    "CSPViolationReport",
    "Other",
)


@dataclass
class _Sent:
    """What is known when a request starts; completed when it finishes or fails."""

    request: Request
    page_url: str | None
    frame_url: str | None
    step: str | None
    time: float
    status: int | None = None  # from the response event: asking for it is a round trip


@dataclass
class _Intercepted:
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    request: dict  # as DevTools sent it: its body is decoded only when the entry is claimed
    resource_type: str
    step: str | None
    time: float
    contained: bool = False

    @property
    def body(self) -> bytes | None:
        return request_body(self.request)

    def claimed(self) -> None:
        """Kept only to merge a second pause from now on: without its body."""
        self.request = {k: v for k, v in self.request.items() if not k.startswith("postData")}


class Recorder:
    """Attach to a context before the first page opens; `close()` before the context closes."""

    def __init__(
        self, tape: Tape, browser: Browser, context: BrowserContext, addons: Addons | None = None
    ) -> None:
        self.tape = tape
        self.addons = addons or Addons([])
        self._sent: dict[int, _Sent] = {}
        self._intercepted: dict[tuple[str, str], deque[_Intercepted]] = defaultdict(deque)
        self._by_network_id: dict[str, _Intercepted] = {}
        self.addons.call("recording", tape)
        context.on("request", self._on_request)
        context.on("response", self._on_response_event)
        context.on("requestfinished", self._on_done)
        context.on("requestfailed", self._on_done)
        context.on("page", self._on_page)
        for page in context.pages:
            self._on_page(page)
        self._held: dict[str, list[dict]] = defaultdict(list)  # worker scripts, by URL
        self._initiators = Initiators(browser, WorkerSockets(tape).on_event, self._release)
        self.addons.call("context_opened", context)
        self._cdp = browser.new_browser_cdp_session()
        self._cdp.on("Fetch.requestPaused", self._on_paused)
        self._cdp.send("Fetch.enable", {"patterns": _patterns(self.addons)})

    # -- Playwright events ------------------------------------------------------------
    def _not_the_sites(self, url: str) -> bool:
        """An addon's own question (answered in the browser), or a page of Chromium's own
        (its PDF viewer is an extension): neither leaves the browser, neither is the site's."""
        return url.startswith(_BROWSER_OWN) or self.addons.any("own_request", url)

    def _on_request(self, request: Request) -> None:
        if self._not_the_sites(request.url):
            return
        page_url = frame_url = None
        try:
            frame = request.frame
            frame_url, page_url = frame.url, frame.page.url
        except Error:  # service-worker requests have no frame
            pass
        self._sent[id(request)] = _Sent(request, page_url, frame_url, self.tape.step, time.time())

    def _on_response_event(self, response: Response) -> None:
        if sent := self._sent.get(id(response.request)):
            sent.status = response.status

    def _on_done(self, request: Request) -> None:
        if self._not_the_sites(request.url):
            return
        sent = self._sent.pop(id(request), None) or _Sent(
            request, None, None, self.tape.step, time.time()
        )
        try:
            headers = tuple((h["name"], h["value"]) for h in request.headers_array())
        except Error:  # the context went away under us: keep what Chromium announced
            headers = tuple(request.headers.items())
        self._write_request(sent, headers, sent.status, request.failure)

    def _write_request(self, sent: _Sent, headers, status, failure) -> None:
        request = sent.request
        body, note = request.post_data_buffer, None
        intercepted = self._claim(request.method, request.url)
        if intercepted:
            body = intercepted.body if body is None else body
            intercepted.claimed()
        elif body is None and intercepted is None and request.method not in _NO_BODY_METHODS:
            note = "body not captured: the request was not seen by the interception"
        initiator = self._initiators.claim(request.method, request.url)
        self.tape.write(
            initiator_type=initiator and initiator.type,
            initiator=initiator.frames if initiator else (),
            blocked=self._blocked(request, failure),
            contained=bool(intercepted and intercepted.contained),
            kind="request",
            method=request.method,
            url=request.url,
            headers=headers,
            body=body,
            body_note=note,
            resource_type=request.resource_type,
            page_url=sent.page_url,
            frame_url=sent.frame_url,
            step=sent.step,
            time=sent.time,
            status=status or None,
            failure=failure,
            redirected_from=request.redirected_from.url if request.redirected_from else None,
        )

    def _blocked(self, request: Request, failure: str | None) -> str | None:
        """Why the browser did not send it, if it did not: Playwright gives a request blocked
        before sending DevTools' blockedReason as its failure ("csp"); a failed preflight only
        our own sessions see."""
        if failure is None:
            return None
        if failure in BLOCKED_BEFORE_SENDING:
            return failure
        if self._initiators.claim_preflight_failed(request.method, request.url):
            return PREFLIGHT_FAILED
        return None

    def _on_page(self, page: Page) -> None:
        page.on("websocket", lambda ws: self._on_websocket(page, ws))

    def _on_websocket(self, page: Page, ws: WebSocket) -> None:
        tape = self.tape
        tape.websocket_opened(ws.url, page.url)
        ws.on("framesent", lambda payload: tape.websocket_frame(ws.url, payload, "sent", page.url))
        ws.on(
            "framereceived",
            lambda payload: tape.websocket_frame(ws.url, payload, "received", page.url),
        )

    # -- browser-wide interception ------------------------------------------------------
    def _on_paused(self, event: dict) -> None:
        if "responseStatusCode" in event or "responseErrorReason" in event:
            return self._on_response(event)
        answer = None
        try:
            url = event["request"]["url"]
            if self.addons.any("own_request", url):  # an addon's question: it answers
                answer = self.addons.first("answer_own", event)
                return
            if url.startswith(_BROWSER_OWN):
                return  # continued below, and not recorded
            seen = self._paused_once(event)
            if answer := self.addons.first("request_paused", event):
                seen.contained = True
        finally:
            try:
                if answer:  # answered here: it never leaves the machine
                    self._cdp.send("Fetch.fulfillRequest", answer)
                elif event["request"]["url"] in self._initiators.setting_up:
                    self._held[event["request"]["url"]].append(self._continued(event))
                else:
                    self._cdp.send("Fetch.continueRequest", self._continued(event))
            except Error:
                pass  # the page is gone; the request with it

    def _paused_once(self, event: dict) -> _Intercepted:
        """The entry for a paused request. Chromium pauses some requests twice (a font's
        interception job restarts): one request on the wire, one network id, one entry."""
        req, network_id = event["request"], event.get("networkId")
        again = self._by_network_id.get(network_id) if network_id else None
        if again and again.url == req["url"] and not event.get("redirectedRequestId"):
            return again
        item = _Intercepted(
            req["method"],
            req["url"],
            tuple(req.get("headers", {}).items()),
            req,
            event.get("resourceType", "Other").lower(),
            self.tape.step,
            time.time(),
        )
        self._intercepted[(req["method"], without_fragment(req["url"]))].append(item)
        if network_id:
            self._by_network_id[network_id] = item
        return item

    def _release(self, url: str) -> None:
        """A new worker's script goes on once our DevTools set-up is queued in the worker."""
        for params in self._held.pop(url, []):
            try:
                self._cdp.send("Fetch.continueRequest", params)
            except Error:
                pass

    def _continued(self, event: dict) -> dict:
        """Continue a request; paused again at its response where an addon wants it."""
        params: dict = {"requestId": event["requestId"]}
        if self.addons.any("wants_response", event):
            params["interceptResponse"] = True
        return params

    def _on_response(self, event: dict) -> None:
        """A paused response goes to the addons; one none of them handles goes on unchanged."""
        try:
            if self.addons.any("response_paused", event, self._cdp.send):
                return
        except Error:
            pass  # never leave a document paused: continued unchanged below
        method = (
            "Fetch.continueResponse" if "responseStatusCode" in event else "Fetch.continueRequest"
        )
        try:
            self._cdp.send(method, {"requestId": event["requestId"]})
        except Error:
            pass

    def _claim(self, method: str, url: str) -> _Intercepted | None:
        queue = self._intercepted.get((method, without_fragment(url)))
        return queue.popleft() if queue else None

    def ready(self, page: Page) -> bool:
        """Wait until the initiator session in `page` is set up, before its first navigation;
        whether it is (if not, some of its first requests may lack their initiator)."""
        session = page.context.new_cdp_session(page)
        try:
            target_id = session.send("Target.getTargetInfo")["targetInfo"]["targetId"]
        finally:
            session.detach()
        return self._initiators.wait_ready(target_id, lambda: page.wait_for_timeout(10))

    def close(self) -> None:
        """Write what is still in flight and what only the interception saw, then close the
        tape."""
        for sent in list(self._sent.values()):
            self._write_request(
                sent,
                tuple(sent.request.headers.items()),
                None,
                "still pending when recording stopped",
            )
        self._sent.clear()
        for queue in self._intercepted.values():
            for item in queue:
                initiator = self._initiators.claim(item.method, item.url)
                self.tape.write(
                    initiator_type=initiator and initiator.type,
                    initiator=initiator.frames if initiator else (),
                    contained=item.contained,
                    kind="request",
                    method=item.method,
                    url=item.url,
                    headers=item.headers,
                    body=item.body,
                    resource_type=item.resource_type,
                    source="interception",
                    page_url=dict(item.headers).get("Referer"),
                    step=item.step,
                    time=item.time,
                    body_note="seen only by the browser-wide interception: headers as the page set "
                    "them, without cookies; page taken from Referer",
                )
        self._intercepted.clear()
        for url in list(self._held):  # never leave a request paused
            self._release(url)
        self._initiators.close()
        try:
            self._cdp.send("Fetch.disable")
            self._cdp.detach()
        except Error:
            pass
        self.tape.close()


def _patterns(addons: Addons) -> list[dict]:
    """An addon that must see every request before it leaves (contain mode) pauses them all;
    recording needs the kinds above; addons add theirs (legacy referrer: documents' responses)."""
    kinds = (
        [{"urlPattern": "*"}]
        if addons.flag("pauses_everything")
        else [{"urlPattern": "*", "resourceType": kind} for kind in _PAUSED_KINDS]
    )
    return kinds + [p for patterns in addons.collect("patterns") for p in patterns]


_BROWSER_OWN = ("chrome-extension:", "chrome:", "chrome-untrusted:", "devtools:")
