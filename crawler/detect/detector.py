"""Detector: the audited citizen's identifiers, in any encoding, in every part of every
recorded exchange.

How it works. An exchange is cut into units (`units.py`: its locations, structured ones
kept whole). All units of one generation are searched in one pass of the needle automaton
(`needles.py`: every written form under every precomputed transform), which also says where
the suspect rule has leads. Then structured units are split into the fields that need a
look, and every unit that looks decodable is decoded (`decoders.ENCODINGS`), into the next
generation, until nothing is left or the exchange's `Budget` is spent; a spent budget
becomes a note in `notes`.

A body the recorder kept in a file of its own (above the size limit) is read back lazily and
searched in windows of that size, each overlapping the last by `OVERLAP` bytes, so that an
identifier in any written form across a window's edge is whole in one of them; a note says so.
An encoding of the whole body (compression, base64) cannot be opened a window at a time: such
a body counts as not fully searched.

A match in a decoded unit is reported only if the unit holds more occurrences of that
identifier under that transform than the unit it was decoded from: percent-decoding text
with no `%` in the CPR's part does not make a second finding. Findings are then unique per
(exchange, detail, identifier, encoding).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from crawler import bundle
from crawler.detect import split
from crawler.detect.decoders import Budget
from crawler.detect.needles import Needle, join, needle_set
from crawler.detect.suspects import SuspectRule
from crawler.detect.units import Owed, Unit, decoded, fields, locations
from crawler.model import BODY_LIMIT, Citizen, Exchange, Finding, Frozen, Party, Suspect
from crawler.parties import Parties

_TRANSPARENT = {"percent", "html", "js-escape"}
OVERLAP = 4096  # bytes each window of a body kept apart shares with the last: > any written form
_COMPRESSED = (b"\x1f\x8b", b"\x28\xb5\x2f\xfd")  # gzip, zstd
_EMPTY: Mapping[tuple[str, str], int] = {}


class Detection(Frozen):
    findings: tuple[Finding, ...] = ()
    suspects: tuple[Suspect, ...] = ()
    notes: tuple[str, ...] = ()  # what was not fully searched, and why
    unsearched: int = 0  # exchanges whose search failed: the search is incomplete


class _Search:
    """Searching one exchange: findings keyed for dedupe, suspects, and its budget."""

    def __init__(
        self, ex: Exchange, party: Party, budget: Budget, rule: SuspectRule | None, cpr: str
    ) -> None:
        self.ex, self.party, self.budget, self.rule, self.cpr = ex, party, budget, rule, cpr
        self.findings: dict[tuple[str, str, str], Finding] = {}
        self.suspects: dict[tuple[str, str], Suspect] = {}

    def run(self, needles) -> None:
        generation = list(locations(self.ex))
        owed: list[Owed] = []
        while generation:
            joined, starts = join([u.layer.text for u in generation])
            hits = needles.search(joined, starts)
            leads = self.rule.find(joined, self.ex.time) if self.rule else []
            led = {bisect.bisect_right(starts, at) - 1 for at, _, _ in leads}
            following: list[Unit] = []
            for i, (unit, found) in enumerate(zip(generation, hits, strict=True)):
                occurrences = _occurrences(found) if found else []
                counts = (
                    Counter((n.identifier, n.transform) for _, n in occurrences)
                    if found
                    else _EMPTY
                )
                new = [
                    (start, needle)
                    for start, needle in occurrences
                    if counts[needle.identifier, needle.transform]
                    > unit.seen.get((needle.identifier, needle.transform), 0)
                ]
                if any(needle.identifier == split.BIRTH_DATE for _, needle in new):
                    self.split(unit)
                    new = [(at, n) for at, n in new if n.identifier != split.BIRTH_DATE]
                if unit.structure:
                    opened = fields(unit, self.budget, every=bool(found) or i in led)
                    if opened is not None:
                        if new:  # its fields are to find these again; if they do not, it does
                            owed.append(Owed(unit, new))
                            for child in opened:
                                child.owed += (owed[-1],)
                        following += opened
                        continue
                for start, needle in new:
                    self.report(unit, needle, unit.layer.text[start : start + len(needle.text)])
                following += decoded(unit, counts, self.budget)
            for at, value, unix_time in leads:
                self.suspect(generation[bisect.bisect_right(starts, at) - 1], value, unix_time)
            generation = following
        for debt in owed:
            for start, needle in debt.unpaid():
                self.report(
                    debt.unit, needle, debt.unit.layer.text[start : start + len(needle.text)]
                )

    def split(self, unit: Unit) -> None:
        """The CPR split over two sibling fields of a structured unit (see `split`)."""
        for decoder in unit.structure:
            if found := split.find(unit.layer.text, decoder.name, self.cpr):
                for pair in found:
                    self.add(
                        unit,
                        _split_detail(unit, decoder.name, pair),
                        "cpr",
                        "+".join(unit.encodings + ("split",)),
                        unit.steps + ("split",),
                        pair.date,
                    )
                return

    def suspect(self, unit: Unit, value: str, unix_time: bool) -> None:
        rule = self.rule
        assert rule is not None  # leads come from the rule only
        if not unit.structure and rule.keeps(unit.name, unix_time):
            key = (value.replace("-", ""), unit.detail)
            self.suspects.setdefault(key, rule.suspect(value, self.ex, unit.channel, unit.detail))

    def report(self, unit: Unit, needle: Needle, found: str) -> None:
        for debt in unit.owed:
            debt.paid.add(needle.identifier)
        extra = () if needle.transform == "plain" else (needle.transform,)
        encoding = "+".join(unit.encodings + extra) or "plain"
        self.add(unit, unit.detail, needle.identifier, encoding, unit.steps + extra, found)

    def add(
        self,
        unit: Unit,
        detail: str,
        identifier: str,
        encoding: str,
        steps: tuple[str, ...],
        found: str,
    ) -> None:
        key = (detail, identifier, encoding)
        path = (detail,) + steps
        old = self.findings.get(key)
        if old is not None and len(old.decode_path) >= len(path):
            return
        ex, party = self.ex, self.party
        self.findings[key] = Finding(
            request_url=ex.url,
            host=ex.host,
            method=ex.method,
            resource_type=ex.resource_type,
            channel=unit.channel,
            detail=detail,
            encoding=encoding,
            identifier=identifier,
            page_url=ex.page_url,
            **party.facts() | {"cname": party.cname if party.kind != "first" else ()},
            party=party.kind,
            matched=_matched(unit, found),
            decode_path=path,
            exchange_seq=ex.seq,
            step=ex.step,
            secondary=identifier != "cpr",
            contained=ex.contained,
            capture_gap=ex.source == "witness",
            blocked=ex.blocked,
        )

    def notes(self) -> list[str]:
        return [
            f"exchange {self.ex.seq} {_short(where)}: decode budget ({kind}) reached after "
            f"{depth} layers; what lies deeper was not searched"
            for kind, (where, depth) in self.budget.hits.items()
        ]


_SPLIT_PLACES = {
    "query": "query parameter",
    "form": "body field",
    "cookies": "cookie",
    "JSON": "body JSON",
}


def _split_detail(unit: Unit, structure: str, pair: split.Split) -> str:
    """Where a split CPR sits: both fields, in the words of a field's own detail ("query
    parameter fdato + lbnr"); inside an encoded value, that value's detail."""
    if unit.detail in ("", "body") and not unit.steps:
        return f"{_SPLIT_PLACES[structure]} {pair.date_field} + {pair.serial_field}"
    return f"{unit.detail} ({pair.date_field} + {pair.serial_field})"


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _occurrences(found: list[tuple[int, Needle]]) -> list[tuple[int, Needle]]:
    """Overlapping matches of one identifier and transform are one occurrence ("+4512345678"
    holds "4512345678"): the longest stands for it."""
    out: list[tuple[int, Needle]] = []
    for start, needle in sorted(
        found, key=lambda hit: (hit[1].identifier, hit[1].transform, hit[0], -len(hit[1].text))
    ):
        if (
            out
            and (out[-1][1].identifier, out[-1][1].transform)
            == (needle.identifier, needle.transform)
            and start < out[-1][0] + len(out[-1][1].text)
        ):
            if start + len(needle.text) > out[-1][0] + len(out[-1][1].text):
                out[-1] = (
                    (out[-1][0], needle) if len(needle.text) > len(out[-1][1].text) else out[-1]
                )
            continue
        out.append((start, needle))
    return out


