"""Who owns a host: the audited system (first party), a processor with an agreement, or a third
party.

Registrable domains come from the Public Suffix List shipped in `publicsuffixlist`, so the
split works offline and `a.skat.dk` and `b.skat.dk` are one party while `x.github.io` and
`y.github.io` are two.
"""

from __future__ import annotations

import ipaddress
import tomllib
from collections import Counter
from functools import lru_cache
from importlib import resources

from publicsuffixlist import PublicSuffixList

from crawler.model import HostSummary, Owner, Party, Target

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


@lru_cache(maxsize=1)
def _bundled_owners() -> dict[str, tuple[str, str | None]]:
    return load_owners()


def load_owners() -> dict[str, tuple[str, str | None]]:
    """Bundled map of registrable domain -> (organisation, country), see data/owners.toml."""
    text = resources.files("crawler.data").joinpath("owners.toml").read_text("utf-8")
    owners: dict[str, tuple[str, str | None]] = {}
    for org in tomllib.loads(text)["organisation"]:
        for domain in org["domains"]:
            owners[domain] = (org["name"], org.get("country"))
    return owners


class Parties:
    """Classifies hosts for one audited system."""

    def __init__(
        self,
        first_party: list[str],
        processors: dict[str, str] | None = None,
        owners: dict[str, tuple[str, str | None]] | None = None,
        extra_owners: tuple[Owner, ...] = (),
    ) -> None:
        self.first = {registrable_domain(d) for d in first_party}
        self.processors = {registrable_domain(d): ref for d, ref in (processors or {}).items()}
        self.owners = dict(_bundled_owners() if owners is None else owners)
        for owner in extra_owners:  # the user's list wins over the bundled one
            self.owners.update(
                {registrable_domain(d): (owner.name, owner.country) for d in owner.domains}
            )

    @classmethod
    def for_target(cls, target: Target) -> Parties:
        return cls(list(target.first_party), target.processors, extra_owners=target.owners)

    def classify(self, host: str) -> Party:
        domain = registrable_domain(host)
        entity, country = self.owners.get(domain, (None, None))
        if domain in self.first:
            return Party(kind="first", domain=domain, entity=entity, country=country)
        if domain in self.processors:
            return Party(
                kind="processor",
                domain=domain,
                entity=entity,
                country=country,
                agreement=self.processors[domain],
            )
        return Party(kind="third", domain=domain, entity=entity, country=country)


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
