"""Contain mode: a request that would carry the citizen's CPR to a third party is answered
locally and never leaves the machine; it is still recorded, and its findings say "contained".

The decision is taken where the browser-wide interception pauses each request: a receiver
that is a third party as the report judges it (`CprToThirdParty.to_third_party`), and the
detector's own search of that one request for the CPR (every part, every written form, every
encoding and hash the report would find, within the same budget), its cookies included: the
Cookie header Chromium puts in the pause, and the partitioned cookies it leaves out of it, read
from its cookie store (`cookies`). A contained request is recorded with them. A file that a form
uploads it cannot see (Chromium hands its bytes to no DevTools client), so such an upload to a
third party is held back, answered locally like a contained request: what could not be
searched does not leave. Its body stays incomplete in the record, so the result is
inconclusive, not clean: whether the site would have sent the CPR with it is not known.

Websockets of pages to third parties are routed through Playwright: the connection to the
server is made, frames are forwarded both ways, and a frame the page sends that carries the CPR
is recorded and dropped. A handshake URL that carries it is never connected. Workers' websockets
(dedicated, shared and service workers) are gated alike inside the worker (`worker_gate`).

What containing can change in a page's behaviour (read a contained audit with this in mind):
- the answer is empty (204 for beacons and fetches; an empty script, stylesheet, 1x1 gif or
  HTML page where one is expected), so a widget that waits for data shows nothing, and code
  that depends on a script loading may fail further on;
- an SDK that checks its answer may retry, queue the data for later, or fall back to another
  transport or host, and an error handler may send a beacon of its own (each is recorded, and
  contained too when it carries the CPR);
- a websocket that never gets the reply to a dropped frame may time out and reconnect;
- third-party requests that would only have happened after a contained answer (a redirect to
  a further tracker, a script the contained script would have loaded) do not happen, so a
  contained audit can report fewer hosts than an uncontained one.
"""

from __future__ import annotations

import base64

from playwright.sync_api import BrowserContext, WebSocketRoute

from crawler.detect.live import CprToThirdParty
from crawler.record.capture import cookies
from crawler.record.capture.connection import DevToolsError
from crawler.record.capture.devtools import Send, parts_left_out, request_body
from crawler.record.capture.tape import Tape

_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
_EMPTY = {  # Fetch resource type -> (status, content type, body)
    "Image": (200, "image/gif", _GIF),
    "Script": (200, "application/javascript", b""),
    "Stylesheet": (200, "text/css", b""),
    "Document": (200, "text/html; charset=utf-8", b""),
    "Font": (200, "font/woff2", b""),
}
_NO_CONTENT = (204, "text/plain", b"")


class Containment:
    """An addon: decides which requests to answer locally, and answers them."""

    pauses_everything = True  # every request must be seen before it leaves

    def __init__(self, check: CprToThirdParty) -> None:
        self.check = check
        self.count = 0
        self.held = 0  # uploads held back: their files could not be searched
        self.tape: Tape | None = None

    def recording(self, tape: Tape) -> None:
        self.tape = tape

    def request_paused(self, event: dict, send: Send, top_level: str | None) -> dict | None:
        """An empty local answer for a request that would carry the CPR to a third party. The
        cookies it would carry are searched too, and recorded with it if it is contained;
        `top_level` the page it is sent under, where known (else a page of the portal's)."""
        request, kind = event["request"], event.get("resourceType", "Other")
        url, body = request["url"], request_body(request)
        headers = request.setdefault("headers", {})
        if not self.check.to_third_party(url, headers, body):
            return None
        if parts_left_out(request):
            self.held += 1  # a file it cannot search does not leave either
        else:
            navigation = cookies.is_navigation(kind, request["method"])
            sent = self._as_sent(url, headers, navigation, send, top_level)
            if not self.check.carries(url, sent, body):
                return None
            request["headers"] = sent  # recorded as it would have been sent
            self.count += 1
        return self.answer(event["requestId"], kind)

    def _as_sent(
        self, url: str, headers: dict, navigation: bool, send: Send, top_level: str | None
    ) -> dict[str, str]:
        """The headers with the cookies the request would carry; Chromium's alone if its cookie
        store cannot be read (then a partitioned cookie with the CPR leaves, and the report
        names it as not stopped)."""
        try:
            store = cookies.in_store(send)
        except DevToolsError:
            store = []
        top = cookies.top_sites(top_level) or self.check.parties.first
        return cookies.as_sent(url, headers, store, top, navigation)

    def note(self) -> str:
        held = (
            f"; {self.held} upload(s) to third parties were held back the same way, since "
            "Chromium does not hand over the files they carried to be searched"
            if self.held
            else ""
        )
        return (
            f"contain mode: {self.count} request(s) or websocket frame(s) carrying the CPR "
            "to third parties were answered locally and never left the machine" + held + "; a "
            "page may behave differently when its beacons get empty answers"
        )

    def answer(self, request_id: str, resource_type: str) -> dict:
        """`Fetch.fulfillRequest` parameters for an empty answer of the expected kind."""
        status, content_type, body = _EMPTY.get(resource_type, _NO_CONTENT)
        return {
            "requestId": request_id,
            "responseCode": status,
            "responseHeaders": [
                {"name": "Content-Type", "value": content_type},
                {"name": "Access-Control-Allow-Origin", "value": "*"},
            ],
            "body": base64.b64encode(body).decode("ascii"),
        }

    # -- websockets -----------------------------------------------------------------------
    def context_opened(self, context: BrowserContext) -> None:
        """Forward third-party websockets through us, dropping frames that carry the CPR."""
        context.route_web_socket(self.check.third_party, self._websocket)

    def _websocket(self, ws: WebSocketRoute) -> None:
        log = self.tape
        assert log is not None  # recording() comes first
        contained = self.check.carries(ws.url)
        log.websocket_opened(
            ws.url,
            None,
            contained,
            note="websocket routed by contain mode: page and frame not known",
        )
        if contained:
            self.count += 1
            ws.close(code=1011, reason="contained")
            return
        server = ws.connect_to_server()

        def sent(message: str | bytes) -> None:
            blocked = self.check.carries(ws.url, body=message, frame=True)
            log.websocket_frame(ws.url, message, "sent", None, contained=blocked)
            if blocked:
                self.count += 1
            else:
                server.send(message)

        def received(message: str | bytes) -> None:
            log.websocket_frame(ws.url, message, "received", None)
            ws.send(message)

        ws.on_message(sent)
        server.on_message(received)
