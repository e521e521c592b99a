"""The replay walks each series once and says what the replay it replaced said: on a generated
history of a few hundred nightly runs, every run of every system has the same new, persisting
and fixed leaks (with the same dates and counts), the same note, trend and new third parties,
whether seen by a nightly run (`after_run`, from the checkpoint of the night before or, without
one, from the record) or by `cpraudit history`."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from crawler import history
from crawler.history.store import open_store
from crawler.history.timeline import timeline
from crawler.model import Audited, SystemResult
from crawler.testing.history import Shape, nights

SHAPE = Shape(
    systems=3, nights=120, appear=0.06, fix=0.08, incomplete=0.12, swap=0.1, organisations=5
)


# -- the replay as it was: each run re-derived, third parties from every earlier run --------
@dataclass(frozen=True)
class OldRun:
    run_id: str
    started: float
    verdict: str
    complete: bool
    leaks: dict[str, str]


def old_system_runs(conn: sqlite3.Connection, system: str) -> list[OldRun]:
    rows = conn.execute(
        "SELECT s.run_id, r.started, s.verdict, s.complete "
        "FROM system_runs s JOIN runs r ON r.id = s.run_id "
        "WHERE s.system = ? ORDER BY r.started, r.rowid",
        (system,),
    ).fetchall()
    leaks: dict[str, dict[str, str]] = {}
    for run_id, fp in conn.execute(
        "SELECT run_id, fingerprint FROM findings WHERE system = ?", (system,)
    ):
        leaks.setdefault(run_id, {})[fp] = ""
    return [OldRun(i, s, v, bool(c), leaks.get(i, {})) for i, s, v, c in rows]


def old_replay(runs: list[OldRun]) -> Iterator[tuple[OldRun, dict]]:
    series: dict[str, tuple[float, int]] = {}
    reference: dict[str, str] = {}
    last_seen: dict[str, float] = {}
    for i, run in enumerate(runs):
        now = {
            fp: (series[fp][0], series[fp][1] + 1) if fp in series else (run.started, 1)
            for fp in run.leaks
        }
        if not run.complete:
            now.update({fp: s for fp, s in series.items() if fp not in now})
        leaks = {
            fp: (
                "new" if now[fp][1] == 1 else "persisting",
                *now[fp],
                last_seen.get(fp) if fp not in series else None,
            )
            for fp in run.leaks
        }
        fixed, unseen = {}, 0
        if run.complete:
            fixed = {
                fp: (series[fp][0], series[fp][1], last_seen[fp])
                for fp in reference
                if fp not in run.leaks
            }
            reference = dict(run.leaks)
        else:
            unseen = len([fp for fp in reference if fp not in run.leaks])
            reference.update(run.leaks)
        trend = [(r.started, r.verdict, len(r.leaks)) for r in runs[max(0, i + 1 - 12) : i + 1]]
        yield run, {"leaks": leaks, "fixed": fixed, "unseen": unseen, "trend": trend}
        series = now
        for fp in run.leaks:
            last_seen[fp] = run.started


def old_new_in_run(conn: sqlite3.Connection, system: str, run_id: str) -> list[str]:
    seen: dict[str, list[tuple[str, list[str]]]] = {}
    for rid, key, domains in conn.execute(
        "SELECT run_id, key, domains FROM third_parties WHERE system = ?", (system,)
    ):
        seen.setdefault(rid, []).append((key, domains.split()))
    keys: set[str] = set()
    seen_domains: set[str] = set()
    for run in old_system_runs(conn, system):
        if run.run_id == run_id:
            break
        if run.complete:
            keys, seen_domains = set(), set()
        for key, run_domains in seen.get(run.run_id, []):
            keys.add(key)
            seen_domains.update(run_domains)
    return sorted(
        name
        for name, key, domains in conn.execute(
            "SELECT organisation, key, domains FROM third_parties WHERE system = ? AND run_id = ?",
            (system, run_id),
        )
        if key not in keys and not seen_domains.intersection(domains.split())
    )


def old_view(conn: sqlite3.Connection, system: str) -> dict[str, dict]:
    out = {}
    for run, seen in old_replay(old_system_runs(conn, system)):
        seen["new_third_parties"] = old_new_in_run(conn, system, run.run_id)
        out[run.run_id] = seen
    return out


# -- the replay as it is, seen two ways ---------------------------------------------------
def seen_by_a_nightly_run(r: SystemResult) -> dict:
    h = r.history
    assert h is not None
    return {
        "leaks": {x.fingerprint: (x.status, x.since, x.runs, x.seen_before) for x in h.findings},
        "fixed": {x.fingerprint: (x.since, x.runs, x.last_seen) for x in h.fixed},
        "unseen": int(h.fixed_note.split()[0]) if h.fixed_note else 0,
        "trend": [(p.started, p.verdict, p.findings) for p in h.trend[-12:]],
        "new_third_parties": sorted(t.organisation for t in r.third_parties if t.new),
    }


def seen_by_history(conn: sqlite3.Connection) -> dict[tuple[str, str], dict]:
    out = {}
    for series in timeline(conn, None):
        trend: list[tuple] = []
        for n in series.nights:
            trend = [*trend, (n.run.started, n.night.run.verdict, len(n.night.leaks))][-12:]
            out[series.key.system, n.run.id] = {
                "leaks": {
                    x.fingerprint: (x.status, x.since, x.runs, x.seen_before) for x in n.night.leaks
                },
                "fixed": {x.fingerprint: (x.since, x.runs, x.last_seen) for x in n.night.fixed},
                "unseen": n.night.unseen,
                "trend": trend,
                "new_third_parties": sorted(o.name for o in n.new_parties),
            }
    return out


def test_the_replay_says_what_the_old_replay_said_of_every_run(tmp_path):
    db = tmp_path / "history.sqlite"
    nightly: dict[tuple[str, str], dict] = {}
    for night, (meta, results) in enumerate(nights(SHAPE)):
        if night % 23 == 22:  # as if an older cpraudit had written the night before
            with open_store(db) as conn:
                conn.execute("DELETE FROM series_state")
        judged = history.after_run(db, meta, [Audited(r, r.system) for r in results], None)
        for r, _ in judged:
            nightly[r.system, meta.id] = seen_by_a_nightly_run(r)

    with open_store(db) as conn:
        systems = [s for (s,) in conn.execute("SELECT DISTINCT system FROM system_runs")]
        old = {(s, run_id): v for s in systems for run_id, v in old_view(conn, s).items()}
        replayed = seen_by_history(conn)

    assert len(old) == SHAPE.systems * SHAPE.nights
    assert nightly == old
    assert replayed == old
    statuses = [x[0] for v in old.values() for x in v["leaks"].values()]
    regressions = [x for v in old.values() for x in v["leaks"].values() if x[3]]
    assert {"new", "persisting"} <= set(statuses) and regressions, "the history exercises both"
    assert sum(bool(v["fixed"]) for v in old.values()) > 20
    assert sum(v["unseen"] for v in old.values()) > 20, "incomplete runs that saw less"
    assert sum(len(v["new_third_parties"]) for v in old.values()) > SHAPE.systems * 5


def test_a_run_merged_in_before_later_runs_is_judged_from_the_record(tmp_path):
    """A shard's run recorded after a later night: it is seen against the runs before it, and
    the next night against all of them."""
    db = tmp_path / "history.sqlite"
    generated = list(nights(Shape(systems=3, nights=40, appear=0.1, fix=0.1, incomplete=0.2)))
    late = generated.pop(30)
    nightly: dict[tuple[str, str], dict] = {}
    for meta, results in [*generated[:35], late, *generated[35:]]:
        judged = history.after_run(db, meta, [Audited(r, r.system) for r in results], None)
        for r, _ in judged:
            nightly[r.system, meta.id] = seen_by_a_nightly_run(r)
    since_the_late_run = {late[0].id} | {meta.id for meta, _ in generated[35:]}
    with open_store(db) as conn:
        replayed = seen_by_history(conn)
    assert {k: v for k, v in nightly.items() if k[1] in since_the_late_run} == {
        k: v for k, v in replayed.items() if k[1] in since_the_late_run
    }
