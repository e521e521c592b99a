"""The second witness: a network-level record of everything that left the browser, kept beside
the browser-side record so that the analysis can reconcile the two (`analyse.reconcile`).

Chromium's own NetLog is the witness (see `netlog`): it costs a few percent of an audit, changes
nothing the browser sends, and sees service and shared workers, preflights and the browser's
calls home. A recording proxy (mitmproxy) would also see bodies, but it puts itself between
the browser and every site (its own TLS, its own HTTP/2), needs its certificate trusted, and
mitmproxy after 11.0 needs a newer Python than cpraudit does.

The NetLog holds cookies and other secrets, so it is written to the audit's private temporary
folder (`browser.scratch`, removed however the audit ends) and removed once read; what is kept is
`wire.jsonl`, redacted as the record is. The NetLog itself is never kept.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from crawler import bundle, diagnostics
from crawler.bundle import ExchangeWriter
from crawler.model import WitnessSummary
from crawler.record.addons.redaction import Redactor
from crawler.record.capture.netlog import NetLog, switches

_PREFIX = "cpraudit-netlog-"  # then the audit process's id
OFF = diagnostics.WITNESS_OFF()
REMOTE = diagnostics.WITNESS_REMOTE()
PYTEST_BROWSER = diagnostics.WITNESS_PYTEST()


class Witness:
    """Start it before the browser (its switches), finish it after the browser has closed."""

    def __init__(self, wanted: bool = True, remote: bool = False) -> None:
        self.reason = OFF if not wanted else REMOTE if remote else None
        self._folder = None
        if self.reason is None:
            self._folder = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-"))

    @property
    def path(self) -> Path | None:
        return self._folder / "netlog.json" if self._folder else None

    def switches(self) -> list[str]:
        return switches(self.path) if self.path else []

    def finish(self, out_dir: Path, redactor: Redactor) -> WitnessSummary:
        """Read the NetLog, keep it redacted as wire.jsonl, remove it; say what it covered."""
        try:
            if self.path is None:
                return WitnessSummary(ran=False, reason=self.reason)
            return self._keep(out_dir, redactor)
        finally:
            if self._folder:
                shutil.rmtree(self._folder, ignore_errors=True)

    def _keep(self, out_dir: Path, redactor: Redactor) -> WitnessSummary:
        assert self.path is not None
        if not self.path.is_file():
            return WitnessSummary(ran=False, failed=True, reason=diagnostics.NO_NETLOG())
        log = NetLog.read(self.path)
        writer = ExchangeWriter(out_dir / bundle.WIRE)
        try:
            for seq, request in enumerate(log.requests, 1):
                writer.write(redactor.exchange(request.exchange(seq)))
        finally:
            writer.close()
        if writer.failed:
            return WitnessSummary(ran=True, failed=True, reason=writer.failed)
        return WitnessSummary(
            ran=True,
            requests=sum(r.on_wire for r in log.requests),
            reason=None if log.complete else diagnostics.NETLOG_ENDS_EARLY(),
            failed=not log.complete,
        )
