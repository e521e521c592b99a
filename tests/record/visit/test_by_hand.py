"""A login by hand (`adhoc --login manual`, `cpraudit login --manual`): a visible browser, a person
who logs in, an audit that goes on by itself, and a report that says so.

The person is the test, acting at a virtual display (Xvfb) with xdotool: X keyboard and mouse
events into the headed Chromium's window, found by its title and the Tab key, as a person at a
desktop would. Nothing drives the page through Playwright or DevTools while the login is done,
so what is tested is the login as a person does it; `cpraudit` runs as its own process, with the
person's side of the terminal on its stdin.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pyotp
import pytest

from crawler.record.browser.trust import CERTUTIL
from crawler.testing.login_portal import (
    BROKER,
    CPR,
    FORM_TRACKER,
    PASSWORD,
    PORTAL,
    LoginPortal,
)
from crawler.testing.minside import portal as minside
from crawler.testing.person import Person

pytestmark = pytest.mark.browser
FOLDER = "selvbetjening-skat-test"


def cpraudit(*args: str, stdin=subprocess.PIPE) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "crawler", *args],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def told(process: subprocess.Popen, words: str) -> list[str]:
    """The terminal's lines up to the one with `words`: what the person reads before acting."""
    lines = []
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        if words in line:
            return lines
    raise AssertionError(f"never said {words!r}: {''.join(lines)}")


def ended(process: subprocess.Popen, seconds: float = 120) -> tuple[int, str]:
    """The exit code and the rest of the terminal's lines; a process still running after
    `seconds` is killed (the test then fails on what it said). Shorter than the test's own
    limit (pytest-timeout's 180 s), which would end the test without showing what it said."""
    assert process.stdout is not None
    timer = threading.Timer(seconds, process.kill)
    timer.start()
    try:
        rest = process.stdout.read()  # through the buffer `told` read ahead into
        return process.wait(), rest
    finally:
        timer.cancel()


def adhoc(server, out: Path, *extra: str, stdin=subprocess.PIPE) -> subprocess.Popen:
    return cpraudit(
        "adhoc",
        f"http://{PORTAL}/forside",
        "--cpr",
        CPR,
        "--resolve",
        server.resolve_rules()[0],
        "--depth",
        "1",
        "--max-pages",
        "2",
        "--dwell",
        "0.2",
        "--no-fill-forms",
        "--login",
        "manual",
        "--out",
        str(out),
        *extra,
        stdin=stdin,
    )


def logs_in(person: Person, user: str) -> None:
    """What the person does at the broker's form: user id, password, Enter."""
    person.sees("Log ind")
    person.clicks_into_the_page()
    person.tabs_and_types(user)
    person.tabs_and_types(PASSWORD)
    person.presses("Return")


def test_adhoc_login_by_hand_is_recorded_searched_and_the_audit_goes_on_by_itself(person, tmp_path):
    portal = LoginPortal(leaky=True, form_analytics=True)
    with portal.server() as server:
        started = time.time()
        audit = adhoc(server, tmp_path / "out", "--logged-in", "#welcome")
        prompt = told(audit, "log in there by hand")
        logs_in(person, CPR)  # this broker takes the CPR as a user id, and its form leaks it
        code, out = ended(audit)
    found = json.loads((tmp_path / "out" / FOLDER / "findings.json").read_text())

    assert "A browser window shows http://selvbetjening.skat.test/forside" in prompt[-1]
    assert "goes on by itself once logged_in (selector '#welcome') holds" in out
    assert code == 1 and found["verdict"] == "leak"
    during_login = {f["host"] for f in found["findings"] if f["step"] == "Log ind (by hand)"}
    assert during_login == {
        FORM_TRACKER,  # the login form's analytics: the login page's own leak
        BROKER,  # the broker, another organisation, got the CPR typed as the user id
        "pixel.tracker.test",  # the first page after the login
    }
    assert any(f["page_url"].endswith("/side/1") for f in found["findings"]), "and the crawl's"
    assert found["coverage"]["login"] == "proven" and found["steps"][0][0] == "Log ind (by hand)"
    pages = [(p["by"], p["logged_in"]) for p in found["coverage"]["pages"]]
    assert pages[:2] == [("by hand", None), ("by hand", True)]
    assert pages[2:] == [("crawl", True), ("crawl", True)]
    assert started < found["setup"]["login_by_hand"] < found["finished"]
    assert found["notes"][0].startswith("A person logged in by hand in a visible browser")
    report = (tmp_path / "out" / FOLDER / "report.html").read_text()
    assert "by hand, " in report and "done by hand by a person in a visible browser" in report
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            for data in _contents(path):
                assert PASSWORD.encode() not in data, f"the typed password in {path.name}"


