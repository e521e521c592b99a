"""The first screen's table: each organisation that received the CPR, with what a DPO asks
first — who and where it is, under which agreement, through which channels, how often, on
which steps and pages, since when, and whether it is accepted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crawler.model import Acceptance, Finding, FindingHistory, SystemResult, ThirdParty
from crawler.report.groups import LeakGroup


@dataclass(frozen=True)
class Receiver:
    party: ThirdParty
    leaks: tuple[LeakGroup, ...]
    history: tuple[FindingHistory, ...]  # of its leaks, where a history is kept
    acceptances: tuple[Acceptance, ...]  # of its leaks, where audit.toml accepts them

    @property
    def channels(self) -> list[tuple[str, list[str]]]:
        """(channel, the places in it), e.g. ("url", ["query parameter dl"])."""
        places: dict[str, list[str]] = {}
        for leak in self.leaks:
            at = places.setdefault(leak.first.channel, [])
            if leak.first.detail not in at:
                at.append(leak.first.detail)
        return list(places.items())

    @property
    def requests(self) -> int:
        return len({f.exchange_seq for leak in self.leaks for f in leak.findings})

    @property
    def steps(self) -> list[str]:
        return list(dict.fromkeys(s for leak in self.leaks for s in leak.steps))

    @property
    def pages(self) -> int:
        return len({p for leak in self.leaks for p in leak.pages})

    @property
    def new(self) -> bool:
        return any(h.status == "new" for h in self.history)

    @property
    def since(self) -> FindingHistory | None:
        """Its longest-standing leak."""
        return min(self.history, key=lambda h: h.since, default=None)

    @property
    def accepted(self) -> list[Acceptance]:
        """The acceptances in force of its leaks."""
        return [a for a in self.acceptances if a.in_force]

    @property
    def contained(self) -> bool:
        return all(leak.contained for leak in self.leaks)


def receivers(result: SystemResult, leaks: Sequence[LeakGroup]) -> list[Receiver]:
    """In the inventory's order (most requests with the CPR first)."""
    parties = list(result.third_parties)
    theirs: dict[str, list[LeakGroup]] = {}
    for leak in leaks:
        party = _party_of(parties, leak)
        if party is None:  # a result written before the inventory existed: by its domain
            parties.append(party := _by_domain(leak.first))
        theirs.setdefault(party.key, []).append(leak)
    return [
        Receiver(
            party,
            tuple(theirs[party.key]),
            _history(result, theirs[party.key]),
            tuple(a for leak in theirs[party.key] if (a := result.acceptance(leak.fingerprint))),
        )
        for party in parties
        if party.key in theirs
    ]


def _party_of(parties: Sequence[ThirdParty], leak: LeakGroup) -> ThirdParty | None:
    domain = leak.first.domain or leak.first.host
    return next((t for t in parties if domain in t.domains), None)


def _by_domain(f: Finding) -> ThirdParty:
    domain = f.domain or f.host
    return ThirdParty(
        organisation=f.entity or domain,
        key=domain,
        country=f.country,
        domains=(domain,),
        hosts=(f.host,),
    )


def _history(result: SystemResult, leaks: list[LeakGroup]) -> tuple[FindingHistory, ...]:
    if result.history is None:
        return ()
    return tuple(h for leak in leaks if (h := result.history.of(leak.fingerprint)))
