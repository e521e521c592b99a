"""The first screen's table: each organisation that received the CPR, with what a DPO asks
first — who and where it is, under which agreement, through which channels, how often, on
which steps and pages, since when, and whether it is accepted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crawler.model import FindingHistory, SystemResult, ThirdParty
from crawler.report.groups import LeakGroup


@dataclass(frozen=True)
class Receiver:
    party: ThirdParty
    leaks: tuple[LeakGroup, ...]
    history: tuple[FindingHistory, ...]  # of its leaks, where a history is kept

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
    def accepted(self) -> list[FindingHistory]:
        return [h for h in self.history if h.accepted]

    @property
    def contained(self) -> bool:
        return all(leak.contained for leak in self.leaks)


def receivers(result: SystemResult, leaks: Sequence[LeakGroup]) -> list[Receiver]:
    """In the inventory's order (most requests with the CPR first); a receiver the inventory
    does not hold (a result written before it existed) by its domain."""
    parties = list(result.third_parties)
    for leak in leaks:
        if _party_of(parties, leak) is None:
            f = leak.first
            parties.append(
                ThirdParty(
                    organisation=f.entity or f.domain or f.host,
                    key=f.domain or f.host,
                    country=f.country,
                    domains=(f.domain or f.host,),
                    hosts=(f.host,),
                )
            )
    rows = []
    for party in parties:
        mine = tuple(leak for leak in leaks if _party_of(parties, leak) is party)
        if mine:
            found = [result.history.of(leak.fingerprint) for leak in mine] if result.history else []
            rows.append(Receiver(party, mine, tuple(h for h in found if h)))
    return rows


def _party_of(parties: Sequence[ThirdParty], leak: LeakGroup) -> ThirdParty | None:
    domain = leak.first.domain or leak.first.host
    return next((t for t in parties if domain in t.domains), None)
