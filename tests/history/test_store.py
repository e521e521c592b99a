"""History: new / persisting / fixed across runs of a portal that changes between them,
--fail-on, accepted leaks with an expiry, and a database that two writers share safely."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import subprocess
import sys
from datetime import date

import pytest

from crawler import history
from crawler.analyse.acceptances import accept
from crawler.analyse.fingerprints import stamp_fingerprints
from crawler.analyse.verdict import exit_code
from crawler.cli import main
from crawler.history.runs import RunMeta
from crawler.history.store import open_store, save_run
from crawler.model import Finding, SystemResult
from crawler.testing import Response, SiteServer

CPR = "0707614285"


# -- without a browser: the rules -----------------------------------------------------------
def finding(param: str, domain: str = "tracker.test") -> Finding:
    return Finding(
        request_url=f"http://x.{domain}/p?{param}={CPR}",
        host=f"x.{domain}",
        method="GET",
        resource_type="image",
        channel="url",
        detail=f"query parameter {param}",
        encoding="plain",
        identifier="cpr",
        domain=domain,
        matched=CPR,
    )


def result(*params: str, verdict: str | None = None, errors: tuple = ()) -> SystemResult:
    return SystemResult(
        system="TastSelv",
        verdict=verdict or ("leak" if params else "clean"),
        requests=5,
        findings=tuple(finding(p) for p in params),
        errors=errors,
    )


def replayed(
    tmp_path, *runs: SystemResult, accepted=(), today=date(2026, 1, 1)
) -> list[SystemResult]:
    out = []
    for i, r in enumerate(runs):
        meta = RunMeta(
            started=1_700_000_000 + i * 86400,
            finished=1_700_000_100 + i * 86400,
            config_digest="x",
            command="test",
        )
        (tmp_path / "run").mkdir(parents=True, exist_ok=True)
        judged = accept(stamp_fingerprints(r), accepted, today)
        out += [
            r
            for r, _ in history.after_run(
                tmp_path / "h.sqlite", meta, [(judged, "tastselv")], tmp_path / "run"
            )
        ]
    return out


def statuses(r: SystemResult) -> dict[str, str]:
    return {f.detail.split()[-1]: r.history.of(f.fingerprint).status for f in r.findings}


def test_an_incomplete_run_neither_ends_a_series_nor_fixes_a_leak(tmp_path):
    one, broken, three, four = replayed(
        tmp_path,
        result("dl"),
        result(verdict="inconclusive", errors=("timeout",)),
        result("dl"),
        result(),
    )
    assert statuses(one) == {"dl": "new"}
    assert broken.history.fixed == ()
    assert "not counted as no longer found" in (broken.history.fixed_note or "")
    assert statuses(three) == {"dl": "persisting"} and three.history.findings[0].runs == 2
    assert [h.where.split(" · ")[2] for h in four.history.fixed] == ["query parameter dl (plain)"]
    assert [p.findings for p in four.history.trend] == [1, 0, 1, 0]


def test_a_leak_that_comes_back_is_new_and_marked_as_seen_before(tmp_path):
    *_, back = replayed(tmp_path, result("dl"), result(), result("dl"))
    assert statuses(back) == {"dl": "new"} and back.history.findings[0].seen_before


class Acceptance:
    def __init__(self, fingerprint, expires):
        self.system, self.fingerprint, self.reason, self.expires = (
            "tastselv",
            fingerprint,
            "ticket 42",
            expires,
        )


def test_accepted_leaks_do_not_fail_until_they_expire(tmp_path):
    fp = stamp_fingerprints(result("dl")).findings[0].fingerprint
    (kept,) = replayed(tmp_path / "a", result("dl"), accepted=[Acceptance(fp, date(2026, 1, 31))])
    assert kept.acceptance(fp).reason == "ticket 42" and kept.verdict == "leak"
    assert exit_code([kept], "any") == 0
    (expired,) = replayed(
        tmp_path / "b", result("dl"), accepted=[Acceptance(fp, date(2025, 12, 31))]
    )
    assert not expired.acceptance(fp).in_force
    assert exit_code([expired], "any") == 1


def _write_runs(db: str, writer: int, runs: int) -> None:
    for i in range(runs):
        meta = RunMeta(
            started=writer * 1000 + i,
            finished=writer * 1000 + i,
            config_digest="x",
            command=f"writer {writer}",
        )
        results = [
            stamp_fingerprints(result("dl", "page", "u")).model_copy(update={"system": f"S{n}"})
            for n in range(5)
        ]
        with open_store(__import__("pathlib").Path(db)) as conn:
            save_run(conn, meta, results)


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    db = str(tmp_path / "h.sqlite")
    ctx = multiprocessing.get_context("spawn")
    writers = [ctx.Process(target=_write_runs, args=(db, w, 30)) for w in (1, 2)]
    for w in writers:
        w.start()
    for w in writers:
        w.join(60)
        assert w.exitcode == 0
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert conn.execute("SELECT count(*) FROM runs").fetchone() == (60,)
    assert conn.execute("SELECT count(*) FROM findings").fetchone() == (60 * 5 * 3,)


# -- with a browser: a portal that changes between runs -----------------------------------
LEAK_A = f'<img src="http://pixel.tracker.test/p.gif?dl={CPR}&_={{n}}">'
LEAK_B = f'<img src="http://cdn.widgets.test/w.gif?u={CPR}&v={{n}}">'


def page(*leaks: str, n: int) -> Response:
    return Response("<!doctype html><h1>Portal</h1>" + "".join(leak.format(n=n) for leak in leaks))


def config(tmp_path, server, accepted: str = "") -> str:
    path = tmp_path / "audit.toml"
    path.write_text(f"""
