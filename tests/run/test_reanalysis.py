"""`cpraudit analyse`: an earlier run's evidence analysed again into a new folder, saying whose
evidence it read; evidence changed since its run sealed it is no evidence of that run.

(That the same evidence through the same code gives the same findings, fingerprints and verdicts
is checked on the demo's four systems in tests/demo/test_demo.py.)"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from crawler import bundle
from crawler.cli import main
from crawler.testing import portals
from crawler.testing.portals import PORTAL, adhoc

SYSTEM = bundle.slug(PORTAL)


def findings(folder):
    return json.loads((folder / bundle.FINDINGS).read_text("utf-8"))


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    """An ad-hoc audit's run folder, sealed."""
    tmp = tmp_path_factory.mktemp("audited")
    with portals.leaky_portal() as server:
        code, _ = adhoc(server, tmp)
    assert code == 1
    return tmp / "out"


@pytest.mark.browser
def test_a_system_folder_is_analysed_again_and_its_report_says_whose_evidence(audited, tmp_path):
    again = tmp_path / "again"
    assert main(["analyse", str(audited / SYSTEM), "--out", str(again)]) == 1
    before, after = findings(audited / SYSTEM), findings(again / SYSTEM)
    assert after["verdict"] == "leak"
    assert [f["fingerprint"] for f in after["findings"]] == [
        f["fingerprint"] for f in before["findings"]
    ]
    origin = after["reanalysis"]
    assert (origin["evidence"], origin["run_id"], origin["sealed"]) == (
        str(audited / SYSTEM),
        before["run_id"],
        "intact",
    )
    report = (again / SYSTEM / bundle.REPORT).read_text("utf-8")
    assert "the portal was not visited again" in report
    assert "The evidence matched its run's manifest." in report
    assert (again / SYSTEM / "network.har").is_file(), "the evidence the report links to"
    assert "Re-analysis of the evidence in" in (again / bundle.INDEX).read_text("utf-8")


@pytest.mark.browser
def test_evidence_changed_after_its_run_sealed_it_is_inconclusive(audited, tmp_path):
    changed = tmp_path / "changed"
    shutil.copytree(audited, changed)
    record = changed / SYSTEM / bundle.REQUESTS
    lines = record.read_text("utf-8").splitlines(keepends=True)
    record.write_text(lines[0], "utf-8")  # every leak taken out, the witness's copy too
    (changed / SYSTEM / bundle.WIRE).unlink()

    assert main(["analyse", str(changed), "--out", str(tmp_path / "again")]) == 2
    after = findings(tmp_path / "again" / SYSTEM)
    assert after["verdict"] == "inconclusive", "what was taken out could have been a leak"
    assert after["reanalysis"]["sealed"] == (
        f"changed {SYSTEM}/{bundle.REQUESTS}; missing {SYSTEM}/{bundle.WIRE}"
    )
    assert any("does not match its run's manifest.json" in e for e in after["errors"])


@pytest.mark.browser
def test_a_link_in_a_system_folder_is_not_followed_out_of_it(audited, tmp_path):
    hostile = tmp_path / "hostile"
    shutil.copytree(audited, hostile)
    secret = tmp_path / "secret.txt"
    secret.write_text("not evidence")
    (hostile / SYSTEM / "pages" / "link.txt").symlink_to(secret)
    (hostile / SYSTEM / "elsewhere").symlink_to(tmp_path, target_is_directory=True)

    main(["analyse", str(hostile), "--out", str(tmp_path / "again")])
    copied = {p.name for p in (tmp_path / "again" / SYSTEM).rglob("*")}
    assert "link.txt" not in copied and "elsewhere" not in copied


def test_a_folder_cpraudit_did_not_write_is_refused_in_one_line(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("hello")
    assert main(["analyse", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "neither a run folder" in err


def test_a_system_folder_without_its_recording_says_it_cannot_be_analysed(tmp_path, capsys):
    system = tmp_path / "run" / "portal"
    system.mkdir(parents=True)
    (system / bundle.RECORDING).write_text('{"format": 1, "recording": {}}')
    assert main(["analyse", str(system), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "not a recording cpraudit can read" in err


def test_a_har_scan_is_analysed_again_with_the_file_it_was_imported_from(tmp_path):
    har = Path(__file__).parents[1] / "data" / "chrome.har"
    assert main(["scan-har", str(har), "--cpr", "0707614285", "--out", str(tmp_path / "scan")]) == 1
    assert main(["analyse", str(tmp_path / "scan"), "--out", str(tmp_path / "again")]) == 1
    before = findings(tmp_path / "scan" / "chrome-har")
    after = findings(tmp_path / "again" / "chrome-har")
    assert after["imported_from"] == before["imported_from"] and before["imported_from"]["sha256"]
    assert [f["fingerprint"] for f in after["findings"]] == [
        f["fingerprint"] for f in before["findings"]
    ]
