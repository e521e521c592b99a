"""`cpraudit login`'s browser session: a login done once, proven, then saved: the scenario's
login steps, or a person's login by hand (`--manual`).

A login a person must complete (an approval in an app, a hardware key) runs headed, with long
timeouts, or wholly by hand where no script can pass it; every later run reuses the saved login
while it is young enough (`reuse_login`). The browser is set up as an audit's is (resolve rules,
certificates, switches, the consent state's banner), since the saved cookies must fit the audit
that reuses them.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, sync_playwright

from crawler.errors import BadInput
from crawler.model import Citizen, Target
from crawler.parties import first_party_of
from crawler.record.browser import setup, trust
from crawler.record.browser.chromium import launch, new_context
from crawler.record.evidence import saved_logins
from crawler.record.visit.by_hand import Say, Terminal, log_in_by_hand
from crawler.record.visit.login import LoginAgain, login_problem
from crawler.record.visit.scenarios import load_scenario
from crawler.scenario import System

PERSON_MS = 300_000  # headed: a person may take minutes to approve a login in an app


def log_in_once(target: Target, citizen: Citizen, headed: bool = False) -> Path:
    """Run the scenario up to the end of its login steps, prove `logged_in`, save the login;
    its path. BadInput when the login fails or is not proven."""
    assert target.scenario and target.logged_in and target.login_state  # checked by the caller
    scenario = load_scenario(target.scenario, Path("."))
    with _browser(target, headed) as (context, page):
        context.set_default_timeout(PERSON_MS if headed else 30_000)
        login = LoginAgain(scenario, citizen, lambda name: None, System.of(target), None, "")
        if failed := login(page):
            raise BadInput(f"{target.system}: the login did not complete: {failed}")
        first = first_party_of(target)
        if problem := login_problem(page, target.logged_in, first):
            raise BadInput(f"{target.system}: the login was not proven: {problem}")
        saved_logins.save(context.storage_state(), Path(target.login_state))
    return Path(target.login_state)


def log_in_by_hand_once(target: Target, say: Say, terminal: Terminal | None = None) -> Path:
    """A person logs in by hand in a visible browser at the start page; proven by `logged_in`,
    the login is saved with when it was done. BadInput when it was not done or not proven."""
    assert target.logged_in and target.login_state  # reuse_login needs both
    with _browser(target, headed=True) as (context, page):
        first = first_party_of(target)
        url = target.base_url or target.start_url
        done = log_in_by_hand(
            page, url, target.logged_in, first, say, terminal or Terminal(), then="It is saved"
        )
        if done.problem or done.done is None:
            raise BadInput(f"{target.system}: {done.problem}")
        saved_logins.save(context.storage_state(), Path(target.login_state), by_hand=done.done)
    return Path(target.login_state)


@contextmanager
def _browser(target: Target, headed: bool) -> Iterator[tuple[BrowserContext, Page]]:
    """A fresh browser and context set up as the system's audit is, and its page."""
    with (
        sync_playwright() as pw,
        trust.trusting(target.ca_file) as env,
        tempfile.TemporaryDirectory() as shots,
    ):
        browser, executable = launch(
            pw, **setup.launch_options(target), headless=not headed, env=env
        )
        try:
            context, _ = new_context(browser, executable, **setup.context_options(target))
            setup.attach(context, target, Path(shots), lambda: None)
            yield context, context.new_page()
        finally:
            browser.close()
