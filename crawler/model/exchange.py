"""What the browser sent and received: one `Exchange` per request, redirect hop or websocket
frame, as the recorder writes it to requests.jsonl."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field

from crawler.model.base import Frozen

BODY_LIMIT = 8 * 2**20  # bytes: a larger request body or frame is kept and searched apart

# DevTools' blockedReason values decided before a request leaves: the browser refused to send it.
# Those decided on the response (corp-*, coep-*, content-type, integrity) and ORB come after the
# request left, so they are no reason here.
BLOCKED_BEFORE_SENDING = frozenset(
    {"csp", "mixed-content", "inspector", "subresource-filter", "origin", "other"}
)
PREFLIGHT_FAILED = "preflight"  # `blocked` when a CORS preflight failed: only the preflight left


class InitiatorFrame(Frozen):
    """One frame of the script stack that caused a request (line and column 1-based, as
    DevTools shows them); `cause` names the async step that led here, e.g. "setTimeout"."""

    url: str = ""
    line: int = 0
    column: int = 0
    function: str = ""
    cause: str | None = None


class Wire(Frozen):
    """What the network witness (Chromium's NetLog) says of a request it saw."""

    made_by: Literal["page", "devtools", "browser"] = Field(
        default="page",
        description="page: a page, frame or worker of the audit; devtools: DevTools' own loader "
        "(Playwright re-reading a response body for the HAR or trace); browser: Chromium itself.",
    )
    annotation: int = Field(default=0, description="Chromium's traffic annotation hash.")
    initiator: str | None = Field(default=None, description="The origin that caused it.")
    on_wire: bool = Field(
        default=True, description="Its headers were sent (not refused, failed or cached)."
    )
    hop: int = Field(default=0, description="0 for a request, n for its n-th redirect.")
    frames_sent: int = Field(default=0, description="Websocket messages it sent.")


class Exchange(Frozen):
    """One thing the browser sent or received: a request (each redirect hop on its own)
    or a websocket frame, with everything needed to search it later without the browser."""

    seq: int
    kind: Literal["request", "websocket"] = "request"
    method: str = "GET"
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    body_note: str | None = Field(
        default=None, description="Why the body is missing or incomplete (a capture gap)."
    )
    body_missing: bool = Field(
        default=False,
        description="It carried a body the record lacks (body_note says why): the body was not "
        "searched, and a third party's request like it keeps a result from being clean.",
    )
    resource_type: str = "other"
    page_url: str | None = None
    frame_url: str | None = None
    step: str | None = None
    time: float = 0.0
    status: int | None = None
    failure: str | None = None
    redirected_from: str | None = None
    blocked: str | None = Field(
        default=None,
        description="Why the browser did not send it: a DevTools blockedReason decided before "
        'sending (csp, mixed-content, ...), or "preflight": its CORS preflight failed, so only '
        "the preflight (URL and headers, no body) left.",
    )
    direction: Literal["sent", "received"] | None = Field(
        default=None, description="For websocket frames: sent by the page or received by it."
    )
    source: Literal["browser", "interception", "har", "witness"] = Field(
        default="browser",
        description="browser: the Network events of the target that sent it; interception: "
        "seen only by the browser-wide request interception (e.g. a beacon sent while a page "
        "unloads); "
        "har: imported; witness: seen only on the wire by the network witness.",
    )
    initiator_type: str | None = Field(
        default=None,
        description='What started the request, from DevTools: "script", "parser" (an element '
        'in the HTML), "preload", "other", ...; None when not captured.',
    )
    initiator: tuple[InitiatorFrame, ...] = Field(
        default=(),
        description="The script stack (with its async causes) or the HTML position that sent it.",
    )
    contained: bool = Field(
        default=False, description="Answered locally by contain mode; it never left the machine."
    )
    legacy_referrer: bool = Field(
        default=False, description="Recorded with the legacy referrer default forced."
    )
    wire: Wire | None = Field(default=None, description="For the network witness's requests.")
    body_file: str | None = Field(
        default=None,
        description="A body above the size limit is kept in this file of the system's folder "
        "(a path relative to it), not in `body`, and searched from there in windows.",
    )
    body_size: int | None = Field(default=None, description="Bytes of the body in `body_file`.")

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)
