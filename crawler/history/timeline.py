"""`cpraudit history`: each series (a system in one environment) replayed once, oldest first,
as changes a person reads or as JSON lines a program reads.

The text shows what changed: a series' first run, verdicts that differ from the run before,
leaks new, reappeared and no longer found, acceptances that began or stopped, new and gone third
parties; the leaks still there at the end are folded into one line each, "since DATE (N runs)".
`--json` gives every run of every series, one object per line (`night_json`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from crawler.history.read import SeriesKey, SystemRun, series_keys, series_runs, where_of
from crawler.history.series import FixedLeak, LeakNight, Night, replay, unseen_note
from crawler.history.third_parties import Organisation, changes, organisations


@dataclass(frozen=True)
class Run:
    """A row of the history's `runs`: one `cpraudit run`, or one shard of it."""

    id: str
    started: float
    finished: float
    tool_version: str
    config_digest: str
    command: str
    shard: str | None
    incomplete: bool


@dataclass(frozen=True)
class SeriesNight:
    """A run of a series with what changed in it, leaks and third parties."""

    run: Run
    night: Night
    new_parties: list[Organisation]
    gone_parties: list[Organisation]


@dataclass(frozen=True)
class Series:
    """A series replayed: every run with its changes, and how its leaks read."""

    key: SeriesKey
    nights: list[SeriesNight]  # oldest first
    where: dict[str, str]  # fingerprint -> receiver, channel, place and encoding


def timeline(conn: sqlite3.Connection, system: str | None) -> Iterator[Series]:
    """Each series of the history (of `system`), replayed once, one series at a time."""
    runs = {
        id_: Run(id_, started, finished, version, digest, command, shard, bool(incomplete))
        for id_, started, finished, version, digest, command, shard, incomplete in conn.execute(
            "SELECT id, started, finished, tool_version, config_digest, command, shard, "
            "incomplete FROM runs"
        )
    }
    for key in series_keys(conn, system):
        replayed = series_runs(conn, key)
        parties = organisations(conn, key.system)
        nights = [
            SeriesNight(runs[night.run.run_id], night, new, gone)
            for night, (new, gone) in zip(replay(replayed), changes(replayed, parties), strict=True)
        ]
        yield Series(key, nights, where_of(conn, key.system))


def night_json(series: Series, n: SeriesNight) -> dict:
    """One line of `history --json`: a run of a system, in full."""
    where = series.where
    out = {
        "system": series.key.system,
        "environment": series.key.environment,
        "run": {
            "id": n.run.id,
            "started": iso(n.run.started),
            "finished": iso(n.run.finished),
            "tool_version": n.run.tool_version,
            "config_digest": n.run.config_digest,
            "command": n.run.command,
            "shard": n.run.shard,
            "incomplete": n.run.incomplete,
        },
        "verdict": n.night.run.verdict,
        "complete": n.night.run.complete,
        "leaks": [_leak(x, where, n.night.run) for x in n.night.leaks],
        "fixed": [_fixed(x, where) for x in n.night.fixed],
        "new_third_parties": [o.name for o in n.new_parties],
        "gone_third_parties": [o.name for o in n.gone_parties],
    }
    if note := unseen_note(n.night.unseen):
        out["note"] = note
    return out


def _leak(x: LeakNight, where: dict[str, str], run: SystemRun) -> dict:
    out = {
        "fingerprint": x.fingerprint,
        "status": x.status,
        "where": where.get(x.fingerprint, ""),
        "since": iso(x.since),
        "runs": x.runs,
    }
    if x.seen_before:
        out["seen_before"] = iso(x.seen_before)
    if accepted := run.accepted.get(x.fingerprint):
        out |= {"accepted": accepted.reason, "accepted_until": accepted.until}
    return out


def _fixed(x: FixedLeak, where: dict[str, str]) -> dict:
    return {
        "fingerprint": x.fingerprint,
        "status": "fixed",
        "where": where.get(x.fingerprint, ""),
        "since": iso(x.since),
        "runs": x.runs,
        "last_seen": iso(x.last_seen),
    }


def series_text(series: Series, since: float) -> Iterator[str]:
    """A series as its changes since `since`; nothing if it has no run since then."""
    shown = [n for n in series.nights if n.run.started >= since]
    if not shown:
        return
    key, where = series.key, series.where
    env = f"env {key.environment}" if key.environment is not None else "no --env"
    yield (
        f"{key.system} · {env} · {len(shown)} run(s), "
        f"{day(shown[0].run.started)} to {day(shown[-1].run.started)}"
    )
    for n in shown:
        lines = list(_changes(n, where))
        if lines or n.night.previous is None or _verdict_changed(n.night):
            yield f"  {day(n.run.started)}  {_verdict(n.night)}"
            yield from lines
    last = series.nights[-1].night
    yield f"  now ({day(last.run.started)}, {last.run.verdict}): {len(last.leaks)} leak(s)"
    for x in last.leaks:
        accepted = last.run.accepted.get(x.fingerprint)
        yield (
            f"      = {x.fingerprint}  {where.get(x.fingerprint, '')}  "
            f"since {day(x.since)} ({x.runs} run{'s' if x.runs != 1 else ''})"
            + (f", accepted until {accepted.until}" if accepted else "")
        )


def _verdict(night: Night) -> str:
    run = night.run
    incomplete = ", incomplete" if not run.complete and run.verdict != "inconclusive" else ""
    first = "  first run in the history" if night.previous is None else ""
    return f"{run.verdict}{incomplete}{first}"


def _verdict_changed(night: Night) -> bool:
    return night.previous is not None and night.previous.verdict != night.run.verdict


def _changes(n: SeriesNight, where: dict[str, str]) -> Iterator[str]:
    for x in n.night.new:
        if x.seen_before:
            yield (
                f"      + reappeared       {x.fingerprint}  {where.get(x.fingerprint, '')}  "
                f"(last seen {day(x.seen_before)})"
            )
        else:
            yield f"      + new              {x.fingerprint}  {where.get(x.fingerprint, '')}"
    for f in n.night.fixed:
        yield (
            f"      - no longer found  {f.fingerprint}  {where.get(f.fingerprint, '')}  "
            f"(since {day(f.since)}, {f.runs} run{'s' if f.runs != 1 else ''})"
        )
    if note := unseen_note(n.night.unseen):
        yield f"      ({note})"
    yield from _acceptances(n.night)
    if n.new_parties:
        yield f"      + third party      {', '.join(o.name for o in n.new_parties)}"
    if n.gone_parties:
        yield f"      - third party      {', '.join(o.name for o in n.gone_parties)}"


def _acceptances(night: Night) -> Iterator[str]:
    """Acceptances that began to apply, or changed, in this run, and those that stopped while
    their leak stayed."""
    before = night.previous.accepted if night.previous else {}
    for fp, a in sorted(night.run.accepted.items()):
        if before.get(fp) != a:
            yield f"      accepted           {fp}  until {a.until}: {a.reason}"
    for fp in sorted(before):
        if fp in night.run.leaks and fp not in night.run.accepted:
            yield f"      unaccepted         {fp}  (its acceptance ran out or was removed)"


@lru_cache(maxsize=1 << 16)  # a series' dates recur in every run's since and seen_before
def iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=1 << 16)
def day(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d")
