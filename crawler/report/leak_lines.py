"""A system's leaks for machines and terminals: one line per leak (a fingerprint), not per
request, as junit.xml, the pytest plugin's failure and `cpraudit run` print them (in English, as
findings.json speaks): whether it is new or persisting, where it sits and how it is encoded, on
which steps and pages, the script that sent it, the root cause where the audit knows it, and an
acceptance that applies."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.model import SystemResult
from crawler.report.groups import LeakGroup, group


def leak_lines(result: SystemResult) -> list[str]:
    return [_line(result, leak) for leak in group(result.system, result.findings, {})]


def _line(result: SystemResult, leak: LeakGroup) -> str:
    f = leak.first
    receiver = f"{f.entity or f.domain or f.host} ({', '.join(leak.hosts)})"
    parts = [
        _status(result, leak.fingerprint) + receiver,
        f"{f.detail} ({f.channel}, {f.encoding})",
        _where(leak),
    ]
    if leak.initiators and leak.initiators[0]:
        parts.append(leak.initiators[0])
    if cause := _root_cause(result, leak):
        parts.append(cause)
    if (accepted := result.acceptance(leak.fingerprint)) is not None:
        state = "accepted until" if accepted.in_force else "acceptance expired"
        parts.append(f"{state} {accepted.until.isoformat()}: {accepted.reason}")
    return f"[{leak.fingerprint}] " + "; ".join(parts)


def _status(result: SystemResult, fingerprint: str) -> str:
    h = result.history.of(fingerprint) if result.history else None
    if h is None:
        return ""
    if h.status == "new":
        return "NEW "
    return f"persisting since {datetime.fromtimestamp(h.since, UTC):%Y-%m-%d} "


def _where(leak: LeakGroup) -> str:
    steps = [s for s in leak.steps if s]
    where = f"{leak.requests} request(s) on {len(leak.pages)} page(s)"
    if steps:
        where += f", step(s) {', '.join(steps)}"
    return where + f", first from {leak.pages[0]}" if leak.pages and leak.pages[0] else where


def _root_cause(result: SystemResult, leak: LeakGroup) -> str | None:
    """A leak sent from a page whose URL carries the CPR: that URL is the root cause."""
    cpr_pages = {d.page_url for d in result.design}
    page = next((p for p in leak.pages if p in cpr_pages), None)
    return f"root cause: the CPR in the URL of {page}" if page else None
