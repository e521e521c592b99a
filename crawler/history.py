"""History: every run and its leaks in SQLite, so a report can say new, persisting or fixed.

`reports/history.sqlite` (beside the run folders; `--history PATH`) holds three tables:
`runs` (time, tool version, configuration digest, command, shard), `system_runs` (a verdict
per system per run) and `findings` (a row per leak, identified by its fingerprint — see
crawler/fingerprint.py — per system per run). Each run is written in one `BEGIN IMMEDIATE`
transaction in WAL mode with a busy timeout, so a crash leaves the previous state and two
runs writing at once wait for each other instead of failing or corrupting the file.

How a leak's status is decided, per system, from its runs in time order:
- new: not in the system's previous run (a leak fixed earlier and back again is new, with
  `seen_before`);
- persisting since <date>: in every run since that date (`runs` of them);
- fixed: in the previous run and not in this one.
A run that did not complete (inconclusive, or errors) proves no absence: a leak it did not
see neither ends a series nor counts as fixed; the next complete run decides.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
import uuid
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from crawler import __version__, recorder
from crawler.errors import BadInput
from crawler.fingerprint import encoding_path, fingerprint, location
from crawler.model import FindingHistory, SystemHistory, SystemResult, TrendPoint
from crawler.report import write_system
from crawler.verdict import EXIT_CLEAN, EXIT_INCONCLUSIVE, EXIT_LEAK

FAIL_ON = ("new", "any", "none")
TREND_RUNS = 12
BUSY_TIMEOUT_MS = 60_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, started REAL NOT NULL, finished REAL NOT NULL, tool_version TEXT NOT NULL,
    config_digest TEXT NOT NULL, command TEXT NOT NULL, shard TEXT, incomplete INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS system_runs (
    run_id TEXT NOT NULL REFERENCES runs(id), system TEXT NOT NULL, supplier TEXT, verdict TEXT NOT NULL,
    complete INTEGER NOT NULL, requests INTEGER NOT NULL, PRIMARY KEY (run_id, system));
CREATE TABLE IF NOT EXISTS findings (
    run_id TEXT NOT NULL REFERENCES runs(id), system TEXT NOT NULL, fingerprint TEXT NOT NULL,
    domain TEXT NOT NULL, channel TEXT NOT NULL, location TEXT NOT NULL, encoding TEXT NOT NULL,
    host TEXT NOT NULL, example_url TEXT NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (run_id, system, fingerprint));
CREATE INDEX IF NOT EXISTS system_runs_by_system ON system_runs (system);
CREATE INDEX IF NOT EXISTS findings_by_system ON findings (system);
"""


@dataclass(frozen=True)
class RunMeta:
    """One `cpraudit run` (or one shard of it), as the history and `run.json` keep it."""

    started: float
    finished: float
    config_digest: str
    command: str
    shard: str | None = None
    incomplete: bool = False
    tool_version: str = __version__
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    catalogue: str | None = None


# -- the database -----------------------------------------------------------------------
@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise BadInput(f"{path}: cannot open the history database ({exc}); choose a writable path with --history")
    with closing(conn):
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if _journal_mode_wal(conn) != "wal":
                raise BadInput(f"{path}: the history database cannot use WAL mode (a network file system?); "
                               "keep it on a local disk with --history")
            conn.execute("PRAGMA synchronous = NORMAL")
            with transaction(conn):
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    conn.execute(statement)
        except sqlite3.OperationalError as exc:
            if not _busy(exc):
                raise BadInput(f"{path}: not a cpraudit history database ({exc}); move it away or choose "
                               "another with --history") from None
            raise BadInput(f"{path}: the history database stayed locked by another run for "
                           f"{BUSY_TIMEOUT_MS // 1000} s; run again when it has finished") from None
        except sqlite3.DatabaseError as exc:
            raise BadInput(f"{path}: not a cpraudit history database ({exc}); move it away or choose "
                           "another with --history") from None
        yield conn


