"""A run kept in the history: each system's result gets its history (new, persisting, no longer
found; the trend; third parties new since the previous run), seen within its series (the system
in one environment), and the run-wide notes; the acceptances in force are kept with its leaks,
so that `cpraudit history` can say when each began to apply."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

from crawler.history.checkpoint import judge
from crawler.history.read import SeriesKey
from crawler.history.runs import RunMeta, write_run_json
from crawler.history.store import open_store, transaction, write_acceptances, write_run
from crawler.history.third_parties import Baseline, mark_new
from crawler.model import Audited, SystemResult


def after_run(
    db_path: Path | None,
    meta: RunMeta,
    results: Sequence[Audited],
    run_dir: Path | None,
    notes: Sequence[str] = (),
    keep: bool = True,
) -> list[Audited]:
    """Record the run (unless `db_path` is None; with `keep` False, only to see its history and
    then leave the database as it was), and give each system's result its history and the
    run-wide notes, for its report. Writes run.json, which `cpraudit merge` reads, into
    `run_dir` unless it is None."""
    out = [Audited(r.model_copy(update={"notes": r.notes + tuple(notes)}), f) for r, f in results]
    if db_path is not None:
        with open_store(db_path) as conn, transaction(conn, commit=keep):
            out = _recorded(conn, meta, out)
    if run_dir is not None:
        write_run_json(run_dir, meta, db_path)
    return out


def _recorded(conn: sqlite3.Connection, meta: RunMeta, out: list[Audited]) -> list[Audited]:
    """Within the caller's transaction: the run written, each result judged against its series,
    the acceptances in force kept with the run's leaks."""
    new = write_run(conn, meta, (r for r, _ in out))
    judged = [Audited(_judged(conn, r, meta), f) for r, f in out]
    if new:
        for r, _ in judged:
            in_force = [a for a in r.acceptances if a.in_force]
            kept = [(a.fingerprint, a.reason, a.until.isoformat()) for a in in_force]
            write_acceptances(conn, meta.id, r.system, kept)
    return judged


def _judged(conn: sqlite3.Connection, result: SystemResult, meta: RunMeta) -> SystemResult:
    """The result seen against the earlier runs of its series: its third parties marked new or
    not, its history."""
    judged = judge(conn, SeriesKey(result.system, result.setup.environment), meta.id)
    if judged is None:  # not recorded: not audited
        return mark_new(result, Baseline())
    return mark_new(result, judged.parties).model_copy(update={"history": judged.history})


def summary_line(results: Iterable[SystemResult]) -> str:
    counts = {"new": 0, "persisting": 0, "gone": 0, "accepted": 0}
    for r in results:
        counts["accepted"] += sum(a.in_force for a in r.acceptances)
        if r.history:
            for h in r.history.findings:
                counts[h.status] += 1
            counts["gone"] += len(r.history.fixed)
    return (
        "History: {new} new, {persisting} persisting, {gone} no longer found since the previous "
        "run, {accepted} accepted"
    ).format(**counts)
