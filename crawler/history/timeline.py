"""`cpraudit history`'s timeline: per run, per system, what was new and what was fixed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime

from crawler.history.series import replay
from crawler.history.store import system_runs
from crawler.history.third_parties import new_in_run
from crawler.model import FindingHistory


def timeline(conn: sqlite3.Connection, system: str | None, since: float) -> list[dict]:
    names = (
        [system]
        if system
        else [n for (n,) in conn.execute("SELECT DISTINCT system FROM system_runs ORDER BY 1")]
    )
    per_run: dict[str, list[dict]] = {}
    for name in names:
        for run, h in replay(system_runs(conn, name)):
            per_run.setdefault(run.run_id, []).append(
                {
                    "system": name,
                    "verdict": run.verdict,
                    "complete": run.complete,
                    "leaks": [_leak(x) for x in h.findings],
                    "fixed": [_leak(x) for x in h.fixed],
                    "new_third_parties": new_in_run(conn, name, run.run_id),
                    **({"note": h.fixed_note} if h.fixed_note else {}),
                }
            )
    out = []
    for rid, started, finished, version, digest, command, shard, incomplete in conn.execute(
        "SELECT id, started, finished, tool_version, config_digest, command, shard, incomplete "
        "FROM runs WHERE started >= ? ORDER BY started, rowid",
        (since,),
    ):
        if system and rid not in per_run:
            continue
        out.append(
            {
                "id": rid,
                "started": _iso(started),
                "finished": _iso(finished),
                "tool_version": version,
                "config_digest": digest,
                "command": command,
                "shard": shard,
                "incomplete": bool(incomplete),
                "systems": per_run.get(rid, []),
            }
        )
    return out


def _leak(h: FindingHistory) -> dict:
    out = {
        "fingerprint": h.fingerprint,
        "status": h.status,
        "where": h.where,
        "since": _iso(h.since),
        "runs": h.runs,
    }
    if h.status == "fixed":
        out["last_seen"] = _iso(h.last_seen)
    if h.seen_before:
        out["seen_before"] = _iso(h.seen_before)
    return out


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def timeline_text(runs: list[dict]) -> Iterator[str]:
    if not runs:
        yield "no runs in the history"
    for run in runs:
        extra = (f"  shard {run['shard']}" if run["shard"] else "") + (
            "  INCOMPLETE" if run["incomplete"] else ""
        )
        yield (
            f"{run['started'].replace('T', ' ').replace('Z', ' UTC')}  run {run['id'][:8]}  "
            f"cpraudit {run['tool_version']}  config {run['config_digest']}{extra}"
        )
        for s in run["systems"]:
            new = [h for h in s["leaks"] if h["status"] == "new"]
            yield (
                f"  {s['system']:<24} {s['verdict']:<13} {len(s['leaks'])} leak(s): "
                f"{len(new)} new, {len(s['leaks']) - len(new)} persisting; "
                f"{len(s['fixed'])} fixed"
            )
            for h in new:
                yield f"      + new    {h['fingerprint']}  {h['where']}"
            for h in s["fixed"]:
                yield f"      - fixed  {h['fingerprint']}  {h['where']}"
            for name in s["new_third_parties"]:
                yield f"      + new third party  {name}"
            if s.get("note"):
                yield f"      ({s['note']})"
