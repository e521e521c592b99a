"""Who is on the page, end to end: a portal on loopback whose `.test` vendors the fixture
TrackerDB names; each agreement status in the report and findings.json; fail_on_unagreed; and,
across two nightly runs, a new third party in the report, the index and `--quiet` output."""

from __future__ import annotations

import json
import sqlite3

import pytest

from crawler.cli import main
from crawler.history.store import open_store
from crawler.testing import Response, SiteServer

pytestmark = pytest.mark.browser  # every test here starts Chromium

CPR = "0707614285"
VENDORS = (
    '<link rel="stylesheet" href="http://static.fixture-cdn.test/site.css">'  # DE, processor
    '<img src="http://www.fixture-analytics.test/collect?dt=Forside">'  # US, no agreement
    '<script src="http://fixture-chat.test/widget.js"></script>'  # DK, agreement run out
    '<img src="http://x.hostile.test/p.gif">'  # named in audit.toml, hostile name
)
LATER = '<img src="http://eu.ownerless-cdn.test/t.gif">'  # appears on the second night


def portal(extra: str = "") -> Response:
    return Response(f"<!doctype html><h1>Portal</h1>{VENDORS}{extra}")


def config(tmp_path, server, fail_on_unagreed: bool) -> str:
    path = tmp_path / "audit.toml"
    path.write_text(f"""
[[citizens]]
id = "jens"
cpr = "{CPR}"

[[owners]]
name = "<script>alert(1)</script> Hostile ApS"
country = "SE"
domains = ["hostile.test"]

[[systems]]
name = "TastSelv"
supplier = "KMD"
start_url = "http://portal.skat.test/"
first_party = ["skat.test"]
resolve = ["{server.resolve_rules()[0]}"]
crawl = {{ depth = 0, dwell = 0.3, max_pages = 1 }}
fail_on_unagreed = {str(fail_on_unagreed).lower()}
processors = [
  {{ domain = "fixture-cdn.test", agreement = "DBA-2024-017", expires = 2099-12-31 }},
  {{ domain = "fixture-chat.test", agreement = "DBA-2019-031", expires = 2021-06-30 }},
  {{ domain = "hostile.test", agreement = "DBA-2020-001" }},
]
""")
    return str(path)


def night(tmp_path, conf, name, *args):
    out = tmp_path / name
    code = main(["run", conf, "--out", str(out), "--history", str(tmp_path / "h.sqlite"), *args])
    data = json.loads((out / "tastselv" / "findings.json").read_text())
    return code, {t["organisation"]: t for t in data["third_parties"]}, data, out


def test_each_status_shows_in_the_report_and_findings_json(tmp_path):
    with SiteServer({"portal.skat.test/": portal()}) as server:
        code, parties, data, out = night(tmp_path, config(tmp_path, server, True), "one")
    assert data["verdict"] == "clean" and data["agreement_verdict"] == "fail"
    assert code == 1, "fail_on_unagreed: a third party without an agreement fails the system"
    hostile = "<script>alert(1)</script> Hostile ApS"
    assert {k: (t["status"], t["country"], t["third_country"]) for k, t in parties.items()} == {
        "Fixture CDN GmbH": ("agreement", "DE", False),
        "Fixture Inc.": ("no-agreement", "US", True),
        "Fixture Chat ApS": ("agreement-expired", "DK", False),
        hostile: ("agreement", "SE", False),
    }
    assert parties["Fixture CDN GmbH"]["agreements"] == ["DBA-2024-017"]
    assert parties["Fixture Chat ApS"]["agreement_expires"] == "2021-06-30"
    assert parties["Fixture Inc."]["hosts"] == ["www.fixture-analytics.test"]
    assert {t["source"] for t in parties.values()} == {"trackerdb", "audit.toml"}
    assert data["owner_database"] == "Ghostery TrackerDB 0.0.1-fixture (CC-BY-NC-SA-4.0)"

    report = (out / "tastselv" / "report.html").read_text()
    section = report[report.index('<section id="third-parties"') :]
    for text in (
        "Data-processing agreements: FAIL",
        "no data-processing agreement registered</span>",
        "data-processing agreement expired</span> 30 Jun 2021",
        "data-processing agreement</span> DBA-2024-017, up to and including 31 Dec 2099",
        "third country</span>",
        "Ghostery TrackerDB 0.0.1-fixture (CC-BY-NC-SA-4.0)",
    ):
        assert text in report, text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Hostile ApS" in section
    assert "<script>alert" not in report
    index = (out / "index.html").read_text()
    assert (
        "4 organisations · 2 without a registered data-processing agreement · "
        "1 outside the EU/EEA" in index
    )
    assert "data-processing agreements: fail" in index
    summary = json.loads((out / "summary.json").read_text())["systems"]
    (row,) = [s for s in summary if s["system"] == "TastSelv"]
    assert (row["organisations"], row["organisations_without_agreement"]) == (4, 2)
    assert (row["organisations_outside_eea"], row["agreement_verdict"]) == (1, "fail")
    assert 'failures="1"' in (out / "junit.xml").read_text()


