"""Chromium's NetLog: what the browser's network stack put on the wire, read after the audit.

Chromium writes it when started with `--log-net-log`; `IncludeSensitive` keeps the request
headers (cookies included) but no bodies. It is written below the browser-side record, so it
sees what the recorder cannot: service and shared workers, CORS preflights, Playwright's own
re-reads of response bodies, the browser's calls home. Each hop of a URL request is one
`WireRequest`, marked `on_wire` once its headers were sent; a websocket is one, with the count
of messages it sent.

Every request carries its Chromium traffic annotation: a hash of the name of the code that
made it, which tells the site's requests from the browser's own and from DevTools'.

The file holds cookies and other secrets: it is written outside the output folder and removed
once read (see `witness`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from crawler.model import Exchange, Wire


def switches(path: Path) -> list[str]:
    """Chromium's switches that write the NetLog of the whole browser to `path`."""
    return [f"--log-net-log={path}", "--net-log-capture-mode=IncludeSensitive"]


def annotation(unique_id: str) -> int:
    """The hash Chromium logs for a traffic annotation (net/traffic_annotation's
    COMPUTE_NETWORK_TRAFFIC_ANNOTATION_ID_HASH)."""
    value = ord(unique_id[0])
    for char in unique_id[1:]:
        value = (value * 31 + ord(char)) % 138003713
    return value


MadeBy = Literal["page", "devtools", "browser"]
DEVTOOLS_LOADER = annotation("devtools_cdp_network_resource")  # Network.loadNetworkResource
# A text or binary frame starts a message; DevTools (and so the record) counts messages, so
# continuation frames (0) and control frames (ping, pong, close) are not counted.
_MESSAGE_FRAMES = (1, 2)


@dataclass
class WireRequest:
    """One request (or redirect hop, or websocket handshake) as the NetLog saw it."""

    method: str
    url: str
    time: float  # seconds since the epoch
    headers: tuple[tuple[str, str], ...] = ()
    initiator: str | None = None  # the origin that caused it; None for the browser itself
    navigation: bool = False  # a frame's document (its initiator may be the browser)
    annotation: int = 0
    hop: int = 0  # 0 for the request, n for its n-th redirect
    on_wire: bool = False  # its headers were sent (not answered from the cache, not failed)
    frames_sent: int = 0  # websocket messages sent

    def exchange(self, seq: int) -> Exchange:
        """As an exchange of the witness's record: what was sent, and who made it."""
        made_by: MadeBy = "page" if self.initiator or self.navigation else "browser"
        if self.annotation == DEVTOOLS_LOADER:
            made_by = "devtools"
        return Exchange(
            seq=seq,
            method=self.method,
            url=self.url,
            headers=self.headers,
            resource_type="websocket" if self.url.startswith(("ws:", "wss:")) else "other",
            time=self.time,
            source="witness",
            wire=Wire(
                made_by=made_by,
                annotation=self.annotation,
                initiator=self.initiator,
                on_wire=self.on_wire,
                hop=self.hop,
                frames_sent=self.frames_sent,
            ),
        )


@dataclass
class _Source:
    """One URL request's hops as the log goes."""

    hops: list[WireRequest] = field(default_factory=list)
    annotation: int = 0


class NetLog:
    """The wire requests of one NetLog file, and whether it could be read to its end."""

    def __init__(self, requests: list[WireRequest], complete: bool) -> None:
        self.requests, self.complete = requests, complete

    @classmethod
    def read(cls, path: Path) -> NetLog:
        """Parse a NetLog file; one cut short by a crash yields what was written."""
        lines = path.read_text("utf-8", "replace").splitlines()
        try:
            constants = json.loads(lines[0].removesuffix(",") + "}")["constants"]
        except (IndexError, ValueError, KeyError):
            return cls([], complete=False)
        names = {number: name for name, number in constants["logEventTypes"].items() if _kept(name)}
        # "type": of a kept event (or of its source, or in its params: parsed, and skipped there)
        kept = re.compile(rf'"type": ?(?:{"|".join(map(str, names))})(?!\d)')
        offset = float(constants.get("timeTickOffset", 0))
        sources: dict[int, _Source] = {}
        complete = False
        for line in lines[2:]:
            line = line.removesuffix(",")
            last = line.endswith("}]")  # the events end; the browser's closing state follows
            if not last and not kept.search(line):
                continue  # most events: not of a type `_take` reads; parsed, they cost 0.1 s
            try:
                event = json.loads(line.removesuffix("]") if last else line)
            except ValueError:
                break  # the rest was never written
            _take(sources, names.get(event.get("type")), event, offset)
            if last:
                complete = True
                break
        found = [hop for source in sources.values() for hop in source.hops]
        return cls(sorted(found, key=lambda r: r.time), complete)


_KEPT = ("REQUEST_ALIVE", "URL_REQUEST_START_JOB", "WEBSOCKET_SENT_FRAME_HEADER")


def _kept(name: str) -> bool:
    """The events `_take` reads."""
    return name in _KEPT or name.endswith("SEND_REQUEST_HEADERS")


def _take(sources: dict[int, _Source], name: str | None, event: dict, offset: float) -> None:
    if not name:
        return
    params = event.get("params") or {}
    source = sources.setdefault(event.get("source", {}).get("id", -1), _Source())
    if name == "REQUEST_ALIVE" and "traffic_annotation" in params:
        source.annotation = params["traffic_annotation"]
    elif name == "URL_REQUEST_START_JOB" and "url" in params:
        source.hops.append(
            WireRequest(
                method=params.get("method", "GET"),
                url=params["url"],
                time=(float(event.get("time", 0)) + offset) / 1000,
                initiator=_origin(params.get("initiator")),
                navigation=params.get("request_type") in ("main frame", "sub frame"),
                annotation=source.annotation,
                hop=len(source.hops),
            )
        )
    elif name.endswith("SEND_REQUEST_HEADERS") and source.hops and not source.hops[-1].on_wire:
        source.hops[-1].on_wire = True  # a retry on a fresh connection is the same request
        source.hops[-1].headers = tuple(_header(h) for h in params.get("headers", ()))
    elif name == "WEBSOCKET_SENT_FRAME_HEADER" and source.hops:
        source.hops[-1].frames_sent += params.get("opcode") in _MESSAGE_FRAMES


def _origin(initiator: str | None) -> str | None:
    return None if not initiator or initiator == "not an origin" else initiator


def _header(line: str) -> tuple[str, str]:
    """`Name: value`, and HTTP/2's `:path: /x`."""
    name, _, value = line[1:].partition(": ")
    return line[0] + name, value