def _busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _journal_mode_wal(conn: sqlite3.Connection) -> str:
    """Switch to WAL. SQLite answers "database is locked" at once, without waiting out the busy
    timeout, when two processes open a new database together; so wait here, within the same limit."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            return conn.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower()
        except sqlite3.OperationalError as exc:
            if not _busy(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE takes the write lock up front: a concurrent writer waits (busy timeout)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def complete(result: SystemResult) -> bool:
    """Whether the audit saw everything it set out to: only then is a missing leak fixed."""
    return result.verdict in ("leak", "clean") and not result.errors


def record(conn: sqlite3.Connection, meta: RunMeta, results: Iterable[SystemResult]) -> bool:
    """Write a run and its systems' leaks in one transaction; False if the run was already there
    (a merge re-importing a shard that wrote to the same database)."""
    with transaction(conn):
        if conn.execute("SELECT 1 FROM runs WHERE id = ?", (meta.id,)).fetchone():
            return False
        conn.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     (meta.id, meta.started, meta.finished, meta.tool_version, meta.config_digest,
                      meta.command, meta.shard, int(meta.incomplete)))
        for r in results:
            if r.verdict == "not-audited":
                continue
            conn.execute("INSERT OR REPLACE INTO system_runs VALUES (?, ?, ?, ?, ?, ?)",
                         (meta.id, r.system, r.supplier, r.verdict, int(complete(r)), r.requests))
            for fp, group in _by_fingerprint(r).items():
                f = group[0]
                conn.execute("INSERT OR REPLACE INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             (meta.id, r.system, fp, f.domain or f.host, f.channel, location(f),
                              encoding_path(f), f.host, f.request_url[:2000], len(group)))
    return True


def _by_fingerprint(result: SystemResult) -> dict:
    groups: dict = {}
    for f in result.findings:
        groups.setdefault(f.fingerprint or fingerprint(result.system, f), []).append(f)
    return groups


# -- replaying a system's runs ----------------------------------------------------------
@dataclass(frozen=True)
class SystemRun:
    run_id: str
    started: float
    verdict: str
    complete: bool
    leaks: dict  # fingerprint -> "where" text


def system_runs(conn: sqlite3.Connection, system: str) -> list[SystemRun]:
    rows = conn.execute(
        "SELECT s.run_id, r.started, s.verdict, s.complete FROM system_runs s JOIN runs r ON r.id = s.run_id "
        "WHERE s.system = ? ORDER BY r.started, r.rowid", (system,)).fetchall()
    leaks: dict[str, dict] = {}
    for run_id, fp, domain, channel, where, enc in conn.execute(
            "SELECT run_id, fingerprint, domain, channel, location, encoding FROM findings WHERE system = ?",
            (system,)):
        leaks.setdefault(run_id, {})[fp] = f"{domain} · {channel} · {where} ({enc})"
    return [SystemRun(run_id, started, verdict, bool(done), leaks.get(run_id, {}))
            for run_id, started, verdict, done in rows]


def replay(runs: Sequence[SystemRun]) -> Iterator[tuple[SystemRun, SystemHistory]]:
    """Each run of a system with its history as of that run, oldest first."""
    series: dict[str, tuple[float, int]] = {}    # fingerprint -> (since, runs)
    reference: dict[str, str] = {}              # leaks since the last complete run, for "fixed"
    last_seen: dict[str, float] = {}
    previous: float | None = None
    for i, run in enumerate(runs):
        now = {fp: (series[fp][0], series[fp][1] + 1) if fp in series else (run.started, 1) for fp in run.leaks}
        if not run.complete:  # absence proves nothing: carry the other series over unchanged
            now.update({fp: s for fp, s in series.items() if fp not in now})
        findings = tuple(FindingHistory(
            fingerprint=fp, status="new" if now[fp][1] == 1 else "persisting", since=now[fp][0], runs=now[fp][1],
            seen_before=last_seen.get(fp) if fp not in series else None, where=where)
            for fp, where in sorted(run.leaks.items()))
        fixed, note = (), None
        if run.complete:
            fixed = tuple(FindingHistory(fingerprint=fp, status="fixed", since=series[fp][0] if fp in series else 0.0,
                                         runs=series[fp][1] if fp in series else 0, last_seen=last_seen.get(fp, 0.0),
                                         where=where)
                          for fp, where in sorted(reference.items()) if fp not in run.leaks)
            reference = dict(run.leaks)
        else:
            missing = [fp for fp in reference if fp not in run.leaks]
            reference.update(run.leaks)
            if missing:
                note = (f"{len(missing)} leak(s) of earlier runs were not seen, but this audit did not complete, "
                        "so they are not counted as fixed")
        trend = tuple(TrendPoint(started=r.started, verdict=r.verdict, findings=len(r.leaks))
                      for r in runs[max(0, i + 1 - TREND_RUNS): i + 1])
        yield run, SystemHistory(previous_run=previous, findings=findings, fixed=fixed, fixed_note=note, trend=trend)
        series = {fp: s for fp, s in now.items()}
        for fp in run.leaks:
            last_seen[fp] = run.started
        previous = run.started


def history_of(conn: sqlite3.Connection, system: str, run_id: str) -> SystemHistory | None:
    return next((h for run, h in replay(system_runs(conn, system)) if run.run_id == run_id), None)


# -- acceptances ----------------------------------------------------------------------
def accept(history: SystemHistory, system: str, accepted: Sequence, today: date) -> SystemHistory:
    """Mark leaks accepted in audit.toml (`[[accepted]]`: system, fingerprint, reason, expires).
    An acceptance past its date is shown as expired and the leak counts again."""
    marked = []
    for h in history.findings:
        match = next((a for a in accepted if a.system.casefold() == system.casefold()
                      and a.fingerprint == h.fingerprint), None)
        if match is None:
            marked.append(h)
        elif match.expires >= today:
            marked.append(h.model_copy(update={"accepted": match.reason, "accepted_until": match.expires.isoformat()}))
        else:
            marked.append(h.model_copy(update={"expired": match.expires.isoformat()}))
    return history.model_copy(update={"findings": tuple(marked)})


# -- what a run does with it ----------------------------------------------------------------
def stamp_fingerprints(result: SystemResult) -> SystemResult:
    return result.model_copy(update={"findings": tuple(
        f.model_copy(update={"fingerprint": fingerprint(result.system, f)}) for f in result.findings)})


def after_run(db_path: Path | None, meta: RunMeta, results: list[tuple[SystemResult, str]], run_dir: Path,
              accepted: Sequence = (), notes: Sequence[str] = (), today: date | None = None,
              run_json: bool = True) -> list[tuple[SystemResult, str]]:
    """Record the run (unless `db_path` is None), then give each system's result its
    fingerprints, history and run-wide notes, and rewrite its findings.json and report.html
    with them. Writes run.json, which `cpraudit merge` reads."""
    today = today or date.today()
    out = [(stamp_fingerprints(r).model_copy(update={"notes": r.notes + tuple(notes)}), f) for r, f in results]
    if db_path is not None:
        with connect(db_path) as conn:
            record(conn, meta, (r for r, _ in out))
            out = [(r.model_copy(update={"history": _history(conn, r, meta, accepted, today)}), f) for r, f in out]
    for result, folder in out:
        rewrite(result, run_dir / folder)
    if run_json:
        write_run_json(run_dir, meta, db_path)
    return out


def _history(conn, result: SystemResult, meta: RunMeta, accepted: Sequence, today: date) -> SystemHistory | None:
    found = history_of(conn, result.system, meta.id)
    return accept(found, result.system, accepted, today) if found else None


def rewrite(result: SystemResult, folder: Path) -> None:
    requests = folder / "requests.jsonl"
    exchanges = recorder.load(requests)[0] if requests.is_file() else []
    write_system(result, exchanges, folder)


def write_run_json(run_dir: Path, meta: RunMeta, db_path: Path | None) -> None:
    data = asdict(meta) | {"history": str(db_path) if db_path else None}
    (run_dir / "run.json").write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


def read_run_json(run_dir: Path) -> RunMeta | None:
    path = run_dir / "run.json"
    if not path.is_file():
        return None
    data = json.loads(path.read_text("utf-8"))
    data.pop("history", None)
    return RunMeta(**{k: v for k, v in data.items() if k in RunMeta.__dataclass_fields__})


def config_digest(config_path: Path, scenario_files: Iterable[Path] = ()) -> str:
    """SHA-256 over audit.toml and the scenario files it names: a changed scenario is a changed audit."""
    digest = hashlib.sha256()
    for path in [config_path, *sorted(set(scenario_files))]:
        digest.update(str(path.name).encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"(missing)")
    return digest.hexdigest()[:16]


def default_path(run_dir: Path) -> Path:
    """Beside the run folders: reports/history.sqlite for reports/<time>-run/."""
    return run_dir.resolve().parent / "history.sqlite"


# -- the exit code ------------------------------------------------------------------------
def exit_code(results: Iterable[SystemResult], fail_on: str = "any") -> int:
    """1 if a leak that `fail_on` counts was found (any: every leak not accepted; new: only
    leaks new in this run and not accepted; none: no leak); else 2 if anything was
    inconclusive or nothing was audited; else 0."""
    results = list(results)
    for r in results:
        if r.verdict != "leak" or fail_on == "none":
            continue
        if not r.findings and fail_on == "any":  # a leak verdict without findings: latent leaks that fail
            return EXIT_LEAK
        for f in r.findings:
            h = r.history.of(f.fingerprint) if r.history else None
            if h is not None and h.accepted:
                continue
            if fail_on == "any" or h is None or h.status == "new":
                return EXIT_LEAK
    verdicts = [r.verdict for r in results]
    if not verdicts or "inconclusive" in verdicts:
        return EXIT_INCONCLUSIVE
    return EXIT_CLEAN


def summary_line(results: Iterable[SystemResult]) -> str:
    counts = {"new": 0, "persisting": 0, "fixed": 0, "accepted": 0}
    for r in results:
        if r.history:
            for h in r.history.findings:
                counts[h.status] += 1
                counts["accepted"] += bool(h.accepted)
            counts["fixed"] += len(r.history.fixed)
    return ("History: {new} new, {persisting} persisting, {fixed} fixed since the previous run, "
            "{accepted} accepted").format(**counts)


# -- `cpraudit history` -------------------------------------------------------------------
def add_parser(sub) -> None:
    p = sub.add_parser("history", help="print the timeline of earlier runs: leaks new, persisting and fixed")
    p.add_argument("--history", default="reports/history.sqlite", metavar="PATH",
                   help="the history database (default reports/history.sqlite)")
    p.add_argument("--system", metavar="NAME", help="only this system")
    p.add_argument("--since", type=_date, metavar="DATE", help="only runs on or after this day (YYYY-MM-DD, UTC)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_history)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"--since {text!r} is not a date: write it as YYYY-MM-DD") from None


def cmd_history(args) -> int:
    path = Path(args.history)
    if not path.is_file():
        raise BadInput(f"{path}: no history database; run `cpraudit run` first or give one with --history")
    since = datetime.combine(args.since, datetime.min.time(), timezone.utc).timestamp() if args.since else 0.0
    with connect(path) as conn:
        runs = timeline(conn, args.system, since)
    if args.system and not any(s for run in runs for s in run["systems"]):
        raise BadInput(f"--system {args.system!r}: no run of it in {path}; names are as in audit.toml")
    if args.json:
        print(json.dumps({"history": str(path), "runs": runs}, indent=2, ensure_ascii=False))
    else:
        for line in timeline_text(runs):
            print(line)
    return 0


def timeline(conn: sqlite3.Connection, system: str | None, since: float) -> list[dict]:
    names = [system] if system else [n for (n,) in conn.execute("SELECT DISTINCT system FROM system_runs ORDER BY 1")]
    per_run: dict[str, list[dict]] = {}
    for name in names:
        for run, h in replay(system_runs(conn, name)):
            per_run.setdefault(run.run_id, []).append({
                "system": name, "verdict": run.verdict, "complete": run.complete,
                "leaks": [_leak(x) for x in h.findings], "fixed": [_leak(x) for x in h.fixed],
                **({"note": h.fixed_note} if h.fixed_note else {})})
    out = []
    for rid, started, finished, version, digest, command, shard, incomplete in conn.execute(
            "SELECT id, started, finished, tool_version, config_digest, command, shard, incomplete "
            "FROM runs WHERE started >= ? ORDER BY started, rowid", (since,)):
        if system and rid not in per_run:
            continue
        out.append({"id": rid, "started": _iso(started), "finished": _iso(finished), "tool_version": version,
                    "config_digest": digest, "command": command, "shard": shard, "incomplete": bool(incomplete),
                    "systems": per_run.get(rid, [])})
    return out


def _leak(h: FindingHistory) -> dict:
    out = {"fingerprint": h.fingerprint, "status": h.status, "where": h.where, "since": _iso(h.since), "runs": h.runs}
    if h.status == "fixed":
        out["last_seen"] = _iso(h.last_seen)
    if h.seen_before:
        out["seen_before"] = _iso(h.seen_before)
    return out


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def timeline_text(runs: list[dict]) -> Iterator[str]:
    if not runs:
        yield "no runs in the history"
    for run in runs:
        extra = (f"  shard {run['shard']}" if run["shard"] else "") + ("  INCOMPLETE" if run["incomplete"] else "")
        yield (f"{run['started'].replace('T', ' ').replace('Z', ' UTC')}  run {run['id'][:8]}  "
               f"cpraudit {run['tool_version']}  config {run['config_digest']}{extra}")
        for s in run["systems"]:
            new = [h for h in s["leaks"] if h["status"] == "new"]
            yield (f"  {s['system']:<24} {s['verdict']:<13} {len(s['leaks'])} leak(s): {len(new)} new, "
                   f"{len(s['leaks']) - len(new)} persisting; {len(s['fixed'])} fixed")
            for h in new:
                yield f"      + new    {h['fingerprint']}  {h['where']}"
            for h in s["fixed"]:
                yield f"      - fixed  {h['fingerprint']}  {h['where']}"
            if s.get("note"):
                yield f"      ({s['note']})"
