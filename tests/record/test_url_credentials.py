"""A user name and password in a URL (`http://user:password@host/`) are credentials: a start URL
or base_url that holds them is refused before anything starts, and those a site's own links and
redirects carry are masked in every output file, zip entries included, and in what is printed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.testing import Response, SiteServer
from crawler.testing.portals import CPR, PORTAL
from crawler.testing.secrets import contents, places

START_PW = "St4rt-Passw0rd"
LINK_PW = "L1nk-Passw0rd"  # a link the crawl follows
REDIRECT_PW = "Red1rect-Passw0rd"  # a redirect's Location
OFFSITE_PW = "Off-S1te-Passw0rd"  # a link the crawl does not follow (off-site)

SENDS_ITS_ADDRESS = """<!doctype html><title>Side</title><p>Side</p><script>
fetch("http://api.fetchvendor.test/c", {method: "POST", mode: "no-cors",
  body: "u=" + encodeURIComponent(document.URL)});
new Image().src = "http://pixel.imgtracker.test/p?u=" + encodeURIComponent(document.URL);
</script>"""
ROUTES = {
    f"{PORTAL}/": Response(
        f'<a href="http://jens:{LINK_PW}@{PORTAL}/side">Side</a> <a href="/go">Videre</a>'
        f' <a href="http://bob:{OFFSITE_PW}@elsewhere.test/">Et andet sted</a>'
    ),
    f"{PORTAL}/go": Response(
        b"", status=302, headers=(("Location", f"http://anna:{REDIRECT_PW}@{PORTAL}/side2"),)
    ),
    f"{PORTAL}/side": Response(SENDS_ITS_ADDRESS),
    f"{PORTAL}/side2": Response(SENDS_ITS_ADDRESS),
}
CONFIG = f"""
[[citizens]]
id = "jens"
cpr = "{CPR}"

[[systems]]
name = "Portal"
start_url = "http://{PORTAL}/"
first_party = ["skat.test"]

[environments.test.systems.Portal]
base_url = "http://jens:{START_PW}@{PORTAL}/"
"""


def cpraudit(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args],
        capture_output=True,
        cwd=cwd,
        env=dict(os.environ),
        timeout=180,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["adhoc", f"http://jens:{START_PW}@{PORTAL}/", "--cpr", CPR, "--out", "out"],
        ["run", "audit.toml", "--env", "test", "--out", "out"],
        ["run", "start.toml", "--out", "out"],
        ["codegen", f"https://jens:{START_PW}@{PORTAL}/"],
    ],
    ids=["adhoc URL", "an environment's base_url", "start_url", "codegen URL"],
)
def test_a_url_with_credentials_is_refused_in_one_line_that_does_not_print_them(tmp_path, args):
    (tmp_path / "audit.toml").write_text(CONFIG)
    (tmp_path / "start.toml").write_text(
        CONFIG.replace(f'"http://{PORTAL}/"', f'"http://jens:{START_PW}@{PORTAL}/"')
    )
    done = cpraudit(*args, cwd=tmp_path)
    err = done.stderr.decode()
    assert done.returncode == 2 and len(err.splitlines()) == 1, err
    assert "holds a user name or password" in err and "credentials" in err
    assert places(START_PW, {}, done.stdout + done.stderr) == []
    assert not (tmp_path / "out").exists(), "nothing started, nothing written"


@pytest.mark.browser
def test_credentials_in_links_and_redirects_are_in_no_output(tmp_path):
    with SiteServer(dict(ROUTES)) as server:
        done = cpraudit(
            *("adhoc", f"http://{PORTAL}/", "--cpr", CPR, "--out", "out"),
            *("--resolve", server.resolve_rules()[0], "--depth", "1", "--dwell", "0.5"),
            cwd=tmp_path,
        )
        received = b"".join(r.path.encode() + r.body for r in server.received)
    assert done.returncode == 0, done.stderr
    for secret in (LINK_PW, REDIRECT_PW):
        assert secret.encode() in received.replace(b"%3A", b":"), "the pages sent them on"
    files = contents(tmp_path / "out")
    assert {"portal-skat-test/network.har", "portal-skat-test/wire.jsonl"} <= set(files)
    assert any(name.startswith("trace.zip:") for name in files)
    for secret in (LINK_PW, REDIRECT_PW, OFFSITE_PW):
        assert places(secret, files, done.stdout + done.stderr) == [], secret
