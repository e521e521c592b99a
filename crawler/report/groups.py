"""Findings as a reader counts leaks: one group per fingerprint (receiver, channel, place,
encoding, identifier: crawler/analyse/fingerprints.py), holding every request it occurred in,
each with the part of the request where the identifier sits."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote_plus

from crawler.analyse.fingerprints import fingerprint
from crawler.model import Exchange, Finding

EXCERPT_CHARS = 160


@dataclass(frozen=True)
class Occurrence:
    finding: Finding
    excerpt: tuple[str, str, str]  # before, the match, after


@dataclass(frozen=True)
class LeakGroup:
    """One leak: the same receiver, channel, place, encoding and identifier, in one or more
    requests."""

    fingerprint: str
    occurrences: tuple[Occurrence, ...]

    @property
    def first(self) -> Finding:
        return self.occurrences[0].finding

    @property
    def findings(self) -> list[Finding]:
        return [o.finding for o in self.occurrences]

    @property
    def hosts(self) -> list[str]:
        return _unique(f.host for f in self.findings)

    @property
    def requests(self) -> int:
        return len({f.exchange_seq for f in self.findings})

    @property
    def pages(self) -> list[str]:
        return _unique(f.page_url or "" for f in self.findings)

    @property
    def steps(self) -> list[str]:
        """Its steps in order; "" for requests outside the scenario's steps (the crawl's)."""
        return list(dict.fromkeys(f.step or "" for f in self.findings))

    @property
    def initiators(self) -> list[str]:
        return _unique(f.initiator or "" for f in self.findings)

    @property
    def contained(self) -> bool:
        """Every request of it was answered locally: none left the machine."""
        return all(f.contained for f in self.findings)


def group(
    system: str, findings: Iterable[Finding], by_seq: Mapping[int, Exchange]
) -> list[LeakGroup]:
    """Groups in the order their first occurrence was sent."""
    grouped: dict[str, list[Occurrence]] = {}
    for f in findings:
        key = f.fingerprint or fingerprint(system, f)
        grouped.setdefault(key, []).append(Occurrence(f, excerpt(f, by_seq.get(f.exchange_seq))))
    return [LeakGroup(key, tuple(found)) for key, found in grouped.items()]


def excerpt(finding: Finding, exchange: Exchange | None) -> tuple[str, str, str]:
    """The part of the request where the identifier sits: (before, match, after)."""
    if exchange is None:
        return finding.request_url, "", ""
    texts = [exchange.url, unquote_plus(exchange.url)]
    if finding.channel in ("header", "cookie"):
        name = "cookie" if finding.channel == "cookie" else finding.detail.removeprefix("header ")
        texts = [exchange.header(name) or ""]
    elif finding.channel in ("body", "websocket") and exchange.body:
        body = exchange.body.decode("utf-8", "replace")
        texts = [body, unquote_plus(body)]
    for text in texts:
        at = text.find(finding.matched) if finding.matched else -1
        if at >= 0:
            start, end = max(0, at - EXCERPT_CHARS), at + len(finding.matched)
            return (
                ("…" if start else "") + text[start:at],
                finding.matched,
                text[end : end + EXCERPT_CHARS] + ("…" if len(text) > end + EXCERPT_CHARS else ""),
            )
    head = texts[0]
    return head[: 2 * EXCERPT_CHARS] + ("…" if len(head) > 2 * EXCERPT_CHARS else ""), "", ""


def _unique(values: Iterable[str]) -> list[str]:
    return [v for v in dict.fromkeys(values) if v]
