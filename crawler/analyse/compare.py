"""Two audits compared leak by leak: what B has that A has not, what A had that B has not.

A side is a run folder (its systems, paired by name with the other run's) or one system's
folder (compared with the other side's one system whatever the names: two systems, or two
variants of one). Findings are the same leak when their fingerprints agree but for the
system (`fingerprints.leak_key`), so the same leak found in two systems matches.

Never a false pass: B's side proves nothing about a system B did not audit to the end, so
an inconclusive, missing or interrupted B is a problem (exit 2) unless B already shows a
leak that A has not (exit 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from crawler import bundle
from crawler.analyse.fingerprints import encoding_path, fingerprint, leak_key, location
from crawler.analyse.verdict import EXIT_CLEAN, EXIT_INCONCLUSIVE, EXIT_LEAK
from crawler.errors import BadInput, first_line
from crawler.model import Audited, Finding, SystemResult

Status = Literal["only-b", "only-a", "both"]


@dataclass(frozen=True)
class Leak:
    """One leak (findings that share a leak key) as one side saw it."""

    key: str
    receiver: str  # registrable domain
    entity: str | None
    country: str | None
    channel: str
    where: str
    encoding: str
    identifier: str
    fingerprint: str  # as that side's reports show it (the system included)
    requests: int
    example: str  # one request that carried it: hostile text, shown escaped


@dataclass(frozen=True)
class Row:
    status: Status
    leak: Leak  # B's where B has it, else A's
    requests_a: int = 0
    requests_b: int = 0


@dataclass(frozen=True)
class Receiver:
    status: Status
    domain: str
    entity: str | None
    country: str | None


@dataclass(frozen=True)
class SystemDiff:
    name: str  # "A's name" or "A's name → B's name" when they differ
    a: SystemResult | None
    b: SystemResult | None
    leaks: tuple[Row, ...]
    receivers: tuple[Receiver, ...]

    def only(self, status: Status) -> list[Row]:
        return [row for row in self.leaks if row.status == status]


@dataclass(frozen=True)
class Comparison:
    a: Path
    b: Path
    systems: tuple[SystemDiff, ...]
    problems: tuple[str, ...]  # why B proves less than it seems: makes the exit code 2
    notes: tuple[str, ...]

    def count(self, status: Status) -> int:
        return sum(len(s.only(status)) for s in self.systems)

    @property
    def exit_code(self) -> int:
        """1 when B has leaks A has not; else 2 when B's side is incomplete; else 0."""
        if self.count("only-b"):
            return EXIT_LEAK
        return EXIT_INCONCLUSIVE if self.problems else EXIT_CLEAN


def compare(a: Path, b: Path) -> Comparison:
    (kind_a, audited_a, stopped_a), (kind_b, audited_b, stopped_b) = _side(a), _side(b)
    if kind_a != kind_b:
        raise BadInput(
            f"{a} is a {kind_a} folder and {b} a {kind_b} folder; give two run folders or two "
            "system folders (e.g. A/tastselv B/tastselv)"
        )
    pairs = _pairs([r for r, _ in audited_a], [r for r, _ in audited_b], kind_a == "system")
    problems = [f"{b}: the run was interrupted, so it is incomplete"] if stopped_b else []
    notes = (
        [f"{a}: the run was interrupted; leaks only in B may have been there"] if stopped_a else []
    )
    for ra, rb in pairs:
        problems += _incomplete(ra, rb)
        notes += _unproven(ra, rb)
    return Comparison(a, b, tuple(_diff(ra, rb) for ra, rb in pairs), tuple(problems), tuple(notes))


