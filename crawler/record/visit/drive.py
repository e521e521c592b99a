"""The scripted visit of one system: the scenario, the proof of its login, the safe crawl.

What it did is returned (`Visited`) and goes into the recording; its `coverage` lets a verdict
say what it covers: the steps completed, every page with its final URL, the links not visited
and why, and whether the citizen was logged in throughout.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Frame, Page

from crawler import bundle, diagnostics
from crawler.errors import first_line
from crawler.model import Citizen, Coverage, LoginState, PageVisit, Target
from crawler.parties import first_party_of
from crawler.record.addons.form_probe import FormProbe
from crawler.record.addons.hooks import Addons
from crawler.record.addons.redaction import Redactor
from crawler.record.capture.tape import Tape
from crawler.record.evidence import saved_logins
from crawler.record.visit.by_hand import Terminal, log_in_by_hand
from crawler.record.visit.consent import ConsentBanner
from crawler.record.visit.crawl import CrawlOutcome, crawl
from crawler.record.visit.login import LoginAgain, SessionGuard, login_problem, screenshot
from crawler.record.visit.saved_login import SavedLogin
from crawler.record.visit.scenarios import play
from crawler.record.visit.start_page import judged
from crawler.scenario import Scenario, System, listening

BY_HAND_STEP = "Log ind (by hand)"

Progress = Callable[[str], None]


@dataclass
class Visited:
    """What a visit saw, for the recording: its pages, its steps with their screenshots, what
    it covered, what went wrong and what is worth saying."""

    pages: list[str] = field(default_factory=list)
    steps: list[tuple[str, str]] = field(default_factory=list)  # (step, screenshot file)
    coverage: Coverage = field(default_factory=Coverage)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    traceback: str | None = None  # the scenario's, redacted


@dataclass
class Drive:
    """Drives one page through a system; `run` says what it saw. Screenshots and the
    scenario's traceback go to `out_dir`."""

    page: Page
    citizen: Citizen
    scenario: Scenario | None
    tape: Tape
    target: Target
    out_dir: Path
    progress: Progress
    redactor: Redactor
    addons: Addons
    saved_login: float | None = None  # when the saved login reused here was saved
    banner: ConsentBanner | None = None  # the consent state's, answered before each step ends
    seen: Visited = field(default_factory=Visited)
    visits: list[PageVisit] = field(default_factory=list)  # the scenario's pages
    crawled: CrawlOutcome = field(default_factory=CrawlOutcome)
    proven: bool = False  # logged_in held after the scenario
    login_again: LoginAgain | None = None
    login_age: float | None = None  # how old it was when it was used, in seconds
    by_hand: float | None = None  # when a person logged in by hand (here, or for the saved login)

    def run(self) -> Visited:
        try:
            if not self._log_in():
                return self.seen
            if self.target.crawl:
                self._crawl()
        except Exception as exc:  # a failing scenario is a finding about the audit, not a crash
            self._failed(exc)
        finally:
            self.seen.coverage = self._coverage()
            self.seen.pages = [v.url for v in self.visits + self.crawled.visits]
        return self.seen

    def _log_in(self) -> bool:
        """The login before the crawl, if any: a person's by hand, the scenario's, or a saved
        one alone; whether the crawl may follow."""
        target = self.target
        if target.login_by_hand:
            return self._by_hand()
        if self.scenario:
            return self._scenario()
        if self.saved_login is not None or target.reuse_login:
            return self._saved_login_alone()
        return True

    def _by_hand(self) -> bool:
        """A person logs in in the visible browser, recorded as a step of its own."""
        check = self.target.logged_in
        self.page.on("framenavigated", self._navigated)
        self._on_step(BY_HAND_STEP, True)
        try:
            done = log_in_by_hand(
                self.page,
                self.target.start_url,
                check,
                self._first_party(),
                self.progress,
                Terminal(),
            )
        finally:
            self.page.remove_listener("framenavigated", self._navigated)
        self._on_step(None, True)
        self.visits = [v.model_copy(update={"by": "by hand"}) for v in self.visits]
        if done.problem:
            return self._not_logged_in(done.problem)
        self.by_hand, self.proven = done.done, check is not None
        if self.proven and self.visits:
            self.visits[-1] = self.visits[-1].model_copy(update={"logged_in": True})
        self.seen.notes.append(
            diagnostics.BY_HAND_CHECKED(check=check.describe())
            if check
            else diagnostics.BY_HAND_CONFIRMED()
        )
        self.progress(f"logged in by hand at {time.strftime('%H:%M:%S')}; the audit goes on")
        return True

    def _saved_login_alone(self) -> bool:
        """A saved login with no scenario behind it (one made by hand, or given)."""
        target = self.target
        if self.saved_login is None:
            system = target.variant_of or target.system
            return self._not_logged_in(diagnostics.NO_SAVED_LOGIN(system=system))
        saved = self._saved(self.saved_login)
        holds, said = saved.alone()
        self.login_age, self.by_hand = saved.used()
        if not holds:
            return self._not_logged_in(said)
        self.proven = target.logged_in is not None
        self.seen.notes.append(said)
        return True

    def _not_logged_in(self, problem: str, not_crawled: str | None = None) -> bool:
        self.seen.errors.append(problem)
        if self.target.crawl:
            self.seen.notes.append(not_crawled or diagnostics.NOT_CRAWLED_NO_LOGIN())
        _screenshot(self.page, self.out_dir / bundle.LOGIN_FAILED)
        return False

    def _saved(self, when: float) -> SavedLogin:
        return SavedLogin(self.page, self.tape, self.target, self._first_party(), when)

    def _scenario(self) -> bool:
        """Run the scenario; whether the crawl may follow (the login, if checked, held)."""
        assert self.scenario is not None
        self.page.on("framenavigated", self._navigated)
        try:
            if self.saved_login is not None and not self._saved_login_holds():
                self.saved_login = None
            system = System.of(self.target, login_reused=self.saved_login is not None)
            steps = None if self.saved_login is not None else 0  # reused: not counted here
            self.login_again = LoginAgain(self.scenario, self.citizen, self._label, system, steps)
            with listening(self._on_step):
                play(self.scenario, self.page, self.citizen, system)
        finally:
            self.page.remove_listener("framenavigated", self._navigated)
        check = self.target.logged_in
        if check is None:
            return True
        problem = login_problem(self.page, check, self._first_party())
        self.proven = problem is None
        if self.proven and self.saved_login is None and self.target.login_state:
            self._save_login()
        if self.visits and self.visits[-1].url == self.page.url:  # the page the proof is about
            self.visits[-1] = self.visits[-1].model_copy(update={"logged_in": self.proven})
        if problem:
            return self._not_logged_in(
                diagnostics.LOGIN_NOT_PROVEN(problem=problem), diagnostics.NOT_CRAWLED()
            )
        return self.proven

    def _saved_login_holds(self) -> bool:
        """A saved login is reused only if logged_in holds on the start page with it; else it
        is forgotten, and the scenario logs in."""
        assert self.saved_login is not None
        saved = self._saved(self.saved_login)
        holds, said = saved.behind_scenario()
        if holds:
            self.login_age, self.by_hand = saved.used()
        self.seen.notes.append(said)
        return holds

    def _save_login(self) -> None:
        target = self.target
        assert target.login_state is not None
        saved_logins.save(
            self.page.context.storage_state(),
            Path(target.login_state),
            (self.out_dir, self.out_dir.parent),
        )
        self.seen.notes.append(diagnostics.LOGIN_SAVED())

    def _crawl(self) -> None:
        settings, target = self.target.crawl, self.target
        assert settings is not None
        starts = [self.page.url] if self.scenario or target.login_by_hand else [target.start_url]
        self.progress(f"crawling from {starts[0]} ({_so_far(self.tape)})")
        guard = None
        if target.logged_in:
            guard = SessionGuard(
                target.logged_in,
                self._first_party(),
                self.out_dir,
                self.login_again,
                good_url=self.page.url if self.proven else None,
                cannot_log_in_again=diagnostics.NO_LOGIN_AGAIN_BY_HAND()
                if target.login_by_hand
                else "",
            )
        self.crawled = crawl(
            self.page,
            starts,
            self._first_party(),
            settings,
            guard,
            not self.scenario,
            lambda page: self.addons.call("page_loaded", page),
        )
        self.seen.errors += self.crawled.errors
        if self.crawled.start:
            self._ended_elsewhere()
        if guard:
            self.proven = self.proven or guard.good_url is not None
            self.seen.errors += [
                diagnostics.SESSION_LOST(url=loss.page_url, problem=loss.problem)
                for loss in guard.losses
                if not loss.recovered
            ]

    def _ended_elsewhere(self) -> None:
        """The start URL ended on another page: said first, and not clean without a reason."""
        assert self.crawled.start is not None
        logged_in = self.by_hand is not None or self.saved_login is not None
        start, said, error = judged(self.crawled.start, self.target.follow_redirect_ok, logged_in)
        self.crawled.start = start
        if error:
            self.seen.errors.insert(0, said)
        else:
            self.seen.notes.insert(0, said)
        self.progress(said)

    def _failed(self, exc: Exception) -> None:
        error, step = f"{type(exc).__name__}: {first_line(exc)}", self.tape.step
        redact = self.redactor.text
        self.seen.errors.append(
            redact(
                diagnostics.SCENARIO_FAILED_IN_STEP(step=step, error=error)
                if step
                else diagnostics.SCENARIO_FAILED(error=error)
            )
        )
        self.seen.traceback = redact(traceback.format_exc())
        (self.out_dir / bundle.ERROR).write_text(self.seen.traceback, encoding="utf-8")
        _screenshot(self.page, self.out_dir / bundle.FAILURE)

    def _on_step(self, name: str | None, login: bool) -> None:
        if name:
            self.progress(f"step {name} ({_so_far(self.tape)})")
        if name is None and self.tape.step:
            shot = bundle.step_screenshot(len(self.seen.steps) + 1)
            _screenshot(self.page, self.out_dir / shot)
            self.seen.steps.append((self.tape.step, shot))
            if self.banner:
                self.banner.settle(self.page)
        if self.login_again:
            self.login_again.seen(name, login)
        self.tape.step = name

    def _label(self, name: str | None) -> None:
        self.tape.step = name

    def _navigated(self, frame: Frame) -> None:
        url, last = frame.url, self.visits[-1].url if self.visits else None
        if frame == self.page.main_frame and url not in ("about:blank", last):
            self.visits.append(PageVisit(url=url, by="scenario"))

    def _first_party(self) -> set[str]:
        return first_party_of(self.target)

    def _coverage(self) -> Coverage:
        check = self.target.logged_in
        return Coverage(
            login=self._login_state(),
            login_check=check.describe() if check else "",
            steps=tuple(name for name, _ in self.seen.steps),
            pages=tuple(self.visits + self.crawled.visits),
            downloads=tuple(self.crawled.downloads),
            not_visited=tuple(self.crawled.not_visited),
            session_losses=tuple(self.crawled.session_losses),
            bounds=tuple(self.crawled.bounds),
            typed=tuple(probe.pages) if (probe := self.addons.get(FormProbe)) else (),
            start=self.crawled.start,
        )

    def _login_state(self) -> LoginState:
        target = self.target
        if target.logged_in is None and target.login_by_hand:
            return "by hand" if self.by_hand else "not proven"
        if target.logged_in is None:
            return "not checked" if self.scenario or self.saved_login is not None else "none"
        if not self.proven:
            return "not proven"
        if any(not loss.recovered for loss in self.crawled.session_losses):
            return "lost"
        return "proven"


def _so_far(tape: Tape) -> str:
    """Progress while recording; the count of leaks is a quick check, the report decides."""
    return f"{tape.count} requests, {tape.leads} carrying the CPR to third parties so far"


def _screenshot(page: Page, path: Path) -> None:
    if shot := screenshot(page):
        path.write_bytes(shot)
