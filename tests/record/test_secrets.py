"""No credential or session secret, in any form the detector knows, in any output file (zip
entries included) or on stdout, after a `cpraudit run` that logs in with a password."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import quote_plus

import pytest

from crawler.testing import Received, Response, SiteServer
from crawler.testing.secrets import contents, forms

pytestmark = pytest.mark.browser  # every test here starts Chromium

CPR = "0707614285"
PASSWORD = "sæt kodeord&1"  # Latin-1 percent-encoded by the login form: s%E6t+kodeord%261
SID = "sid-7f3a9c0e5b2d41"  # session cookie: sent, in page URLs, cleared at logout
XSESSION = "xs-5c2e9a7b1d3f88"  # from a JSON answer, sent back in an X-Session header
HIDDEN = "tmp-9d8c7b6a5e4f77"  # a cookie set for a path never requested, then cleared
BASIC = base64.b64encode(f"jens:{PASSWORD}".encode("latin-1")).decode()
SECRETS = (PASSWORD, SID, XSESSION, HIDDEN, BASIC)

LOGIN = """<!doctype html><meta charset="iso-8859-1"><title>Log ind på TastSelv</title>
<form method="post" action="/login"><input name="cpr" value="0707614285">
<label>Adgangskode <input type="password" name="pw"></label><button>Log ind</button></form>"""
HOME = f"""<!doctype html><h1 id="welcome">Velkommen</h1>
<img src="/px.gif?s={SID}"><img src="http://pixel.tracker.test/p.gif?cpr={CPR}">
<script>
fetch("/api/token").then(r => r.json()).then(j =>
  fetch("/api/konto", {{headers: {{"X-Session": j.token}}}})
    .then(() => document.body.dataset.done = "1"));
</script>"""


def login(req: Received) -> Response:
    if quote_plus(PASSWORD.encode("latin-1")).encode() not in req.body:
        return Response("<p>forkert adgangskode</p>", status=403)
    cookie = ("Set-Cookie", f"sid={SID}; Path=/")
    return Response(b"", status=302, headers=(("Location", f"/home?s={SID}"), cookie))


ROUTES = {
    "portal.skat.test/": Response(LOGIN.encode("latin-1"), "text/html; charset=iso-8859-1"),
    "portal.skat.test/login": login,
    "portal.skat.test/home": Response(
        HOME, headers=(("Set-Cookie", f"hidden={HIDDEN}; Path=/never-requested"),)
    ),
    "portal.skat.test/api/token": Response(f'{{"token": "{XSESSION}"}}', "application/json"),
    "portal.skat.test/logout": Response(
        "<p>Logget ud</p>",
        headers=(
            ("Set-Cookie", "sid=; Path=/; Max-Age=0"),
            ("Set-Cookie", "hidden=; Path=/never-requested; Max-Age=0"),
        ),
    ),
}

SCENARIO = """
import base64
import json
from playwright.sync_api import expect
from crawler.scenario import step

def run(page, citizen):
    password = citizen.secret("password")
    with step("Log ind"):
        page.goto("http://portal.skat.test/")
        page.get_by_label("Adgangskode").fill(password)
        page.get_by_role("button", name="Log ind").click()
        expect(page.locator("body[data-done]")).to_be_attached()
    with step("Basic"):
        token = base64.b64encode(("jens:" + password).encode("latin-1")).decode()
        page.evaluate("t => fetch('/api/basic', {headers: {Authorization: 'Basic ' + t}})", token)
        page.wait_for_timeout(300)
    with step("Log ud"):
        page.goto("http://portal.skat.test/logout")
        raise RuntimeError("login as jens with " + password + " was refused")
"""


def run_logged_in(
    folder: Path, server: SiteServer, scenario: str, password: str
) -> subprocess.CompletedProcess:
    """`cpraudit run`, as a command, of the portal at `server`: the test citizen logs in with
    `scenario` and `password` (given in the environment); the run folder is `folder`/out."""
    (folder / "login.py").write_text(textwrap.dedent(scenario))
    (folder / "audit.toml").write_text(f"""
[[citizens]]
id = "jens"
cpr = "{CPR}"
credentials = {{ password = "CPRAUDIT_SECRETS_PW" }}

