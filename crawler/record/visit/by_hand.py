"""A login done by hand: a person logs in, in a visible browser, and the audit goes on by itself.

Real portals log citizens in through MitID and brokers whose approval steps no script can always
do. So the browser opens at the start page, the terminal says what to do, and the audit waits
until the login is done: until the system's `logged_in` check holds, or the person says so in
the terminal (Enter). The browser records from its first request, so the login pages' own
traffic is evidence like the rest; what the person types into password fields is learned as a
secret and masked in every file, as a configured credential is.

Waiting polls in Playwright's own waits (`wait_for_timeout`), so the recorder keeps recording,
and never forever: a window closed, a terminal whose input has ended or too long a wait ends it
with the reason.
"""

from __future__ import annotations

import os
import select
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Literal

from playwright.sync_api import BrowserContext, Error, Page

from crawler import diagnostics
from crawler.errors import first_line
from crawler.model import LoginCheck
from crawler.record.addons.redaction import MIN_TYPED, Redactor
from crawler.record.visit.login import login_problem, marker

WAIT_SECONDS = 900  # a person with an approval app and a cup of coffee
POLL_MS = 500
BINDING = "__cpraudit_password_typed"
# What a person types into a password field, once it is complete (change, or the form's submit;
# never each key, whose prefixes would mask half the evidence).
_WATCH_PASSWORDS = f"""(() => {{
  const tell = (field) => {{
    if (field && field.type === "password" && field.value) window.{BINDING}(field.value);
  }};
  addEventListener("change", (e) => tell(e.target), true);
  addEventListener("submit", (e) => {{
    for (const field of e.target.querySelectorAll('input[type="password"]')) tell(field);
  }}, true);
  addEventListener("keydown", (e) => {{ if (e.key === "Enter") tell(e.target); }}, true);
}})();"""

Say = Callable[[str], None]
How = Literal["check", "terminal"]


@dataclass(frozen=True)
class ByHand:
    """How the login by hand went: when it was done and who said so, or why it was not."""

    done: float | None = None
    how: How | None = None
    problem: str | None = None  # not done, or done and not proven


class Terminal:
    """The person's side of the terminal: a line typed (Enter) says the login is done."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        try:
            self.fd: int | None = (stream or sys.stdin).fileno()
        except (AttributeError, OSError, ValueError):  # no real input (a test harness's)
            self.fd = None
        self.ended = self.fd is None

    def said_done(self) -> bool:
        """Whether a line has been typed since the last call; never blocks."""
        if self.ended or self.fd is None:
            return False
        try:
            if not select.select([self.fd], [], [], 0)[0]:
                return False
            data = os.read(self.fd, 4096)
        except OSError:
            data = b""
        if not data:
            self.ended = True
        return b"\n" in data


def mask_typed_passwords(context: BrowserContext, redactor: Redactor) -> None:
    """Learn what is typed into password fields as a secret, before the form sends it (a PIN
    too; a value shorter than that is left alone)."""

    def typed(source: object, value: object) -> None:
        if isinstance(value, str):
            redactor.learn([value], minimum=MIN_TYPED)

    context.expose_binding(BINDING, typed)
    context.add_init_script(_WATCH_PASSWORDS)


def log_in_by_hand(
    page: Page,
    url: str,
    check: LoginCheck | None,
    first_party: set[str],
    say: Say,
    terminal: Terminal,
    seconds: float = WAIT_SECONDS,
    then: str = "The audit goes on by itself",
) -> ByHand:
    """Open `url` in the visible browser, tell the person what to do (and what happens `then`),
    wait until the login is done, and prove it with `check` where there is one."""
    try:
        page.goto(url, wait_until="load")
    except Error as exc:  # the start page did not load: the person sees it in the window
        say(f"the start page did not load ({first_line(exc)}); log in from the window anyway")
    say(f"A browser window shows {url}: log in there by hand, as the test citizen.")
    say(_when_done(check, seconds, then))
    try:
        how = _wait(page, check, first_party, terminal, seconds)
    except _NotDone as exc:
        return ByHand(problem=diagnostics.BY_HAND_NOT_DONE(reason=str(exc)))
    done = time.time()
    problem = login_problem(page, check, first_party) if check else None
    if problem:
        problem = diagnostics.BY_HAND_NOT_PROVEN(problem=problem)
    return ByHand(done=done, how=how, problem=problem)


def _when_done(check: LoginCheck | None, seconds: float, then: str) -> str:
    minutes = f"{seconds / 60:g}"
    if check:
        return (
            f"{then} once logged_in ({check.describe()}) holds, or when you press Enter here; "
            f"waiting at most {minutes} minutes."
        )
    return f"Press Enter here when you are logged in; waiting at most {minutes} minutes."


class _NotDone(Exception):
    """Why the wait ended without a login (a diagnostic's reason)."""


def _wait(
    page: Page, check: LoginCheck | None, first_party: set[str], terminal: Terminal, seconds: float
) -> How:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if terminal.said_done():
            return "terminal"
        if check and _shows(page, check, first_party):
            return "check"
        if terminal.ended and check is None:
            raise _NotDone(diagnostics.BY_HAND_NO_TERMINAL())
        try:
            page.wait_for_timeout(POLL_MS)
        except Error:
            raise _NotDone(diagnostics.BY_HAND_WINDOW_CLOSED()) from None
    raise _NotDone(diagnostics.BY_HAND_TOO_LONG(minutes=f"{seconds / 60:g}"))


def _shows(page: Page, check: LoginCheck, first_party: set[str]) -> bool:
    """Whether the page shows a logged-in citizen now, without waiting: a page in the middle
    of a navigation does not."""
    found = marker(page, check, first_party)
    try:
        return found is not None and found.is_visible()
    except Error:
        return False
