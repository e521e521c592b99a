"""Root cause: the CPR in first-party page URLs, and the Referer leaks it makes possible.

"Personnummer i URL" was the memo's root cause. A page whose URL carries the CPR is a defect
of its own (a design finding) even when no third party received it today, because every
third-party request from that page is one referrer policy away from carrying it. Since
2020-21 browsers default to `strict-origin-when-cross-origin` and send only the origin; the
2015-era default, `no-referrer-when-downgrade`, sent the full URL. A third-party request from
such a page is a *latent leak* when nothing but the browser's default stands between it and
the full URL: no `Referrer-Policy` header, no `<meta name="referrer">`, no `referrerpolicy`
attribute on the element that made it.

A single-page app puts the CPR in its URL without loading a page: `history.pushState` changes
the address (a *route*), and a fragment (`#cpr=...`) never goes on the wire. Both are in
`location.href` for every script on the page, and a route is in the Referer of what the page
requests next; so page URLs the browser showed are searched as well as the documents it loaded.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Literal
from urllib.parse import urljoin, urlsplit

from crawler import bundle
from crawler.detect import detect
from crawler.importers.har import documents
from crawler.model import Citizen, DesignFinding, Exchange, Finding, LatentLeak, without_fragment
from crawler.parties import Parties

How = Literal["document", "route", "fragment"]  # how a page URL came to carry the CPR

# Policies under which a cross-origin request carries the full URL (https -> http aside).
FULL_URL_POLICIES = {"unsafe-url", "no-referrer-when-downgrade"}


class _PolicyParser(HTMLParser):
    """`<meta name=referrer>` and per-element `referrerpolicy` attributes of a page."""

    meta: str | None
    elements: dict[str, str]  # absolute URL -> its element's referrerpolicy

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base, self.meta, self.elements = base, None, {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta" and a.get("name", "").lower() == "referrer":
            self.meta = a.get("content", "").strip().lower()
        elif "referrerpolicy" in a and (a.get("src") or a.get("href")):
            self.elements[urljoin(self.base, a.get("src") or a["href"])] = (
                a["referrerpolicy"].strip().lower()
            )


def page_policy(headers: dict[str, str], html: str, url: str) -> tuple[str, dict[str, str]]:
    """The page's effective policy ("default" when it sets none) and per-element overrides.
    The last valid token of a Referrer-Policy header wins; a meta tag overrides the header."""
    parser = _PolicyParser(url)
    try:
        parser.feed(html)
    except Exception:  # a hostile page may be any text; a policy we cannot read is no policy
        pass
    header = [t.strip().lower() for t in headers.get("referrer-policy", "").split(",") if t.strip()]
    return parser.meta or (header[-1] if header else "default"), parser.elements


def cpr_pages(
    exchanges: list[Exchange],
    first_party: list[Finding],
    shown: list[str],
    citizen: Citizen,
    parties: Parties,
) -> dict[str, How]:
    """First-party page URLs that carry the CPR, and how: "document" (loaded so), "route"
    (pushState) or "fragment" (only after #). `shown` are the URLs the browser showed."""
    pages: dict[str, How] = {
        f.request_url: "document"
        for f in first_party
        if f.channel == "url" and f.resource_type == "document"
    }
    seen = {u for u in shown + [e.page_url or "" for e in exchanges] if u.startswith("http")}
    candidates = sorted(u for u in seen if parties.classify(_host(u)).kind == "first")
    probes = [Exchange(seq=n, url=u) for n, u in enumerate(candidates, 1)]
    found = detect(probes, citizen, parties).findings
    for f in found:
        url = candidates[f.exchange_seq - 1]
        if f.identifier == "cpr" and not f.secondary and without_fragment(url) not in pages:
            how: How = "fragment" if f.detail == "fragment" else "route"
            pages[url] = "route" if pages.get(url) == "route" else how
    return pages


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def root_causes(
    exchanges: list[Exchange], pages: dict[str, How], parties: Parties, out_dir: Path
) -> tuple[tuple[DesignFinding, ...], tuple[LatentLeak, ...]]:
    """Design findings and latent Referer leaks for the CPR pages of one system's record."""
    docs = documents(out_dir / bundle.HAR)
    design, latent, seen = [], [], set()
    for n, page in enumerate(sorted(pages), 1):
        how = pages[page]
        document = page if how == "document" else _host_document(exchanges, page)
        headers, html = docs.get(document, ({}, ""))
        policy, elements = page_policy(headers, html, page)
        source = _save_source(out_dir, n, html) if html and how == "document" else None
        third = [
            e
            for e in exchanges
            if e.page_url == page
            and e.kind == "request"
            and e.resource_type != "websocket"
            and parties.classify(e.host).kind != "first"
        ]
        for e in third if how != "fragment" else []:  # a fragment is never in a Referer
            effective = elements.get(e.url, policy)
            observed = _carries_full_url(e, page)
            key = (page, e.host, urlsplit(e.url).path)  # one row per resource, not per reload
            if key in seen:
                continue
            if (
                observed
                or (effective == "default" and not _downgrade(page, e.url))
                or effective in FULL_URL_POLICIES
            ):
                seen.add(key)
                party = parties.classify(e.host)
                latent.append(
                    LatentLeak(
                        page_url=page,
                        request_url=e.url,
                        host=e.host,
                        **party.facts(),
                        policy=effective,
                        observed=observed,
                    )
                )
        domains = sorted({parties.classify(e.host).domain for e in third})
        entities = sorted(
            {p.entity for p in map(parties.classify, {e.host for e in third}) if p.entity}
        )
        design.append(
            DesignFinding(
                page_url=page,
                third_parties=tuple(domains),
                entities=tuple(entities),
                policy=policy,
                source_file=source,
                how=how,
            )
        )
    return tuple(design), tuple(latent)


def _host_document(exchanges: list[Exchange], page: str) -> str:
    """The document a route or fragment page lives in: the last document loaded in the frame
    before the page first sent anything (its referrer policy is the page's)."""
    first = next((e.time for e in exchanges if e.page_url == page), float("inf"))
    loaded = [
        e.url
        for e in exchanges
        if e.resource_type == "document" and e.kind == "request" and e.time <= first
    ]
    return loaded[-1] if loaded else without_fragment(page)


def _carries_full_url(exchange: Exchange, page: str) -> bool:
    return without_fragment(exchange.header("referer") or "") == without_fragment(page)


def _downgrade(page: str, request: str) -> bool:
    return urlsplit(page).scheme == "https" and urlsplit(request).scheme == "http"


def _save_source(out_dir: Path, n: int, html: str) -> str:
    """The page's HTML as text (never as .html: opening it must not run the site's scripts)."""
    name = bundle.page_source(n)
    (out_dir / name).parent.mkdir(exist_ok=True)
    (out_dir / name).write_text(html, encoding="utf-8")
    return name
