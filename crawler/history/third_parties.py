"""New third parties: organisations a system's pages talked to that its previous complete run
did not. How "MaxCDN appeared on TastSelv" is noticed the next morning.

The baseline is the system's previous complete run, together with any incomplete runs since
(what an incomplete run saw was there; what it did not see proves nothing). An organisation is
new when neither its identity nor any of its domains is in the baseline, so a renamed owner in
a newer database is not news. Without an earlier run every organisation is new, as every leak
is.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from crawler.history.store import system_runs
from crawler.model import SystemResult


def mark_new(conn: sqlite3.Connection, result: SystemResult, run_id: str) -> SystemResult:
    baseline = _baseline(conn, result.system, run_id)
    marked = tuple(
        t.model_copy(update={"new": _new(baseline, t.key, t.domains)}) for t in result.third_parties
    )
    return result.model_copy(update={"third_parties": marked})


def new_in_run(conn: sqlite3.Connection, system: str, run_id: str) -> list[str]:
    """The organisations new in a recorded run of a system, by name (for the timeline)."""
    baseline = _baseline(conn, system, run_id)
    return [
        name
        for name, key, domains in conn.execute(
            "SELECT organisation, key, domains FROM third_parties WHERE system = ? AND run_id = ?"
            " ORDER BY organisation",
            (system, run_id),
        )
        if _new(baseline, key, domains.split())
    ]


def _new(baseline: tuple[set[str], set[str]], key: str, domains: Iterable[str]) -> bool:
    keys, seen_domains = baseline
    return key not in keys and not seen_domains.intersection(domains)


def _baseline(conn: sqlite3.Connection, system: str, run_id: str) -> tuple[set[str], set[str]]:
    seen = _seen(conn, system)
    keys: set[str] = set()
    domains: set[str] = set()
    for run in system_runs(conn, system):
        if run.run_id == run_id:
            break
        if run.complete:
            keys, domains = set(), set()
        for key, run_domains in seen.get(run.run_id, []):
            keys.add(key)
            domains.update(run_domains)
    return keys, domains


def _seen(conn: sqlite3.Connection, system: str) -> dict[str, list[tuple[str, list[str]]]]:
    out: dict[str, list[tuple[str, list[str]]]] = {}
    for run_id, key, domains in conn.execute(
        "SELECT run_id, key, domains FROM third_parties WHERE system = ?", (system,)
    ):
        out.setdefault(run_id, []).append((key, domains.split()))
    return out
