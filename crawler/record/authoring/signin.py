"""`cpraudit login`'s browser session: the scenario's login steps once, proven, then saved.

A login a person must complete (an approval in an app, a hardware key) runs headed, with long
timeouts; every later run reuses the saved login while it is young enough (`reuse_login`).
The browser is set up as an audit's is (resolve rules, certificates, switches, the consent
state's banner), since the saved cookies must fit the audit that reuses them.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from crawler.errors import BadInput
from crawler.model import Citizen, Target
from crawler.parties import Parties
from crawler.record.browser import setup, trust
from crawler.record.browser.chromium import launch, new_context
from crawler.record.evidence import saved_logins
from crawler.record.visit.login import LoginAgain, login_problem
from crawler.record.visit.scenarios import load_scenario
from crawler.scenario import System

PERSON_MS = 300_000  # headed: a person may take minutes to approve a login in an app


def log_in_once(target: Target, citizen: Citizen, headed: bool = False) -> Path:
    """Run the scenario up to the end of its login steps, prove `logged_in`, save the login;
    its path. BadInput when the login fails or is not proven."""
    assert target.scenario and target.logged_in and target.login_state  # checked by the caller
    scenario = load_scenario(target.scenario, Path("."))
    path = Path(target.login_state)
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
            context.set_default_timeout(PERSON_MS if headed else 30_000)
            setup.attach(context, target, Path(shots), lambda: None)
            page = context.new_page()
            login = LoginAgain(scenario, citizen, lambda name: None, System.of(target), None, "")
            if failed := login(page):
                raise BadInput(f"{target.system}: the login did not complete: {failed}")
            first = Parties.for_target(target).first
            if problem := login_problem(page, target.logged_in, first):
                raise BadInput(f"{target.system}: the login was not proven: {problem}")
            saved_logins.save(context.storage_state(), path)
        finally:
            browser.close()
    return path