def _matched(unit: Unit, found: str) -> str:
    """The identifier as it appears in the request, for highlighting: the text found if it
    was sent as is, else its percent-encoded form in the sent text, else the sent segment."""
    if unit.literal is None:
        return found
    if set(unit.encodings) <= _TRANSPARENT:
        pattern = "".join(_percent_alternatives(c) for c in found)
        if match := re.search(pattern, unit.literal, re.IGNORECASE):
            return match.group()
    return unit.literal[:256] if unit.literal.isprintable() else found


def _percent_alternatives(char: str) -> str:
    encoded = "".join(f"%{b:02x}" for b in char.encode("utf-8"))
    plus = r"|\+" if char == " " else ""
    return f"(?:{re.escape(char)}|{encoded}|{encoded.replace('%', '%25')}{plus})"


def detect(
    exchanges: Iterable[Exchange],
    citizen: Citizen,
    parties: Parties,
    budget: Budget | None = None,
    folder: Path | None = None,
    window: int = BODY_LIMIT,
) -> Detection:
    """Every match of the citizen's identifiers in every exchange, for all parties; suspects
    in third-party and processor exchanges. `budget` is the template for each exchange's own;
    bodies kept apart are read from `folder` in windows of `window` bytes."""
    template = budget or Budget()
    needles, rule = needle_set(citizen), SuspectRule(citizen.cpr)
    findings: list[Finding] = []
    suspects: list[Suspect] = []
    notes: list[str] = []
    unsearched = 0
    for ex in exchanges:
        party = parties.receiver(ex)
        found: dict[tuple[str, str, str], Finding] = {}
        suspected: dict[tuple[str, str], Suspect] = {}
        try:
            for part in _parts(ex, folder, window, notes):
                search = _Search(
                    part,
                    party,
                    _fresh(template),
                    rule if party.kind != "first" else None,
                    citizen.cpr,
                )
                try:
                    search.run(needles)
                finally:
                    found |= {k: v for k, v in search.findings.items() if k not in found}
                    suspected |= {k: v for k, v in search.suspects.items() if k not in suspected}
                    notes += search.notes()
        except Exception as exc:
            unsearched += 1
            notes.append(
                f"exchange {ex.seq}: could not be fully searched ({type(exc).__name__}: {exc})"
            )
        findings += found.values()
        suspects += suspected.values()
    return Detection(
        findings=tuple(findings),
        suspects=tuple(suspects),
        notes=tuple(notes),
        unsearched=unsearched,
    )


