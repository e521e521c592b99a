"""Finding and starting Chromium: the switches every audit's browser gets, and how it presents."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from crawler.errors import BadInput
from crawler.record.browser import chromium
from crawler.record.browser.switches import QUIET_ARGS, resolver_rules
from crawler.testing import Response, SiteServer


def test_an_override_that_is_no_file_is_a_one_line_error(monkeypatch, tmp_path):
    monkeypatch.setenv(chromium.ENV_VAR, str(tmp_path / "no-chromium"))
    with pytest.raises(BadInput, match=f"^{chromium.ENV_VAR}=.* is not a file: point it at"):
        chromium.find_chromium()


def test_an_override_names_the_executable(monkeypatch):
    found = chromium.find_chromium()
    assert found, "the test machine has a Chromium"
    monkeypatch.setenv(chromium.ENV_VAR, found)
    assert chromium.find_chromium() == found


def test_resolve_rules_are_host_resolver_rules_and_malformed_ones_are_refused():
    assert resolver_rules(["*.test=127.0.0.1:8080", " a.example = 10.0.0.5 "]) == (
        "MAP *.test 127.0.0.1:8080, MAP a.example 10.0.0.5"
    )
    for bad in ("*.test", "=127.0.0.1", "*.test="):
        with pytest.raises(BadInput, match="is not PATTERN=ADDRESS"):
            resolver_rules([bad])


@pytest.mark.browser
def test_the_browser_runs_quietly_reaches_test_hosts_and_presents_as_desktop_chrome():
    site = SiteServer({"portal.skat.test/": Response("<p id=ok>hej</p>")})
    with site as server, sync_playwright() as pw:
        launched, executable = chromium.launch(pw, server.resolve_rules())
        try:
            context, info = chromium.new_context(launched, executable)
            page = context.new_page()
            page.goto("chrome://version")
            switches = page.inner_text("#command_line")
            page.goto("http://portal.skat.test/")
            seen = page.evaluate(
                "[navigator.webdriver, navigator.userAgent, navigator.language,"
                " Intl.DateTimeFormat().resolvedOptions().timeZone, innerWidth]"
            )
            text = page.inner_text("#ok")
        finally:
            launched.close()
    assert all(arg in switches for arg in QUIET_ARGS), "the browser's own traffic is switched off"
    assert f"--host-resolver-rules=MAP *.test 127.0.0.1:{server.port}" in switches
    assert text == "hej", "an invented .test host was reached on loopback"
    webdriver, user_agent, language, zone, width = seen
    assert webdriver is False and "HeadlessChrome" not in user_agent and "Chrome/" in user_agent
    assert (language, zone, width) == ("da-DK", "Europe/Copenhagen", 1366)
    assert info.user_agent == user_agent and info.presented_as == chromium.PRESENTED_AS


def test_playwrights_own_build_is_found_where_its_driver_looks(monkeypatch, tmp_path):
    """Without starting the driver: `require()` ran a second Playwright driver for this."""
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path))
    monkeypatch.delenv(chromium.ENV_VAR, raising=False)
    with sync_playwright() as pw:
        expected = Path(pw.chromium.executable_path)
    assert expected.is_relative_to(tmp_path) and chromium.playwright_build() is None
    expected.parent.mkdir(parents=True)
    expected.write_text("")
    assert chromium.playwright_build() == str(expected)
    assert chromium.find_chromium() == chromium.require() == str(expected)
