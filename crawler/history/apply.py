"""A run kept in the history: each system's result gets its history (new, persisting, no longer
found; the trend; third parties new since the previous run) and the run-wide notes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

from crawler.history.runs import RunMeta, write_run_json
from crawler.history.series import history_of
from crawler.history.store import insert_run, open_store, transaction
from crawler.history.third_parties import mark_new
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
        with open_store(db_path) as conn:
            out = _recorded(conn, meta, out) if keep else _previewed(conn, meta, out)
    if run_dir is not None:
        write_run_json(run_dir, meta, db_path)
    return out


def _recorded(conn: sqlite3.Connection, meta: RunMeta, out: list[Audited]) -> list[Audited]:
    with transaction(conn):
        insert_run(conn, meta, (r for r, _ in out))
    return [Audited(_with_history(conn, r, meta), f) for r, f in out]


def _previewed(conn: sqlite3.Connection, meta: RunMeta, out: list[Audited]) -> list[Audited]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        insert_run(conn, meta, (r for r, _ in out))
        return [Audited(_with_history(conn, r, meta), f) for r, f in out]
    finally:
        conn.execute("ROLLBACK")


def _with_history(conn: sqlite3.Connection, result: SystemResult, meta: RunMeta) -> SystemResult:
    return mark_new(conn, result, meta.id).model_copy(
        update={"history": history_of(conn, result.system, meta.id)}
    )


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
