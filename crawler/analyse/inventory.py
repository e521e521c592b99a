"""The third-party inventory of a system: every organisation the citizen's browser talked to,
whether or not the CPR was among what it got (it always got the IP address and the page's
origin), where it is seated, and the agreement it is under."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from crawler.model import AgreementStatus, Exchange, Finding, Party, ThirdParty
from crawler.owners import third_country
from crawler.parties import Parties


def inventory(
    exchanges: Iterable[Exchange], parties: Parties, findings: Sequence[Finding]
) -> tuple[ThirdParty, ...]:
    """One row per organisation (or per registrable domain nobody names): those that got the
    CPR first, then those without an agreement, then by name."""
    groups: dict[str, list[tuple[Exchange, Party]]] = {}
    for ex in exchanges:
        party = parties.receiver(ex) if ex.host else None
        if party is not None and party.kind != "first":
            groups.setdefault(_key(party), []).append((ex, party))
    carried = {f.exchange_seq for f in findings}
    rows = [_row(seen, carried) for seen in groups.values()]
    return tuple(
        sorted(rows, key=lambda t: (-t.cpr_requests, t.status == "agreement", t.organisation))
    )


def _key(party: Party) -> str:
    return party.owner.key if party.owner else f"domain:{party.domain}"


def _row(seen: list[tuple[Exchange, Party]], carried: set[int]) -> ThirdParty:
    """Who (from the first request's owner facts), then what the audit saw of it."""
    first, party = seen[0]
    by_domain = {p.domain: p for _, p in seen}
    unagreed = tuple(sorted(d for d, p in by_domain.items() if p.kind != "processor"))
    categories = dict.fromkeys(p.owner.category for _, p in seen if p.owner and p.owner.category)
    return _who(party).model_copy(
        update={
            "category": ", ".join(categories) or None,
            "domains": tuple(sorted(by_domain)),
            "hosts": tuple(sorted({ex.host for ex, _ in seen})),
            "requests": len(seen),
            "cpr_requests": sum(1 for ex, _ in seen if ex.seq in carried),
            "first_step": first.step,
            "first_page": first.page_url,
            "status": _status(unagreed, by_domain),
            "agreements": tuple(sorted({p.agreement for p in by_domain.values() if p.agreement})),
            "agreement_expires": min(
                (p.agreement_expires for p in by_domain.values() if p.agreement_expires),
                default=None,
            ),
            "unagreed": unagreed,
        }
    )


def _who(party: Party) -> ThirdParty:
    owner = party.owner
    if owner is None:
        return ThirdParty(organisation=party.domain, key=_key(party))
    return ThirdParty(
        organisation=owner.name,
        key=owner.key,
        country=owner.country,
        third_country=third_country(owner.country),
        source=owner.source,
        website=owner.website,
        privacy_policy=owner.privacy_policy,
        privacy_contact=owner.privacy_contact,
    )


def _status(unagreed: tuple[str, ...], by_domain: dict[str, Party]) -> AgreementStatus:
    """In force only when every domain of it that was contacted is covered."""
    if not unagreed:
        return "agreement"
    if any(by_domain[d].expired_agreement for d in unagreed):
        return "agreement-expired"
    return "no-agreement"
