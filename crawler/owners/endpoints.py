"""First-party endpoints that speak a tracker's protocol: who probably receives what they get.

A server-side tag manager puts a tracker under the site's own name one level above CNAME
cloaking: `https://sst.<site>/g/collect?v=2&tid=G-...` is answered by the site's server, which
passes Google Analytics' own protocol on to Google. The browser cannot see what the server does,
so each protocol has a default meaning: Google's and Adobe's protocols on a first-party host most
often mean forwarding to the vendor (a leak, with the vendor as probable receiver); self-hostable
analytics (Matomo, Plausible) most often mean self-hosted (a first-party note). A Sentry
envelope tunnel forwards to wherever its DSN points. audit.toml can declare what an endpoint
really is (`endpoints`), and the report says which meaning applied.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from crawler.model import Endpoint, EndpointMeaning, Exchange


@dataclass(frozen=True)
class Protocol:
    name: str
    vendor: str  # the probable receiver when it is forwarded
    country: str | None
    meaning: EndpointMeaning  # the default
    speaks: Callable[[Exchange, str, Mapping[str, list[str]]], bool]  # (exchange, path, params)


def _params(ex: Exchange) -> dict[str, list[str]]:
    """Query parameters, and a form body's (Universal Analytics may POST its hit)."""
    params = parse_qs(urlsplit(ex.url).query)
    if ex.body and b"=" in ex.body[:2048] and not ex.body.lstrip().startswith((b"{", b"[")):
        for name, values in parse_qs(ex.body.decode("utf-8", "replace")).items():
            params.setdefault(name, []).extend(values)
    return params


def _first(params: Mapping[str, list[str]], name: str) -> str:
    return (params.get(name) or [""])[0]


def _plausible(ex: Exchange, path: str, params: Mapping[str, list[str]]) -> bool:
    if not path.endswith("/api/event") or ex.method != "POST" or not ex.body:
        return False
    try:
        event = json.loads(ex.body)
    except ValueError:
        return False
    return isinstance(event, dict) and "n" in event and ("u" in event or "url" in event)


def sentry_dsn(ex: Exchange) -> str | None:
    """The DSN in a Sentry envelope's header line, if the body is one."""
    if ex.method != "POST" or not ex.body:
        return None
    head = ex.body.split(b"\n", 1)[0]
    try:
        header = json.loads(head)
    except ValueError:
        return None
    dsn = header.get("dsn") if isinstance(header, dict) else None
    return dsn if isinstance(dsn, str) and "@" in dsn else None


PROTOCOLS: tuple[Protocol, ...] = (
    Protocol(
        "Google Analytics 4",
        "Google LLC",
        "US",
        "forwards",
        lambda ex, path, p: (
            path.endswith("/g/collect")
            and _first(p, "v") == "2"
            and _first(p, "tid").startswith("G-")
        ),
    ),
    Protocol(
        "Universal Analytics",
        "Google LLC",
        "US",
        "forwards",
        lambda ex, path, p: (
            path.endswith("/collect")
            and _first(p, "v") == "1"
            and _first(p, "tid").startswith("UA-")
        ),
    ),
    Protocol(
        "Adobe Analytics", "Adobe Inc.", "US", "forwards", lambda ex, path, p: "/b/ss/" in path
    ),
    Protocol(
        "Matomo",
        "Matomo (InnoCraft Ltd.)",
        "NZ",
        "self-hosted",
        lambda ex, path, p: path.endswith(("matomo.php", "piwik.php")),
    ),
    Protocol("Plausible Analytics", "Plausible Insights OÜ", "EE", "self-hosted", _plausible),
    Protocol(
        "Sentry envelope",
        "Functional Software, Inc. (Sentry)",
        "US",
        "forwards",
        lambda ex, path, p: sentry_dsn(ex) is not None,
    ),
)


_PATHS = ("collect", "/b/ss/", "matomo.php", "piwik.php", "/api/event")


def spoken(ex: Exchange) -> Protocol | None:
    """The tracker protocol this request speaks, if any. Most first-party requests are none of
    them, and are told so by their path and the body's first byte alone."""
    path = urlsplit(ex.url).path
    envelope = ex.method == "POST" and (ex.body or b"")[:1] == b"{"
    if not envelope and not any(hint in path for hint in _PATHS):
        return None
    params = _params(ex) if "collect" in path else {}
    return next((p for p in PROTOCOLS if p.speaks(ex, path, params)), None)


def endpoint(ex: Exchange, declared: Mapping[str, EndpointMeaning]) -> Endpoint | None:
    """What a first-party request's endpoint is: declared in audit.toml (the longest URL prefix
    that matches), else its protocol's default meaning; None for an ordinary request."""
    protocol = spoken(ex)
    said = max((u for u in declared if ex.url.startswith(u)), key=len, default=None)
    if said is None and protocol is None:
        return None
    if said is not None:
        meaning = declared[said]
    elif protocol is not None and protocol.name == "Sentry envelope":  # where its DSN points
        dsn_host = urlsplit(sentry_dsn(ex) or "").hostname or ""
        meaning = "forwards" if dsn_host.endswith("sentry.io") else "self-hosted"
    else:
        assert protocol is not None
        meaning = protocol.meaning
    return Endpoint(
        protocol=protocol.name if protocol else None,
        vendor=protocol.vendor if protocol else None,
        country=protocol.country if protocol else None,
        meaning=meaning,
        declared=said is not None,
    )
