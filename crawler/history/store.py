"""The history database: every run, each system's verdict and each leak, in SQLite.

`reports/history.sqlite` (beside the run folders; `--history PATH`) holds four tables:
`runs` (time, tool version, configuration digest, command, shard), `system_runs` (a verdict
per system per run), `findings` (a row per leak, identified by its fingerprint — see
`fingerprints` — per system per run) and `third_parties` (a row per organisation contacted,
per system per run; databases from before it get the table when next opened, empty). Each
run is written in one `BEGIN IMMEDIATE` transaction in WAL mode with a busy timeout, so a crash
leaves the previous state and two runs writing at once wait for each other instead of failing
or corrupting the file.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from crawler.analyse.fingerprints import encoding_path, fingerprint, location
from crawler.errors import BadInput
from crawler.history.runs import RunMeta
from crawler.model import Finding, SystemResult, Verdict

BUSY_TIMEOUT_MS = 60_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, started REAL NOT NULL, finished REAL NOT NULL, tool_version TEXT NOT NULL,
    config_digest TEXT NOT NULL, command TEXT NOT NULL, shard TEXT, incomplete INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS system_runs (
    run_id TEXT NOT NULL REFERENCES runs(id), system TEXT NOT NULL, supplier TEXT,
    verdict TEXT NOT NULL, complete INTEGER NOT NULL, requests INTEGER NOT NULL,
    PRIMARY KEY (run_id, system));
CREATE TABLE IF NOT EXISTS findings (
    run_id TEXT NOT NULL REFERENCES runs(id), system TEXT NOT NULL, fingerprint TEXT NOT NULL,
    domain TEXT NOT NULL, channel TEXT NOT NULL, location TEXT NOT NULL, encoding TEXT NOT NULL,
    host TEXT NOT NULL, example_url TEXT NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (run_id, system, fingerprint));
CREATE INDEX IF NOT EXISTS system_runs_by_system ON system_runs (system);
CREATE INDEX IF NOT EXISTS findings_by_system ON findings (system);
CREATE TABLE IF NOT EXISTS third_parties (
    run_id TEXT NOT NULL REFERENCES runs(id), system TEXT NOT NULL, key TEXT NOT NULL,
    organisation TEXT NOT NULL, domains TEXT NOT NULL, requests INTEGER NOT NULL,
    PRIMARY KEY (run_id, system, key));
CREATE INDEX IF NOT EXISTS third_parties_by_system ON third_parties (system);
"""


@contextmanager
def open_store(path: Path) -> Iterator[sqlite3.Connection]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise BadInput(
            f"{path}: cannot open the history database ({exc}); "
            "choose a writable path with --history"
        ) from None
    with closing(conn):
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if _journal_mode_wal(conn) != "wal":
                raise BadInput(
                    f"{path}: the history database cannot use WAL mode (a network file system?); "
                    "keep it on a local disk with --history"
                )
            conn.execute("PRAGMA synchronous = NORMAL")
            with transaction(conn):
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    conn.execute(statement)
        except sqlite3.OperationalError as exc:
            if not _busy(exc):
                raise BadInput(
                    f"{path}: not a cpraudit history database ({exc}); move it away or choose "
                    "another with --history"
                ) from None
            raise BadInput(
                f"{path}: the history database stayed locked by another run for "
                f"{BUSY_TIMEOUT_MS // 1000} s; run again when it has finished"
            ) from None
        except sqlite3.DatabaseError as exc:
            raise BadInput(
                f"{path}: not a cpraudit history database ({exc}); move it away or choose "
                "another with --history"
            ) from None
        yield conn


def _busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _journal_mode_wal(conn: sqlite3.Connection) -> str:
    """Switch to WAL. SQLite answers "database is locked" at once, without waiting out the busy
    timeout, when two processes open a new database together; so wait here, within the same
    limit."""
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


def save_run(conn: sqlite3.Connection, meta: RunMeta, results: Iterable[SystemResult]) -> bool:
    """Write a run and its systems' leaks in one transaction; False if the run was already there
    (a merge re-importing a shard that wrote to the same database)."""
    with transaction(conn):
        return insert_run(conn, meta, results)


def insert_run(conn: sqlite3.Connection, meta: RunMeta, results: Iterable[SystemResult]) -> bool:
    """`save_run` inside a transaction the caller holds."""
    if conn.execute("SELECT 1 FROM runs WHERE id = ?", (meta.id,)).fetchone():
        return False
    conn.execute(
        "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            meta.id,
            meta.started,
            meta.finished,
            meta.tool_version,
            meta.config_digest,
            meta.command,
            meta.shard,
            int(meta.incomplete),
        ),
    )
    for r in results:
        if r.verdict == "not-audited":
            continue
        conn.execute(
            "INSERT OR REPLACE INTO system_runs VALUES (?, ?, ?, ?, ?, ?)",
            (meta.id, r.system, r.supplier, r.verdict, int(complete(r)), r.requests),
        )
        conn.executemany(
            "INSERT OR REPLACE INTO third_parties VALUES (?, ?, ?, ?, ?, ?)",
            [
                (meta.id, r.system, t.key, t.organisation, " ".join(t.domains), t.requests)
                for t in r.third_parties
            ],
        )
        for fp, group in _by_fingerprint(r).items():
            f = group[0]
            conn.execute(
                "INSERT OR REPLACE INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    meta.id,
                    r.system,
                    fp,
                    f.domain or f.host,
                    f.channel,
                    location(f),
                    encoding_path(f),
                    f.host,
                    f.request_url[:2000],
                    len(group),
                ),
            )
    return True


def _by_fingerprint(result: SystemResult) -> dict[str, list[Finding]]:
    groups: dict[str, list[Finding]] = {}
    for f in result.findings:
        groups.setdefault(f.fingerprint or fingerprint(result.configured, f), []).append(f)
    return groups


@dataclass(frozen=True)
class SystemRun:
    run_id: str
    started: float
    verdict: Verdict
    complete: bool
    leaks: dict[str, str]  # fingerprint -> "where" text


def system_runs(conn: sqlite3.Connection, system: str) -> list[SystemRun]:
    rows = conn.execute(
        "SELECT s.run_id, r.started, s.verdict, s.complete "
        "FROM system_runs s JOIN runs r ON r.id = s.run_id "
        "WHERE s.system = ? ORDER BY r.started, r.rowid",
        (system,),
    ).fetchall()
    leaks: dict[str, dict[str, str]] = {}
    for run_id, fp, domain, channel, where, enc in conn.execute(
        "SELECT run_id, fingerprint, domain, channel, location, encoding "
        "FROM findings WHERE system = ?",
        (system,),
    ):
        leaks.setdefault(run_id, {})[fp] = f"{domain} · {channel} · {where} ({enc})"
    return [
        SystemRun(run_id, started, verdict, bool(done), leaks.get(run_id, {}))
        for run_id, started, verdict, done in rows
    ]


def default_path(run_dir: Path) -> Path:
    """Beside the run folders: reports/history.sqlite for reports/<time>-run/."""
    return run_dir.resolve().parent / "history.sqlite"


def chosen_path(option: str | None, run_dir: Path) -> Path | None:
    """What `--history` names: a database, 'none' for no history, default beside the run folder."""
    if option == "none":
        return None
    return Path(option) if option else default_path(run_dir)
