"""`cpraudit run`: scenarios log in, steps label requests, failures are inconclusive,
one system's crash leaves the others alone, and --jobs changes nothing but the time taken."""

from __future__ import annotations

import base64
import json
import textwrap
import zipfile

import pytest

from crawler import bundle
from crawler.cli import main
from crawler.proof.signing import load_private
from crawler.testing import Received, Response, SiteServer, make_key_pair

pytestmark = pytest.mark.browser  # every test here starts Chromium

CPR = "0707614285"

LOGIN = """<!doctype html><form method="post" action="/login">
<label>Adgangskode <input type="password" name="password"></label><button>Log ind</button></form>"""
HOME = f"""<!doctype html><meta name="referrer" content="unsafe-url"><h1 id="welcome">Velkommen</h1>
<a href="/side/{CPR}">Min side</a><a href="/logout">Log ud</a>
<img src="http://pixel.tracker.test/p.gif?v=1">"""
SIDE = (
    '<!doctype html><p>Side</p><script>new Image().src = "http://beacon.tracker.test/b?dl=" + '
    "encodeURIComponent(location.href)</script>"
)


def login(req: Received) -> Response:
    if b"password=pw-123" not in req.body:
        return Response("<p>forkert adgangskode</p>", status=403)
    return Response(
        b"",
        status=302,
        headers=(("Location", f"/home?cpr={CPR}"), ("Set-Cookie", "sid=s3ss10n-7f3a9c; Path=/")),
    )


def routes() -> dict:
    routes = {}
    for host in ("leaky.skat.test", "broken.skat.test", "hang.skat.test", "crash.skat.test"):
        routes[f"{host}/"] = Response(LOGIN)
        routes[f"{host}/login"] = login
        # Only "leaky" leaks before its second step, so the others' verdicts show the failure.
        routes[f"{host}/home"] = Response(
            HOME if host.startswith("leaky") else HOME.split("<img")[0]
        )
        routes[f"{host}/side/{CPR}"] = Response(SIDE)
    routes["clean.skat.test/"] = Response(LOGIN)
    routes["clean.skat.test/login"] = login
    routes["clean.skat.test/home"] = Response(
        '<h1 id="welcome">Velkommen</h1><img src="http://pixel.tracker.test/p.gif">'
    )
    return routes


SCENARIO = """
from playwright.sync_api import expect
from crawler.scenario import step

def run(page, citizen):
    with step("Log ind"):
        page.goto("http://{host}/")
        page.get_by_label("Adgangskode").fill(citizen.secret("password"))
        page.get_by_role("button", name="Log ind").click()
        expect(page.locator("#welcome")).to_be_visible()
    with step("Min side"):
        {extra}
"""

EXTRA = {
    "leaky": 'page.get_by_role("link", name="Min side").click(); page.wait_for_timeout(500)',
    "clean": "page.wait_for_timeout(300)",
    "broken": 'expect(page.locator("#does-not-exist")).to_be_visible(timeout=1000)',
    "hang": "while True: page.wait_for_timeout(1000)",
    "crash": "_kill_my_browser(); page.wait_for_timeout(1000)",
}
KILL = '''
import os, signal
def _kill_my_browser():
    """SIGKILL the Chromium processes that descend from this audit process."""
    me, parents = os.getpid(), {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            parents[int(pid)] = int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError):
            pass
    def descends(pid):
        while pid in parents and pid > 1:
            pid = parents[pid]
            if pid == me:
                return True
        return False
    for pid in parents:
        if descends(pid) and "chrom" in open(f"/proc/{pid}/cmdline").read():
            os.kill(pid, signal.SIGKILL)
'''


@pytest.fixture
def portal():
    with SiteServer(routes()) as server:
        yield server


def write_config(tmp_path, server, names, time_limit=60):
    systems = []
    for name in names:
        (tmp_path / f"{name}.py").write_text(
            (KILL if name == "crash" else "")
            + textwrap.dedent(SCENARIO).format(host=f"{name}.skat.test", extra=EXTRA[name])
        )
        systems.append(f"""
[[systems]]
name = "{name}"
supplier = "Test"
start_url = "http://{name}.skat.test/"
first_party = ["skat.test"]
scenario = "{name}.py"
logged_in = "#welcome"
resolve = ["{server.resolve_rules()[0]}"]
time_limit = {time_limit if name == "hang" else 60}
crawl = {{ depth = 1, dwell = 0.5, max_pages = 5 }}
""")
    path = tmp_path / "audit.toml"
    path.write_text(
        f"""
[[citizens]]
id = "jens"
cpr = "{CPR}"
credentials = {{ password = "CPRAUDIT_RUN_TEST_PW" }}
"""
        + "".join(systems)
    )
    return path


