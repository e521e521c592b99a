"""A saved login in use (`reuse_login`, `adhoc --storage-state`): proven on the start page before
anything relies on it, with how old it is and whether a person made it by hand, for the report.

Behind a scenario, a saved login that no longer holds is forgotten and the scenario logs in.
With no scenario behind it (a login only a person can do, or one given) nothing here can log
in: then the audit stops, inconclusive, naming how to log in again; a login given is never
removed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page

from crawler import diagnostics
from crawler.model import LoginCheck, Target
from crawler.record.capture.tape import Tape
from crawler.record.evidence import saved_logins
from crawler.record.visit.login import login_problem

CHECK_STEP = "saved login (checked)"


@dataclass(frozen=True)
class SavedLogin:
    page: Page
    tape: Tape
    target: Target
    first_party: set[str]
    saved: float  # when it was saved

    def problem(self, check: LoginCheck) -> str | None:
        """Why the login does not hold on the start page, or None; recorded as a step."""
        self.tape.step = CHECK_STEP
        self.page.goto(self.target.base_url or self.target.start_url, wait_until="load")
        problem = login_problem(self.page, check, self.first_party)
        self.tape.step = None
        return problem

    def used(self) -> tuple[float, float | None]:
        """How old it is now, in seconds, and when a person logged in by hand for it."""
        made_by_hand = saved_logins.by_hand(Path(saved_logins.in_use(self.target)))
        return max(0.0, time.time() - self.saved), made_by_hand

    def behind_scenario(self) -> tuple[bool, str]:
        """With a scenario behind it: whether it holds, and the note to say. One that does not
        is forgotten, with the browser's cookies, and the scenario logs in."""
        check = self.target.logged_in
        assert check is not None  # reuse_login needs it
        if (problem := self.problem(check)) is None:
            return True, diagnostics.LOGIN_REUSED(check=check.describe())
        self._forget()
        self.page.context.clear_cookies()
        return False, diagnostics.SAVED_LOGIN_FORGOTTEN(problem=problem)

    def alone(self) -> tuple[bool, str]:
        """With no scenario behind it: whether it holds, and what to say (a note if it does,
        an error if not)."""
        target, check = self.target, self.target.logged_in
        if check is None:
            return True, diagnostics.LOGIN_GIVEN_UNCHECKED()
        problem = self.problem(check)
        if target.storage_state:
            if problem:
                return False, diagnostics.GIVEN_LOGIN_LOST(problem=problem)
            return True, diagnostics.LOGIN_GIVEN_HELD(check=check.describe())
        if problem:
            self._forget()
            system = target.variant_of or target.system
            return False, diagnostics.SAVED_LOGIN_LOST(problem=problem, system=system)
        return True, diagnostics.LOGIN_REUSED_HELD(check=check.describe())

    def _forget(self) -> None:
        """The system's own saved login goes; a login given (`storage_state`) is never removed."""
        if not self.target.storage_state:
            saved_logins.forget(Path(saved_logins.in_use(self.target)))
