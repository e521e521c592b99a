"""`cpraudit history` on a real history file: by default only what changed (a series' first
run, verdicts, leaks new, reappeared and no longer found, new and gone third parties,
acceptances), with the leaks still there folded into one line each; `--since` and `--system`
narrow it; `--json` gives every run, one object per line. A system's runs in another
environment are a series of their own, and an old history file opens and goes on."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime

import pytest

from crawler import history
from crawler.analyse.acceptances import accept
from crawler.analyse.fingerprints import stamp_fingerprints
from crawler.cli import main
from crawler.config import Accepted
from crawler.history.runs import RunMeta
from crawler.history.store import open_store
from crawler.model import Audited, AuditSetup, SystemResult, ThirdParty
from crawler.testing import make_finding
from crawler.testing.history import Shape, write_history

FIRST = datetime(2026, 1, 1, 2, tzinfo=UTC).timestamp()
ANALYTICS = ThirdParty(organisation="Analytics Inc.", key="analytics", domains=("analytics.test",))
CDN = ThirdParty(organisation="CDN GmbH", key="cdn", domains=("cdn.test",))
CHAT = ThirdParty(organisation="Chat ApS", key="chat", domains=("chat.test",))


def tastselv(*params: str, parties=(ANALYTICS, CDN), complete=True, env=None) -> SystemResult:
    findings = tuple(
        make_finding(host="www.tracker.test", detail=f"query parameter {p}") for p in params
    )
    return SystemResult(
        system="TastSelv",
        verdict=("leak" if params else "clean") if complete else "inconclusive",
        requests=10,
        findings=findings,
        third_parties=parties,
        errors=() if complete else ("the scenario timed out",),
        setup=AuditSetup(environment=env),
    )


def forskud() -> SystemResult:
    return SystemResult(system="Forskud", verdict="clean", requests=4, third_parties=(ANALYTICS,))


def fp(param: str) -> str:
    return stamp_fingerprints(tastselv(param)).findings[0].fingerprint


def record(db, night: int, *results: SystemResult, accepted=()) -> list[SystemResult]:
    meta = RunMeta(
        started=FIRST + night * 86400,
        finished=FIRST + night * 86400 + 60,
        config_digest="x",
        command="cpraudit run audit.toml",
    )
    judged = history.after_run(
        db,
        meta,
        [
            Audited(accept(stamp_fingerprints(r), accepted, date(2026, 1, 1)), r.system)
            for r in results
        ],
        None,
    )
    return [r for r, _ in judged]


@pytest.fixture
def eight_nights(tmp_path):
    """TastSelv's eight nights: a leak, a second one and a change of CDN, an audit that did not
    complete, a fix, a regression, an acceptance; Forskud clean throughout."""
    db = tmp_path / "history.sqlite"
    accept_page = Accepted(
        system="TastSelv", fingerprint=fp("page"), reason="case 17", expires=date(2026, 3, 31)
    )
    nights = [
        [tastselv("dl")],
        [tastselv("dl")],
        [tastselv("dl")],
        [tastselv("dl", "page", parties=(ANALYTICS, CHAT))],
        [tastselv(parties=(), complete=False)],
        [tastselv("page", parties=(ANALYTICS, CHAT))],
        [tastselv("page", "dl", parties=(ANALYTICS, CHAT))],
        [tastselv("page", "dl", parties=(ANALYTICS, CHAT))],
    ]
    for night, results in enumerate(nights):
        record(db, night, *results, forskud(), accepted=[accept_page] if night == 7 else ())
    return db


WHERE = "tracker.test · url · query parameter {} (plain)"


def printed(capsys, *args: str) -> list[str]:
    capsys.readouterr()
    assert main(["history", *args]) == 0
    return capsys.readouterr().out.splitlines()


def test_history_shows_the_changes_and_folds_what_persists(eight_nights, capsys):
    dl, page = fp("dl"), fp("page")
    out = printed(capsys, "--history", str(eight_nights))
    assert out == [
        "Forskud · no --env · 8 run(s), 2026-01-01 to 2026-01-08",
        "  2026-01-01  clean  first run in the history",
        "      + third party      Analytics Inc.",
        "  now (2026-01-08, clean): 0 leak(s)",
        "TastSelv · no --env · 8 run(s), 2026-01-01 to 2026-01-08",
        "  2026-01-01  leak  first run in the history",
        f"      + new              {dl}  {WHERE.format('dl')}",
        "      + third party      Analytics Inc., CDN GmbH",
        "  2026-01-04  leak",
        f"      + new              {page}  {WHERE.format('page')}",
        "      + third party      Chat ApS",
        "      - third party      CDN GmbH",
        "  2026-01-05  inconclusive",
        "      (2 leaks of earlier runs were not seen, but this audit did not complete, so they "
        "are not counted as no longer found)",
        "  2026-01-06  leak",
        f"      - no longer found  {dl}  {WHERE.format('dl')}  (since 2026-01-01, 4 runs)",
        "  2026-01-07  leak",
        f"      + reappeared       {dl}  {WHERE.format('dl')}  (last seen 2026-01-04)",
        "  2026-01-08  leak",
        f"      accepted           {page}  until 2026-03-31: case 17",
        "  now (2026-01-08, leak): 2 leak(s)",
        *sorted(  # by fingerprint
            [
                f"      = {dl}  {WHERE.format('dl')}  since 2026-01-07 (2 runs)",
                f"      = {page}  {WHERE.format('page')}  since 2026-01-04 (4 runs), accepted "
                "until 2026-03-31",
            ]
        ),
    ]


def test_since_and_system_narrow_what_is_shown_not_what_is_counted(eight_nights, capsys):
    dl, page = fp("dl"), fp("page")
    out = printed(
        capsys, "--history", str(eight_nights), "--system", "TastSelv", "--since", "2026-01-06"
    )
    assert out == [
        "TastSelv · no --env · 3 run(s), 2026-01-06 to 2026-01-08",
        "  2026-01-06  leak",
        f"      - no longer found  {dl}  {WHERE.format('dl')}  (since 2026-01-01, 4 runs)",
        "  2026-01-07  leak",
        f"      + reappeared       {dl}  {WHERE.format('dl')}  (last seen 2026-01-04)",
        "  2026-01-08  leak",
        f"      accepted           {page}  until 2026-03-31: case 17",
        "  now (2026-01-08, leak): 2 leak(s)",
        *sorted(  # by fingerprint
            [
                f"      = {dl}  {WHERE.format('dl')}  since 2026-01-07 (2 runs)",
                f"      = {page}  {WHERE.format('page')}  since 2026-01-04 (4 runs), accepted "
                "until 2026-03-31",
            ]
        ),
    ]
    assert printed(capsys, "--history", str(eight_nights), "--since", "2026-02-01") == [
        "no runs in the history since 2026-02-01"
    ]


def test_json_is_every_run_of_every_series_one_object_a_line(eight_nights, capsys):
    lines = [json.loads(line) for line in printed(capsys, "--history", str(eight_nights), "--json")]
    assert [(x["system"], x["run"]["started"][:10]) for x in lines] == [
        (system, f"2026-01-0{night}") for system in ("Forskud", "TastSelv") for night in range(1, 9)
    ]
    tastselv_runs = lines[8:]
    assert {x["environment"] for x in lines} == {None}
    assert [[(x["fingerprint"], x["status"]) for x in r["leaks"]] for r in tastselv_runs] == [
        [(fp("dl"), "new")],
        [(fp("dl"), "persisting")],
        [(fp("dl"), "persisting")],
        sorted([(fp("dl"), "persisting"), (fp("page"), "new")]),
        [],
        [(fp("page"), "persisting")],
        sorted([(fp("dl"), "new"), (fp("page"), "persisting")]),
        sorted([(fp("dl"), "persisting"), (fp("page"), "persisting")]),
    ]
    assert [len(r["fixed"]) for r in tastselv_runs] == [0, 0, 0, 0, 0, 1, 0, 0]
    assert [r["gone_third_parties"] for r in tastselv_runs][3] == ["CDN GmbH"]
    assert "not counted as no longer found" in tastselv_runs[4]["note"]
    regressed = next(x for x in tastselv_runs[6]["leaks"] if x["fingerprint"] == fp("dl"))
    assert regressed["seen_before"] == "2026-01-04T02:00:00Z"
    accepted = next(x for x in tastselv_runs[7]["leaks"] if x["fingerprint"] == fp("page"))
    assert (accepted["accepted"], accepted["accepted_until"]) == ("case 17", "2026-03-31")
    assert printed(capsys, "--history", str(eight_nights), "--json", "--since", "2026-01-08")[0]


def test_a_test_environment_is_a_series_of_its_own(tmp_path, capsys):
    db = tmp_path / "history.sqlite"
    (on_test,) = record(db, 0, tastselv("dl", env="test"))
    (in_production,) = record(db, 1, tastselv("dl"))
    (on_test_again,) = record(db, 2, tastselv(env="test"))
    assert on_test.history.findings[0].status == "new"
    assert in_production.history.findings[0].status == "new", "the test run is not its past"
    assert in_production.history.previous_run is None
    assert all(t.new for t in in_production.third_parties)
    assert [h.fingerprint for h in on_test_again.history.fixed] == [fp("dl")]
    assert on_test_again.history.previous_run == FIRST, "compared with the test run before it"

    out = printed(capsys, "--history", str(db))
    assert [line for line in out if not line.startswith(" ")] == [
        "TastSelv · no --env · 1 run(s), 2026-01-02 to 2026-01-02",
        "TastSelv · env test · 2 run(s), 2026-01-01 to 2026-01-03",
    ]
    lines = [json.loads(line) for line in printed(capsys, "--history", str(db), "--json")]
    assert [(x["environment"], x["run"]["started"][:10]) for x in lines] == [
        (None, "2026-01-02"),
        ("test", "2026-01-01"),
        ("test", "2026-01-03"),
    ]


def test_a_history_from_before_environments_opens_and_goes_on(tmp_path, capsys):
    """The tables as cpraudit wrote them before a run's environment and acceptances were kept:
    its runs are the series without --env, and the next run continues it."""
    db = tmp_path / "history.sqlite"
    old = sqlite3.connect(db)
    old.executescript(f"""
        CREATE TABLE runs (id TEXT PRIMARY KEY, started REAL NOT NULL, finished REAL NOT NULL,
            tool_version TEXT NOT NULL, config_digest TEXT NOT NULL, command TEXT NOT NULL,
            shard TEXT, incomplete INTEGER NOT NULL);
        CREATE TABLE system_runs (run_id TEXT NOT NULL REFERENCES runs(id),
            system TEXT NOT NULL, supplier TEXT, verdict TEXT NOT NULL,
            complete INTEGER NOT NULL, requests INTEGER NOT NULL, PRIMARY KEY (run_id, system));
        CREATE TABLE findings (run_id TEXT NOT NULL REFERENCES runs(id), system TEXT NOT NULL,
            fingerprint TEXT NOT NULL, domain TEXT NOT NULL, channel TEXT NOT NULL,
            location TEXT NOT NULL, encoding TEXT NOT NULL, host TEXT NOT NULL,
            example_url TEXT NOT NULL, count INTEGER NOT NULL,
            PRIMARY KEY (run_id, system, fingerprint));
        INSERT INTO runs VALUES ('old', {FIRST}, {FIRST + 60}, '0.1', 'x', 'cpraudit run', NULL, 0);
        INSERT INTO system_runs VALUES ('old', 'TastSelv', 'KMD', 'leak', 1, 10);
        INSERT INTO findings VALUES ('old', 'TastSelv', '{fp("dl")}', 'tracker.test', 'url',
            'query parameter dl', 'plain', 'www.tracker.test', 'http://www.tracker.test/', 1);
    """)
    old.close()
    (next_night,) = record(db, 1, tastselv("dl"))
    assert next_night.history.findings[0].status == "persisting"
    assert next_night.history.findings[0].runs == 2
    with open_store(db) as conn:
        assert conn.execute("SELECT environment, count(*) FROM system_runs").fetchall() == [
            (None, 2)
        ]
    out = printed(capsys, "--history", str(db))
    assert out[0] == "TastSelv · no --env · 2 run(s), 2026-01-01 to 2026-01-02"


def test_a_generated_year_prints_each_change_once(tmp_path, capsys):
    """A year of 3 systems: the default view has a line per change, not per run."""
    db = write_history(tmp_path / "history.sqlite", Shape(systems=3, nights=365))
    lines = printed(capsys, "--history", str(db))
    assert len([line for line in lines if not line.startswith(" ")]) == 3
    assert len(lines) < 3 * 365 / 2
    jsonl = printed(capsys, "--history", str(db), "--json", "--system", "System 01")
    assert len(jsonl) == 365 and {json.loads(line)["system"] for line in jsonl} == {"System 01"}
