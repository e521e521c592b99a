"""Series: a system's runs replayed in time order, so each leak is new, persisting or fixed.

How a leak's status is decided, per system, from its runs in time order:
- new: not in the system's previous run (a leak fixed earlier and back again is new, with
  `seen_before`);
- persisting since <date>: in every run since that date (`runs` of them);
- fixed: in the previous run and not in this one.
A run that did not complete (inconclusive, or errors) proves no absence: a leak it did not
see neither ends a series nor counts as fixed; the next complete run decides.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence

from crawler import diagnostics
from crawler.history.store import SystemRun, system_runs
from crawler.model import FindingHistory, SystemHistory, TrendPoint

TREND_RUNS = 12


def replay(runs: Sequence[SystemRun]) -> Iterator[tuple[SystemRun, SystemHistory]]:
    """Each run of a system with its history as of that run, oldest first."""
    series: dict[str, tuple[float, int]] = {}  # fingerprint -> (since, runs)
    reference: dict[str, str] = {}  # leaks since the last complete run, for "fixed"
    last_seen: dict[str, float] = {}
    previous: float | None = None
    for i, run in enumerate(runs):
        now = {
            fp: (series[fp][0], series[fp][1] + 1) if fp in series else (run.started, 1)
            for fp in run.leaks
        }
        if not run.complete:  # absence proves nothing: carry the other series over unchanged
            now.update({fp: s for fp, s in series.items() if fp not in now})
        findings = tuple(
            FindingHistory(
                fingerprint=fp,
                status="new" if now[fp][1] == 1 else "persisting",
                since=now[fp][0],
                runs=now[fp][1],
                seen_before=last_seen.get(fp) if fp not in series else None,
                where=where,
            )
            for fp, where in sorted(run.leaks.items())
        )
        fixed: tuple[FindingHistory, ...]
        note: str | None
        fixed, note = (), None
        if run.complete:
            fixed = tuple(
                FindingHistory(
                    fingerprint=fp,
                    status="fixed",
                    since=series[fp][0] if fp in series else 0.0,
                    runs=series[fp][1] if fp in series else 0,
                    last_seen=last_seen.get(fp, 0.0),
                    where=where,
                )
                for fp, where in sorted(reference.items())
                if fp not in run.leaks
            )
            reference = dict(run.leaks)
        else:
            missing = [fp for fp in reference if fp not in run.leaks]
            reference.update(run.leaks)
            if missing:
                note = diagnostics.NOT_COUNTED_AS_GONE(num=len(missing))
        trend = tuple(
            TrendPoint(started=r.started, verdict=r.verdict, findings=len(r.leaks))
            for r in runs[max(0, i + 1 - TREND_RUNS) : i + 1]
        )
        yield (
            run,
            SystemHistory(
                previous_run=previous, findings=findings, fixed=fixed, fixed_note=note, trend=trend
            ),
        )
        series = {fp: s for fp, s in now.items()}
        for fp in run.leaks:
            last_seen[fp] = run.started
        previous = run.started


def history_of(conn: sqlite3.Connection, system: str, run_id: str) -> SystemHistory | None:
    return next((h for run, h in replay(system_runs(conn, system)) if run.run_id == run_id), None)
