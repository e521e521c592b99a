"""Consent states: the banner found and clicked by DuckDuckGo's autoconsent (or audit.toml's
selector), photographed before the click; a state that could not be set is never clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from crawler.analyse.system import analyse_system
from crawler.model import Citizen, CrawlSettings, SystemResult, Target
from crawler.record.session import record
from crawler.record.visit import consent
from crawler.scenario import Scenario, step
from crawler.testing import Response, SiteServer
from crawler.testing.minside.pages import CONSENT

pytestmark = pytest.mark.browser  # every test here starts Chromium

CPR = "0707614285"
PAGE = """<!doctype html><title>portal</title>
<script src="http://policy.cookieinfo.test/uc.js"></script><h1>Velkommen</h1>
<script>
function statistics() {
  if (CookieInformation.getConsentGivenFor("cookie_cat_statistic"))
    new Image().src = "http://collect.analytics.test/g?u=" + encodeURIComponent(location.href);
}
addEventListener("CookieInformationConsentGiven", statistics); statistics();
</script>"""
UNKNOWN = """<!doctype html><title>portal</title><h1>Velkommen</h1>
<div id="egen-banner">Vi bruger cookies <button id="ja">Ja tak</button>
<button id="nej" onclick="this.parentNode.remove()">Nej tak</button></div>"""
PLAIN = """<!doctype html><title>portal</title><h1>Velkommen</h1>
<img src="http://pixel.tracker.test/p.gif"><script>fetch("/api/me")</script>"""


def audit(
    tmp_path, page: str, scenario: Scenario | None = None, **settings
) -> tuple[SystemResult, SiteServer]:
    settings.setdefault("crawl", CrawlSettings(depth=0, dwell=4.0))
    routes = {
        "www.portal.test/": Response(page),
        "www.portal.test/videre": Response(page),
        "policy.cookieinfo.test/uc.js": Response(CONSENT, "application/javascript"),
    }
    with SiteServer(routes) as server:
        target = Target(
            system="portal",
            start_url=f"http://www.portal.test/?cpr={CPR}",
            first_party=("portal.test",),
            resolve=tuple(server.resolve_rules()),
            **settings,
        )
        rec = record(target, Citizen(cpr=CPR), tmp_path, scenario=scenario)
        return analyse_system(rec, Citizen(cpr=CPR))[0], server


@pytest.mark.parametrize("state", ["none", "decline", "accept"])
def test_each_state_is_chosen_in_the_banner_after_a_photograph_of_it(tmp_path, state):
    result, server = audit(tmp_path, PAGE, consent=state)
    assert result.consent is not None and result.consent.problem is None
    (action,) = result.consent.actions
    assert (action.platform, action.by, action.choice) == (
        "Cookie Information Banner",
        "autoconsent",
        state,
    )
    assert (tmp_path / action.screenshot).stat().st_size > 1000
    assert action.sent == (state != "none") and action.done in ((state != "none") or None,)
    statistics = bool(server.received_by("collect.analytics.test"))
    assert statistics == (state == "accept"), "statistics only with consent"
    assert result.verdict == ("leak" if state == "accept" else "clean")


def test_a_banner_autoconsent_does_not_know_is_not_clean_until_its_button_is_given(tmp_path):
    unknown, _ = audit(tmp_path / "unknown", UNKNOWN, consent="decline")
    assert unknown.verdict == "inconclusive"
    assert unknown.errors == (
        'consent: no consent banner was found, so the "decline" state could not be chosen; give '
        "its button's CSS selector as consent_decline in audit.toml if autoconsent does not "
        "know the platform",
    )
    given, _ = audit(tmp_path / "given", UNKNOWN, consent="decline", consent_selector="#nej")
    assert given.verdict == "clean" and given.consent is not None
    (action,) = given.consent.actions
    assert (action.by, action.done) == ("selector", True)


def hasty(page, citizen):
    """Waits until the banner is gone, then goes on at once, while the decline is still being
    confirmed: Cookie Information's opt-out waits a second after its click."""
    with step("Forside"):
        page.goto("http://www.portal.test/")
        expect(page.locator("#cookie-information-template-wrapper")).to_be_hidden()
    with step("Videre"):
        page.goto("http://www.portal.test/videre")


def test_a_step_ends_once_the_choice_made_in_it_has_gone_through(tmp_path):
    result, _ = audit(tmp_path, PAGE, hasty, consent="decline", crawl=None)
    assert result.consent is not None and result.consent.problem is None
    (action,) = result.consent.actions
    assert (action.step, action.page_url) == ("Forside", "http://www.portal.test/")
    assert (tmp_path / str(action.screenshot)).is_file()
    assert action.sent and action.done, "confirmed before the next step left the page"


def test_autoconsent_sends_nothing_of_its_own(tmp_path):
    without, _ = audit(tmp_path / "without", PLAIN)
    with_it, _ = audit(tmp_path / "with", PLAIN, consent="none")
    assert with_it.consent is not None and with_it.consent.detected == ()
    assert sorted(h.host for h in with_it.hosts) == sorted(h.host for h in without.hosts)
    assert with_it.requests == without.requests


def test_without_autoconsent_a_consent_state_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setenv(consent.ENV_VAR, str(tmp_path / "nowhere"))
    result, _ = audit(tmp_path / "out", PAGE, consent="decline")
    assert result.verdict == "inconclusive" and result.errors == (consent.MISSING,)
