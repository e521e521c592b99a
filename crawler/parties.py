"""Whose a host is: the audited system's (first party), a processor's with an agreement in
force, or a third party's; and which organisation owns it (`crawler.owners`).

Registrable domains come from the Public Suffix List shipped in `publicsuffixlist`, so the
split works offline and `a.skat.dk` and `b.skat.dk` are one party while `x.github.io` and
`y.github.io` are two.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from datetime import date
from functools import lru_cache

from publicsuffixlist import PublicSuffixList

from crawler.model import HostSummary, Owner, Party, Target
from crawler.owners import book_for, given

_PSL = PublicSuffixList()


@lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str:
    """eTLD+1 of a host; an IP address, `localhost` or a bare suffix stands for itself."""
    host = host.lower().rstrip(".").strip("[]")
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    return _PSL.privatesuffix(host) or host


class Parties:
    """Classifies hosts for one audited system: whose they are (`owners`), and whether the
    system has a data-processing agreement with them in force on the audit's day."""

    def __init__(
        self,
        first_party: list[str],
        processors: dict[str, str] | None = None,
        owners: dict[str, tuple[str, str | None]] | None = None,
        extra_owners: tuple[Owner, ...] = (),
        *,
        expires: dict[str, date] | None = None,
        on: date | None = None,
    ) -> None:
        """`owners` replaces every owner source (tests); `extra_owners` come before them."""
        self.first = {registrable_domain(d) for d in first_party}
        self.processors = {registrable_domain(d): ref for d, ref in (processors or {}).items()}
        self.expires = {registrable_domain(d): day for d, day in (expires or {}).items()}
        self.on = on or date.today()
        self.book = given(owners) if owners is not None else book_for(extra_owners)
        self._seen: dict[str, Party] = {}

    @classmethod
    def for_target(cls, target: Target, on: date | None = None) -> Parties:
        return cls(
            list(target.first_party),
            target.processors,
            extra_owners=target.owners,
            expires=target.agreements_expire,
            on=on,
        )

    def classify(self, host: str) -> Party:
        if host not in self._seen:
            self._seen[host] = self._classify(host)
        return self._seen[host]

    def _classify(self, host: str) -> Party:
        domain = registrable_domain(host)
        owner = self.book.owner(host)
        party = Party(
            kind="third",
            domain=domain,
            owner=owner,
            entity=owner.name if owner else None,
            country=owner.country if owner else None,
        )
        if domain in self.first:
            return party.model_copy(update={"kind": "first"})
        if domain not in self.processors:
            return party
        ref, last_day = self.processors[domain], self.expires.get(domain)
        if last_day is not None and last_day < self.on:  # an agreement run out is none
            return party.model_copy(
                update={"expired_agreement": ref, "agreement_expires": last_day}
            )
        return party.model_copy(
            update={"kind": "processor", "agreement": ref, "agreement_expires": last_day}
        )


def host_table(exchanges, parties: Parties, findings) -> tuple[HostSummary, ...]:
    """Every non-first-party host the pages contacted: requests, and requests carrying the CPR."""
    requests: Counter[str] = Counter(e.host for e in exchanges)
    leaks: Counter[str] = Counter(host for host, _ in {(f.host, f.exchange_seq) for f in findings})
    rows = [
        HostSummary(host=h, party=parties.classify(h), requests=n, findings=leaks[h])
        for h, n in requests.items()
        if h
    ]
    rows = [r for r in rows if r.party.kind != "first"]
    return tuple(sorted(rows, key=lambda r: (-r.findings, r.host)))