def run(config, out, *args):
    code = main(["run", str(config), "--out", str(out), *args])
    results = {}
    for item in json.loads((out / "summary.json").read_text())["systems"]:
        if item["verdict"] != "not-audited":
            results[item["system"]] = json.loads(
                (out / item["report"]).with_name("findings.json").read_text()
            )
    return code, results


@pytest.fixture(autouse=True)
def password(monkeypatch):
    monkeypatch.setenv("CPRAUDIT_RUN_TEST_PW", "pw-123")


def test_scenario_logs_in_and_requests_are_attributed_to_steps(portal, tmp_path):
    private, public = make_key_pair(tmp_path)
    config = write_config(tmp_path, portal, ["leaky"])
    code, results = run(config, tmp_path / "out", "--sign-key", str(private))
    leaky = results["leaky"]
    assert code == 1 and leaky["verdict"] == "leak"
    by_host = {(f["host"], f["step"]) for f in leaky["findings"]}
    assert ("pixel.tracker.test", "Log ind") in by_host, (
        "Referer from the page reached right after login"
    )
    assert ("beacon.tracker.test", "Min side") in by_host
    assert [s[0] for s in leaky["steps"]] == ["Log ind", "Min side"]
    assert all((tmp_path / "out" / "leaky" / shot).is_file() for _, shot in leaky["steps"])
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    raw = load_private(private).private_bytes_raw()
    secret_key = (raw, raw.hex().encode(), base64.b64encode(raw)[:40], private.read_bytes()[28:])
    assert {"network.har", "trace.zip", "requests.jsonl"} <= {p.name for p in files}
    for path in files:
        contents = (
            [zipfile.ZipFile(path).read(n) for n in zipfile.ZipFile(path).namelist()]
            if path.suffix == ".zip"
            else [path.read_bytes()]
        )
        for data in contents:
            assert b"pw-123" not in data and b"s3ss10n" not in data, f"a secret in {path.name}"
            assert not any(form in data for form in secret_key), f"the key in {path.name}"
    assert main(["verify", str(tmp_path / "out"), "--key", str(public)]) == 0, (
        "the run sealed and signed every file it wrote"
    )


def test_failing_hanging_and_crashing_systems_are_inconclusive_and_isolated(
    portal, tmp_path, capsys
):
    config = write_config(
        tmp_path, portal, ["hang", "clean", "broken", "crash", "leaky"], time_limit=30
    )
    code, results = run(config, tmp_path / "out", "--jobs", "2")
    said = capsys.readouterr()
    lines = (said.out + said.err).splitlines()
    hung = next(n for n, line in enumerate(lines) if line.startswith("hang: inconclusive"))
    assert {f"{name}: started" for name in results} <= set(lines[:hung]), (
        "a place a system leaves is taken at once, not once the hanging one ends"
    )
    verdicts = {name: r["verdict"] for name, r in results.items()}
    assert verdicts == {
        "clean": "clean",
        "broken": "inconclusive",
        "hang": "inconclusive",
        "crash": "inconclusive",
        "leaky": "leak",
    }
    assert code == 1
    assert "step Min side" in results["broken"]["errors"][0]
    assert (tmp_path / "out" / "broken" / "failure.png").is_file(), (
        "a screenshot of the moment it failed"
    )
    assert "time limit" in results["hang"]["errors"][0]
    assert results["hang"]["requests"] > 0, "what was recorded before the hang is kept"
    assert results["crash"]["errors"]


@pytest.mark.slow
def test_jobs_do_not_change_findings(portal, tmp_path):
    config = write_config(tmp_path, portal, ["leaky", "clean"])
    _, one = run(config, tmp_path / "one", "--jobs", "1")
    _, two = run(config, tmp_path / "two", "--jobs", "2")

    def key(results):
        return {
            n: sorted(
                (f["host"], f["channel"], f["detail"], f["step"] or "") for f in r["findings"]
            )
            for n, r in results.items()
        }

    assert key(one) == key(two) and key(one)["leaky"]


def test_only_named_systems_run_and_unknown_names_are_refused(portal, tmp_path, capsys):
    config = write_config(tmp_path, portal, ["leaky", "clean"])
    code, results = run(config, tmp_path / "out", "--system", "clean")
    assert (code, list(results)) == (0, ["clean"])
    assert main(["run", str(config), "--system", "nope", "--out", str(tmp_path / "x")]) == 2
    assert "--system 'nope' is not a system of" in capsys.readouterr().err


