"""A series read from the history database: a system's runs in one environment, oldest
first, with their leaks and the acceptances in force; what the replays (`series`,
`third_parties`) walk.

A `--env test` run and a production run of the same system are in different series, so each is
compared only with runs of its own environment.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from crawler.model import Verdict


class SeriesKey(NamedTuple):
    """A system's series: its runs in one environment (None: runs without `--env`)."""

    system: str
    environment: str | None = None


class Acceptance(NamedTuple):
    """An acceptance of a leak in audit.toml that was in force in a run."""

    reason: str
    until: str  # its last day, YYYY-MM-DD


@dataclass(frozen=True)
class SystemRun:
    """One run of a series, as the replay needs it."""

    run_id: str
    started: float
    verdict: Verdict
    complete: bool
    leaks: frozenset[str]  # fingerprints
    accepted: Mapping[str, Acceptance] = field(default_factory=dict)  # of those leaks


def series_keys(conn: sqlite3.Connection, system: str | None = None) -> list[SeriesKey]:
    """Every series in the history (of one system), by name, runs without `--env` first."""
    rows = conn.execute(
        "SELECT DISTINCT system, environment FROM system_runs"
        + (" WHERE system = ?" if system else "")
        + " ORDER BY system, environment",
        (system,) if system else (),
    )
    return [SeriesKey(*row) for row in rows]


def series_runs(conn: sqlite3.Connection, key: SeriesKey) -> list[SystemRun]:
    """A series' runs, oldest first, each with its leaks: two queries, whatever its length."""
    leaks: dict[str, set[str]] = {}
    accepted: dict[str, dict[str, Acceptance]] = {}
    for run_id, fp, reason, until in conn.execute(
        "SELECT run_id, fingerprint, accepted, accepted_until FROM findings WHERE system = ?",
        (key.system,),
    ):
        leaks.setdefault(run_id, set()).add(fp)
        if reason is not None:
            accepted.setdefault(run_id, {})[fp] = Acceptance(reason, until or "")
    rows = conn.execute(
        "SELECT s.run_id, r.started, s.verdict, s.complete "
        "FROM system_runs s JOIN runs r ON r.id = s.run_id "
        "WHERE s.system = ? AND s.environment IS ? ORDER BY r.started, r.rowid",
        key,
    )
    return [
        SystemRun(
            run_id,
            started,
            verdict,
            bool(done),
            frozenset(leaks.get(run_id, ())),
            accepted.get(run_id, {}),
        )
        for run_id, started, verdict, done in rows
    ]


def where_of(conn: sqlite3.Connection, system: str) -> dict[str, str]:
    """Each leak of a system (fingerprint) as a reader knows it: receiver, channel, place and
    encoding, from its latest row."""
    return {
        fp: f"{domain} · {channel} · {where} ({enc})"
        for fp, domain, channel, where, enc, _ in conn.execute(
            "SELECT fingerprint, domain, channel, location, encoding, max(rowid) "
            "FROM findings WHERE system = ? GROUP BY fingerprint",
            (system,),
        )
    }
