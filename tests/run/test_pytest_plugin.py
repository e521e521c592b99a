"""`pytest --cpraudit audit.toml`, run as a supplier's CI would: pytest inside pytest.

Each run is a subprocess with its own Chromium, auditing a loopback portal of this module's
making: a system that leaks the CPR through the Referer to a tracker, a clean one, and one
whose scenario breaks.
"""

from __future__ import annotations

import base64
import json
import zipfile

import pytest

from crawler.cli import main
from crawler.testing import Response, SiteServer, make_key_pair

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.browser  # every test here starts Chromium

CPR = "0707614285"
PASSWORD = "hemmeligt-kodeord-42"
TRACKER = "pixel.tracker.test"
# A valid image: Chromium fetches a broken one again, twice as HeadlessChrome, which would muddle
# the checks.
GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

LEAKY = f"""<!doctype html><meta name="referrer" content="unsafe-url"><title>Min side</title>
<p>Velkommen</p><img src="http://{TRACKER}/p.gif">"""
CLEAN = f"""<!doctype html><meta name="referrer" content="strict-origin-when-cross-origin">\
<title>Forside</title>
<form><label>Adgangskode <input type="password" id="pw"></label></form>
<img src="http://{TRACKER}/p.gif?page=forside"><script>fetch("/api/me?cpr={CPR}")</script>"""

SCENARIOS = """
from crawler.scenario import step


def leaky(page, citizen):
    with step("Min side"):
        page.goto("http://leaky.skat.test/side?cpr=" + citizen.cpr)

def clean(page, citizen):
    with step("Log ind"):
        page.goto("http://clean.skat.test/")
        page.fill("#pw", citizen.secret("password"))

def broken(page, citizen):
    with step("Log ind"):
        page.goto("http://clean.skat.test/")
        raise RuntimeError("the login button is gone")
"""


SYSTEMS = (("Leaky", "leaky", "leaky"), ("Clean", "clean", "clean"), ("Broken", "clean", "broken"))
CATALOGUE = (
    '[[system]]\nsupplier = "Testleverandør"\nnames = ["Leaky", "Clean", "Broken", "Unscripted"]\n'
)


def audit_toml(port: int) -> str:
    systems = "".join(
        f"""
[[systems]]
name = "{name}"
supplier = "Testleverandør"
start_url = "http://{host}.skat.test/"
first_party = ["skat.test"]
scenario = "scenarios.py:{function}"
login = false
resolve = ["*.test=127.0.0.1:{port}"]
crawl = false
"""
        for name, host, function in SYSTEMS
    )
    return f"""catalogue = "catalogue.toml"
[[citizens]]
id = "jens"
cpr = "070761-4285"
credentials = {{ password = "PLUGIN_TEST_PASSWORD" }}
{systems}"""


@pytest.fixture
def portal():
    routes = {
        "leaky.skat.test/side": Response(LEAKY),
        "clean.skat.test/": Response(CLEAN),
        f"{TRACKER}/p.gif": Response(GIF, "image/gif"),
    }
    with SiteServer(routes) as server:
        yield server


@pytest.fixture
def audit_dir(pytester, portal, monkeypatch):
    monkeypatch.setenv("PLUGIN_TEST_PASSWORD", PASSWORD)
    pytester.makefile(".toml", audit=audit_toml(portal.port), catalogue=CATALOGUE)
    pytester.makepyfile(scenarios=SCENARIOS)
    return pytester.path