def test_ctrl_c_leaves_a_consistent_report_marked_incomplete(portal, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    config = write_config(tmp_path, portal, ["clean", "hang"], time_limit=120)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler", "run", str(config), "--out", str(out), "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    deadline = time.monotonic() + 60
    for line in proc.stdout:
        if "clean: clean" in line or time.monotonic() > deadline:
            break
    time.sleep(1)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 2
    summary = json.loads((out / "summary.json").read_text())
    assert summary["incomplete"] is True
    verdicts = {
        s["system"]: s["verdict"] for s in summary["systems"] if s["verdict"] != "not-audited"
    }
    assert verdicts == {"clean": "clean", "hang": "inconclusive"}
    assert "interrupted" in (out / "index.html").read_text()
    hang = json.loads((out / "hang" / "findings.json").read_text())
    assert "interrupted" in hang["errors"][0] and hang["requests"] > 0


KILLED_AFTER_LEAKING = """
import os, signal
from playwright.sync_api import expect
from crawler.scenario import step

def run(page, citizen):
    with step("Log ind"):
        page.goto("http://clean.skat.test/")
        page.get_by_label("Adgangskode").fill(citizen.secret("password"))
        page.get_by_role("button", name="Log ind").click()
        expect(page.locator("#welcome")).to_be_visible()
    with step("Min side"):
        for n in range(3):
            page.evaluate(
                "([n, u]) => { new Image().src = `http://beacon.tracker.test/b?n=${n}&u=${u}` }",
                [n, citizen.cpr],
            )
        page.wait_for_timeout(1000)
        os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer does
"""


def test_a_killed_audit_never_reports_an_earlier_runs_result(portal, tmp_path, capsys):
    config, out = write_config(tmp_path, portal, ["clean"]), tmp_path / "out"
    assert run(config, out)[0] == 0
    earlier = (out / "clean" / "findings.json").read_bytes()
    # what a run stopped before it collected its systems leaves behind: a clean result.json
    (out / "clean" / "result.json").write_bytes(earlier)
    (tmp_path / "clean.py").write_text(KILLED_AFTER_LEAKING)
    capsys.readouterr()

    assert main(["run", str(config), "--out", str(out)]) == 2, "a reused folder is refused"
    err = capsys.readouterr().err.strip()
    assert "is not empty" in err and len(err.splitlines()) == 1
    assert (out / "clean" / "findings.json").read_bytes() == earlier, "nothing recorded is lost"

    code, results = run(config, tmp_path / "again")
    assert (code, results["clean"]["verdict"]) == (1, "leak")
    assert (
        results["clean"]["errors"][0] == "audit process ended without a result (killed by SIGKILL)"
    )
    sent = {r.path for r in portal.received_by("beacon.tracker.test")}
    assert len(sent) == len(results["clean"]["findings"]) == 3
    assert results["clean"]["coverage"]["login"] == "unknown"


def test_two_runs_in_one_second_get_folders_of_their_own(portal, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(bundle, "stamp", lambda when=None: "20260301T020000Z")
    configs = []
    for name in ("leaky", "clean"):
        (tmp_path / name).mkdir()
        configs.append(write_config(tmp_path / name, portal, [name]))
    assert [main(["run", str(config)]) for config in configs] == [1, 0]
    audited = []
    for folder in ("20260301T020000Z-run", "20260301T020000Z-run-2"):
        summary = json.loads((tmp_path / "reports" / folder / "summary.json").read_text())
        systems = [s for s in summary["systems"] if s["verdict"] != "not-audited"]
        audited.append({s["system"]: s["verdict"] for s in systems})
    assert audited == [{"leaky": "leak"}, {"clean": "clean"}], "a leak stays in its run's index"


def test_a_scenario_that_will_not_load_or_raises_has_its_redacted_traceback_in_the_report(
    portal, tmp_path
):
    config = write_config(tmp_path, portal, ["broken", "clean"])
    (tmp_path / "clean.py").write_text("from clean_helpers_nowhere import log_in\n")
    (tmp_path / "broken.py").write_text(
        textwrap.dedent("""
        from crawler.scenario import step

        def run(page, citizen):
            with step("Log ind"):
                page.goto("http://broken.skat.test/")
                raise RuntimeError("refused: " + citizen.secret("password"))
        """)
    )
    code, results = run(config, tmp_path / "out")
    assert code == 2
    unloaded, raised = results["clean"], results["broken"]
    (error,) = unloaded["errors"]
    assert error == (
        f"scenario {tmp_path / 'clean.py'} cannot be loaded (ModuleNotFoundError: No module "
        "named 'clean_helpers_nowhere'); fix it"
    ), "not 'audit process ended without a result'"
    assert 'clean.py", line 1, in <module>' in unloaded["scenario_traceback"]
    assert raised["errors"][0] == (
        "scenario did not complete (step Log ind): RuntimeError: refused: [redacted]"
    )
    trace = raised["scenario_traceback"]
    assert 'broken.py", line 7, in run' in trace and "pw-123" not in trace
    report = (tmp_path / "out" / "broken" / "report.html").read_text()
    assert "Where the scenario failed" in report and "RuntimeError: refused: [redacted]" in report
    assert "pw-123" not in (tmp_path / "out" / "broken" / bundle.ERROR).read_text()