[[citizens]]
id = "jens"
cpr = "{CPR}"

[[systems]]
name = "TastSelv"
supplier = "KMD"
start_url = "http://portal.skat.test/"
first_party = ["skat.test"]
resolve = ["{server.resolve_rules()[0]}"]
crawl = {{ depth = 0, dwell = 0.3, max_pages = 1 }}
{accepted}""")
    return str(path)


def audit(tmp_path, conf, name, *args):
    out = tmp_path / name
    code = main(
        ["run", conf, "--out", str(out), "--history", str(tmp_path / "history.sqlite"), *args]
    )
    data = json.loads((out / "tastselv" / "findings.json").read_text())
    return code, data, out


def by_receiver(data) -> dict[str, dict]:
    hist = {h["fingerprint"]: h for h in data["history"]["findings"]}
    return {f["domain"]: hist[f["fingerprint"]] for f in data["findings"]}


@pytest.mark.browser
@pytest.mark.slow
def test_new_persisting_and_fixed_across_runs(tmp_path, capsys):
    with SiteServer({"portal.skat.test/": page(LEAK_A, n=1)}) as server:
        conf = config(tmp_path, server)
        code, one, _ = audit(tmp_path, conf, "one", "--fail-on", "new")
        assert code == 1 and {d: h["status"] for d, h in by_receiver(one).items()} == {
            "tracker.test": "new"
        }

        server.routes["portal.skat.test/"] = page(
            LEAK_A, LEAK_B, n=2
        )  # a new cache-buster, and a second leak
        code, two, _ = audit(tmp_path, conf, "two", "--fail-on", "new")
        two_h = by_receiver(two)
        assert code == 1 and two_h["widgets.test"]["status"] == "new"
        assert (
            two_h["tracker.test"]["status"] == "persisting" and two_h["tracker.test"]["runs"] == 2
        )

        server.routes["portal.skat.test/"] = page(LEAK_B, n=3)  # leak A removed
        code, three, out = audit(tmp_path, conf, "three", "--fail-on", "new")
        assert code == 0, "only a persisting leak: --fail-on new passes"
        assert {d: h["status"] for d, h in by_receiver(three).items()} == {
            "widgets.test": "persisting"
        }
        fixed = three["history"]["fixed"]
        assert [h["fingerprint"] for h in fixed] == [f["fingerprint"] for f in one["findings"]][:1]
        report = (out / "tastselv" / "report.html").read_text()
        assert "persisting</span> since" in report
        assert "No longer found since the previous run" in report
        assert fixed[0]["fingerprint"] in report and "<svg" in report and "<script" not in report
        index = (out / "index.html").read_text()
        assert "<svg" in index and "0 new leaks, 1 persisting, 1 no longer found" in index

        fp_b = by_receiver(three)["widgets.test"]["fingerprint"]
        accepted = f"""
