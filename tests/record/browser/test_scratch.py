"""What the browser writes unredacted (its profile, the HAR and trace as Playwright writes them, the
NetLog) lives in the audit's private temporary folder, and nothing of it outlives the audit: not
after Ctrl-C or SIGTERM, when the runner kills its audit processes outright, and not in the run
folder."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from crawler.errors import BadInput
from crawler.record.browser import scratch
from crawler.testing import Response, SiteServer
from crawler.testing.portals import CPR, PORTAL
from crawler.testing.secrets import contents, places

SID = "sid-interrupted-4e7a1c9b"  # the session cookie: in the browser's profile, the HAR, ...


def test_the_folder_is_private_is_the_temporary_directory_within_and_is_removed(
    short_temp, monkeypatch
):
    tmp_path = short_temp  # Chromium keeps it (a longer one gives way: the test below)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    with scratch.private_temp() as temp:
        assert stat.S_IMODE(temp.folder.stat().st_mode) == 0o700
        assert os.environ["TMPDIR"] == tempfile.gettempdir() == str(temp.folder)
        assert temp.browser_env({"HOME": "/h", "TMPDIR": "x"}) == {
            "HOME": "/h",
            "TMPDIR": str(tmp_path),
        }
    assert not temp.folder.exists() and os.environ["TMPDIR"] == tempfile.tempdir == str(tmp_path)


def test_folders_of_audit_processes_that_are_gone_are_removed(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    (tmp_path / f"{scratch.PREFIX}{ended.stdout.strip()}-abc").mkdir()
    (tmp_path / f"{scratch.PREFIX}{os.getpid()}-abc").mkdir()
    scratch.sweep()
    assert [p.name for p in tmp_path.iterdir()] == [f"{scratch.PREFIX}{os.getpid()}-abc"]
    scratch.remove_of(os.getpid())  # as the runner does for an audit process it stopped
    assert list(tmp_path.iterdir()) == []


@pytest.mark.browser
def test_an_audit_runs_with_a_temporary_directory_too_long_for_chromiums_socket(tmp_path):
    """A TMPDIR of more than 61 bytes (a test's folder, a CI runner's workspace) once kept
    Chromium from starting: every system was inconclusive with "Failed to launch"."""
    long = tmp_path / ("t" * 62)
    long.mkdir()
    page = f"<p>Min side</p><img src='http://px.pixelvendor.test/p.gif?cpr={CPR}'>"
    with SiteServer({f"{PORTAL}/": Response(page)}) as server:
        audit = subprocess.run(
            [sys.executable, "-m", "crawler", "adhoc", f"http://{PORTAL}/", "--cpr", CPR]
            + ["--resolve", server.resolve_rules()[0], "--dwell", "0.5", "--out", "out"],
            cwd=tmp_path,
            env=dict(os.environ, TMPDIR=str(long)),
            capture_output=True,
            text=True,
        )
    assert audit.returncode == 1, audit.stdout + audit.stderr
    assert "px.pixelvendor.test" in audit.stdout


def test_without_a_short_temporary_directory_the_fix_is_named(monkeypatch):
    monkeypatch.setattr(scratch, "SHORT_TEMP", "/nowhere/at/all")
    with pytest.raises(BadInput) as raised:
        scratch.chromium_temp("/" + "t" * 70)
    assert str(raised.value) == (
        "TMPDIR is 71 characters long, too long for Chromium's socket in it (at most 61), and "
        "/nowhere/at/all cannot be written: set TMPDIR to a shorter folder"
    )
    assert scratch.chromium_temp("/" + "t" * 60) == "/" + "t" * 60


@pytest.fixture
def short_temp():
    """A temporary directory of its own for the audit, with a short path as the system's is:
    Chromium's socket there may not exceed 108 bytes, which a test's folder would."""
    folder = Path(tempfile.mkdtemp(dir="/tmp", prefix="scratch-test-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


ROUTES = {
    f"{PORTAL}/": Response(
        "<p>Min side</p><img src='/logo.png'><script>"
        "setInterval(() => fetch('/api/ping?cpr=" + CPR + "'), 300)</script>",
        headers=(("Set-Cookie", f"sid={SID}; Path=/"),),
    ),
}


@pytest.mark.browser
@pytest.mark.parametrize(
    "command, stop",
    [("run", signal.SIGINT), ("run", signal.SIGTERM), ("adhoc", signal.SIGTERM)],
    ids=["run Ctrl-C", "run SIGTERM", "adhoc SIGTERM"],
)
def test_an_interrupted_audit_leaves_nothing_unredacted_behind(tmp_path, short_temp, command, stop):
    temp = short_temp
    with SiteServer(dict(ROUTES)) as server:
        rule = server.resolve_rules()[0]
        (tmp_path / "audit.toml").write_text(f"""
[[citizens]]
id = "jens"
cpr = "{CPR}"

[[systems]]
name = "Portal"
start_url = "http://{PORTAL}/"
first_party = ["skat.test"]
resolve = ["{rule}"]
crawl = {{ depth = 0, dwell = 60 }}
""")
        args = {
            "run": ["run", "audit.toml", "--history", "none"],
            "adhoc": [
                "adhoc",
                f"http://{PORTAL}/",
                "--cpr",
                CPR,
                "--resolve",
                rule,
                "--dwell",
                "60",
            ],
        }[command]
        audit = subprocess.Popen(
            [sys.executable, "-m", "crawler", *args, "--out", "out"],
            cwd=tmp_path,
            env=dict(os.environ, TMPDIR=str(temp)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            _wait_for(lambda: sum(r.path.startswith("/api/ping") for r in server.received) >= 3)
            assert any(temp.rglob("playwright*")), "the browser writes there"
            audit.send_signal(stop)
            _, err = audit.communicate(timeout=60)
        finally:
            audit.kill()
    assert audit.returncode == 2 and b"interrupted" in err
    left = [p for p in temp.rglob("*") if not p.name.startswith(("org.chromium", ".org.chromium"))]
    left = [p for p in left if "org.chromium.Chromium" not in str(p.parent)]  # its socket only
    assert left == [], "nothing of the audit is left in the temporary directory"
    files = contents(tmp_path / "out")
    assert any(name.endswith("requests.jsonl") for name in files)
    assert places(SID, files | contents(temp)) == []


def _wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the audit did not get going"
        time.sleep(0.2)