def test_a_test_per_system_leak_fails_inconclusive_errors(pytester, portal, audit_dir):
    private, public = make_key_pair(audit_dir)
    result = pytester.runpytest_subprocess(
        "--cpraudit",
        "audit.toml",
        "--cpraudit-out",
        "out",
        "-rA",
        "--cpraudit-sign-key",
        str(private),
    )

    result.assert_outcomes(passed=1, failed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of Broken*",
            "Broken: inconclusive: scenario did not complete (step Log ind): "
            "RuntimeError: the login button is gone",
            f"report: {audit_dir / 'out' / 'broken' / 'report.html'}",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*_ Leaky (cpraudit) _*",
            "Leaky: leak, 1 request(s) with the CPR",
            f"  [[]*[]] NEW tracker.test ({TRACKER}); header Referer (header, plain); 1 request(s) "
            "on 1 page(s), step(s) Min side, first from http://leaky.skat.test/side?cpr=*; "
            "sent by the HTML of *; root cause: the CPR in the URL of *",
            "  new third party: tracker.test",
            f"report: {audit_dir / 'out' / 'leaky' / 'report.html'}",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            f"cpraudit report: {audit_dir / 'out' / 'index.html'}",
            "*short test summary*",
            "PASSED audit.toml::Clean",
            "ERROR audit.toml::Broken*",
            "FAILED audit.toml::Leaky*",
        ]
    )
    out = audit_dir / "out"
    verdicts = {
        name: json.loads((out / name / "findings.json").read_text("utf-8"))["verdict"]
        for name in ("leaky", "clean", "broken")
    }
    assert verdicts == {"leaky": "leak", "clean": "clean", "broken": "inconclusive"}
    assert all((out / name / "report.html").is_file() for name in verdicts)
    leak = json.loads((out / "leaky" / "findings.json").read_text("utf-8"))["findings"]
    assert [(f["host"], f["channel"]) for f in leak] == [(TRACKER, "header")]
    # What the tracker was really sent, and the browser presenting as desktop Chrome.
    sent = portal.received_by("tracker.test")
    assert any(CPR in r.headers.get("referer", "") for r in sent)
    assert all(
        "Chrome/" in r.headers["user-agent"] and "Headless" not in r.headers["user-agent"]
        for r in sent
    )
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert {s["system"]: s["verdict"] for s in summary["systems"]} == {
        "Leaky": "leak",
        "Clean": "clean",
        "Broken": "inconclusive",
        "Unscripted": "not-audited",
    }
    junit = (out / "junit.xml").read_text("utf-8")
    assert 'failures="1"' in junit and 'errors="1"' in junit and 'skipped="1"' in junit
    assert (out / "clean" / "trace.zip").is_file() and (out / "clean" / "network.har").is_file()
    assert PASSWORD.encode() not in (out / "clean" / "network.har").read_bytes()
    assert main(["verify", str(out), "--key", str(public)]) == 0, "sealed and signed"


def test_a_third_party_without_agreement_fails_a_clean_system_that_asks(
    pytester, portal, audit_dir
):
    head, _leaky, clean, _broken = audit_toml(portal.port).split("[[systems]]")
    clean_only = f"{head}[[systems]]{clean}"
    pytester.makefile(".toml", audit=clean_only + "fail_on_unagreed = true\n")
    result = pytester.runpytest_subprocess("--cpraudit", "audit.toml", "--cpraudit-out", "out")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*no data-processing agreement registered with tracker.test*"])
    found = json.loads((audit_dir / "out" / "clean" / "findings.json").read_text("utf-8"))
    assert (found["verdict"], found["agreement_verdict"]) == ("clean", "fail")


@pytest.mark.slow
def test_tracing_on_leaves_pytest_playwright_a_redacted_trace(pytester, audit_dir):
    result = pytester.runpytest_subprocess(
        "--cpraudit",
        "audit.toml",
        "--cpraudit-out",
        "out",
        "--cpraudit-system",
        "Clean",
        "--tracing",
        "on",
    )

    result.assert_outcomes(passed=1)
    traces = list((audit_dir / "test-results").glob("*/trace.zip"))
    assert len(traces) == 1 and "clean" in traces[0].parent.name
    with zipfile.ZipFile(traces[0]) as trace:
        content = b"".join(trace.read(name) for name in trace.namelist())
    assert (
        b"clean.skat.test" in content
        and b"[redacted]" in content
        and PASSWORD.encode() not in content
    )


def test_a_conftest_override_of_context_args_wins(pytester, portal, audit_dir):
    pytester.makeconftest("""
import pytest

@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "user_agent": "SupplierCI/1.0"}
""")
    result = pytester.runpytest_subprocess(
        "--cpraudit", "audit.toml", "--cpraudit-out", "out", "--cpraudit-system", "Clean"
    )

    result.assert_outcomes(passed=1)
    agents = {r.headers["user-agent"] for r in portal.received}
    assert agents == {"SupplierCI/1.0"}
    browser = json.loads((audit_dir / "out" / "clean" / "findings.json").read_text("utf-8"))[
        "browser"
    ]
    assert (
        browser["user_agent"] == "SupplierCI/1.0"
        and browser["presented_as"] == "as set by browser_context_args"
    )


