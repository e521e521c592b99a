"""Safe crawl: first-party links breadth-first, GET navigation only, within bounds.

Each page is given `dwell` seconds for analytics that fire on timers, and every page is
left by navigating to about:blank rather than closed, because beacons sent on `pagehide`
or `visibilitychange` only go out when a page is navigated away from. A link that turns out
to be a file (a PDF, an attachment) is a request like any other: recorded, not a page. With a
session guard, the login is proven after every page (see `login`).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from playwright.sync_api import BrowserContext, Error, Page

from crawler import diagnostics
from crawler.errors import first_line
from crawler.model import (
    CrawlSettings,
    LinkNotVisited,
    NotVisited,
    PageVisit,
    SessionLoss,
    StartPage,
    without_fragment,
)
from crawler.record.visit.links import Link, LinkRules, page_links
from crawler.record.visit.login import SessionGuard
from crawler.record.visit.start_page import ended_elsewhere

_DOWNLOAD = "Download is starting"  # what Page.goto raises when the answer is a download
LEAVING = (0.25, 0.15, 0.5)  # seconds as pages are left: the least, the quiet that ends, the most


@dataclass
class CrawlOutcome:
    visits: list[PageVisit] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)
    not_visited: list[LinkNotVisited] = field(default_factory=list)
    session_losses: list[SessionLoss] = field(default_factory=list)
    bounds: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    start: StartPage | None = None  # the start URL ended on another page


@dataclass(frozen=True)
class Loaded:
    status: int | None = None
    page: bool = True  # False: the link was a file (a download, a PDF), not a page


def visit(page: Page, url: str, settings: CrawlSettings) -> Loaded:
    """Load `url` and, if it is a page, stay `dwell` seconds on it."""
    try:
        response = page.goto(url, wait_until="load", timeout=settings.page_timeout * 1000)
    except Error as exc:
        if _DOWNLOAD in str(exc):
            return Loaded(page=False)
        raise
    kind = (response.header_value("content-type") if response else None) or "html"
    if "html" not in kind:  # a PDF or an image in the browser's own viewer
        return Loaded(response.status if response else None, page=False)
    page.wait_for_timeout(settings.dwell * 1000)
    return Loaded(response.status if response else None)


class _Frontier:
    """The links still to visit, and those the crawl will not visit, with why."""

    def __init__(self, starts: list[str], rules: LinkRules, depth: int) -> None:
        self.rules, self.depth = rules, depth
        self.queue = deque((without_fragment(u), 0) for u in starts)
        self.seen = {u for u, _ in self.queue}
        self.not_visited: list[LinkNotVisited] = []

    def add(self, links: list[Link], depth: int) -> None:
        for link in links:
            url = without_fragment(link.url)
            reason: NotVisited | None = self.rules.refusal(link)
            if reason is None and depth >= self.depth:
                reason = "depth bound"
            if reason == "denied" and url in self.seen:  # denied by another link's text
                self._withdraw(url)
            if url in self.seen:
                continue
            self.seen.add(url)
            if reason:
                self.not_visited.append(LinkNotVisited(url=url, reason=reason, text=link.text))
            else:
                self.queue.append((url, depth + 1))

    def again(self, url: str, depth: int) -> None:
        self.queue.appendleft((url, depth))

    def give_up(self, reason: NotVisited) -> None:
        """Everything still queued is not visited, for `reason`."""
        self.not_visited += [LinkNotVisited(url=u, reason=reason) for u, _ in self.queue]
        self.queue.clear()

    def _withdraw(self, url: str) -> None:
        if any(u == url for u, _ in self.queue):
            self.queue = deque(item for item in self.queue if item[0] != url)
            self.not_visited.append(LinkNotVisited(url=url, reason="denied"))


def crawl(
    page: Page,
    start_urls: list[str],
    first_party: set[str],
    settings: CrawlSettings,
    guard: SessionGuard | None = None,
    must_load_first: bool = True,
    on_page: Callable[[Page], None] = lambda page: None,
) -> CrawlOutcome:
    """Visit `start_urls` and the first-party links they lead to, breadth-first; `on_page` is
    given each first-party page on which the login held (the addons' `page_loaded`), after its
    links are read. `must_load_first`: the first is the page asked for, which must load, and
    where it ended is kept (`start`)."""
    rules = LinkRules(first_party, settings.deny)
    frontier, outcome = _Frontier(start_urls, rules, settings.depth), CrawlOutcome()
    deadline, retried = time.monotonic() + settings.max_seconds, set[str]()
    while frontier.queue:
        if bound := _bound_reached(len(outcome.visits), settings, deadline):
            outcome.bounds.append(bound[1])
            frontier.give_up(bound[0])
            break
        url, depth = frontier.queue.popleft()
        try:
            loaded = visit(page, url, settings)
        except Error as exc:
            outcome.errors.append(diagnostics.PAGE_DID_NOT_LOAD(url=url, error=first_line(exc)))
            continue
        if not loaded.page:
            outcome.downloads.append(url)
            continue
        final = page.url
        if must_load_first and not outcome.visits:
            outcome.start = ended_elsewhere(page, url)
        state = guard.after_page(page, url) if guard else None
        if must_load_first and not outcome.visits and (loaded.status or 0) >= 400:
            outcome.errors.append(diagnostics.START_PAGE_STATUS(url=url, status=loaded.status))
        outcome.visits.append(_visit(final, url, state))
        if state == "lost":
            frontier.give_up("session lost")
        elif state == "recovered" and url not in retried:
            retried.add(url)  # logged in again: this page once more, now logged in
            frontier.again(url, depth)
        elif state in (None, "held") and rules.first_party_url(final):
            frontier.add(page_links(page), depth)
            on_page(page)
    outcome.not_visited = frontier.not_visited
    outcome.session_losses = guard.losses if guard else []
    return outcome


def _bound_reached(
    visited: int, settings: CrawlSettings, deadline: float
) -> tuple[NotVisited, str] | None:
    """(reason for the links not visited, note) of a bound reached, or None."""
    if visited >= settings.max_pages:
        return "page bound", diagnostics.PAGE_BOUND(num=settings.max_pages)
    if time.monotonic() >= deadline:
        return "time bound", diagnostics.TIME_BOUND(seconds=f"{settings.max_seconds:g}")
    return None


def _visit(final: str, requested: str, state: str | None) -> PageVisit:
    return PageVisit(
        url=final,
        requested=requested if without_fragment(final) != requested else None,
        logged_in=None if state in (None, "left") else state == "held",
    )


def leave_pages(
    context: BrowserContext, quiet: Callable[[float], bool] = lambda seconds: False
) -> None:
    """Navigate every open page away so unload beacons go out, then give them time to leave:
    at least LEAVING[0] seconds (a page left for another process runs its unload handlers
    after the navigation), then until the network has been `quiet` for LEAVING[1] seconds, at
    most LEAVING[2] seconds in all."""
    for page in context.pages:
        try:
            page.goto("about:blank", timeout=10_000)
        except Error:
            pass
    if not context.pages:
        return
    least, silence, most = LEAVING
    page, started = context.pages[0], time.monotonic()
    page.wait_for_timeout(least * 1000)
    while not quiet(silence) and time.monotonic() - started < most:
        page.wait_for_timeout(50)
