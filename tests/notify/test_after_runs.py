"""`cpraudit merge --config` and `cpraudit run --notify-test` tell the channels of audit.toml:
once per run, only with news, and never at the cost of the run or its exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler import bundle, proof
from crawler.cli import main
from crawler.model import SystemResult
from crawler.testing import Response, SiteServer
from crawler.testing.factories import make_finding

CPR = "0707614285"
AUDIT = """
notify = ["json://cpraudit:${{CPRAUDIT_HOOK_PW}}@127.0.0.1:{port}/{path}"]

[[citizens]]
id = "jens"
cpr = "070761-4285"

[[systems]]
name = "TastSelv"
start_url = "http://tastselv.skat.test/"
first_party = ["skat.test"]
"""


@pytest.fixture
def hooks(monkeypatch):
    monkeypatch.setenv("CPRAUDIT_HOOK_PW", "hook-pass-7f3a")
    with SiteServer({"127.0.0.1/broken": Response("down", status=500)}) as server:
        yield server


def audit_toml(tmp_path: Path, port: int, path: str = "hook") -> str:
    conf = tmp_path / f"audit-{path}.toml"
    conf.write_text(AUDIT.format(port=port, path=path))
    return str(conf)


def shard(folder: Path, leaking: bool, entity: str = "Tracker Inc") -> Path:
    """A sealed shard folder as `run --shard` leaves it, TastSelv leaking (to `entity`) or not."""
    findings = (make_finding(entity=entity),) if leaking else ()
    result = SystemResult(
        system="TastSelv", verdict="leak" if leaking else "clean", requests=9, findings=findings
    )
    bundle.write_result(result, folder / "tastselv" / bundle.FINDINGS)
    summary = {
        "systems": [
            {"system": "TastSelv", "verdict": result.verdict, "report": "tastselv/report.html"}
        ]
    }
    (folder / bundle.SUMMARY).write_text(json.dumps(summary))
    proof.seal(folder, command="cpraudit run", started=0.0, results=[result])
    return folder


def merge(tmp_path: Path, night: str, leaking: bool, conf: str, entity: str = "Tracker Inc") -> int:
    folder = shard(tmp_path / f"shard-{night}", leaking, entity)
    history = str(tmp_path / "history.sqlite")
    out = str(tmp_path / night)
    return main(["merge", out, str(folder), "--history", history, "--config", conf, "--quiet"])


def test_a_sweep_is_told_of_a_new_leak_once_and_when_it_is_no_longer_found(tmp_path, hooks):
    conf = audit_toml(tmp_path, hooks.port)
    assert merge(tmp_path, "monday", True, conf) == 1
    assert merge(tmp_path, "tuesday", True, conf) == 1  # persisting: nothing to tell
    assert merge(tmp_path, "wednesday", False, conf) == 0
    told = [json.loads(r.body) for r in hooks.received]
    assert [t["title"] for t in told] == [
        "cpraudit audit-hook.toml: 1 new leak",
        "cpraudit audit-hook.toml: 1 leak no longer found",
    ]
    assert told[0]["message"].splitlines() == [
        "TastSelv: LEAK",
        "  1 new leak to Tracker Inc (www.tracker.test)",
        f"Index: {(tmp_path / 'monday' / 'index.html').resolve()}",
    ]
    assert told[1]["message"].splitlines()[:2] == [
        "TastSelv: no leak found",
        "  leak no longer found: tracker.test · url · query parameter dl (plain)",
    ]
    assert all(
        CPR not in r.body.decode() and "070761-4285" not in r.body.decode() for r in hooks.received
    )
    notes = [
        json.loads((tmp_path / n / "summary.json").read_text())["notify"]["sent"]
        for n in ("monday", "tuesday", "wednesday")
    ]
    assert notes == [True, False, True]


def test_where_the_reports_are_served_the_message_links_them(tmp_path, hooks, capsys):
    conf = Path(audit_toml(tmp_path, hooks.port))
    served = 'reports_url = "https://audit.example.dk/cpraudit/"\n'
    conf.write_text(served + conf.read_text())
    assert merge(tmp_path, "monday", True, str(conf)) == 1
    [told] = [json.loads(r.body) for r in hooks.received]
    assert told["message"].splitlines()[-2:] == [
        "  report: https://audit.example.dk/cpraudit/monday/tastselv/report.html",
        "Index: https://audit.example.dk/cpraudit/monday/index.html",
    ]
    conf.write_text(conf.read_text().replace("https://audit", "ftp://audit"))
    assert merge(tmp_path, "tuesday", True, str(conf)) == 2
    error = capsys.readouterr().err.strip()
    assert "reports_url" in error and "not an http(s) URL" in error and len(error.splitlines()) == 1


def test_a_merge_tells_no_credential_and_needs_none(tmp_path, hooks, monkeypatch):
    """A merge logs in nowhere, yet what it tells must not carry a citizen's password: one in the
    secrets file, one in a variable set on the merging machine; one not set there is no error."""
    conf = Path(audit_toml(tmp_path, hooks.port))
    citizen = 'cpr = "070761-4285"\nsecrets_file = "secrets.toml"\n'
    citizen += 'credentials = { pin = "CPRAUDIT_TEST_PIN", code = "CPRAUDIT_UNSET_CODE" }'
    conf.write_text(conf.read_text().replace('cpr = "070761-4285"', citizen))
    (tmp_path / "secrets.toml").write_text('[jens]\npassword = "hemmelig42kode"\n')
    monkeypatch.setenv("CPRAUDIT_TEST_PIN", "pin9731")
    monkeypatch.delenv("CPRAUDIT_UNSET_CODE", raising=False)
    assert merge(tmp_path, "monday", True, str(conf), "Tracker hemmelig42kode pin9731") == 1
    [told] = [json.loads(r.body) for r in hooks.received]
    assert told["message"].splitlines()[1] == (
        "  1 new leak to Tracker [redacted] [redacted] (www.tracker.test)"
    )


def test_a_channel_that_fails_changes_neither_the_exit_code_nor_the_run(tmp_path, hooks, capsys):
    broken = audit_toml(tmp_path, hooks.port, "broken")
    assert merge(tmp_path, "monday", True, broken) == 1, "a leak's exit code, as without notify"
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("notify: notify[0] (json) failed: ")
    assert "hook-pass-7f3a" not in err[0]
    out = tmp_path / "monday"
    note = json.loads((out / "summary.json").read_text())["notify"]
    assert note["delivered"] == [] and note["failed"][0]["channel"] == "notify[0] (json)"
    assert (out / "index.html").is_file() and (out / "tastselv" / "report.html").is_file()
    assert main(["verify", str(out)]) == 0, "the note is sealed with the rest of the run"


def test_notify_test_sends_one_message_and_audits_nothing(tmp_path, hooks, capsys):
    conf = audit_toml(tmp_path, hooks.port)
    assert main(["run", conf, "--notify-test", "--out", str(tmp_path / "out")]) == 0
    assert [json.loads(r.body)["title"] for r in hooks.received] == [
        "cpraudit audit-hook.toml: test message"
    ]
    assert capsys.readouterr().out == "notify[0] (json): sent\n"
    assert not (tmp_path / "out").exists()
    assert main(["run", audit_toml(tmp_path, hooks.port, "broken"), "--notify-test"]) == 2
    out, err = capsys.readouterr()
    assert out == "notify[0] (json): FAILED\n" and err.startswith(
        "notify: notify[0] (json) failed: "
    )


def test_notify_test_without_notify_names_the_fix(tmp_path, capsys):
    conf = tmp_path / "audit.toml"
    conf.write_text(AUDIT.split("\n", 2)[2])
    assert main(["run", str(conf), "--notify-test"]) == 2
    assert capsys.readouterr().err == (
        f"error: {conf}: no notify = [...] to test; add Apprise URLs (see audit.example.toml)\n"
    )


def test_a_missing_variable_stops_the_run_before_it_starts(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CPRAUDIT_TEAMS_URL", raising=False)
    conf = tmp_path / "audit.toml"
    conf.write_text(AUDIT.replace(AUDIT.split("\n")[1], 'notify = ["${CPRAUDIT_TEAMS_URL}"]'))
    assert main(["run", str(conf), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"error: {conf}: notify[0]: environment variable CPRAUDIT_TEAMS_URL is not set; export it "
        "where cpraudit runs (or remove the URL from notify)\n"
    )
    assert not list((tmp_path / "out").iterdir()), "no system was audited"


@pytest.mark.browser
def test_a_run_tells_its_channels_and_a_shard_leaves_it_to_the_merge(tmp_path, hooks):
    hooks.routes["tastselv.skat.test/"] = Response(
        f'<!doctype html><h1>TastSelv</h1><img src="http://pixel.tracker.test/p.gif?dl={CPR}">'
    )
    conf = Path(audit_toml(tmp_path, hooks.port))
    conf.write_text(
        conf.read_text()
        + f'resolve = ["{hooks.resolve_rules()[0]}"]\n'
        + "crawl = { depth = 0, dwell = 0.3, max_pages = 1 }\n"
    )
    assert main(["run", str(conf), "--out", str(tmp_path / "run"), "--history", "none"]) == 1
    assert main(["run", str(conf), "--shard", "1/1", "--out", str(tmp_path / "shard")]) == 1
    told = [json.loads(r.body) for r in hooks.received_by("127.0.0.1")]
    assert [t["title"] for t in told] == ["cpraudit audit-hook.toml: 1 new leak"]
    assert told[0]["message"].splitlines()[:2] == [
        "TastSelv: LEAK",
        "  1 new leak to tracker.test (pixel.tracker.test)",
    ]
    assert CPR not in json.dumps(told)
    assert "notify" not in json.loads((tmp_path / "shard" / "summary.json").read_text())
