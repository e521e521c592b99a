"""Safe crawl: first-party links breadth-first, GET navigation only, within bounds.

Each page is given `dwell` seconds for analytics that fire on timers, and every page is
left by navigating to about:blank rather than closed, because beacons sent on `pagehide`
or `visibilitychange` only go out when a page is navigated away from.
"""

from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Error, Page

from crawler.errors import first_line
from crawler.model import CrawlSettings, without_fragment
from crawler.parties import registrable_domain

_LINKS_JS = "els => els.map(e => e.href)"


@dataclass
class CrawlOutcome:
    pages: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def first_party_link(url: str, first: set[str], deny: list[re.Pattern]) -> bool:
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and registrable_domain(parts.hostname or "") in first
        and not any(p.search(url) for p in deny)
    )


def visit(page: Page, url: str, settings: CrawlSettings) -> int | None:
    """Load `url`, stay `dwell` seconds; the HTTP status of the document."""
    response = page.goto(url, wait_until="load", timeout=settings.page_timeout * 1000)
    page.wait_for_timeout(settings.dwell * 1000)
    return response.status if response else None


def crawl(
    page: Page,
    start_urls: list[str],
    first_party: set[str],
    settings: CrawlSettings,
    must_load_first: bool = True,
) -> CrawlOutcome:
    """Visit `start_urls` and the first-party links they lead to, breadth-first."""
    deny = [re.compile(p, re.IGNORECASE) for p in settings.deny]
    queue = deque((url, 0) for url in start_urls)
    seen = {without_fragment(u) for u in start_urls}
    outcome, deadline = CrawlOutcome(), time.monotonic() + settings.max_seconds
    while queue and len(outcome.pages) < settings.max_pages and time.monotonic() < deadline:
        url, depth = queue.popleft()
        try:
            status = visit(page, url, settings)
        except Error as exc:
            outcome.errors.append(f"page {url} did not load: {first_line(exc)}")
            continue
        outcome.pages.append(url)
        if must_load_first and len(outcome.pages) == 1 and status and status >= 400:
            outcome.errors.append(f"start page {url} answered HTTP {status}")
        if depth >= settings.depth:
            continue
        for link in page.eval_on_selector_all("a[href]", _LINKS_JS):
            link = without_fragment(link)
            if link not in seen and first_party_link(link, first_party, deny):
                seen.add(link)
                queue.append((link, depth + 1))
    if queue:
        outcome.notes.append(f"crawl stopped at its bounds with {len(queue)} links not visited")
    return outcome


def leave_pages(context: BrowserContext, settle_ms: int = 500) -> None:
    """Navigate every open page away so unload beacons go out, then give them time to leave."""
    for page in context.pages:
        try:
            page.goto("about:blank", timeout=10_000)
        except Error:
            pass
    if context.pages:
        context.pages[0].wait_for_timeout(settle_ms)
