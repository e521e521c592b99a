"""Checkpoints: each series' replay state after its latest run (leaks and third parties), kept
in the history database, so that a nightly run replays only itself instead of years of nights.

A checkpoint is a cache, never the record: it is used only when the run being judged is the
one right after it in its series. Anything else (a series' first run, a database an older
cpraudit wrote to, a shard's run merged in before later runs) replays the series from the
record; the checkpoint is then written anew after the series' latest run, or dropped when the
judged run is not the latest.
"""

from __future__ import annotations

import json
import sqlite3
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from crawler.history.read import (
    SeriesKey,
    SystemRun,
    series_order,
    series_runs,
    system_run,
    where_of_some,
)
from crawler.history.series import Point, SeriesState, replay, system_history
from crawler.history.third_parties import Baseline, Organisation, baseline_of, organisations
from crawler.model import SystemHistory, Verdict

VERSION = 1


@dataclass
class Judged:
    """A run seen against the runs before it in its series."""

    history: SystemHistory
    parties: Baseline  # what its organisations are new against


@dataclass
class Checkpoint:
    run_id: str
    started: float
    leaks: SeriesState
    parties: Baseline  # the baseline of the run after it


def judge(conn: sqlite3.Connection, key: SeriesKey, run_id: str) -> Judged | None:
    """A recorded run of a series seen against the runs before it (None if the series has no
    such run); leaves the series' checkpoint as of its latest run, in the caller's
    transaction."""
    saved = _load(conn, key)
    tail = series_order(conn, key, since=saved.started) if saved else []
    if saved and [r.run_id for r in tail] == [saved.run_id, run_id]:
        state, before, latest = saved.leaks, saved.parties, True
        night = state.advance(system_run(conn, key.system, run_id))
    else:
        order = series_order(conn, key)
        at = next((i for i, r in enumerate(order) if r.run_id == run_id), None)
        if at is None:
            return None
        state, before = SeriesState(), baseline_of(conn, key.system, order, run_id)
        night = deque(replay(series_runs(conn, key)[: at + 1], state), maxlen=1)[0]
        latest = at == len(order) - 1
    run = night.run
    if latest:
        present = organisations(conn, key.system, [run_id]).get(run_id, ())
        _save(
            conn, key, Checkpoint(run_id, run.started, state, before.after(run.complete, present))
        )
    else:
        conn.execute("DELETE FROM series_state WHERE system = ? AND environment IS ?", key)
    shown = {x.fingerprint for x in night.leaks} | {x.fingerprint for x in night.fixed}
    return Judged(
        system_history(night, state.trend, where_of_some(conn, key.system, shown)), before
    )


def _load(conn: sqlite3.Connection, key: SeriesKey) -> Checkpoint | None:
    row = conn.execute(
        "SELECT state FROM series_state WHERE system = ? AND environment IS ?", key
    ).fetchone()
    data = json.loads(row[0]) if row else {}
    if data.get("version") != VERSION:
        return None
    leaks = SeriesState(
        open_={fp: (since, runs) for fp, (since, runs) in data["open"].items()},
        last_seen=data["last_seen"],
        previous=_run(*data["previous"]),
    )
    leaks.trend.extend(Point(*p) for p in data["trend"])
    parties = Baseline().after(True, [_organisation(o) for o in data["parties"]])
    return Checkpoint(data["run_id"], data["started"], leaks, parties)


def _organisation(row: Iterable) -> Organisation:
    key, name, domains = row
    return Organisation(key, name, frozenset(domains))


def _save(conn: sqlite3.Connection, key: SeriesKey, checkpoint: Checkpoint) -> None:
    state, previous = checkpoint.leaks, checkpoint.leaks.previous
    assert previous is not None
    data = {
        "version": VERSION,
        "run_id": checkpoint.run_id,
        "started": checkpoint.started,
        "open": state.open_,
        "last_seen": state.last_seen,
        "previous": [*_ref(previous), sorted(previous.leaks)],
        "trend": list(state.trend),
        "parties": [[o.key, o.name, sorted(o.domains)] for o in checkpoint.parties.known.values()],
    }
    conn.execute("DELETE FROM series_state WHERE system = ? AND environment IS ?", key)
    conn.execute(
        "INSERT INTO series_state (system, environment, run_id, state) VALUES (?, ?, ?, ?)",
        (*key, checkpoint.run_id, json.dumps(data)),
    )


def _ref(run: SystemRun) -> list:
    return [run.run_id, run.started, run.verdict, run.complete]


def _run(run_id: str, started: float, verdict: Verdict, complete: bool, leaks: list) -> SystemRun:
    return SystemRun(run_id, started, verdict, complete, frozenset(leaks))