def _side(folder: Path) -> tuple[str, list[Audited], bool]:
    """("system" | "run", its systems, whether the run was interrupted)."""
    if (folder / bundle.FINDINGS).is_file():
        try:
            return "system", [Audited(bundle.read_result(folder / bundle.FINDINGS), ".")], False
        except (OSError, ValueError) as exc:
            raise BadInput(
                f"{folder / bundle.FINDINGS}: not readable ({first_line(exc)}); "
                "give a system folder written by cpraudit"
            ) from None
    if (folder / bundle.SUMMARY).is_file():
        return "run", *bundle.read_run(folder)
    raise BadInput(
        f"{folder}: neither a run folder ({bundle.SUMMARY}) nor a system folder "
        f"({bundle.FINDINGS}); give two run folders or two system folders of cpraudit"
    )


def pairing_key(result: SystemResult) -> str:
    """What pairs a system of run A with one of run B: its name (a variant, later, too)."""
    return result.system.casefold()


def _pairs(
    a: Sequence[SystemResult], b: Sequence[SystemResult], single: bool
) -> list[tuple[SystemResult | None, SystemResult | None]]:
    if single:
        return [(a[0], b[0])]
    by_key = {pairing_key(r): r for r in b}
    pairs: list[tuple[SystemResult | None, SystemResult | None]] = [
        (r, by_key.pop(pairing_key(r), None)) for r in a
    ]
    return pairs + [(None, r) for r in by_key.values()]


def _incomplete(a: SystemResult | None, b: SystemResult | None) -> list[str]:
    if b is None:
        assert a is not None
        return [f"{a.system}: audited in A but not in B, so B proves nothing about it"]
    if b.verdict == "inconclusive":
        why = b.errors[0] if b.errors else "nothing recorded"
        return [f"{b.system}: B's audit was inconclusive ({why}): B proves no absence"]
    return []


def _unproven(a: SystemResult | None, b: SystemResult | None) -> list[str]:
    if a is None:
        assert b is not None
        return [f"{b.system}: not in A; all its leaks count as only in B"]
    if a.verdict == "inconclusive":
        return [f"{a.system}: A's audit was inconclusive; leaks only in B may have been there"]
    return []


def _diff(a: SystemResult | None, b: SystemResult | None) -> SystemDiff:
    in_a, in_b = _leaks(a), _leaks(b)
    rows = [
        Row("both", leak, in_a[key].requests, leak.requests)
        if key in in_a
        else Row("only-b", leak, 0, leak.requests)
        for key, leak in in_b.items()
    ]
    rows += [Row("only-a", leak, leak.requests, 0) for key, leak in in_a.items() if key not in in_b]
    return SystemDiff(_name(a, b), a, b, tuple(rows), _receivers(in_a, in_b))


def _name(a: SystemResult | None, b: SystemResult | None) -> str:
    names = list(dict.fromkeys(r.system for r in (a, b) if r is not None))
    return " → ".join(names)


def _leaks(result: SystemResult | None) -> dict[str, Leak]:
    """The side's findings grouped into leaks, by the key without the system."""
    if result is None:
        return {}
    groups: dict[str, list[Finding]] = {}
    for finding in result.findings:
        groups.setdefault(leak_key(finding), []).append(finding)
    return {key: _leak(key, found, result.configured) for key, found in groups.items()}


def _leak(key: str, found: list[Finding], system: str) -> Leak:
    f = found[0]
    return Leak(
        key=key,
        receiver=(f.domain or f.host).lower(),
        entity=f.entity,
        country=f.country,
        channel=f.channel,
        where=location(f),
        encoding=encoding_path(f),
        identifier=f.identifier,
        fingerprint=f.fingerprint or fingerprint(system, f),
        requests=len({x.exchange_seq for x in found}),
        example=f.request_url,
    )


def _receivers(a: dict[str, Leak], b: dict[str, Leak]) -> tuple[Receiver, ...]:
    in_a = {leak.receiver: leak for leak in a.values()}
    in_b = {leak.receiver: leak for leak in b.values()}
    status: dict[str, Status] = {d: "only-b" if d not in in_a else "both" for d in in_b}
    status |= {d: "only-a" for d in in_a if d not in in_b}
    return tuple(
        Receiver(s, d, (in_b.get(d) or in_a[d]).entity, (in_b.get(d) or in_a[d]).country)
        for d, s in sorted(status.items())
    )
