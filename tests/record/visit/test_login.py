"""The login proof and the session guard, against a portal with a real login through a broker:
a scenario that never logs in, a "Log af" link in the header, a session that expires mid-crawl,
and a link that logs out."""

from __future__ import annotations

from functools import partial

import pytest
from pydantic import SecretStr

from crawler import bundle
from crawler.model import Citizen, CrawlSettings, LoginCheck, SystemResult, Target
from crawler.report.coverage import statement
from crawler.run.audit import audit_system
from crawler.testing.login_portal import BROKER, CPR, PASSWORD, PORTAL, USER, LoginPortal, log_in

pytestmark = pytest.mark.browser  # every test here starts Chromium

CITIZEN = Citizen(cpr=CPR, credentials={"user": SecretStr(USER), "password": SecretStr(PASSWORD)})
SIDES = ["/side/1", "/side/2", "/side/3", "/side/4", "/side/5", "/side/6"]


def audit(portal: LoginPortal, tmp_path, scenario) -> SystemResult:
    with portal.server() as server:
        target = Target(
            system="selvbetjening",
            start_url=f"http://{PORTAL}/",
            first_party=("skat.test",),
            resolve=tuple(server.resolve_rules()),
            crawl=CrawlSettings(depth=1, dwell=0.2, max_pages=20),
            logged_in=LoginCheck(selector="#welcome"),
        )
        result, _ = audit_system(target, CITIZEN, tmp_path, scenario)
    return result


def never_logs_in(page, citizen):
    """Fills in the form, never submits it, and proves nothing."""
    page.goto(f"http://{PORTAL}/")
    page.get_by_label("Bruger-id").fill(citizen.secret("user"))


def test_a_scenario_that_never_logs_in_is_inconclusive_with_a_screenshot(tmp_path):
    portal = LoginPortal()
    result = audit(portal, tmp_path, never_logs_in)
    assert result.verdict == "inconclusive"
    assert result.errors[0].startswith("login not proven after the scenario: the page ended off")
    assert (tmp_path / bundle.LOGIN_FAILED).is_file()
    assert result.coverage.login == "not proven" and portal.served == []
    assert statement(result) == "inconclusive on 0 pages, login not proven"


def test_the_crawl_never_follows_a_log_af_link_in_the_header(tmp_path):
    portal = LoginPortal(leaky=True)
    result = audit(portal, tmp_path, log_in)
    assert result.verdict == "leak" and result.coverage.login == "proven"
    assert sorted(set(portal.served) - {"/", "/forside"}) == SIDES, "every page seen logged in"
    leaked = {f.request_url.split("side=")[1].split("&")[0] for f in result.findings}
    assert leaked == {"forside", "1", "2", "3", "4", "5", "6"}
    (denied,) = [link for link in result.coverage.not_visited if link.reason == "denied"]
    assert (denied.url, denied.text) == (f"http://{PORTAL}/session/luk", "Log af")
    assert statement(result) == (
        "leak on 8 pages after login; 1 link not visited: excluded (deny rule)"
    )


def test_a_session_expiring_mid_crawl_without_a_login_step_is_not_clean(tmp_path):
    portal = LoginPortal(session_pages=4)  # clean: the tracker gets page numbers only
    result = audit(portal, tmp_path, partial(log_in, login_step=False))
    assert result.verdict == "inconclusive", "a crawl that lost the login cannot be clean"
    (loss,) = result.coverage.session_losses
    assert not loss.recovered and loss.final_url.startswith(f"http://{BROKER}/")
    assert "marks no login step" in loss.problem
    assert (tmp_path / loss.screenshot).is_file()
    assert any(e.startswith(f"session lost on {loss.page_url}") for e in result.errors)
    assert result.coverage.login == "lost"
    lost = {link.url for link in result.coverage.not_visited if link.reason == "session lost"}
    assert lost and all(url.startswith(f"http://{PORTAL}/side/") for url in lost)
    (after,) = [p for p in result.coverage.pages if p.logged_in is False]
    assert (after.url, after.requested) == (loss.final_url, loss.page_url), "redirect marked"
    assert "login lost; session lost once, not re-established" in statement(result)


def test_a_session_expiring_mid_crawl_is_re_established_by_the_login_step(tmp_path):
    portal = LoginPortal(session_pages=4)
    result = audit(portal, tmp_path, log_in)
    assert result.verdict == "clean" and result.coverage.login == "proven"
    assert set(SIDES) <= set(portal.served), "every page audited logged in"
    losses = result.coverage.session_losses
    assert losses and all(loss.recovered for loss in losses)
    crawled = [p for p in result.coverage.pages if p.by == "crawl" and p.logged_in]
    assert {p.url for p in crawled} >= {f"http://{PORTAL}{side}" for side in SIDES}
    exchanges, _ = bundle.read_exchanges(tmp_path / bundle.REQUESTS)
    assert any(e.step == "Log ind (logging in again)" for e in exchanges)
    assert f"session lost {'once' if len(losses) == 1 else 'twice'}, logged in again" in (
        statement(result)
    )


def test_a_link_that_logs_out_is_tried_once_more_and_the_crawl_goes_on(tmp_path):
    portal = LoginPortal(trap=True)
    result = audit(portal, tmp_path, log_in)
    assert result.verdict == "clean" and result.coverage.login == "proven"
    assert set(SIDES) <= set(portal.served)
    trapped = result.coverage.session_losses
    assert [loss.page_url for loss in trapped] == [f"http://{PORTAL}/videre"] * 2
    assert all(loss.recovered for loss in trapped)
