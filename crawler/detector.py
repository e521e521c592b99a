"""Detector: the audited citizen's CPR in every part of every recorded exchange."""

from __future__ import annotations

import json
from typing import Iterable, Iterator
from urllib.parse import unquote_plus, urlsplit

from crawler.identifiers import written_forms
from crawler.model import Citizen, Exchange, Finding, Frozen, Suspect
from crawler.parties import Parties


class Detection(Frozen):
    findings: tuple[Finding, ...] = ()
    suspects: tuple[Suspect, ...] = ()
    budget_hits: tuple[str, ...] = ()
    unreadable: int = 0


def locations(ex: Exchange) -> Iterator[tuple[str, str, str]]:
    """(channel, detail, text) for every searchable part of an exchange."""
    if ex.kind == "websocket":
        yield "websocket", f"websocket frame ({ex.direction or 'sent'})", (ex.body or b"").decode("utf-8", "replace")
        return
    parts = urlsplit(ex.url)
    yield "url", "host", parts.hostname or ""
    yield "url", "path", parts.path
    for pair in filter(None, parts.query.split("&")):
        name, _, value = pair.partition("=")
        yield "url", f"query parameter {unquote_plus(name)}", value
    if parts.fragment:
        yield "url", "fragment", parts.fragment
    for name, value in ex.headers:
        if name.lower() == "cookie":
            for cookie in value.split(";"):
                cname, _, cvalue = cookie.strip().partition("=")
                yield "cookie", f"cookie {cname}", cvalue
        else:
            yield "header", f"header {name}", value
    if ex.body:
        yield from _body(ex.body.decode("utf-8", "replace"))


def _body(text: str) -> Iterator[tuple[str, str, str]]:
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, (dict, list)):
        for path, value in _json_leaves(data, ""):
            yield "body", f"body JSON {path}".rstrip(), value
    elif "=" in text and " " not in text.strip():
        for pair in filter(None, text.split("&")):
            name, _, value = pair.partition("=")
            yield "body", f"body field {unquote_plus(name)}", value
    else:
        yield "body", "body", text


def _json_leaves(data, path: str) -> Iterator[tuple[str, str]]:
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        sub = f"{path}.{key}" if path else str(key)
        if isinstance(value, (dict, list)):
            yield from _json_leaves(value, sub)
        else:
            yield sub, str(value)


def layers(text: str) -> Iterator[tuple[str, str]]:
    """The text as sent, then percent-decoded until it stops changing."""
    yield "plain", text
    for depth in range(3):
        decoded = unquote_plus(text)
        if decoded == text:
            return
        text = decoded
        yield "percent" if depth == 0 else f"percent x{depth + 1}", text


def detect(exchanges: Iterable[Exchange], citizen: Citizen, parties: Parties) -> Detection:
    forms = written_forms(citizen.cpr)
    findings: list[Finding] = []
    for ex in exchanges:
        party = parties.classify(ex.host)
        for channel, detail, text in locations(ex):
            for encoding, layer in layers(text):
                matched = next((f for f in forms.values() if f in layer), None)
                if matched:
                    findings.append(Finding(
                        request_url=ex.url, host=ex.host, method=ex.method, resource_type=ex.resource_type,
                        channel=channel, detail=detail, encoding=encoding, identifier="cpr",
                        page_url=ex.page_url, entity=party.entity, party=party.kind, domain=party.domain,
                        country=party.country, agreement=party.agreement, matched=matched,
                        decode_path=(detail,) if encoding == "plain" else (detail, encoding),
                        exchange_seq=ex.seq, step=ex.step,
                    ))
                    break
    return Detection(findings=tuple(findings))
