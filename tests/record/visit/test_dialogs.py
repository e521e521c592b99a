"""Dialogs: answered as `dialogs` says, every one recorded with its step; leaving a page is
always allowed."""

from __future__ import annotations

import pytest

from crawler.analyse.system import analyse_system
from crawler.model import Citizen, Target
from crawler.record.session import record
from crawler.scenario import step
from crawler.testing import Response, SiteServer

pytestmark = pytest.mark.browser  # every test here starts Chromium

CPR = "0707614285"
PAGE = """<!doctype html><title>konto</title>
<button id="af" onclick="if (confirm('Vil du logge af?')) location = '/farvel'">Log af</button>
<script>addEventListener("beforeunload", e => { e.preventDefault(); e.returnValue = ""; });
</script>"""


def scenario(page, citizen):
    with step("Konto"):
        page.goto("http://www.portal.test/konto")
    with step("Log af"):
        page.get_by_role("button", name="Log af").click()
        page.wait_for_timeout(500)
    with step("Videre"):
        page.goto("http://www.portal.test/andet")


@pytest.mark.parametrize("answer", ["dismiss", "accept"])
def test_dialogs_are_answered_as_configured_and_recorded_with_their_step(tmp_path, answer):
    routes = {f"www.portal.test{p}": Response(PAGE) for p in ("/konto", "/farvel", "/andet")}
    with SiteServer(routes) as server:
        target = Target(
            system="portal",
            start_url="http://www.portal.test/konto",
            first_party=("portal.test",),
            resolve=tuple(server.resolve_rules()),
            crawl=None,
            dialogs=answer,
        )
        result, _ = analyse_system(
            record(target, Citizen(cpr=CPR), tmp_path, scenario), Citizen(cpr=CPR)
        )
        served = [r.path for r in server.received_by("www.portal.test")]
    dialogs = [(d.type, d.message, d.step, d.action) for d in result.dialogs]
    assert dialogs[0] == ("confirm", "Vil du logge af?", "Log af", answer)
    assert ("/farvel" in served) == (answer == "accept"), "a dismissed confirm cancels the click"
    assert ("beforeunload", "", "Videre", "accept") in dialogs, "leaving is always allowed"
    assert "/andet" in served and result.setup.dialogs == answer
    assert not result.errors
