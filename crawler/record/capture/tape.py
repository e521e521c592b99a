"""The tape: where every recorded exchange goes, numbered, through the addons' `exchange` hook
(redaction last), a large body kept in a file of its own, written and flushed at once.

The recorder writes requests to it; the addons that record what they decide (contain mode's
websockets, the worker gate's refusals) and the worker sessions' websockets write through it too,
so that one place numbers, redacts and counts everything recorded.

A write that fails (a full disk) ends the recording: the tape refuses everything after it, and
says so once, to `stop` (the recorder closes the audit's pages). What was written stays readable.
"""

from __future__ import annotations

import itertools
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

from crawler.bundle import ExchangeWriter
from crawler.model import BODY_LIMIT, Exchange
from crawler.record.addons.hooks import Addons

Leads = Callable[[str, dict[str, str], bytes | None], bool]  # carries the CPR to a third party?
Stop = Callable[[str], None]  # the recording cannot go on, and why


class Tape:
    def __init__(
        self,
        path: Path,
        addons: Addons | None = None,
        body_limit: int = BODY_LIMIT,
        leads: Leads | None = None,
    ) -> None:
        self.path, self.body_limit = path, body_limit
        self.addons = addons or Addons([])
        self.step: str | None = None  # the scenario's step now, for what is sent during it
        self.count = 0
        self.hosts: set[str] = set()  # every host an exchange went to
        self.leads = 0  # exchanges the detector saw carry the CPR to a third party, for progress
        self._lead_check = leads
        self.stop: Stop | None = None  # told once, when a write failed
        self._out = ExchangeWriter(path)
        self._seq = itertools.count(1)
        self._copy = self.addons.first_attribute("copy_body") or shutil.copyfileobj
        self._lock = threading.Lock()

    @property
    def failed(self) -> str | None:
        """The write that failed ("disk full while writing requests.jsonl"), if one did."""
        return self._out.failed

    def write(self, **fields) -> Exchange | None:
        """One exchange: numbered, through the addons, its body kept apart when too large; as
        written, or None once a write failed. The capture's thread and the scenario's (contain
        mode's routed websockets) both write: one at a time."""
        with self._lock:
            return None if self.failed else self._write(**fields)

    def _write(self, **fields) -> Exchange | None:
        body = fields.pop("body", None)
        apart = body is not None and len(body) > self.body_limit
        exchange = Exchange(seq=next(self._seq), body=None if apart else body, **fields)
        exchange = self.addons.chain("exchange", exchange)
        if apart:
            assert body is not None
            exchange = self._out.write_body(exchange, body, self._copy)
        self._out.write(exchange)
        if self.failed:
            if self.stop:
                self.stop(self.failed)
            return None
        self.count += 1
        self.hosts.add(exchange.host)
        if self._lead_check and self._lead_check(
            exchange.url, dict(exchange.headers), exchange.body
        ):
            self.leads += 1
        return exchange

    def websocket_opened(
        self,
        url: str,
        page_url: str | None,
        contained: bool = False,
        note: str | None = None,
        headers: tuple[tuple[str, str], ...] = (),
        frame_url: str | None = None,
    ) -> Exchange | None:
        """The handshake: its URL can carry identifiers too; Playwright reports no request for
        it. `frame_url` is the worker's script for a worker's websocket."""
        return self.write(
            kind="request",
            method="GET",
            url=url,
            headers=headers,
            resource_type="websocket",
            page_url=page_url,
            frame_url=frame_url or page_url,
            step=self.step,
            time=time.time(),
            contained=contained,
            body_note=note,
        )

    def websocket_frame(
        self,
        url: str,
        payload: str | bytes,
        direction: str,
        page_url: str | None,
        contained: bool = False,
        frame_url: str | None = None,
    ) -> None:
        self.write(
            kind="websocket",
            method="WS",
            url=url,
            direction=direction,
            resource_type="websocket",
            body=payload.encode("utf-8") if isinstance(payload, str) else payload,
            page_url=page_url,
            frame_url=frame_url or page_url,
            step=self.step,
            time=time.time(),
            contained=contained,
        )

    def close(self) -> None:
        self._out.close()