def test_a_new_third_party_on_the_second_night(tmp_path, capsys):
    with SiteServer({"portal.skat.test/": portal()}) as server:
        conf = config(tmp_path, server, False)
        code, first, _, _ = night(tmp_path, conf, "one", "--quiet")
        assert code == 0 and all(t["new"] for t in first.values()), "a first run: all new"
        capsys.readouterr()

        code, same, _, _ = night(tmp_path, conf, "two", "--quiet", "--fail-on", "new-third-party")
        assert code == 0 and not any(t["new"] for t in same.values())
        assert capsys.readouterr().out == "", "quiet and nothing new: silent, for cron"

        server.routes["portal.skat.test/"] = portal(LATER)
        code, third, _, out = night(tmp_path, conf, "three", "--quiet")
        printed = capsys.readouterr().out
    assert code == 0, "a new third party alone does not fail unless asked"
    assert {k for k, t in third.items() if t["new"]} == {"Ownerless CDN"}
    assert "new third party: Ownerless CDN (country unknown; hosting; no agreement)" in printed
    assert "Index:" in printed, "quiet still speaks when something is new"
    report = (out / "tastselv" / "report.html").read_text()
    assert report.count("new third party</span>") == 1
    assert "new third party</span> Ownerless CDN" in (out / "index.html").read_text()
    summary = json.loads((out / "summary.json").read_text())["systems"]
    assert [s["new_third_parties"] for s in summary if s["system"] == "TastSelv"] == [
        ["Ownerless CDN"]
    ]

    db = str(tmp_path / "h.sqlite")
    assert main(["history", "--history", db, "--json"]) == 0
    runs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [len(r["new_third_parties"]) for r in runs] == [4, 0, 1]
    assert main(["history", "--history", db]) == 0
    assert "+ third party      Ownerless CDN" in capsys.readouterr().out


def test_fail_on_new_third_party_and_contradicting_rules(tmp_path, capsys):
    with SiteServer({"portal.skat.test/": portal()}) as server:
        conf = config(tmp_path, server, False)
        assert night(tmp_path, conf, "one")[0] == 0
        server.routes["portal.skat.test/"] = portal(LATER)
        assert night(tmp_path, conf, "two", "--fail-on", "new-third-party")[0] == 1
        assert main(["run", conf, "--fail-on", "new", "--fail-on", "none"]) == 2
    assert "contradict each other" in capsys.readouterr().err


def test_a_history_from_before_third_parties_is_migrated(tmp_path):
    db = tmp_path / "h.sqlite"
    old = sqlite3.connect(db)
    old.executescript(
        "CREATE TABLE runs (id TEXT PRIMARY KEY, started REAL NOT NULL, finished REAL NOT NULL,"
        " tool_version TEXT NOT NULL, config_digest TEXT NOT NULL, command TEXT NOT NULL,"
        " shard TEXT, incomplete INTEGER NOT NULL);"
        "INSERT INTO runs VALUES ('r0', 1, 2, '0.1', 'x', 'cpraudit run', NULL, 0);"
    )
    old.close()
    with open_store(db) as conn:
        tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master")}
        assert "third_parties" in tables
        assert conn.execute("SELECT count(*) FROM runs").fetchone() == (1,), "nothing lost"
