"""History: every run and its leaks, so a report can say new, persisting or fixed.

`store` keeps the runs (SQLite) with their leaks by fingerprint (`crawler.analyse.fingerprints`),
`series` replays a system's runs into new / persisting / fixed, `acceptances` marks leaks
accepted in audit.toml, `third_parties` marks organisations new since the previous run,
`timeline` is what `cpraudit history` prints.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from crawler.analyse.fingerprints import fingerprint
from crawler.config import Accepted
from crawler.history.acceptances import accept
from crawler.history.runs import RunMeta, write_run_json
from crawler.history.series import history_of
from crawler.history.store import open_store, save_run
from crawler.history.third_parties import mark_new
from crawler.model import Audited, SystemHistory, SystemResult


def stamp_fingerprints(result: SystemResult) -> SystemResult:
    return result.model_copy(
        update={
            "findings": tuple(
                f.model_copy(update={"fingerprint": fingerprint(result.configured, f)})
                for f in result.findings
            )
        }
    )


def after_run(
    db_path: Path | None,
    meta: RunMeta,
    results: Sequence[Audited],
    run_dir: Path,
    accepted: Sequence[Accepted] = (),
    notes: Sequence[str] = (),
    today: date | None = None,
    run_json: bool = True,
) -> list[Audited]:
    """Record the run (unless `db_path` is None), and give each system's result its
    fingerprints, history and run-wide notes, for its report. Writes run.json, which
    `cpraudit merge` reads."""
    today = today or date.today()
    out = [
        Audited(stamp_fingerprints(r).model_copy(update={"notes": r.notes + tuple(notes)}), f)
        for r, f in results
    ]
    if db_path is not None:
        with open_store(db_path) as conn:
            save_run(conn, meta, (r for r, _ in out))
            out = [
                Audited(
                    mark_new(conn, r, meta.id).model_copy(
                        update={"history": _history(conn, r, meta, accepted, today)}
                    ),
                    f,
                )
                for r, f in out
            ]
    if run_json:
        write_run_json(run_dir, meta, db_path)
    return out


def _history(
    conn: sqlite3.Connection,
    result: SystemResult,
    meta: RunMeta,
    accepted: Sequence[Accepted],
    today: date,
) -> SystemHistory | None:
    found = history_of(conn, result.system, meta.id)
    return accept(found, result.configured, accepted, today) if found else None


def summary_line(results: Iterable[SystemResult]) -> str:
    counts = {"new": 0, "persisting": 0, "fixed": 0, "accepted": 0}
    for r in results:
        if r.history:
            for h in r.history.findings:
                counts[h.status] += 1
                counts["accepted"] += bool(h.accepted)
            counts["fixed"] += len(r.history.fixed)
    return (
        "History: {new} new, {persisting} persisting, {fixed} fixed since the previous run, "
        "{accepted} accepted"
    ).format(**counts)
