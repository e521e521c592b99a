"""A small TrackerDB for tests: the installed package's layout and SQLite schema, with
invented `.test` vendors (and two real names) instead of 5,000 domains. No network."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from crawler.owners.trackerdb import DB_FILE

_SCHEMA = """
CREATE TABLE categories(id INTEGER PRIMARY KEY, name TEXT UNIQUE);
CREATE TABLE companies (id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, description TEXT,
  privacy_url TEXT, website_url TEXT, ghostery_id TEXT, country VARCHAR (2),
  privacy_contact TEXT, notes TEXT);
CREATE TABLE tracker_domains (tracker TEXT NOT NULL, domain TEXT UNIQUE NOT NULL, notes TEXT);
CREATE TABLE trackers (id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, category_id INTEGER,
  website_url TEXT, company_id TEXT, ghostery_id TEXT, notes TEXT, alias TEXT);
"""
VERSION = "0.0.1-fixture"


@dataclass(frozen=True)
class Tracker:
    """A tracker of the fixture, its domains, and its company (None: a tracker without one)."""

    name: str
    category: str
    domains: tuple[str, ...]
    company: str | None = None
    country: str | None = None


FIXTURE = (
    Tracker(
        "Fixture Analytics", "site_analytics", ("fixture-analytics.test",), "Fixture Inc.", "US"
    ),
    Tracker("Fixture Pixel", "advertising", ("pixel.fixture-ads.test",), "Fixture Inc.", "US"),
    Tracker("Fixture CDN", "hosting", ("fixture-cdn.test",), "Fixture CDN GmbH", "DE"),
    Tracker(
        "Fixture Chat", "customer_interaction", ("fixture-chat.test",), "Fixture Chat ApS", "DK"
    ),
    Tracker("Ownerless CDN", "hosting", ("ownerless-cdn.test",)),
    Tracker("Google Analytics", "site_analytics", ("google-analytics.com",), "Google", "US"),
    Tracker("MaxCDN", "hosting", ("maxcdn.com",)),  # as the real one: no company
)


def write_trackerdb(folder: Path, trackers: tuple[Tracker, ...] = FIXTURE) -> Path:
    """A TrackerDB package folder (package.json, dist/trackerdb.db) at `folder`."""
    (folder / DB_FILE).parent.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text(
        json.dumps(
            {"name": "@ghostery/trackerdb", "version": VERSION, "license": "CC-BY-NC-SA-4.0"}
        )
    )
    with closing(sqlite3.connect(folder / DB_FILE)) as conn, conn:
        conn.executescript(_SCHEMA)
        categories = sorted({t.category for t in trackers})
        conn.executemany("INSERT INTO categories VALUES (?, ?)", enumerate(categories, 1))
        for i, t in enumerate(trackers):
            if t.company:
                conn.execute(
                    "INSERT OR IGNORE INTO companies (id, name, country, privacy_url) "
                    "VALUES (?, ?, ?, ?)",
                    (t.company, t.company, t.country, f"https://{t.domains[0]}/privacy"),
                )
            conn.execute(
                "INSERT INTO trackers (id, name, category_id, company_id) VALUES (?, ?, ?, ?)",
                (f"t{i}", t.name, categories.index(t.category) + 1, t.company),
            )
            conn.executemany(
                "INSERT INTO tracker_domains (tracker, domain) VALUES (?, ?)",
                [(f"t{i}", d) for d in t.domains],
            )
    return folder
