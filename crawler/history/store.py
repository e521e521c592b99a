"""The history database: every run, each system's verdict and each leak, in SQLite.

`reports/history.sqlite` (beside the run folders; `--history PATH`) holds four tables of
record: `runs` (time, tool version, configuration digest, command, shard), `system_runs` (a
verdict per system per run, and the environment it ran in), `findings` (a row per leak,
identified by its fingerprint — see `fingerprints` — per system per run) and `third_parties` (a
row per organisation contacted, per system per run); and `series_state`, a cache of each series'
replay state after its latest run (see `checkpoint`). A database from before a table or column
gets it when next opened: the table empty, the column NULL (an environment of NULL is a run
without `--env`). Each run is written in one `BEGIN IMMEDIATE` transaction in WAL mode with a
busy timeout, so a crash leaves the previous state and two runs writing at once wait for each
other instead of failing or corrupting the file.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from crawler.analyse.fingerprints import encoding_path, fingerprint, location
from crawler.errors import BadInput
from crawler.history.runs import RunMeta
from crawler.model import Finding, SystemResult

BUSY_TIMEOUT_MS = 60_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, started REAL NOT NULL, finished REAL NOT NULL, tool_version TEXT NOT NULL,
    config_digest TEXT NOT NULL, command TEXT NOT NULL, shard TEXT, incomplete INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS system_runs (
    run_id TEXT NOT NULL REFERENCES runs(id), system TEXT NOT NULL, supplier TEXT,
    verdict TEXT NOT NULL, complete INTEGER NOT NULL, requests INTEGER NOT NULL,
    environment TEXT, PRIMARY KEY (run_id, system));
CREATE TABLE IF NOT EXISTS findings (
    run_id TEXT NOT NULL REFERENCES runs(id), system TEXT NOT NULL, fingerprint TEXT NOT NULL,
    domain TEXT NOT NULL, channel TEXT NOT NULL, location TEXT NOT NULL, encoding TEXT NOT NULL,
    host TEXT NOT NULL, example_url TEXT NOT NULL, count INTEGER NOT NULL,
    accepted TEXT, accepted_until TEXT, PRIMARY KEY (run_id, system, fingerprint));
CREATE INDEX IF NOT EXISTS runs_by_start ON runs (started);
CREATE INDEX IF NOT EXISTS system_runs_by_system ON system_runs (system);
DROP INDEX IF EXISTS findings_by_system;
CREATE INDEX IF NOT EXISTS findings_by_leak ON findings (system, fingerprint);
CREATE TABLE IF NOT EXISTS third_parties (
    run_id TEXT NOT NULL REFERENCES runs(id), system TEXT NOT NULL, key TEXT NOT NULL,
    organisation TEXT NOT NULL, domains TEXT NOT NULL, requests INTEGER NOT NULL,
    PRIMARY KEY (run_id, system, key));
CREATE INDEX IF NOT EXISTS third_parties_by_system ON third_parties (system);
CREATE TABLE IF NOT EXISTS series_state (
    system TEXT NOT NULL, environment TEXT, run_id TEXT NOT NULL, state TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS series_state_by_system ON series_state (system);
"""

_ADDED_COLUMNS = (  # (table, column, declaration): NULL in the rows of older databases
    ("system_runs", "environment", "TEXT"),
    ("findings", "accepted", "TEXT"),
    ("findings", "accepted_until", "TEXT"),
)


def check_readable(path: Path) -> None:
    """Before a run audits anything: a history it could not record into is said now, in one
    line, and the file is left exactly as it is (read only; none there is fine: a run makes it)."""
    if not path.exists():
        return
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
            verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.Error as exc:
        raise BadInput(
            f"{path}: not a readable cpraudit history database ({exc}); move it away or choose "
            "another with --history (or --history none)"
        ) from None
    if verdict != "ok" or not {"runs", "system_runs", "findings"} <= tables:
        raise BadInput(
            f"{path}: a damaged or foreign database ({verdict}); move it away or choose another "
            "with --history (or --history none)"
        )


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
                _add_columns(conn)
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


def _add_columns(conn: sqlite3.Connection) -> None:
    """Columns newer than a database's tables, added in place: an old history opens as it was."""
    for table, column, declaration in _ADDED_COLUMNS:
        if column not in {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")


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
def transaction(conn: sqlite3.Connection, commit: bool = True) -> Iterator[None]:
    """BEGIN IMMEDIATE takes the write lock up front: a concurrent writer waits (busy timeout).
    Without `commit`, what was written is only seen inside, then rolled back."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT" if commit else "ROLLBACK")


def complete(result: SystemResult) -> bool:
    """Whether the audit saw everything it set out to: only then is a missing leak fixed."""
    return result.verdict in ("leak", "clean") and not result.errors


def save_run(conn: sqlite3.Connection, meta: RunMeta, results: Iterable[SystemResult]) -> bool:
    """Write a run and its systems' leaks in one transaction; False if the run was already there
    (a merge re-importing a shard that wrote to the same database)."""
    with transaction(conn):
        return write_run(conn, meta, results)


def write_run(conn: sqlite3.Connection, meta: RunMeta, results: Iterable[SystemResult]) -> bool:
    """`save_run` within the caller's transaction."""
    if conn.execute("SELECT 1 FROM runs WHERE id = ?", (meta.id,)).fetchone():
        return False
    conn.execute(
        "INSERT INTO runs (id, started, finished, tool_version, config_digest, command, shard, "
        "incomplete) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
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
            "INSERT OR REPLACE INTO system_runs (run_id, system, supplier, verdict, complete, "
            "requests, environment) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                meta.id,
                r.system,
                r.supplier,
                r.verdict,
                int(complete(r)),
                r.requests,
                r.setup.environment,
            ),
        )
        conn.executemany(
            "INSERT OR REPLACE INTO third_parties (run_id, system, key, organisation, domains, "
            "requests) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (meta.id, r.system, t.key, t.organisation, " ".join(t.domains), t.requests)
                for t in r.third_parties
            ],
        )
        for fp, group in _by_fingerprint(r).items():
            f = group[0]
            conn.execute(
                "INSERT OR REPLACE INTO findings (run_id, system, fingerprint, domain, channel, "
                "location, encoding, host, example_url, count) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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


def write_acceptances(
    conn: sqlite3.Connection, run_id: str, system: str, accepted: Iterable[tuple[str, str, str]]
) -> None:
    """The acceptances in force for a system's leaks in a run, (fingerprint, reason, last day),
    so that the history can say when each began to apply and with which reason."""
    conn.executemany(
        "UPDATE findings SET accepted = ?, accepted_until = ? "
        "WHERE run_id = ? AND system = ? AND fingerprint = ?",
        [(reason, until, run_id, system, fp) for fp, reason, until in accepted],
    )


def _by_fingerprint(result: SystemResult) -> dict[str, list[Finding]]:
    groups: dict[str, list[Finding]] = {}
    for f in result.findings:
        groups.setdefault(f.fingerprint or fingerprint(result.configured, f), []).append(f)
    return groups


def default_path(run_dir: Path) -> Path:
    """Beside the run folders: reports/history.sqlite for reports/<time>-run/."""
    return run_dir.resolve().parent / "history.sqlite"


def chosen_path(option: str | None, run_dir: Path) -> Path | None:
    """What `--history` names: a database, 'none' for no history, default beside the run folder."""
    if option == "none":
        return None
    return Path(option) if option else default_path(run_dir)
