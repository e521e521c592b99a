"""The links of a page as the crawl sees them, and which of them it may follow.

Links are read in the page as (absolute URL, text): an `<a>` inside inline SVG has an
`SVGAnimatedString` href rather than a string, and a logout link is often known only by its
text ("Log af"), so the deny list is matched against both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from playwright.sync_api import Page

from crawler.parties import registrable_domain

# textContent, not innerText: a "Log af" link hidden in a closed menu still has its text.
_LINKS_JS = r"""() => Array.from(document.querySelectorAll("a, area"), a => {
  const href = a.getAttribute("href") ?? a.getAttributeNS("http://www.w3.org/1999/xlink", "href");
  if (href === null) return null;
  let url;
  try { url = new URL(href, document.baseURI).href; } catch { return null; }
  const alts = Array.from(a.querySelectorAll("img[alt]"), img => img.alt);
  const text = [a.textContent, a.getAttribute("aria-label"), a.getAttribute("title"), ...alts]
    .filter(Boolean).join(" ").replace(/\s+/g, " ").trim();
  return [url, text.slice(0, 200)];
}).filter(Boolean)"""

Refusal = Literal["off-site", "denied"]


@dataclass(frozen=True)
class Link:
    url: str
    text: str = ""


def page_links(page: Page) -> list[Link]:
    """The page's http(s) links (mailto:, javascript: and the like lead to no page)."""
    found = [Link(url, text) for url, text in page.evaluate(_LINKS_JS)]
    return [link for link in found if urlsplit(link.url).scheme in ("http", "https")]


class LinkRules:
    """First-party links only, and never one whose URL or text matches a deny pattern."""

    def __init__(self, first_party: set[str], deny: Iterable[str]) -> None:
        self.first_party = first_party
        self.deny = [re.compile(p, re.IGNORECASE) for p in deny]

    def refusal(self, link: Link) -> Refusal | None:
        if not self.first_party_url(link.url):
            return "off-site"
        if any(p.search(link.url) or p.search(link.text) for p in self.deny):
            return "denied"
        return None

    def first_party_url(self, url: str) -> bool:
        return registrable_domain(urlsplit(url).hostname or "") in self.first_party
