"""Contain mode for the websockets of workers (dedicated, shared and service workers alike).

Playwright routes the websockets of pages, and the browser-wide interception sees no websocket
at all, so a worker's socket would connect and send before anything could look at it. So in
contain mode every worker script gets a gate put before its own code (`gate.js`), at the
interception, when its response comes back: the gate's WebSocket asks before it connects and
before each frame it sends, with a request to a path of the worker's own origin that the
interception answers itself (it never leaves the machine). The question is decided by the
detector, as for any contained request; what is refused is recorded, marked contained, and
what is allowed goes out and is recorded as usual.

A worker whose script is no response (a blob: or data: URL) gets the gate another way: the
capture holds every worker at its start (`capture.targets`), and in contain mode it has the
worker stop before its first statement and run the gate there (`worker_script`). Worker scripts
from the network get it both ways (the gate runs once), so that a worker the capture attaches to
late is gated all the same. Worker scripts in the HAR and trace show the gate, on their first
line.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from importlib.resources import files
from urllib.parse import urlsplit

from crawler.record.addons.contain import Containment
from crawler.record.capture.connection import DevToolsError
from crawler.record.capture.devtools import Send, request_body, response_body
from crawler.record.capture.tape import Tape

# A script's directive prologue ("use strict"; ...) must stay first, or it stops being one.
_PROLOGUE = re.compile(r"""\A(?:\s*(?:"[^"\n]*"|'[^'\n]*')\s*;?)*""")
_SCRIPT_TYPES = ("javascript", "ecmascript")
_RECODED = {"content-length", "content-encoding"}  # the body we give is decoded, and longer


def _one_line(script: str) -> str:
    """The gate on one line, so the worker's own line numbers (in initiators) stay as sent."""
    code = (line.strip() for line in script.splitlines())
    return " ".join(line for line in code if line and not line.startswith("//"))


class WorkerGate:
    """An addon of contain mode: puts the gate into worker scripts and answers its questions."""

    def __init__(self, contain: Containment) -> None:
        self.contain, self.check = contain, contain.check
        self.log: Tape | None = None
        self.path = f"/.well-known/cpraudit-contain-{secrets.token_hex(8)}"
        source = files("crawler.record.addons").joinpath("gate.js").read_text("utf-8")
        # what every worker runs before its own code (see `capture.targets` too)
        self.worker_script = _one_line(source).replace("__GATE__", self.path)

    def recording(self, tape: Tape) -> None:
        self.log = tape

    def own_request(self, url: str) -> bool:
        """Whether a request is the gate's question (answered here, never recorded)."""
        return urlsplit(url).path == self.path

    def answer_own(self, event: dict) -> dict:
        request = event["request"]
        referer = request.get("headers", {}).get("Referer")
        return self.answer(event["requestId"], request_body(request), referer)

    @staticmethod
    def wants_response(event: dict) -> bool:
        """Whether a paused request may be a worker script, whose response the gate goes into:
        worker scripts (and module imports in workers) are "Other" to the interception, page
        scripts "Script"."""
        is_response = "responseStatusCode" in event or "responseErrorReason" in event
        return (
            event.get("resourceType") == "Other"
            and event["request"]["method"] == "GET"
            and (not is_response or event.get("responseStatusCode") == 200)
        )

    def response_paused(self, event: dict, send: Send) -> bool:
        """A worker script's paused response, with the gate before its code if it is a script."""
        if not self.wants_response(event):
            return False
        params: dict = {"requestId": event["requestId"]}
        try:
            raw = response_body(send("Fetch.getResponseBody", params))
            headers = event.get("responseHeaders") or []
            if (gated := self.gated(raw, headers)) is not None:
                kept = [h for h in headers if h["name"].lower() not in _RECODED]
                send(
                    "Fetch.fulfillRequest",
                    params
                    | {
                        "responseCode": event["responseStatusCode"],
                        "responseHeaders": kept,
                        "body": base64.b64encode(gated).decode("ascii"),
                    },
                )
                return True
        except DevToolsError:
            pass
        try:
            send("Fetch.continueResponse", params)
        except DevToolsError:
            pass  # the worker is gone
        return True

    def gated(self, body: bytes, headers: list[dict]) -> bytes | None:
        """The script with the gate before its code; None for a response that is no script."""
        kind = next((h["value"] for h in headers if h["name"].lower() == "content-type"), "")
        if not any(t in kind.lower() for t in _SCRIPT_TYPES):
            return None
        text = body.decode("utf-8", "replace")
        at = _PROLOGUE.match(text).end()  # type: ignore[union-attr]  # it matches everywhere
        return (text[:at] + self.worker_script + text[at:]).encode("utf-8")

    def answer(self, request_id: str, body: bytes | None, worker: str | None) -> dict:
        """`Fetch.fulfillRequest` parameters for the gate: allowed, or refused and recorded."""
        try:
            question = json.loads(body or b"{}")
            url = str(question["url"])
        except (ValueError, KeyError, TypeError):
            question, url = {}, ""
        allow = bool(url) and not self._refuses(question, url, worker)
        return {
            "requestId": request_id,
            "responseCode": 200,
            "responseHeaders": [
                {"name": "Content-Type", "value": "application/json"},
                {"name": "Access-Control-Allow-Origin", "value": "*"},  # a data: worker asks too
            ],
            "body": base64.b64encode(json.dumps({"allow": allow}).encode()).decode(),
        }

    def _refuses(self, question: dict, url: str, worker: str | None) -> bool:
        assert self.log is not None  # recording() comes first
        if not self.check.third_party(url):
            return False
        if question.get("op") == "open":
            if not self.check.carries(url):
                return False
            note = "a worker's websocket, refused by contain mode before it connected"
            self.log.websocket_opened(url, None, contained=True, note=note, frame_url=worker)
        else:
            payload: str | bytes = question.get("text", "")
            if "base64" in question:
                payload = base64.b64decode(question["base64"])
            if not self.check.carries(url, body=payload, frame=True):
                return False
            self.log.websocket_frame(url, payload, "sent", None, contained=True, frame_url=worker)
        self.contain.count += 1
        return True
