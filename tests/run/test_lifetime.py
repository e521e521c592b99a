"""Process lifetime of `cpraudit run`: audit processes (and their drivers and browsers) never
outlive the runner nor their own time limit, and SIGTERM stops a run as Ctrl-C does."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from crawler.testing import Response, SiteServer

pytestmark = pytest.mark.browser  # every test here starts Chromium

CPR = "0707614285"
HANG = """
from crawler.scenario import step

def run(page, citizen):
    page.goto("http://{host}/")
    with step("Vent"):
        while True:
            page.wait_for_timeout(300)
"""


@pytest.fixture
def portal():
    routes = {
        f"{name}.skat.test/": Response(f'<!doctype html><h1>{name}</h1><img src="/p.gif">')
        for name in ("hang", "clean")
    }
    with SiteServer(routes) as server:
        yield server


def config(tmp_path: Path, server: SiteServer, time_limit: float, names: tuple[str, ...]) -> Path:
    (tmp_path / "hang.py").write_text(HANG.format(host="hang.skat.test"))
    text = f'[[citizens]]\nid = "jens"\ncpr = "{CPR}"\n'
    for name in names:
        text += f"""
[[systems]]
name = "{name}"
start_url = "http://{name}.skat.test/"
first_party = ["skat.test"]
resolve = ["{server.resolve_rules()[0]}"]
time_limit = {time_limit}
crawl = {{ depth = 0, dwell = 0.2 }}
{'scenario = "hang.py"' if name == "hang" else ""}
login = false
"""
    path = tmp_path / "audit.toml"
    path.write_text(text)
    return path


class Run:
    """`cpraudit run` in its own process (and process group), its output in a file, every
    process it starts marked by an environment variable they all inherit."""

    def __init__(self, tmp_path: Path, audit: Path) -> None:
        self.mark = f"cpraudit-lifetime-{uuid.uuid4().hex}"
        self.out, self.log = tmp_path / "out", tmp_path / "run.log"
        self.history = tmp_path / "history.sqlite"
        command = [sys.executable, "-m", "crawler", "run", str(audit), "--jobs", "2"]
        with self.log.open("w") as log:
            self.proc = subprocess.Popen(
                [*command, "--out", str(self.out), "--history", str(self.history)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=dict(os.environ, PYTHONUNBUFFERED="1", CPRAUDIT_LIFETIME_MARK=self.mark),
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text()

    def processes(self) -> list[int]:
        """Every live process started by this run, the runner included."""
        found = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if self.mark.encode() in Path(f"/proc/{pid}/environ").read_bytes():
                    found.append(int(pid))
            except OSError:
                pass
        return [pid for pid in found if not _zombie(pid)]

    def audit_processes(self) -> list[int]:
        """Processes of the audits: all but the runner and multiprocessing's resource tracker."""
        return [
            pid
            for pid in self.processes()
            if pid != self.proc.pid and b"resource_tracker" not in _cmdline(pid)
        ]

    def names(self) -> list[bytes]:
        return [_cmdline(pid)[:100] for pid in self.processes()]

    def stop(self) -> None:
        """The runner's group, then whatever of this run outlived it (a test that failed)."""
        for kill, pid in [(os.killpg, self.proc.pid)] + [(os.kill, p) for p in self.processes()]:
            try:
                kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(timeout=10)


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def wait_for(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


@pytest.fixture
def started(tmp_path, portal, request):
    """A run started; "hang" will hang in its scenario, "clean" (if asked for) will finish."""
    time_limit, names = getattr(request, "param", (120, ("hang",)))
    run = Run(tmp_path, config(tmp_path, portal, time_limit, names))
    try:
        yield run
    finally:
        run.stop()


def hanging(run: Run) -> bool:
    return wait_for(lambda: "hang: step Vent" in run.output(), 60)


@pytest.mark.parametrize("started", [(120, ("hang", "clean"))], indirect=True, ids=["2 systems"])
def test_sigterm_reports_what_was_audited_marked_incomplete(started):
    assert hanging(started) and wait_for(lambda: "clean: clean" in started.output(), 60)
    started.proc.send_signal(signal.SIGTERM)
    assert started.proc.wait(timeout=60) == 2, started.output()
    summary = json.loads((started.out / "summary.json").read_text())
    verdicts = {s["system"]: s["verdict"] for s in summary["systems"]}
    assert summary["incomplete"] is True
    assert (verdicts["clean"], verdicts["hang"]) == ("clean", "inconclusive")
    hang = json.loads((started.out / "hang" / "findings.json").read_text())
    assert hang["errors"][0] == "run interrupted (SIGTERM) before this system finished"
    assert "interrupted" in (started.out / "index.html").read_text()
    history = subprocess.run(
        [sys.executable, "-m", "crawler", "history", "--history", str(started.history), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    recorded = [json.loads(line) for line in history.stdout.splitlines()]
    assert recorded and all(x["run"]["incomplete"] is True for x in recorded)
    assert wait_for(lambda: not started.processes(), 15), "no audit process, driver or browser left"


def test_killing_the_runners_process_group_ends_every_audit_process(started):
    """As `timeout -s KILL`, a cancelled CI job or systemd's final SIGKILL do."""
    assert hanging(started)
    assert len(started.processes()) > 3, "runner, audit process, driver and browser"
    os.killpg(started.proc.pid, signal.SIGKILL)
    assert wait_for(lambda: not started.processes(), 15), started.names()


@pytest.mark.slow
@pytest.mark.parametrize("started", [(3, ("hang",))], indirect=True, ids=["time limit 3 s"])
def test_an_audit_process_ends_at_its_own_time_limit_when_the_runner_cannot_stop_it(started):
    """A runner that hangs (here: stopped with SIGSTOP as soon as it has started "hang") can
    no longer stop its audit processes at their time limit; each ends itself shortly after."""
    assert wait_for(lambda: "hang: started" in started.output(), 60)
    os.kill(started.proc.pid, signal.SIGSTOP)
    try:
        assert hanging(started), "the runner did not stop the system: it was stopped itself"
        assert wait_for(lambda: not started.audit_processes(), 30), started.names()
    finally:
        os.kill(started.proc.pid, signal.SIGCONT)
