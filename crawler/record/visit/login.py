"""Login proof: the citizen is logged in after the scenario and on every crawled page.

A scenario's `expect(...)` proves a login once; the crawl can lose it afterwards (a link that
logs out, a session that expires) and then audits nothing but login pages. So each system
declares `logged_in`, something only a logged-in citizen sees, checked after the scenario and
after every crawled page, with the final URL still first party. A lost session is
re-established by running the scenario again to the end of its `login=True` steps; without
such steps the crawl stops, and the verdict cannot be clean.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from playwright.sync_api import Error, Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from crawler import bundle, diagnostics
from crawler.errors import first_line
from crawler.model import Citizen, LoginCheck, SessionLoss
from crawler.parties import registrable_domain
from crawler.record.visit.scenarios import play
from crawler.scenario import Scenario, System, listening

CHECK_MS = 3_000  # the page has loaded and dwelt: a marker not there by now is not coming
MAX_LOGINS_AGAIN = 10  # a site that logs out on every page is not audited by logging in forever
PageState = Literal["held", "left", "recovered", "lost"]


def marker(page: Page, check: LoginCheck, first_party: set[str]) -> Locator | None:
    """Where the page shows `logged_in`: what the check looks for, on a first-party page (None
    on any other: no other site can prove the login)."""
    if registrable_domain(urlsplit(page.url).hostname or "") not in first_party:
        return None
    found = page.locator(check.selector) if check.selector else page.get_by_text(check.text or "")
    return found.first


def login_problem(page: Page, check: LoginCheck, first_party: set[str]) -> str | None:
    """Why the page does not show a logged-in citizen, or None if it does."""
    found = marker(page, check, first_party)
    if found is None:
        return diagnostics.OFF_FIRST_PARTY(url=page.url)
    try:
        found.wait_for(state="visible", timeout=CHECK_MS)
    except PlaywrightTimeout:
        return diagnostics.LOGGED_IN_FAILS(check=check.describe(), url=page.url)
    except Error as exc:  # e.g. a selector Playwright cannot parse
        return diagnostics.LOGGED_IN_UNCHECKABLE(check=check.describe(), error=first_line(exc))
    return None


class _LoginDone(BaseException):
    """Ends a re-run scenario after its last login step; BaseException so that a scenario's
    own `except Exception` does not swallow it."""


class LoginAgain:
    """Runs the scenario again, up to the end of the login steps it completed the first time;
    when the first run skipped them (a saved login was reused: `steps` is None), up to the
    first step after a login step."""

    def __init__(
        self,
        scenario: Scenario,
        citizen: Citizen,
        label: Callable[[str | None], None],
        system: System,
        steps: int | None = 0,
        suffix: str = " (logging in again)",
    ):
        self.scenario, self.citizen, self.label, self.suffix = scenario, citizen, label, suffix
        self.system = replace(system, login_reused=False)  # this run logs in
        self.steps = steps

    def seen(self, name: str | None, login: bool) -> None:
        """Step listener of the scenario's first run: counts its login steps."""
        if name is None and login and self.steps is not None:
            self.steps += 1

    def __call__(self, page: Page) -> str | None:
        """Log in again; why that failed, or None."""
        ended = 0

        def listener(name: str | None, login: bool) -> None:
            nonlocal ended
            if name and not login and ended and self.steps is None:
                raise _LoginDone  # the first step after the login: stop before it
            self.label(f"{name}{self.suffix}" if name else None)
            if name is None and login:
                ended += 1
                if ended == self.steps:
                    raise _LoginDone

        try:
            with listening(listener):
                play(self.scenario, page, self.citizen, self.system)
        except _LoginDone:
            return None
        except Exception as exc:  # the scenario's own failure, e.g. its expect() timed out
            return f"{type(exc).__name__}: {first_line(exc)}"
        if ended and self.steps is None:  # a scenario that is all login
            return None
        return diagnostics.LOGIN_STEPS_NOT_REACHED()


@dataclass
class SessionGuard:
    """After each crawled page: still logged in? If not, was the session lost (then log in
    again, or stop) or did just this page leave the logged-in site (then go on)?"""

    check: LoginCheck
    first_party: set[str]
    out_dir: Path
    login_again: LoginAgain | None
    good_url: str | None = None  # the last page on which the check held
    cannot_log_in_again: str = ""  # why, when login_again is None (e.g. a login by hand)
    losses: list[SessionLoss] = field(default_factory=list)

    def after_page(self, page: Page, requested: str) -> PageState:
        problem = login_problem(page, self.check, self.first_party)
        if problem is None:
            self.good_url = page.url
            return "held"
        final, shot = page.url, screenshot(page)
        if self._still_logged_in(page):
            return "left"
        failed = self._log_in_again(page)
        if failed:
            problem = diagnostics.NOT_REESTABLISHED(problem=problem, reason=failed)
        self.losses.append(
            SessionLoss(
                page_url=requested,
                final_url=final,
                time=time.time(),
                problem=problem,
                recovered=failed is None,
                screenshot=self._keep(shot),
            )
        )
        return "lost" if failed else "recovered"

    def _still_logged_in(self, page: Page) -> bool:
        """Back on the last page that held: does it still? Then the session is intact."""
        if self.good_url is None:
            return False
        try:
            page.goto(self.good_url, wait_until="load")
        except Error:
            return False
        return login_problem(page, self.check, self.first_party) is None

    def _log_in_again(self, page: Page) -> str | None:
        if self.login_again is None or self.login_again.steps == 0:
            return self.cannot_log_in_again or diagnostics.NO_LOGIN_STEP()
        if len(self.losses) >= MAX_LOGINS_AGAIN:
            return diagnostics.LOST_TOO_OFTEN(num=MAX_LOGINS_AGAIN)
        if failed := self.login_again(page):
            return diagnostics.LOGIN_AGAIN_FAILED(error=failed)
        return login_problem(page, self.check, self.first_party)

    def _keep(self, shot: bytes | None) -> str | None:
        if shot is None:
            return None
        name = bundle.session_screenshot(len(self.losses) + 1)
        (self.out_dir / name).write_bytes(shot)
        return name


def screenshot(page: Page) -> bytes | None:
    """The page as it is now; None for a page that is gone (the error text says why)."""
    try:
        return page.screenshot(timeout=10_000)
    except Error:
        return None