def test_a_bad_configuration_is_a_collection_error_in_one_line(pytester):
    pytester.makefile(".toml", audit='[[citizens]]\nid = "jens"\ncpr = "070761-4285"\n')

    result = pytester.runpytest_subprocess("--cpraudit", "audit.toml")

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*audit.toml: systems: required key is missing; add it*"])


def test_cpraudit_needs_an_audit_toml(pytester):
    result = pytester.runpytest_subprocess("--cpraudit")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*--cpraudit needs the audit's configuration: pytest --cpraudit audit.toml*"]
    )


def test_a_session_never_writes_into_another_runs_folder(pytester, audit_dir):
    (pytester.path / "out").mkdir()
    (pytester.path / "out" / "findings.json").write_text("{}")

    result = pytester.runpytest_subprocess("--cpraudit", "audit.toml", "--cpraudit-out", "out")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--cpraudit-out *out is not empty (it holds findings.json)*"])
    assert (pytester.path / "out" / "findings.json").read_text() == "{}"


def test_without_the_flag_pytest_playwright_is_untouched(pytester, audit_dir):
    pytester.makepyfile(
        test_plain="""
def test_defaults(browser_type_launch_args, browser_context_args, request):
    assert browser_type_launch_args == {}
    assert browser_context_args == {}
    assert "cpraudit_result" not in request.fixturenames
"""
    )

    result = pytester.runpytest_subprocess("test_plain.py")

    result.assert_outcomes(passed=1)
    assert "cpraudit report" not in result.stdout.str() and not (audit_dir / "reports").exists()


def test_consent_states_are_tests_of_their_own_in_the_chosen_environment(pytester):
    from crawler.testing.minside.pages import CONSENT

    page = """<!doctype html><script src="http://policy.cookieinfo.test/uc.js"></script>
<script>addEventListener("CookieInformationConsentGiven", () => {
  if (CookieInformation.getConsentGivenFor("x"))
    new Image().src = "http://collect.analytics.test/g?u=" + encodeURIComponent(location.href);
});</script>"""
    routes = {
        "ci.skat.test/": Response(page),
        "policy.cookieinfo.test/uc.js": Response(CONSENT, "application/javascript"),
    }
    with SiteServer(routes) as server:
        pytester.makefile(
            ".toml",
            audit=f"""
[[citizens]]
id = "jens"
cpr = "{CPR}"

[[systems]]
name = "Portal"
start_url = "http://prod.skat.test/"
first_party = ["skat.test"]
login = false
consent = ["decline", "accept"]
crawl = {{ depth = 0, dwell = 4.0 }}

[environments.ci]
resolve = ["*.test=127.0.0.1:{server.port}"]
[environments.ci.systems.Portal]
start_url = "http://ci.skat.test/?cpr={CPR}"
""",
        )
        result = pytester.runpytest_subprocess(
            "--cpraudit", "audit.toml", "--cpraudit-env", "ci", "--cpraudit-out", "out"
        )
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["Portal (consent: accept): leak*", "*NEW analytics.test (collect.analytics.test)*"]
    )
    declined = json.loads(
        (pytester.path / "out" / "portal-consent-decline" / "findings.json").read_text("utf-8")
    )
    assert declined["verdict"] == "clean" and declined["setup"]["environment"] == "ci"
    rows = {r["domain"]: r["received"] for r in declined["consent_table"]["rows"]}
    assert rows == {"analytics.test": {"accept": 1}}, "written again once both states were known"