def _parts(ex: Exchange, folder: Path | None, window: int, notes: list[str]) -> Iterator[Exchange]:
    """The exchange itself; or, for a body kept apart, one copy per window of it (its URL and
    headers searched with the first)."""
    if ex.body_file is None:
        yield ex
        return
    if folder is None:
        raise ValueError(f"its body is kept in {ex.body_file}, and no folder was given")
    overlap = min(OVERLAP, window // 2)
    for n, body in enumerate(bundle.body_windows(folder / ex.body_file, window, overlap)):
        if n == 0 and _whole_encoded(ex, body):
            raise ValueError(
                f"its body of {ex.body_size} bytes in {ex.body_file} is compressed as a whole, "
                "and too large to be opened"
            )
        yield ex.model_copy(update={"body": body, "headers": ex.headers * (n == 0)})
    notes.append(
        f"exchange {ex.seq}: its body of {ex.body_size:,} bytes is kept in {ex.body_file} and "
        f"was searched in windows of {window:,} bytes, each overlapping the last by {overlap:,}"
    )


def _whole_encoded(ex: Exchange, head: bytes) -> bool:
    encoding = (ex.header("content-encoding") or "identity").strip().lower()
    return encoding != "identity" or head.startswith(_COMPRESSED)


def _fresh(template: Budget) -> Budget:
    return Budget(
        max_bytes=template.max_bytes,
        max_seconds=template.max_seconds,
        max_depth=template.max_depth,
        max_pieces=template.max_pieces,
    )