[[systems]]
name = "TastSelv"
start_url = "http://portal.skat.test/"
first_party = ["skat.test"]
scenario = "login.py"
logged_in = "#welcome"
resolve = ["{server.resolve_rules()[0]}"]
crawl = false
""")
    return subprocess.run(
        [sys.executable, "-m", "crawler", "run", str(folder / "audit.toml")]
        + ["--out", str(folder / "out"), "--history", "none"],
        capture_output=True,
        env=dict(os.environ, CPRAUDIT_SECRETS_PW=password),
        timeout=120,
    )


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    """One `cpraudit run` of the portal, as a command: its exit code, everything it printed,
    and every file it wrote."""
    tmp_path = tmp_path_factory.mktemp("secrets")
    with SiteServer(dict(ROUTES)) as server:
        run = run_logged_in(tmp_path, server, SCENARIO, PASSWORD)
        received = {r.route: r for r in server.received}
    assert received["portal.skat.test/api/konto"].headers["x-session"] == XSESSION
    assert received["portal.skat.test/api/basic"].headers["authorization"] == f"Basic {BASIC}"
    assert "hidden" not in received["portal.skat.test/logout"].headers.get("cookie", "")
    return run.returncode, run.stdout + run.stderr, contents(tmp_path / "out")


def test_the_audit_ran_and_kept_its_evidence(audited):
    code, printed, files = audited
    assert code == 1 and b"was refused" in printed, "the leak, and the scenario's exception"
    assert {"tastselv/network.har", "tastselv/error.txt", "junit.xml"} <= set(files)
    assert any(name.startswith("trace.zip:") for name in files)
    assert CPR.encode() in files["tastselv/requests.jsonl"], "the CPR itself stays visible"
    assert b"pixel.tracker.test" in files["tastselv/findings.json"], "and its leak is reported"


@pytest.mark.parametrize(
    "secret",
    [PASSWORD, SID, XSESSION, HIDDEN, BASIC],
    ids=[
        "password in an exception and a Latin-1 form",
        "session cookie sent and cleared",
        "token in an X-Session header",
        "cookie set and cleared unsent",
        "Authorization Basic",
    ],
)
def test_no_secret_in_any_form_in_any_output(audited, secret):
    _, printed, files = audited
    for form in sorted(forms(secret)):
        assert form.encode() not in printed, f"{form!r} printed"
        for name, data in files.items():
            assert form.encode() not in data, f"{secret!r} as {form!r} in {name}"
    if secret == PASSWORD:
        assert PASSWORD.encode("latin-1") not in b"".join(files.values())


# A test citizen's password may be a piece of its CPR (a PIN of its last four digits): masked
# wherever it stands, it cut the CPR out of every record, and the audit found no leak.
PIN = CPR[-4:]
PIN_LOGIN = """<!doctype html><form method="post" action="/login">
<label>Kode <input type="password" name="pin"></label><button>Log ind</button></form>"""
PIN_HOME = f"""<!doctype html><h1 id="welcome">Velkommen</h1>
<img src="http://pixel.tracker.test/p.gif?cpr={CPR}">
<img src="http://pixel.tracker.test/p.gif?dashed={CPR[:6]}-{PIN}">
<img src="http://pixel.tracker.test/p.gif?b64={base64.b64encode(CPR.encode()).decode()}">"""
PIN_SCENARIO = """
from playwright.sync_api import expect
from crawler.scenario import step

def run(page, citizen):
    with step("Log ind"):
        page.goto("http://portal.skat.test/")
        page.get_by_label("Kode").fill(citizen.secret("password"))
        page.get_by_role("button", name="Log ind").click()
        expect(page.locator("#welcome")).to_be_visible()
        page.wait_for_timeout(300)
"""


def test_a_password_that_is_a_piece_of_the_cpr_masks_it_but_never_the_cpr(tmp_path):
    def login(req: Received) -> Response:
        if req.body != f"pin={PIN}".encode():
            return Response("<p>forkert kode</p>", status=403)
        return Response(b"", status=302, headers=(("Location", "/home"),))

    routes = {
        "portal.skat.test/": Response(PIN_LOGIN),
        "portal.skat.test/login": login,
        "portal.skat.test/home": Response(PIN_HOME),
    }
    with SiteServer(routes) as server:
        run = run_logged_in(tmp_path, server, PIN_SCENARIO, PIN)
        assert len(server.received_by("pixel.tracker.test")) == 3
    files = contents(tmp_path / "out")
    findings = json.loads(files["tastselv/findings.json"])["findings"]
    assert run.returncode == 1, run.stdout.decode()
    assert {f["request_url"].split("?")[1].split("=")[0] for f in findings} == {
        "cpr",
        "dashed",
        "b64",
    }
    sent = [json.loads(line) for line in files["tastselv/requests.jsonl"].splitlines()]
    body = next(e["body"] for e in sent if e["url"].endswith("/login"))
    assert base64.b64decode(body) == b"pin=[redacted]", "the password as the form sent it"
