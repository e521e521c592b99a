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
    return _decoded(result.get("body", ""), result)


def posted_body(result: dict) -> bytes:
    """The body of a `Network.getRequestPostData` answer: binary ones come in base64."""
    return _decoded(result["postData"], result)


def _decoded(text: str, result: dict) -> bytes:
    return base64.b64decode(text) if result.get("base64Encoded") else text.encode("utf-8")
