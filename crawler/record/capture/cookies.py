"""The cookies a paused request carries: for contain mode to search before it leaves, and for a
request only the interception saw (sent as a page was left), as it is recorded.

Chromium writes the request's Cookie header into the pause itself, chosen by its own rules for
the request as it stands: the domain, the path, Secure, and SameSite with the request's real
top-level site and initiator (a third party's own page and its navigations included). It leaves
out partitioned cookies (CHIPS: an embedded third party's cookies, kept apart per top-level
site), which it sends all the same: `partitioned` reads those from its cookie store, by RFC
6265bis as far as the pause can tell, under the page the request is sent from. Where the
capture cannot tell that page (a shared or service worker's request), contain mode takes
a page of the portal's, and the recorder every partition. Where this reads more than Chromium
would send, a contained request is held back that might have gone out, and a recorded one is
searched for cookies it may not have carried: never less than it sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from crawler.model import http_host
from crawler.parties import registrable_domain
from crawler.record.capture.devtools import Send


def as_sent(
    url: str,
    headers: Mapping[str, str],
    store: Iterable[dict],
    top: set[str] | None,
    navigation: bool,
) -> dict[str, str]:
    """The paused request's headers as they would be sent: Chromium's Cookie header, with the
    partitioned cookies it left out. `top` the registrable domains of the top-level page it is
    sent under (None: not known, any page), `navigation` whether it loads a document with GET."""
    others = {k: v for k, v in headers.items() if k.lower() != "cookie"}
    chromium = [v for k, v in headers.items() if k.lower() == "cookie" and v]
    cookie = "; ".join(chromium + partitioned(url, store, top, navigation))
    return {**others, "Cookie": cookie} if cookie else others


def is_navigation(resource_type: str, method: str) -> bool:
    """A document loaded with GET: where SameSite=Lax cookies go cross-site too."""
    return resource_type.lower() == "document" and method == "GET"


def top_sites(top_level: str | None) -> set[str] | None:
    """The partition of a request sent under the page `top_level` (`Targets.top_level`): its
    registrable domain, or None where that is not an http(s) page (not known, or already left
    for about:blank)."""
    host = http_host(top_level) if top_level else None
    return {registrable_domain(host)} if host else None


def in_store(send: Send) -> list[dict]:
    """Every cookie of every browser context (Playwright's contexts are never the default one)."""
    contexts = send("Target.getBrowserContexts", {}).get("browserContextIds", [])
    return [
        cookie
        for context in contexts
        for cookie in send("Storage.getCookies", {"browserContextId": context}).get("cookies", [])
    ]


def partitioned(
    url: str, cookies: Iterable[dict], top: set[str] | None, navigation: bool = False
) -> list[str]:
    """The name=value of each partitioned cookie that would go with a request to `url` sent
    under a top-level page of a registrable domain in `top` (None: under any page, and so of
    every partition, as if it were same-site)."""
    parts = urlsplit(url)
    host, path = (parts.hostname or "").lower(), parts.path or "/"
    secure = parts.scheme in ("https", "wss")
    same_site = top is None or registrable_domain(host) in top
    return [
        f"{c['name']}={c['value']}"
        for c in cookies
        if _partition(c, top)
        and _domain(host, c.get("domain", ""))
        and _path(path, c.get("path") or "/")
        and (secure or not c.get("secure"))
        and (same_site or _cross_site(c, navigation))
    ]


def _domain(host: str, domain: str) -> bool:
    """A domain cookie (".skat.dk") on its domain and below; a host-only one on its host."""
    domain = domain.lower()
    if domain.startswith("."):
        return host == domain[1:] or host.endswith(domain)
    return host == domain


def _path(path: str, cookie_path: str) -> bool:
    """RFC 6265 5.1.4: the same path, or one below it."""
    if path == cookie_path:
        return True
    below = path.startswith(cookie_path)
    return below and (cookie_path.endswith("/") or path[len(cookie_path)] == "/")


def _cross_site(cookie: dict, navigation: bool) -> bool:
    same_site = cookie.get("sameSite", "Lax")  # Chromium's default for a cookie without one
    return same_site == "None" or (same_site == "Lax" and navigation)


def _partition(cookie: dict, top: set[str] | None) -> bool:
    """Partitioned, under the top-level page (any, where it is not known)."""
    key = cookie.get("partitionKey")
    if not key or top is None:
        return bool(key)
    site = key.get("topLevelSite", "") if isinstance(key, dict) else str(key)
    return registrable_domain(urlsplit(site).hostname or "") in top
