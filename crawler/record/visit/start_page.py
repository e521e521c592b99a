"""Where the start URL ended: the page asked for, or another one.

`adhoc URL` on a page behind a login is redirected to the login form, and a crawl of the login
form is no audit of the page asked for: reported clean, it would be a false "clean". So when the
start page ends elsewhere (redirected, to another host or to a page asking for a password), the
audit says so first, and it is inconclusive unless the page is the one meant
(`follow_redirect_ok`) or the audit logged in. A login form after a login still is: the login
did not hold.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Error, Page

from crawler import diagnostics
from crawler.model import StartPage, without_fragment


def ended_elsewhere(page: Page, requested: str) -> StartPage | None:
    """Where the page now open, loaded from `requested`, ended, if that is another page."""
    final = page.url
    if same_page(requested, final):
        return None
    return StartPage(
        requested=requested,
        url=final,
        other_host=_host(final) != _host(requested),
        login_form=asks_for_password(page),
    )


def same_page(requested: str, final: str) -> bool:
    """The same page, give or take an upgrade to https, a trailing slash or a fragment."""
    asked, got = urlsplit(without_fragment(requested)), urlsplit(without_fragment(final))
    if asked.scheme != got.scheme and (asked.scheme, got.scheme) != ("http", "https"):
        return False
    return (asked.hostname, asked.path.rstrip("/"), asked.query) == (
        got.hostname,
        got.path.rstrip("/"),
        got.query,
    )


def asks_for_password(page: Page) -> bool:
    """Whether a frame of the page has a visible password field: a login form."""
    for frame in page.frames:
        try:
            if frame.locator('input[type="password"]:visible').count():
                return True
        except Error:  # a frame gone meanwhile
            continue
    return False


def judged(start: StartPage, follow_ok: bool, logged_in: bool) -> tuple[StartPage, str, bool]:
    """The start page with why it is accepted, if it is; the sentence to say; whether that is
    an error (the audit is inconclusive) rather than a note."""
    if follow_ok:
        accepted = start.model_copy(update={"accepted": "follow_redirect_ok"})
        return accepted, diagnostics.START_TAKEN_AS_MEANT(url=start.url), False
    if logged_in and not start.login_form:
        accepted = start.model_copy(update={"accepted": "login"})
        return accepted, diagnostics.START_AFTER_LOGIN(url=start.url), False
    if start.login_form:
        return start, diagnostics.START_LOGIN_FORM(url=start.url), True
    if start.other_host:
        return start, diagnostics.START_OTHER_HOST(url=start.url), True
    return start, diagnostics.START_REDIRECTED(url=start.url), True


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
