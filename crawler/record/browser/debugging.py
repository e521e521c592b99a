"""Chromium's remote-debugging port, for the capture's own DevTools connection
(`crawler.record.capture.connection`): Playwright keeps its pipe, we get a websocket beside it.

The port is chosen free on loopback before the launch. Between that choice and Chromium's bind
another program could take it, and then the browser listening there would be someone else's:
so the endpoint is trusted only once it names the same browser process as Playwright's own
connection does. Otherwise the capture goes through Playwright (`capture.relayed`), slower but
never into another audit's browser.
"""

from __future__ import annotations

import json
import socket
import urllib.request
from urllib.error import URLError

from playwright.sync_api import Browser, Error
from websockets.exceptions import WebSocketException

from crawler.record.capture.connection import open_socket

SWITCH = "--remote-debugging-port"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def switch(port: int) -> str:
    return f"{SWITCH}={port}"


def endpoint(port: int | None, browser: Browser) -> str | None:
    """The browser's DevTools websocket at `port`, if it is this browser's; else None."""
    if port is None:
        return None
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version", timeout=5) as answer:
            url = json.loads(answer.read())["webSocketDebuggerUrl"]
        session = browser.new_browser_cdp_session()
        try:
            ours = _browser_process(session.send("SystemInfo.getProcessInfo"))
        finally:
            session.detach()
    except (OSError, URLError, ValueError, KeyError, Error):
        return None
    return url if ours is not None and ours == _process_at(url) else None


def _browser_process(info: dict) -> int | None:
    return next((p["id"] for p in info.get("processInfo", []) if p.get("type") == "browser"), None)


def _process_at(url: str) -> int | None:
    try:
        with open_socket(url, seconds=5) as probe:
            probe.send(json.dumps({"id": 1, "method": "SystemInfo.getProcessInfo"}))
            return _browser_process(json.loads(probe.recv(timeout=5)).get("result", {}))
    except (OSError, ValueError, TimeoutError, WebSocketException):
        return None