[[accepted]]
system = "TastSelv"
fingerprint = "{fp_b}"
reason = "widget vendor under contract review, case 2026-17"
expires = 2099-01-31
"""
        code, four, out = audit(tmp_path, config(tmp_path, server, accepted), "four")
        assert code == 0 and four["verdict"] == "leak", (
            "accepted: still a leak, shown, but not failing"
        )
        assert (
            "widget vendor under contract review" in (out / "tastselv" / "report.html").read_text()
        )
        assert audit(tmp_path, config(tmp_path, server), "five")[0] == 1, (
            "without the acceptance it fails again"
        )

    capsys.readouterr()
    assert (
        main(
            [
                "history",
                "--history",
                str(tmp_path / "history.sqlite"),
                "--system",
                "TastSelv",
                "--json",
            ]
        )
        == 0
    )
    runs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [len(r["fixed"]) for r in runs] == [0, 0, 1, 0, 0]
    assert [[x.get("accepted") for x in r["leaks"]] for r in runs[3:]] == [
        ["widget vendor under contract review, case 2026-17"],
        [None],
    ], "the history keeps when an acceptance applied"
    assert main(["history", "--history", str(tmp_path / "history.sqlite")]) == 0
    out = capsys.readouterr().out
    assert (
        "- no longer found" in out
        and f"accepted           {fp_b}" in out
        and f"unaccepted         {fp_b}" in out
    )


@pytest.mark.browser
def test_a_test_environment_and_production_are_separate_series(tmp_path, capsys):
    with SiteServer({"portal.skat.test/": page(LEAK_A, n=1)}) as server:
        conf = config(
            tmp_path,
            server,
            '[environments.test.systems.TastSelv]\nstart_url = "http://portal.skat.test/?test"\n',
        )
        code, on_test, _ = audit(tmp_path, conf, "test", "--env", "test")
        assert code == 1 and on_test["history"]["findings"][0]["status"] == "new"
        code, in_production, _ = audit(tmp_path, conf, "production", "--fail-on", "new")
    assert code == 1, "new in production: the test environment's run is not its past"
    assert in_production["history"]["findings"][0]["status"] == "new"
    capsys.readouterr()
    assert main(["history", "--history", str(tmp_path / "history.sqlite")]) == 0
    headers = [line for line in capsys.readouterr().out.splitlines() if not line.startswith(" ")]
    assert [h.split(" · ")[:2] for h in headers] == [
        ["TastSelv", "no --env"],
        ["TastSelv", "env test"],
    ]


@pytest.mark.browser
def test_two_runs_at_once_share_one_history(tmp_path):
    with SiteServer({"portal.skat.test/": page(LEAK_A, n=1)}) as server:
        conf = config(tmp_path, server)
        db = tmp_path / "history.sqlite"
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "crawler",
                    "run",
                    conf,
                    "--out",
                    str(tmp_path / f"r{i}"),
                    "--history",
                    str(db),
                    "--quiet",
                ],
                env=dict(os.environ),
            )
            for i in range(2)
        ]
        assert [p.wait(timeout=120) for p in procs] == [1, 1]
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("SELECT count(*) FROM system_runs").fetchone() == (2,)
    assert conn.execute(
        "SELECT count(DISTINCT fingerprint), count(*) FROM findings"
    ).fetchone() == (1, 2)
