"""The pipeline models' base, and the small vocabularies they share."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict

Channel = Literal["url", "header", "cookie", "body", "websocket"]
PartyKind = Literal["first", "processor", "third"]
Verdict = Literal["leak", "clean", "inconclusive", "not-audited"]
GapCause = Literal["site", "evidence", "browser"]
GapKind = Literal["request", "redirect", "websocket", "preflight", "frames"]
Language = Literal["en", "da"]  # of the reports
EndpointMeaning = Literal["forwards", "self-hosted"]  # of a first-party tracker endpoint


def without_fragment(url: str) -> str:
    """The URL as it goes on the wire: a fragment never leaves the browser."""
    return url.split("#", 1)[0]


CREDENTIALS_IN_URL = (
    "holds a user name or password (user:password@): every script on its pages could read them "
    "from the page's address and send them on; give the URL without them, and the credentials "
    "to the citizen (credentials in audit.toml) for the scenario to use"
)


def credentials_in(url: str) -> bool:
    """Whether `url` carries a user name or password (scheme://user:password@host/)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.username is not None or parts.password is not None


def without_credentials(url: str) -> str:
    """`url` with its user name and password masked, for an error message."""
    scheme, sep, rest = url.partition("://")
    end = min((i for i in map(rest.find, "/?#") if i >= 0), default=len(rest))
    at = rest.rfind("@", 0, end)
    return f"{scheme}{sep}[redacted]{rest[at:]}" if sep and at >= 0 else url


def http_host(url: str) -> str | None:
    """The host of an http(s) URL; None for any other URL, or for one Python cannot parse
    (an IPv6 host that is no address, such as http://[::zz]/)."""
    try:
        parts = urlsplit(url)
        return parts.hostname if parts.scheme in ("http", "https") else None
    except ValueError:
        return None


def checked_http_url(url: str, example: str, credentials: str = CREDENTIALS_IN_URL) -> str:
    """`url` if it is an http(s) URL without user:password@; else a ValueError that says how to
    write it (`example`), or why credentials may not stand in it."""
    if not http_host(url):
        raise ValueError(f"not an http(s) URL; write it like {example}")
    if credentials_in(url):
        raise ValueError(credentials)
    return url


class Frozen(BaseModel):
    """Base of every pipeline model: immutable, bytes as base64 in JSON, unknown keys ignored
    so that records written by a newer version still load."""

    model_config = ConfigDict(
        frozen=True, extra="ignore", ser_json_bytes="base64", val_json_bytes="base64"
    )


DialogAction = Literal["accept", "dismiss"]
ConsentChoice = Literal["none", "decline", "accept"]
