"""Whose a host is: the audited system's (first party), a processor's with an agreement in
force, or a third party's; and which organisation owns it (`crawler.owners`).

A name is judged by where it leads: a first-party host whose CNAME chain (looked up while
recording, `crawler.record.evidence.names`) leaves the first-party domains is the organisation
the chain leads to, the first one on it that an owner source knows (Adobe's `smetrics.<site>` ->
`...sc.omtrdc.net`). A chain that leads to a hosting or CDN company (Akamai, CloudFront) serves
the site itself and stays first party; one that leads to no known owner is a third party, owner
unknown, until audit.toml names its domain first party.

Registrable domains come from the Public Suffix List shipped in `publicsuffixlist`, so the
split works offline and `a.skat.dk` and `b.skat.dk` are one party while `x.github.io` and
`y.github.io` are two.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from functools import lru_cache

from publicsuffixlist import PublicSuffixList

from crawler.model import (
    EndpointMeaning,
    Exchange,
    HostSummary,
    NameChain,
    Owner,
    OwnerInfo,
    Party,
    Target,
)
from crawler.owners import book_for, given
from crawler.owners.endpoints import endpoint

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


def first_party_of(target: Target) -> set[str]:
    """The registrable domains that are the system itself: all a login check, a link rule or a
    redactor needs to know of its parties (no owner source is read)."""
    return {registrable_domain(d) for d in target.first_party}


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
        names: Iterable[NameChain] = (),
        endpoints: Mapping[str, EndpointMeaning] | None = None,
        look_up: Callable[[str], NameChain] | None = None,
    ) -> None:
        """`owners` replaces every owner source (tests); `extra_owners` come before them;
        `names` are the CNAME chains of first-party hosts; `endpoints` what audit.toml declares
        of first-party endpoints (URL prefix -> meaning); `look_up` asks DNS for the chain of a
        first-party host not in `names` when it is first classified (contain mode decides
        before a request leaves, long before the visit's names are looked up)."""
        self.first = {registrable_domain(d) for d in first_party}
        self.processors = {registrable_domain(d): ref for d, ref in (processors or {}).items()}
        self.expires = {registrable_domain(d): day for d, day in (expires or {}).items()}
        self.on = on or date.today()
        self.book = given(owners) if owners is not None else book_for(extra_owners)
        self.chains = {n.host: n.chain for n in names if n.chain}
        self.endpoints = dict(endpoints or {})
        self._look_up = look_up
        self._seen: dict[str, Party] = {}

    @classmethod
    def for_target(
        cls,
        target: Target,
        on: date | None = None,
        names: Iterable[NameChain] = (),
        look_up: Callable[[str], NameChain] | None = None,
    ) -> Parties:
        return cls(
            list(target.first_party),
            {p.domain: p.agreement for p in target.processors},
            extra_owners=target.owners,
            expires={p.domain: p.expires for p in target.processors if p.expires},
            on=on,
            names=names,
            endpoints=target.endpoints,
            look_up=look_up,
        )

    def classify(self, host: str) -> Party:
        if host not in self._seen:
            self._seen[host] = self._classify(host)
        return self._seen[host]

    def receiver(self, ex: Exchange) -> Party:
        """Who receives a request: its host's party, or, for a first-party endpoint that speaks
        a tracker's protocol and forwards it, the vendor as probable receiver."""
        party = self.classify(ex.host)
        if party.kind != "first" or (found := endpoint(ex, self.endpoints)) is None:
            return party
        if found.meaning == "self-hosted":
            return party.model_copy(update={"endpoint": found})
        name = found.vendor or f"the receiver behind {ex.host} (declared in audit.toml)"
        owner = OwnerInfo(key=name.casefold(), name=name, country=found.country, source="endpoint")
        return Party(
            kind="third",
            domain=party.domain,
            owner=owner,
            entity=name,
            country=found.country,
            endpoint=found,
        )

    def _classify(self, host: str) -> Party:
        domain = registrable_domain(host)
        if domain in self.first:
            return self._first(host)
        return self._party(host, domain)

    def _first(self, host: str) -> Party:
        """A first-party name: itself, or the organisation its CNAME chain leads to."""
        if host not in self.chains and self._look_up is not None:
            self.chains[host] = self._look_up(host).chain
        chain = self.chains.get(host, ())
        away = [n for n in chain if registrable_domain(n) not in self.first]
        known = next(((n, o) for n in away if (o := self.book.owner(n)) is not None), None)
        if not away or (known and known[1].category == "hosting"):  # its CDN serves the site
            own = self.book.owner(host)
            return Party(
                kind="first",
                domain=registrable_domain(host),
                owner=own,
                entity=own.name if own else None,
                country=own.country if own else None,
                cname=chain,
            )
        leads_to = known[0] if known else away[-1]
        return self._party(leads_to, registrable_domain(leads_to)).model_copy(
            update={"cname": chain}
        )

    def _party(self, host: str, domain: str) -> Party:
        """A host outside the first party: a processor's with an agreement in force, or a
        third party's."""
        owner = self.book.owner(host)
        party = Party(
            kind="third",
            domain=domain,
            owner=owner,
            entity=owner.name if owner else None,
            country=owner.country if owner else None,
        )
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
    """Every host the pages contacted as a third party or processor (a first-party endpoint
    forwarding a tracker's protocol too): requests, and requests carrying the CPR."""
    requests: Counter[str] = Counter()
    party: dict[str, Party] = {}
    for e in exchanges:
        if e.host and (received := parties.receiver(e)).kind != "first":
            requests[e.host] += 1
            party.setdefault(e.host, received)
    leaks: Counter[str] = Counter(host for host, _ in {(f.host, f.exchange_seq) for f in findings})
    rows = [
        HostSummary(host=h, party=party[h], requests=n, findings=leaks[h])
        for h, n in requests.items()
    ]
    return tuple(sorted(rows, key=lambda r: (-r.findings, r.host)))