def test_a_failing_set_up_says_one_line_and_never_the_environments_secrets(
    pytester, audit_dir, monkeypatch
):
    """A consent state without autoconsent, under a test CA: the launch options hold the whole
    environment (a temporary HOME for the CA), CI secrets included; none may reach the log."""
    from crawler.testing.tls import CertificateAuthority

    ca = CertificateAuthority.make(audit_dir)
    secret = "ci-deploy-token-4c1f9e"
    monkeypatch.setenv("CI_DEPLOY_TOKEN", secret)
    monkeypatch.setenv("CPRAUDIT_AUTOCONSENT", str(audit_dir / "no-autoconsent-here"))
    head, leaky, *_ = audit_toml(0).split("[[systems]]")
    system = leaky.replace(
        "login = false", f'login = false\nconsent = ["decline"]\nca_file = "{ca.ca_file}"'
    )
    pytester.makefile(".toml", audit=f"{head}[[systems]]{system}")
    result = pytester.runpytest_subprocess(
        "--cpraudit", "audit.toml", "--cpraudit-out", "out", "--junitxml", "junit.xml"
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["Leaky (consent: decline): inconclusive: *autoconsent*"])
    logs = result.stdout.str() + result.stderr.str() + (audit_dir / "junit.xml").read_text()
    logs += "".join(p.read_text("utf-8", "replace") for p in (audit_dir / "out").rglob("*.xml"))
    assert secret not in logs
    assert "Traceback" not in result.stdout.str() and "def cpraudit_result" not in logs


def test_acceptances_judge_a_session_without_a_history(pytester, portal, audit_dir):
    head, leaky, *_ = audit_toml(portal.port).split("[[systems]]")
    pytester.makefile(".toml", audit=f"{head}[[systems]]{leaky}")
    first = pytester.runpytest_subprocess(
        "--cpraudit", "audit.toml", "--cpraudit-out", "one", "--cpraudit-history", "none"
    )
    first.assert_outcomes(failed=1)
    found = json.loads((audit_dir / "one" / "leaky" / "findings.json").read_text("utf-8"))
    fingerprint = found["findings"][0]["fingerprint"]
    accepted = f"""
[[accepted]]
system = "Leaky"
fingerprint = "{fingerprint}"
reason = "removal in release 24.3"
expires = 2099-12-31
"""
    pytester.makefile(".toml", audit=f"{head}{accepted}[[systems]]{leaky}")
    second = pytester.runpytest_subprocess(
        "--cpraudit", "audit.toml", "--cpraudit-out", "two", "--cpraudit-history", "none"
    )
    second.assert_outcomes(passed=1)
    judged = json.loads((audit_dir / "two" / "leaky" / "findings.json").read_text("utf-8"))
    assert [a["reason"] for a in judged["acceptances"]] == ["removal in release 24.3"]
    junit = (audit_dir / "two" / "junit.xml").read_text("utf-8")
    assert 'failures="0"' in junit and "accepted until 2099-12-31" in junit


def test_fail_on_new_passes_a_persisting_leak_and_junit_agrees(pytester, portal, audit_dir):
    head, leaky, *_ = audit_toml(portal.port).split("[[systems]]")
    pytester.makefile(".toml", audit=f"{head}[[systems]]{leaky}")
    args = ["--cpraudit", "audit.toml", "--cpraudit-fail-on", "new"]
    history = ["--cpraudit-history", "history.sqlite"]
    pytester.runpytest_subprocess(*args, *history, "--cpraudit-out", "one").assert_outcomes(
        failed=1
    )
    again = pytester.runpytest_subprocess(*args, *history, "--cpraudit-out", "two")
    again.assert_outcomes(passed=1)
    junit = (audit_dir / "two" / "junit.xml").read_text("utf-8")
    assert 'failures="0"' in junit and "persisting since" in junit
    assert "leaks that do not fail this run" in junit


def test_a_consent_state_is_named_as_every_command_names_it(pytester):
    pytester.makefile(
        ".toml",
        audit=f"""
[[citizens]]
id = "jens"
cpr = "{CPR}"

[[systems]]
name = "Portal"
start_url = "http://portal.skat.test/"
first_party = ["skat.test"]
login = false
consent = ["decline", "accept"]
""",
    )
    result = pytester.runpytest_subprocess(
        "--cpraudit",
        "audit.toml",
        "--collect-only",
        "--cpraudit-system",
        "portal (consent: accept)",
    )
    result.stdout.fnmatch_lines(["*Portal (consent: accept)*"])
    assert "decline" not in result.stdout.str()
