"""A series read from the history database: a system's runs in one environment, oldest
first, with their leaks and the acceptances in force; what the replays (`series`,
`third_parties`) walk.

A `--env test` run and a production run of the same system are in different series, so each is
compared only with runs of its own environment.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from crawler.model import Verdict, names


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


class RunRef(NamedTuple):
    """A run's place in a series, without its leaks."""

    run_id: str
    started: float
    complete: bool


def series_keys(conn: sqlite3.Connection, system: str | None = None) -> list[SeriesKey]:
    """Every series in the history (of the system, or consent state, `system` names: see
    `crawler.model.names`), by name, runs without `--env` first."""
    rows = conn.execute(
        "SELECT DISTINCT system, environment FROM system_runs ORDER BY system, environment"
    )
    return [SeriesKey(*row) for row in rows if system is None or names(system, row[0])]


def series_runs(conn: sqlite3.Connection, key: SeriesKey) -> list[SystemRun]:
    """A series' runs, oldest first, each with its leaks: SQL groups the leaks by run, and the
    nights that had the same leaks share one set."""
    accepted: dict[str, dict[str, Acceptance]] = {}
    for run_id, fp, reason, until in conn.execute(
        "SELECT run_id, fingerprint, accepted, accepted_until FROM findings "
        "WHERE system = ? AND accepted IS NOT NULL",
        (key.system,),
    ):
        accepted.setdefault(run_id, {})[fp] = Acceptance(reason, until or "")
    rows = conn.execute(
        "SELECT s.run_id, r.started, s.verdict, s.complete, f.leaks "
        "FROM system_runs s JOIN runs r ON r.id = s.run_id LEFT JOIN ("
        "  SELECT run_id, group_concat(fingerprint, ' ') AS leaks FROM findings"
        "  WHERE system = ?1 GROUP BY run_id) f ON f.run_id = s.run_id "
        "WHERE s.system = ?1 AND s.environment IS ?2 ORDER BY r.started, r.rowid",
        key,
    )
    sets: dict[str, frozenset[str]] = {}
    return [
        SystemRun(
            run_id,
            started,
            verdict,
            bool(done),
            sets.setdefault(leaks or "", frozenset((leaks or "").split())),
            accepted.get(run_id, {}),
        )
        for run_id, started, verdict, done, leaks in rows
    ]


def series_order(
    conn: sqlite3.Connection, key: SeriesKey, since: float | None = None
) -> list[RunRef]:
    """A series' runs (those started at or after `since`), oldest first, without their leaks.
    From `since` on, only those runs are read (the runs' start is indexed, and CROSS JOIN keeps
    SQLite from going through every run of the system first)."""
    return [
        RunRef(run_id, started, bool(done))
        for run_id, started, done in conn.execute(
            "SELECT s.run_id, r.started, s.complete FROM runs r CROSS JOIN system_runs s "
            "ON s.run_id = r.id AND s.system = ? AND s.environment IS ? WHERE r.started >= ? "
            "ORDER BY r.started, r.rowid",
            (*key, since if since is not None else float("-inf")),
        )
    ]


def system_run(conn: sqlite3.Connection, system: str, run_id: str) -> SystemRun:
    """One run of a system with its leaks."""
    started, verdict, done = conn.execute(
        "SELECT r.started, s.verdict, s.complete FROM system_runs s JOIN runs r "
        "ON r.id = s.run_id WHERE s.run_id = ? AND s.system = ?",
        (run_id, system),
    ).fetchone()
    leaks = conn.execute(
        "SELECT fingerprint, accepted, accepted_until FROM findings "
        "WHERE run_id = ? AND system = ?",
        (run_id, system),
    ).fetchall()
    accepted = {fp: Acceptance(reason, until or "") for fp, reason, until in leaks if reason}
    return SystemRun(
        run_id, started, verdict, bool(done), frozenset(fp for fp, *_ in leaks), accepted
    )


def where_of(conn: sqlite3.Connection, system: str) -> dict[str, str]:
    """Each leak of a system (fingerprint) as a reader knows it: receiver, channel, place and
    encoding, from its latest row."""
    return {
        fp: _where(*parts)
        for fp, *parts in conn.execute(
            "SELECT fingerprint, domain, channel, location, encoding FROM findings WHERE rowid IN "
            "(SELECT max(rowid) FROM findings WHERE system = ? GROUP BY fingerprint)",
            (system,),
        )
    }


def where_of_some(
    conn: sqlite3.Connection, system: str, fingerprints: Iterable[str]
) -> dict[str, str]:
    """`where_of` for a few leaks: their latest rows only, found through the index."""
    out = {}
    for fp in fingerprints:
        row = conn.execute(
            "SELECT domain, channel, location, encoding FROM findings "
            "WHERE system = ? AND fingerprint = ? ORDER BY rowid DESC LIMIT 1",
            (system, fp),
        ).fetchone()
        if row:
            out[fp] = _where(*row)
    return out


def _where(domain: str, channel: str, location: str, encoding: str) -> str:
    return f"{domain} · {channel} · {location} ({encoding})"