def test_without_a_check_the_person_says_in_the_terminal_that_the_login_is_done(person, tmp_path):
    with LoginPortal().server() as server:
        audit = adhoc(server, tmp_path / "out")
        told(audit, "Press Enter here when you are logged in")
        logs_in(person, "jens-testsen")
        person.sees("selvbetjening.skat.test/forside")  # no title: the window shows its URL
        assert audit.stdin is not None
        audit.stdin.write("\n")
        audit.stdin.flush()
        code, _ = ended(audit)
    found = json.loads((tmp_path / "out" / FOLDER / "findings.json").read_text())

    assert (code, found["verdict"]) == (0, "clean")
    assert found["coverage"]["login"] == "by hand" and found["coverage"]["login_check"] == ""
    assert found["notes"][0].startswith("A person logged in by hand in a visible browser and said")
    assert "after a login by hand (unchecked)" in (tmp_path / "out" / "summary.json").read_text()


def test_a_login_by_hand_that_cannot_come_ends_with_the_reason_never_a_wait(person, tmp_path):
    with LoginPortal().server() as server:
        silent = ended(adhoc(server, tmp_path / "silent", stdin=subprocess.DEVNULL), 90)
        closed = adhoc(server, tmp_path / "closed", "--logged-in", "#welcome")
        told(closed, "log in there by hand")
        person.sees("Log ind")
        person.clicks_into_the_page()
        person.presses("ctrl+w")  # the person closes the window instead
        outcomes = [silent, ended(closed, 90)]

    reasons = [
        json.loads((tmp_path / name / FOLDER / "findings.json").read_text())["errors"][0]
        for name in ("silent", "closed")
    ]
    assert [code for code, _ in outcomes] == [2, 2]
    assert reasons == [
        "the login by hand was not done: the terminal's input ended before anyone said the login "
        "was done, and no logged_in check could see it (give --logged-in)",
        "the login by hand was not done: the browser window was closed first",
    ]


def test_login_manual_on_minside_is_saved_and_the_run_reusing_it_says_by_hand_when_how_old(
    person, tmp_path, monkeypatch
):
    if shutil.which(CERTUTIL) is None:
        pytest.skip(f"no {CERTUTIL} to trust MinSide's test CA (Debian: libnss3-tools)")
    monkeypatch.setenv("CPRAUDIT_STATE_DIR", str(tmp_path / "state"))
    site = minside.MinSide(tmp_path / "ca")
    account = minside.ACCOUNTS["production"]
    with site.running() as rules:
        config = minside.write_audit(tmp_path, rules, site.ca.ca_file)
        _by_hand_only(config)  # no scenario: a portal only a person can log in to
        login = cpraudit("login", "MinSide", "--config", str(config), "--manual")
        told(login, "log in there by hand")
        person.sees("NemLog-in")
        person.clicks_into_the_page()
        person.tabs_and_types(account.user)
        person.tabs_and_types(account.password)
        person.presses("Return")
        person.sees("engangskode")
        person.tabs_and_types(pyotp.TOTP(account.totp).now())
        person.presses("Return")
        code, out = ended(login, 60)
        assert code == 0 and "MinSide: logged in by hand; saved to" in out, out
        (saved,) = (tmp_path / "state").iterdir()
        done = json.loads(saved.read_text())["cpraudit"]["by_hand"]
        two_hours_ago = time.time() - 7200
        os.utime(saved, (two_hours_ago, two_hours_ago))
        served = len(site.served)

        run = cpraudit("run", str(config), "--out", str(tmp_path / "run"), "--history", "none")
        code, out = ended(run)
    found = json.loads((tmp_path / "run" / "minside" / "findings.json").read_text())

    assert code == 1 and found["verdict"] == "leak", out  # the chat greets with the CPR
    assert len(site.served) > served and found["coverage"]["login"] == "proven"
    assert found["setup"]["login_by_hand"] == done
    assert 7200 <= found["setup"]["login_age"] < 7200 + 300
    assert found["setup"]["login_reused"] == pytest.approx(two_hours_ago, abs=1)
    assert found["coverage"]["start"]["accepted"] == "login"
    report = (tmp_path / "run" / "minside" / "report.html").read_text()
    assert "2 hours old when it was used" in report
    assert "That login was done by hand by a person" in report
    for path in (tmp_path / "run").rglob("*"):
        if path.is_file():
            for data in _contents(path):
                assert account.password.encode() not in data


def _by_hand_only(config: Path) -> None:
    """MinSide without its scenario or consent states, its login reused for 8 hours."""
    text = config.read_text()
    text = text.replace('scenario = "scenarios/minside.py"\n', 'reuse_login = "8h"\n')
    config.write_text(text.replace('consent = ["decline", "accept"]\n', ""))


def _contents(path: Path) -> list[bytes]:
    if path.suffix != ".zip":
        return [path.read_bytes()]
    with zipfile.ZipFile(path) as archive:
        return [archive.read(name) for name in archive.namelist()]
