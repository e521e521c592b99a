"""History: every run and its leaks, so a report can say new, persisting or fixed.

`store` keeps the runs (SQLite) with their leaks by fingerprint (`crawler.analyse.fingerprints`),
`read` gives a system's series (its runs in one environment), `series` replays it into new /
persisting / fixed, `checkpoint` keeps the replay's state between nights, `acceptances` marks
leaks accepted in audit.toml, `third_parties` marks organisations new since the previous run,
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
from crawler.history.checkpoint import judge
from crawler.history.read import SeriesKey
from crawler.history.runs import RunMeta, write_run_json
from crawler.history.store import open_store, transaction, write_acceptances, write_run
from crawler.history.third_parties import Baseline, mark_new
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
    """Record the run and the acceptances in force (unless `db_path` is None), and give each
    system's result its fingerprints, history and run-wide notes, for its report. Writes
    run.json, which `cpraudit merge` reads."""
    today = today or date.today()
    out = [
        Audited(stamp_fingerprints(r).model_copy(update={"notes": r.notes + tuple(notes)}), f)
        for r, f in results
    ]
    if db_path is not None:
        with open_store(db_path) as conn, transaction(conn):
            new = write_run(conn, meta, (r for r, _ in out))
            out = [Audited(_judged(conn, r, meta, accepted, today), f) for r, f in out]
            for r, _ in out:
                if new and r.history:
                    write_acceptances(conn, meta.id, r.system, _in_force(r.history))
    if run_json:
        write_run_json(run_dir, meta, db_path)
    return out


def _judged(
    conn: sqlite3.Connection,
    result: SystemResult,
    meta: RunMeta,
    accepted: Sequence[Accepted],
    today: date,
) -> SystemResult:
    """The result seen against the earlier runs of its series: its third parties marked new or
    not, its history."""
    judged = judge(conn, SeriesKey(result.system, result.setup.environment), meta.id)
    if judged is None:  # not recorded: not audited
        return mark_new(result, Baseline())
    return mark_new(result, judged.parties).model_copy(
        update={"history": accept(judged.history, result.configured, accepted, today)}
    )


def _in_force(h: SystemHistory) -> list[tuple[str, str, str]]:
    return [(x.fingerprint, x.accepted, x.accepted_until or "") for x in h.findings if x.accepted]


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
