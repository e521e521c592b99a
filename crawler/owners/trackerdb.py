"""Ghostery's TrackerDB: owner, country and category of some 5,000 tracker and CDN domains.

Installed by `cpraudit setup` (`crawler.npm`: pinned, `npm ci`) and read here without Node,
from the SQLite export the package ships (`dist/trackerdb.db`: tracker_domains -> trackers ->
companies, categories), one indexed query per host, so an audit pays nothing to open it. It is
licensed CC BY-NC-SA 4.0, which is why it is installed beside cpraudit rather than bundled in
it, and why every report that uses it names it.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from crawler import npm
from crawler.model import OwnerInfo

ENV_VAR = "CPRAUDIT_TRACKERDB"  # the package's folder, to use another copy
DB_FILE = Path("dist", "trackerdb.db")

_QUERY = """
SELECT t.name, cat.name, c.name, c.country, c.website_url, c.privacy_url, c.privacy_contact
FROM tracker_domains d JOIN trackers t ON t.id = d.tracker
LEFT JOIN categories cat ON cat.id = t.category_id LEFT JOIN companies c ON c.id = t.company_id
WHERE d.domain = ?"""


@dataclass(frozen=True)
class Database:
    """An opened TrackerDB; `name` says which one and its licence."""

    name: str
    conn: sqlite3.Connection
    _seen: dict[str, OwnerInfo | None] = field(default_factory=dict, compare=False)

    def get(self, domain: str) -> OwnerInfo | None:
        """The owner of the tracker that lists `domain`: its organisation, or for a tracker
        without one (e.g. "MaxCDN") the tracker itself."""
        if domain not in self._seen:
            self._seen[domain] = self._lookup(domain)
        return self._seen[domain]

    def _lookup(self, domain: str) -> OwnerInfo | None:
        row = self.conn.execute(_QUERY, (domain,)).fetchone()
        if row is None:
            return None
        tracker, category, company, country, website, policy, contact = row
        name = company or tracker
        return OwnerInfo(
            key=name.casefold(),
            name=name,
            country=country or None,
            category=category,
            website=website or None,
            privacy_policy=policy or None,
            privacy_contact=contact or None,
            source="trackerdb",
        )


def locate() -> Path | None:
    """$CPRAUDIT_TRACKERDB, else the package `cpraudit setup` installed; None if neither is."""
    folder = npm.package_dir(npm.TRACKERDB, ENV_VAR)
    return folder if os.environ.get(ENV_VAR) or folder.is_dir() else None


def database() -> Database | str:
    """The installed database, or why there is none (one line that names the fix)."""
    path = locate()
    if path is None:
        return (
            "the owner database (Ghostery TrackerDB) is not installed, so owners beyond "
            f"cpraudit's own short list are unknown; {npm.HOW_TO_INSTALL}, or set {ENV_VAR} to "
            "its folder"
        )
    return open_database(path.resolve())


@lru_cache(maxsize=4)
def open_database(folder: Path) -> Database | str:
    try:
        meta = json.loads((folder / "package.json").read_text("utf-8"))
        uri = (folder / DB_FILE).as_uri() + "?mode=ro&immutable=1"
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        conn.execute(_QUERY, ("example.com",)).fetchall()  # the schema is the one we read
    except (OSError, ValueError, sqlite3.Error) as exc:
        return (
            f"the owner database at {folder} cannot be read ({str(exc)[:200]}), so owners "
            f"beyond cpraudit's own short list are unknown; {npm.HOW_TO_INSTALL}, or set "
            f"{ENV_VAR} to a TrackerDB package folder"
        )
    return Database(f"Ghostery TrackerDB {meta.get('version', '?')} ({meta.get('license')})", conn)
