"""The cookies Chromium would attach to a request, read from its cookie store while the request
is paused: the interception pauses a request before its cookies are added, and contain mode
must search them before the request leaves.

Chromium's rules (RFC 6265bis), as far as the pause can tell them: the domain (a host-only
cookie on its host alone), the path, Secure only over https and wss, and SameSite, with the
audited portal taken as the top-level site (a request to the portal's own site gets every
cookie; a cross-site one those marked SameSite=None, and Lax ones too when it is a document
loaded with GET); a partitioned cookie where its partition is the portal's. Where this reads more
than Chromium would send, a request is held back that might have gone out: never the reverse.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from crawler.parties import registrable_domain
from crawler.record.capture.devtools import Send


def in_store(send: Send) -> list[dict]:
    """Every cookie of every browser context (Playwright's contexts are never the default one)."""
    contexts = send("Target.getBrowserContexts", {}).get("browserContextIds", [])
    return [
        cookie
        for context in contexts
        for cookie in send("Storage.getCookies", {"browserContextId": context}).get("cookies", [])
    ]


def header(
    url: str, cookies: Iterable[dict], first: set[str], navigation: bool = False
) -> str | None:
    """The Cookie header a request to `url` would carry; `first` the portal's registrable
    domains, `navigation` whether it loads a document with GET."""
    parts = urlsplit(url)
    host, path = (parts.hostname or "").lower(), parts.path or "/"
    secure = parts.scheme in ("https", "wss")
    same_site = registrable_domain(host) in first
    sent = [
        f"{c['name']}={c['value']}"
        for c in cookies
        if _domain(host, c.get("domain", ""))
        and _path(path, c.get("path") or "/")
        and (secure or not c.get("secure"))
        and (same_site or _cross_site(c, navigation))
        and _partition(c, first)
    ]
    return "; ".join(sent) or None


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


def _partition(cookie: dict, first: set[str]) -> bool:
    key = cookie.get("partitionKey")
    if not key:
        return True
    site = key.get("topLevelSite", "") if isinstance(key, dict) else str(key)
    return registrable_domain(urlsplit(site).hostname or "") in first
