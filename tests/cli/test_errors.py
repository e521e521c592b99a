"""Every command with hostile arguments and files: exit 2 and one line on stderr that names the
problem, never a traceback and never exit 1 (which means "leak")."""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from crawler import bundle
from crawler.cli import main
from crawler.testing import Response, SiteServer

CPR = "0707614285"
CONFIG = f"""
[[citizens]]
id = "jens"
cpr = "{CPR}"
credentials = {{ password = "CPRAUDIT_ERRORS_PW" }}

[[systems]]
name = "x"
start_url = "http://x.skat.test/"
first_party = ["skat.test"]
"""


def har(entry: str) -> str:
    return '{"log": {"version": "1.2", "entries": [' + entry + "]}}"


def zip_bomb() -> bytes:
    """A zipped HAR whose one entry claims 3 GB once unpacked (its central directory says so)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("x.har", har(""))
    data = bytearray(buffer.getvalue())
    central = data.index(b"PK\x01\x02")
    data[central + 24 : central + 28] = (3 << 30).to_bytes(4, "little")
    return bytes(data)


ENTRY = '{{"request": {{"method": "GET", "url": "{url}", "headers": []}}, "response": {response}}}'
FILES = {  # name -> content (bytes or text), in tmp_path before the command runs
    "latin1.toml": CONFIG.replace('"x"', '"æ"').encode("latin-1"),
    "utf16.toml": CONFIG.encode("utf-16"),
    "folder.toml/": "",
    "inf.toml": CONFIG + "time_limit = inf\n",
    "nan.toml": CONFIG + "time_limit = nan\n",
    "dwell.toml": CONFIG + "crawl = { dwell = -inf }\n",
    "secrets.toml": CONFIG.replace("credentials = {", 'secrets_file = "s.toml"\ncredentials = {'),
    "s.toml": "jens = 5\n",
    "deep5000.har": "[" * 5000 + "]" * 5000,
    "deep100000.har": '{"log": {"entries": ' + "[" * 100_000 + "]" * 100_000 + "}}",
    "infinity.har": har(ENTRY.format(url="http://a.test/", response='{"status": Infinity}')),
    "ipv6.har": har(ENTRY.format(url="http://[::zz]/", response='{"status": 200}')),
    "redirect.har": har(
        ENTRY.format(
            url="http://a.test/", response='{"status": 302, "redirectURL": "http://[::zz]/"}'
        )
    ),
    "good.toml": CONFIG,
    "not-a-db.sqlite": "hello",
    "bomb.zip": zip_bomb(),
    "deep-run/manifest.json": "[" * 5000 + "]" * 5000,
    "empty-shard/summary.json": "{}",
    "keyless-shard/summary.json": '{"systems": [{"system": "x", "verdict": "leak"}]}',
    "huge-shard/summary.json": '{"systems": []}',
    "huge-shard/run.json": json.dumps(
        {"started": 0, "finished": 0, "config_digest": "x", "command": "c", "shard": "1/9999999999"}
    ),
}
SCAN = ["scan-har", "--cpr", CPR]
CASES = {  # id -> (arguments, part of the one line)
    "no command": ([], "required: command"),
    "unknown command": (["nonsense"], "invalid choice"),
    "adhoc invalid IPv6 host": (["adhoc", "http://[::zz]/", "--cpr", CPR], "not an http(s) URL"),
    "adhoc depth -1": (["adhoc", "http://a.test/", "--cpr", CPR, "--depth", "-1"], "--depth"),
    "adhoc dwell -1": (["adhoc", "http://a.test/", "--cpr", CPR, "--dwell", "-1"], "--dwell"),
    "adhoc dwell inf": (["adhoc", "http://a.test/", "--cpr", CPR, "--dwell", "inf"], "--dwell"),
    "adhoc dwell nan": (["adhoc", "http://a.test/", "--cpr", CPR, "--dwell", "nan"], "--dwell"),
    "adhoc bad CPR": (["adhoc", "http://a.test/", "--cpr", "12"], "10 digits"),
    "scan-har nested 5000 deep": ([*SCAN, "deep5000.har"], "nested too deeply"),
    "scan-har nested 100000 deep": ([*SCAN, "deep100000.har"], "nested too deeply"),
    "scan-har status Infinity": ([*SCAN, "infinity.har"], "response.status is Infinity"),
    "scan-har invalid IPv6 URL": ([*SCAN, "ipv6.har"], "request.url is not a valid URL"),
    "scan-har invalid redirectURL": ([*SCAN, "redirect.har"], "redirectURL is not a valid URL"),
    "scan-har folder": ([*SCAN, "folder.toml"], "folder.toml: a folder, not a file"),
    "scan-har name too long": ([*SCAN, "a" * 5000], "cannot read it (File name too long)"),
    "scan-har zip bomb": ([*SCAN, "bomb.zip"], "unpacks to more than 2 GiB"),
    "run not UTF-8": (["run", "latin1.toml"], "not UTF-8"),
    "run UTF-16": (["run", "utf16.toml"], "UTF-16"),
    "run a folder": (["run", "folder.toml"], "a folder, not a file"),
    "run time_limit inf": (["run", "inf.toml"], "systems[0].time_limit: not a finite number"),
    "run time_limit nan": (["run", "nan.toml"], "systems[0].time_limit: not a finite number"),
    "run dwell -inf": (["run", "dwell.toml"], "systems[0].crawl.dwell: not a finite number"),
    "run secrets not a table": (["run", "secrets.toml"], "[jens] is not a table"),
    "run jobs 0": (["run", "inf.toml", "--jobs", "0"], "--jobs"),
    "run jobs -1": (["run", "inf.toml", "--jobs", "-1"], "--jobs"),
    "run shard 0/0": (["run", "good.toml", "--shard", "0/0"], "--shard '0/0' is not K/N"),
    "demo jobs 0": (["demo", "--jobs", "0"], "--jobs"),
    "history since garbage": (["history", "--since", "garbage"], "'garbage' is not a date"),
    "history not a database": (["history", "--history", "not-a-db.sqlite"], "not a cpraudit"),
    "merge summary {}": (["merge", "out", "empty-shard"], "no readable summary.json (KeyError"),
    "merge summary without report": (["merge", "out", "keyless-shard"], "no readable summary"),
    "merge into a file": (["merge", "good.toml", "huge-shard"], "cannot write reports to"),
    "verify a file": (["verify", "good.toml"], "no such folder"),
    "verify name too long": (["verify", "a" * 5000], "manifest.json: File name too long"),
    "verify manifest nested 5000 deep": (["verify", "deep-run"], "not a cpraudit manifest"),
    "verify with a key that is not one": (["verify", "deep-run", "--key", "good.toml"], "not a"),
    "diff of no run": (["diff", "empty-shard", "keyless-shard"], "no readable summary.json"),
    "sign with a folder as key": (
        ["adhoc", "http://a.test/", "--cpr", CPR, "--sign-key", "folder.toml"],
        "Is a directory",
    ),
}


@pytest.fixture
def hostile_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CPRAUDIT_ERRORS_PW", "pw-errors-1")
    for name, content in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith("/"):
            path.mkdir()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("args, message", CASES.values(), ids=CASES.keys())
def test_hostile_arguments_are_one_line_and_exit_2(args, message, hostile_files, capsys):
    code = main(args)
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and message in err, err


def test_a_shard_that_names_a_billion_shards_is_merged_in_a_moment(hostile_files, capsys):
    assert main(["merge", "out", "huge-shard"]) == 2
    lines = capsys.readouterr().out.splitlines()
    missing = [line for line in lines if "missing" in line]
    assert missing[-1] == "incomplete: 9999999993 more of the 9999999999 shards are missing"
    assert len(missing) == 6


def test_an_unexpected_error_is_one_line_and_a_redacted_log(hostile_files, monkeypatch, capsys):
    """A bug (here planted in the run's last stage) after the run folder exists."""

    def broken(*args, **kwargs):
        raise RuntimeError("login as jens with pw-errors-1 failed\nsecond line")

    monkeypatch.setattr("crawler.cli.run.run_audit", broken)
    assert main(["run", "good.toml", "--out", "out"]) == 2
    err = capsys.readouterr().err.strip()
    log = hostile_files / "out" / bundle.CRASH
    assert len(err.splitlines()) == 1 and "RuntimeError: login as jens with" in err, err
    assert f"out/{bundle.CRASH}" in err and "pw-errors-1" not in err
    text = log.read_text()
    assert "Traceback" in text and "in broken" in text and "pw-errors-1" not in text


def test_an_unexpected_error_before_any_folder_is_one_line(hostile_files, monkeypatch, capsys):
    def broken(path):
        raise RuntimeError("the disk said no")

    monkeypatch.setattr("crawler.cli.scan_har.read_har", broken)
    assert main([*SCAN, str(Path("ipv6.har"))]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "error: unexpected RuntimeError: the disk said no; please report it"


def test_a_scenario_that_cannot_be_loaded_is_reported_redacted_without_a_traceback(
    hostile_files,
):
    (hostile_files / "broken.py").write_text(
        'import os\nraise RuntimeError("no login for " + os.environ["CPRAUDIT_ERRORS_PW"])\n'
    )
    (hostile_files / "broken.toml").write_text(
        CONFIG + 'scenario = "broken.py"\nlogged_in = "#welcome"\n'
    )
    run = subprocess.run(
        [sys.executable, "-m", "crawler", "run", "broken.toml", "--out", "out"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2 and "Traceback" not in run.stdout + run.stderr
    found = json.loads((hostile_files / "out" / "x" / bundle.FINDINGS).read_text())
    assert found["verdict"] == "inconclusive"
    assert found["errors"] == [
        "scenario broken.py cannot be loaded (RuntimeError: no login for [redacted]); fix it"
    ]


FULL_DISK = """
mount -t tmpfs -o size=1m tmpfs "$0" || exit 99
"$@"
echo "exit code $?"
ls "$0/run/www-portal-test"
cat "$0/run/www-portal-test/findings.json"
"""


@pytest.mark.browser
def test_a_full_disk_is_named_and_what_was_found_is_still_written(tmp_path):
    """The trace (3 MB of page) does not fit on a 1 MB disk; the record and the findings do."""
    if subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode:
        pytest.skip("needs `unshare -rm` (a user namespace) to mount a small disk")
    routes = {
        "www.portal.test/": Response(
            f'<link rel=stylesheet href="/big.css"><script>fetch("/me?cpr={CPR}")</script>'
        ),
        # a stylesheet, whose text Chromium keeps and the trace holds (an image that is no
        # image Chromium drops, and the trace leaves scripts out)
        "www.portal.test/big.css": Response(
            "/*" + base64.b64encode(os.urandom(2_250_000)).decode() + "*/", "text/css"
        ),
    }
    (tmp_path / "disk").mkdir()
    with SiteServer(routes) as server:
        adhoc = [sys.executable, "-m", "crawler", "adhoc", "http://www.portal.test/", "--cpr", CPR]
        run = subprocess.run(
            ["unshare", "-rm", "sh", "-c", FULL_DISK, str(tmp_path / "disk"), *adhoc]
            + ["--resolve", server.resolve_rules()[0], "--depth", "0", "--dwell", "0.5"]
            + ["--out", str(tmp_path / "disk" / "run")],
            capture_output=True,
            text=True,
            timeout=120,
        )
    printed = run.stdout + run.stderr
    assert "exit code 2" in printed and "Traceback" not in printed, printed
    assert "trace.zip removed: it could not be redacted (disk full while writing trace.zip)" in (
        printed
    ), "written to the audit's temporary folder, it could not be brought here redacted"
    assert (
        run.stderr == "error: www.portal.test: network.har removed: it could not be redacted "
        "(disk full while writing network.har)\n"
    )
    found = json.loads(run.stdout[run.stdout.index("{") :])
    assert found["verdict"] == "inconclusive" and found["requests"] >= 3
    assert found["first_party"][0]["request_url"] == f"http://www.portal.test/me?cpr={CPR}"
    assert {"findings.json", "report.html", "requests.jsonl"} <= set(run.stdout.split())
