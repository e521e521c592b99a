"""DevTools' own wire format, as the capture and the addons read it."""

from __future__ import annotations

import base64
from collections.abc import Callable

Send = Callable[[str, dict], dict]  # a DevTools command and its answer, for the addons

# What a record says of a body DevTools handed over only in part
PARTS_LEFT_OUT = (
    "body incomplete: a part Chromium does not hand over (a file a form uploads) was not captured"
)


def request_body(request: dict) -> bytes | None:
    """The body of a `Network.Request` as DevTools sends it, blob parts included; a part it does
    not hand over is left out (`parts_left_out`)."""
    if entries := request.get("postDataEntries"):
        return b"".join(base64.b64decode(e.get("bytes", "")) for e in entries)
    return request["postData"].encode("utf-8") if "postData" in request else None


def parts_left_out(request: dict) -> bool:
    """Whether DevTools left a part of the body out: a file that a form uploads comes as an
    empty entry, its bytes nowhere in the event."""
    return any("bytes" not in entry for entry in request.get("postDataEntries") or ())


def response_body(result: dict) -> bytes:
    """The body of a `getResponseBody` answer (`Network.` or `Fetch.`)."""
    return _decoded(result.get("body", ""), result)


def posted_body(result: dict) -> bytes:
    """The body of a `Network.getRequestPostData` answer: binary ones come in base64."""
    return _decoded(result["postData"], result)


def _decoded(text: str, result: dict) -> bytes:
    return base64.b64decode(text) if result.get("base64Encoded") else text.encode("utf-8")
