"""Output into a pipe whose reader has gone (`cpraudit ... | head -1`): the command ends quietly
with its own exit code, and a sealed run folder stays as sealed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler import bundle
from crawler.cli import main
from crawler.proof import verify
from crawler.testing.portals import CPR, PORTAL

CHROME_HAR = Path(__file__).parents[1] / "data" / "chrome.har"
CLEAN_HAR = {
    "log": {
        "version": "1.2",
        "entries": [
            {
                "startedDateTime": "2026-01-01T00:00:00Z",
                "request": {"method": "GET", "url": "http://www.skat.test/", "headers": []},
                "response": {"status": 200},
            }
        ],
    }
}


def into_closed_pipe(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """`cpraudit ARGS | head -0`, made certain: the pipe's reader has gone before the first
    line is written, so every write to stdout fails as a broken pipe."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        return subprocess.run(
            [sys.executable, "-m", "crawler", *args],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            timeout=180,
        )
    finally:
        os.close(writer)


def test_scan_har_into_a_closed_pipe_keeps_its_exit_code_and_its_seal(tmp_path):
    done = into_closed_pipe("scan-har", str(CHROME_HAR), "--cpr", CPR, "--out", "out", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (1, ""), "the leak's exit code, nothing on stderr"
    assert verify(tmp_path / "out").intact()
    assert not list(tmp_path.rglob(bundle.CRASH))


def test_diff_into_a_closed_pipe_keeps_its_exit_code(tmp_path):
    (tmp_path / "clean.har").write_text(json.dumps(CLEAN_HAR))
    for name, har in (("a", tmp_path / "clean.har"), ("b", CHROME_HAR)):
        (tmp_path / name / "export.har").parent.mkdir()
        (tmp_path / name / "export.har").write_bytes(har.read_bytes())
        scan = ["scan-har", str(tmp_path / name / "export.har"), "--cpr", CPR]
        main([*scan, "--first-party", "skat.test", "--out", str(tmp_path / name / "run")])
    done = into_closed_pipe("diff", "a/run", "b/run", "--out", "d", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (1, ""), "B has a leak that A has not"


def test_a_crash_after_sealing_is_logged_beside_the_run_folder(tmp_path, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("the summary broke")

    monkeypatch.setattr("crawler.cli.common.print_summary", broken)
    out = tmp_path / "out"
    assert main(["scan-har", str(CHROME_HAR), "--cpr", CPR, "--out", str(out)]) == 2
    beside = tmp_path / f"out.{bundle.CRASH}"
    assert str(beside) in capsys.readouterr().err
    assert "the summary broke" in beside.read_text()
    assert verify(out).intact(), "nothing was added to the sealed folder"


@pytest.mark.browser
def test_an_audit_whose_progress_nobody_reads_is_not_harmed(leaky_portal, tmp_path):
    """`cpraudit run ... | head -1`: the audit processes print progress lines into the closed
    pipe too; the audit still completes and finds the leak."""
    (tmp_path / "audit.toml").write_text(f"""
[[citizens]]
id = "jens"
cpr = "{CPR}"

[[systems]]
name = "Portal"
start_url = "http://{PORTAL}/side?cpr={CPR}"
first_party = ["skat.test"]
resolve = ["{leaky_portal.resolve_rules()[0]}"]
crawl = {{ depth = 0, dwell = 0.5 }}
""")
    done = into_closed_pipe(
        "run", "audit.toml", "--out", "out", "--history", "none", "--trace", "off", cwd=tmp_path
    )
    found = json.loads((tmp_path / "out" / "portal" / bundle.FINDINGS).read_text())
    assert (done.returncode, done.stderr) == (1, "")
    assert (found["verdict"], found["errors"]) == ("leak", [])
    assert verify(tmp_path / "out").intact()
