"""Websockets of shared and service workers, from DevTools' Network events in each worker's own
session (see `initiators`): Playwright reports the websockets of pages and of their dedicated
workers only, so without this a frame a shared or service worker sends is never recorded.

The handshake is recorded with the headers DevTools says it sends, and every data frame both
ways, as for a page's websocket; the worker's script URL stands where a page would.
"""

from __future__ import annotations

import base64

from crawler.record.capture.tape import Tape

_TEXT, _BINARY = 1, 2  # websocket opcodes of data frames; the others are control frames


class WorkerSockets:
    """Turns one worker session's `Network.webSocket*` events into recorded exchanges."""

    def __init__(self, log: Tape) -> None:
        self._log = log
        self._urls: dict[str, str] = {}  # DevTools request id -> websocket URL

    def on_event(self, method: str, params: dict, worker_url: str) -> None:
        socket = params.get("requestId", "")
        if method == "Network.webSocketCreated":
            self._urls[socket] = params.get("url", "")
        elif method == "Network.webSocketWillSendHandshakeRequest" and socket in self._urls:
            headers = (params.get("request") or {}).get("headers") or {}
            self._log.websocket_opened(
                self._urls[socket], None, headers=tuple(headers.items()), frame_url=worker_url
            )
        elif method in ("Network.webSocketFrameSent", "Network.webSocketFrameReceived"):
            frame = params.get("response") or {}
            if socket in self._urls and frame.get("opcode") in (_TEXT, _BINARY):
                self._log.websocket_frame(
                    self._urls[socket],
                    _payload(frame),
                    "sent" if method.endswith("Sent") else "received",
                    None,
                    frame_url=worker_url,
                )


def _payload(frame: dict) -> str | bytes:
    """DevTools gives a text frame as text and a binary frame as base64."""
    data = frame.get("payloadData", "")
    return data if frame.get("opcode") == _TEXT else base64.b64decode(data)
