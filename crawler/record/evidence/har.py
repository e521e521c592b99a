"""network.har, written from our own record as each request ends: a HAR 1.2 that Playwright
can replay (`route_from_har`) and any HAR viewer reads.

Playwright's own HAR read every response body back through its driver, and fetched a body
again from the site when Chromium had kept none (a prefetch, an image that is no image):
copies of the page's requests, CPR and all, sent by the audit itself. Here a response body is
what the target kept (read from it once, `network`), or it is left out and named in the
report's notes. A request body kept apart from the record (above `body_limit`) is referred to
by its file, not copied in.
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from urllib.parse import parse_qsl, urlsplit

from crawler import __version__
from crawler.errors import first_line
from crawler.model import Exchange

_TEXT_TYPES = ("text/", "json", "javascript", "xml", "html", "css", "svg")


@dataclass
class Response:
    status: int
    status_text: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    mime_type: str = ""
    protocol: str = ""


class HarWriter:
    """Appends entries as they come; `close()` ends the file (until then it is no JSON). A
    HAR that cannot be written (a full disk) is removed, and `problem` says why: the record
    goes on without it."""

    def __init__(self, path: Path, browser: str = "") -> None:
        self.path, self.problem = path, None
        self._lock = threading.Lock()
        self._file: IO[str] | None = None
        try:
            self._file = path.open("w", encoding="utf-8")
        except OSError as exc:
            self.problem = f"{path.name} not written: {first_line(exc)}"
        self._first = True
        head = {
            "version": "1.2",
            "creator": {"name": "cpraudit", "version": __version__},
            "browser": {"name": "chromium", "version": browser},
            "pages": [],
        }
        self._write('{"log": ' + json.dumps(head)[:-1] + ', "entries": [\n')

    def add(self, exchange: Exchange, response: Response | None, body: bytes | None) -> None:
        text = json.dumps(entry(exchange, response, body))
        with self._lock:
            self._write(("" if self._first else ",\n") + text)
            self._first = False

    def close(self) -> None:
        with self._lock:
            self._write("\n]}}\n")
            if self._file is not None:
                self._file.close()
                self._file = None

    def _write(self, text: str) -> None:
        if self._file is None:
            return
        try:
            self._file.write(text)
        except OSError as exc:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None
            self.path.unlink(missing_ok=True)
            self.problem = f"{self.path.name} not written: {first_line(exc)}"


def entry(exchange: Exchange, response: Response | None, body: bytes | None) -> dict:
    """One HAR entry: the request as sent, the response as received (its body if kept)."""
    url = urlsplit(exchange.url)
    request: dict = {
        "method": exchange.method,
        "url": exchange.url,
        "httpVersion": response.protocol if response and response.protocol else "HTTP/1.1",
        "cookies": _cookies(exchange.header("cookie")),
        "headers": [{"name": k, "value": v} for k, v in exchange.headers],
        "queryString": [{"name": k, "value": v} for k, v in parse_qsl(url.query, True)],
        "headersSize": -1,
        "bodySize": exchange.body_size or len(exchange.body or b""),
    }
    kind = exchange.header("content-type") or "application/octet-stream"
    if exchange.body_file:
        request["postData"] = {"mimeType": kind, "_file": exchange.body_file}
    elif exchange.body is not None:
        request["postData"] = {"mimeType": kind, **_content(exchange.body, kind)}
    return {
        "startedDateTime": datetime.fromtimestamp(exchange.time or 0, UTC).isoformat(),
        "time": -1,
        "request": request,
        "response": _response(response, body, exchange),
        "cache": {},
        "timings": {"send": -1, "wait": -1, "receive": -1},
        "_resourceType": exchange.resource_type,
    }


def _response(response: Response | None, body: bytes | None, exchange: Exchange) -> dict:
    if response is None:
        return {
            "status": -1,
            "statusText": "",
            "httpVersion": "",
            "cookies": [],
            "headers": [],
            "content": {"size": -1, "mimeType": "x-unknown"},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
            "_failureText": exchange.failure or exchange.body_note or "no response recorded",
        }
    location = next((v for k, v in response.headers if k.lower() == "location"), "")
    content: dict = {"size": len(body) if body is not None else -1, "mimeType": response.mime_type}
    if body is not None:
        content |= _content(body, response.mime_type)
    return {
        "status": response.status,
        "statusText": response.status_text,
        "httpVersion": response.protocol or "HTTP/1.1",
        "cookies": [],
        "headers": [{"name": k, "value": v} for k, v in response.headers],
        "content": content,
        "redirectURL": location,
        "headersSize": -1,
        "bodySize": -1,
    }


def _content(body: bytes, mime_type: str) -> dict:
    """Text as text where it is text, anything else in base64."""
    if any(t in mime_type.lower() for t in _TEXT_TYPES):
        try:
            return {"text": body.decode("utf-8")}
        except UnicodeDecodeError:
            pass
    return {"text": base64.b64encode(body).decode("ascii"), "encoding": "base64"}


def _cookies(header: str | None) -> list[dict]:
    pairs = (part.strip().partition("=") for part in (header or "").split(";"))
    return [{"name": name, "value": value} for name, _, value in pairs if name]
