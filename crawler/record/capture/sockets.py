"""Websockets of every target (pages, iframes, dedicated, shared and service workers), from its
`Network.webSocket*` events: the handshake with the headers it was sent with, and every data
frame both ways. A worker's script URL stands where a frame would be.

Contain mode routes third-party websockets of pages through Playwright: such a page holds no
real websocket (Playwright's driver connects in its place), so those are recorded by contain
mode itself, not here.
"""

from __future__ import annotations

import base64

from crawler.model import Exchange
from crawler.record.capture.network import pairs, response
from crawler.record.capture.tape import Tape
from crawler.record.capture.targets import Target
from crawler.record.evidence.har import HarWriter

_TEXT, _BINARY = 1, 2  # websocket opcodes of data frames; the others are control frames


class Sockets:
    """Turns the `Network.webSocket*` events of our sessions into recorded exchanges."""

    def __init__(self, tape: Tape, har: HarWriter | None = None) -> None:
        self._tape, self._har = tape, har
        self._open: dict[tuple[str, str], tuple[str, str | None, str | None]] = {}
        self._handshakes: dict[tuple[str, str], Exchange] = {}  # for the HAR, until answered

    def on_event(self, method: str, params: dict, target: Target) -> None:
        key = (target.session, params.get("requestId", ""))
        if method == "Network.webSocketCreated":
            page = target.page
            self._open[key] = (params.get("url", ""), page.url if page else None, target.url)
        elif method == "Network.webSocketWillSendHandshakeRequest" and key in self._open:
            url, page_url, frame_url = self._open[key]
            headers = (params.get("request") or {}).get("headers") or {}
            handshake = self._tape.websocket_opened(
                url, page_url, headers=tuple(pairs(headers)), frame_url=frame_url
            )
            if handshake is not None and self._har:  # kept until answered, for the HAR only
                self._handshakes[key] = handshake
        elif method == "Network.webSocketHandshakeResponseReceived" and self._har:
            if handshake := self._handshakes.pop(key, None):
                self._har.add(handshake, response(params.get("response") or {}), None)
        elif method in ("Network.webSocketFrameSent", "Network.webSocketFrameReceived"):
            frame = params.get("response") or {}
            if key in self._open and frame.get("opcode") in (_TEXT, _BINARY):
                url, page_url, frame_url = self._open[key]
                direction = "sent" if method.endswith("Sent") else "received"
                self._tape.websocket_frame(
                    url, _payload(frame), direction, page_url, frame_url=frame_url
                )
        elif method == "Network.webSocketClosed":
            self._open.pop(key, None)


def _payload(frame: dict) -> str | bytes:
    """DevTools gives a text frame as text and a binary frame as base64."""
    data = frame.get("payloadData", "")
    return data if frame.get("opcode") == _TEXT else base64.b64decode(data)
