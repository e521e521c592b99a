"""The secrets an exported HAR holds that an audit would know: what was typed into password-like
fields, and the first party's cookies.

An audit knows its citizen's credentials before it starts and learns the session's cookies and
tokens as it records, so its evidence is written without them. A HAR arrives with all of them
inside: `scan-har` finds them here, and masks them with the same redaction as an audit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit

from crawler.importers.har import cookie_values
from crawler.model import Exchange
from crawler.parties import registrable_domain

# Names of fields whose values are credentials: passwords, PINs, one-time codes, tokens
# (Danish too: adgangskode, kodeord)
SECRET_FIELD = re.compile(
    r"pass|pwd|kodeord|adgangskode|secret|token|otp|pincode|^pin$|one.?time", re.I
)
_MULTIPART = re.compile(rb'name="([^"]*)"[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\n(.*?)\r?\n--', re.S)
_JSON_DEPTH = 20  # a login's JSON is shallow; deeper values are not looked into


def typed_secrets(exchanges: Iterable[Exchange]) -> set[str]:
    """The values of password-like fields in query strings and in form, multipart and JSON
    bodies."""
    return {
        value
        for exchange in exchanges
        for name, value in _fields(exchange)
        if value and SECRET_FIELD.search(name)
    }


def first_party_cookies(har: Path, first_party: set[str]) -> set[str]:
    """Every value of a cookie the first party set or was sent, from the HAR's requests and
    responses (a session cookie may have been cleared before the export ended)."""
    return {value for host, value in cookie_values(har) if registrable_domain(host) in first_party}


def _fields(exchange: Exchange) -> Iterator[tuple[str, str]]:
    yield from _form(urlsplit(exchange.url).query)
    body = exchange.body
    if not body:
        return
    text = body.decode("utf-8", "replace")
    if text.lstrip().startswith(("{", "[")):
        try:
            yield from _json_fields(json.loads(text), 0)
        except (ValueError, RecursionError):
            pass
    else:
        yield from _form(text)
    for match in _MULTIPART.finditer(body):
        yield _text(match[1]), _text(match[2])


def _form(text: str) -> Iterator[tuple[str, str]]:
    """name=value pairs, percent-decoded from UTF-8, or from Latin-1 as a Latin-1 page posts."""
    for pair in text.split("&"):
        name, _, value = pair.partition("=")
        yield _text(_unquote(name)), _text(_unquote(value))


def _unquote(text: str) -> bytes:
    return unquote_to_bytes(text.replace("+", " "))


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _json_fields(value: object, depth: int) -> Iterator[tuple[str, str]]:
    if depth > _JSON_DEPTH:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str):
                yield str(key), item
            else:
                yield from _json_fields(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _json_fields(item, depth + 1)
