"""DevTools' own wire format, as the capture and the addons read it."""

from __future__ import annotations

import base64


def request_body(request: dict) -> bytes | None:
    """The body of a `Network.Request` as DevTools sends it, blob parts included."""
    if entries := request.get("postDataEntries"):
        return b"".join(base64.b64decode(e.get("bytes", "")) for e in entries)
    return request["postData"].encode("utf-8") if "postData" in request else None


def response_body(result: dict) -> bytes:
    """The body of a `getResponseBody` answer (`Network.` or `Fetch.`)."""
    body = result.get("body", "")
    return base64.b64decode(body) if result.get("base64Encoded") else body.encode("utf-8")
