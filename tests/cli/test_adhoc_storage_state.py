"""`adhoc --storage-state FILE`: an investigator's audit behind a login someone saved, here by
Playwright itself. The file is what `playwright codegen --save-storage` writes: the test logs in
with Playwright and saves the context's storage state (the same call codegen makes), since
codegen's recorder needs a person at a window."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from crawler.cli import main
from crawler.record.browser.chromium import launch
from crawler.testing.login_portal import BROKER, CPR, PASSWORD, PORTAL, USER, LoginPortal

FOLDER = "selvbetjening-skat-test"


def saved_by_playwright(rules: list[str], path: Path) -> str:
    """Log in through the broker in Playwright and save the storage state; the session token."""
    with sync_playwright() as pw:
        browser, _ = launch(pw, resolve=rules)
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"http://{PORTAL}/forside")
        page.get_by_label("Bruger-id").fill(USER)
        page.get_by_label("Adgangskode").fill(PASSWORD)
        page.get_by_role("button", name="Log ind").click()
        page.locator("#welcome").wait_for()
        context.storage_state(path=path)
        browser.close()
    return json.loads(path.read_text())["cookies"][0]["value"]


def adhoc(server, out: Path, *extra: str) -> tuple[int, dict]:
    code = main(
        [
            "adhoc",
            f"http://{PORTAL}/forside",
            "--cpr",
            CPR,
            "--resolve",
            server.resolve_rules()[0],
            "--depth",
            "1",
            "--max-pages",
            "3",
            "--dwell",
            "0.2",
            "--no-fill-forms",
            "--out",
            str(out),
            *extra,
        ]
    )
    return code, json.loads((out / FOLDER / "findings.json").read_text())


@pytest.mark.browser
def test_adhoc_audits_behind_a_login_saved_by_playwright_and_never_shows_its_session(tmp_path):
    portal, saved = LoginPortal(), tmp_path / "state.json"
    with portal.server() as server:
        token = saved_by_playwright(server.resolve_rules(), saved)
        logins = len(server.received_by(BROKER))
        code, found = adhoc(
            server, tmp_path / "out", "--storage-state", str(saved), "--logged-in", "#welcome"
        )
        assert len(server.received_by(BROKER)) == logins, "no login page was needed"

    assert (code, found["verdict"], found["errors"]) == (0, "clean", [])
    assert found["coverage"]["login"] == "proven" and found["coverage"]["start"] is None
    assert [p["logged_in"] for p in found["coverage"]["pages"]] == [True, True, True]
    assert found["setup"]["login_given"] == str(saved)
    assert 0 <= found["setup"]["login_age"] < 120 and found["setup"]["login_by_hand"] is None
    assert "The audit started with the saved login it was given" in found["notes"][0]
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            for data in _contents(path):
                assert token.encode() not in data, f"the saved session in {path.name}"


@pytest.mark.browser
def test_a_given_login_that_no_longer_holds_is_inconclusive_and_kept(tmp_path):
    portal, saved = LoginPortal(), tmp_path / "state.json"
    with portal.server() as server:
        saved_by_playwright(server.resolve_rules(), saved)
        portal.sessions.clear()  # the portal ended every session
        checked = adhoc(
            server, tmp_path / "checked", "--storage-state", str(saved), "--logged-in", "#welcome"
        )
        unchecked = adhoc(server, tmp_path / "unchecked", "--storage-state", str(saved))

    assert checked[0] == 2 and checked[1]["errors"][0].startswith(
        "the saved login given (--storage-state) did not hold: the page ended off the first "
        f"party, at http://{BROKER}/"
    )
    assert checked[1]["coverage"]["pages"] == [], "not crawled without the login"
    assert unchecked[0] == 2 and unchecked[1]["errors"][0].startswith(
        "the start page ended on a login form"
    ), "without a check, the login form the start page ends on still tells"
    assert saved.is_file(), "a login given is never removed"


def test_a_storage_state_that_is_no_saved_login_is_one_line(tmp_path, capsys):
    (tmp_path / "notes.json").write_text('{"note": 1}')
    (tmp_path / "broken.json").write_text("{")
    common = ["adhoc", f"http://{PORTAL}/", "--cpr", CPR, "--out", str(tmp_path / "out")]
    for given in ("missing.json", "notes.json", "broken.json"):
        assert main([*common, "--storage-state", str(tmp_path / given)]) == 2
    assert main([*common, "--login", "manual", "--storage-state", str(tmp_path / "x")]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 4
    assert errors[0].startswith(f"error: {tmp_path / 'missing.json'}: cannot be read")
    assert errors[1].startswith(f"error: {tmp_path / 'notes.json'} is not a saved login")
    assert errors[2].startswith(f"error: {tmp_path / 'broken.json'} is not JSON")
    assert errors[3].startswith("error: --login manual and --storage-state both log in")
    assert all("playwright codegen --save-storage" in e for e in errors[:3])
    assert not (tmp_path / "out").exists(), "nothing started"


def _contents(path: Path) -> list[bytes]:
    if path.suffix != ".zip":
        return [path.read_bytes()]
    with zipfile.ZipFile(path) as archive:
        return [archive.read(name) for name in archive.namelist()]
