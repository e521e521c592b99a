"""Evidence bundle per system: a HAR with bodies (written by the capture, `har`) and a
Playwright trace, redacted.

Both hold what the browser saw, secrets included; they are redacted after the context closes
with the same rules as requests.jsonl, plus the values of the portal's own cookies, which
also appear as response headers. An audit has them written to its private temporary folder,
and they reach the evidence folder only redacted.

The trace keeps DOM snapshots of every action but no screencast: its screenshots made the
GPU process work five times harder for pictures the step screenshots already give.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import BrowserContext, Error

from crawler.bundle import TRACE
from crawler.errors import first_line
from crawler.model import TraceMode, Verdict
from crawler.parties import registrable_domain
from crawler.record.addons.redaction import Redactor
from crawler.record.evidence.redact_files import redact_folder


def start(context: BrowserContext, title: str, trace: TraceMode = "on") -> None:
    if trace != "off":
        context.tracing.start(screenshots=False, snapshots=True, title=title)


def settle_trace(out_dir: Path, trace: TraceMode, verdict: Verdict) -> None:
    """retain-on-failure: a clean system's trace is not kept."""
    if trace == "retain-on-failure" and verdict == "clean":
        (out_dir / TRACE).unlink(missing_ok=True)


def finish(
    context: BrowserContext,
    out_dir: Path,
    redactor: Redactor,
    own_trace: bool = True,
    written_in: Path | None = None,
) -> list[str]:
    """Stop our trace (unless someone else owns tracing), close the context, redact every file
    of the folder, the HAR and trace `written_in` another folder brought into it redacted; the
    errors. The redactor learns the session cookies on the way."""
    errors = []
    try:
        redactor.learn(
            c["value"]
            for c in context.cookies()
            if registrable_domain(c["domain"].lstrip(".")) in redactor.first_party
        )
        if own_trace:
            errors += _stop_trace(context, (written_in or out_dir) / TRACE)
        context.close()
    except Error as exc:
        errors.append(f"evidence files incomplete: {first_line(exc)}")
    return errors + redact_folder(out_dir, redactor, written_in)


def _stop_trace(context: BrowserContext, path: Path) -> list[str]:
    try:
        context.tracing.stop(path=str(path))
    except Error as exc:  # e.g. a full disk: what is left of it makes room for the rest
        path.unlink(missing_ok=True)
        return [f"{TRACE} not written: {first_line(exc)}"]
    return []
