"""Consent states side by side, and the same leak recognised in every state."""

from __future__ import annotations

from crawler.analyse.consent import side_by_side
from crawler.analyse.fingerprints import stamp_fingerprints
from crawler.model import Audited, Consent, Finding, SystemResult, variant_name


def leak(domain: str, seq: int) -> Finding:
    return Finding(
        request_url=f"http://x.{domain}/g?dl=...",
        host=f"x.{domain}",
        domain=domain,
        method="GET",
        resource_type="image",
        channel="url",
        detail="query parameter dl",
        encoding="percent",
        identifier="cpr",
        exchange_seq=seq,
    )


def state(name: str, verdict: str, *findings: Finding) -> Audited:
    result = SystemResult(
        system=variant_name("MinSide", name),
        variant_of="MinSide",
        verdict=verdict,  # type: ignore[arg-type]
        requests=10,
        findings=findings,
        consent=Consent(state=name),  # type: ignore[arg-type]
    )
    return Audited(result, f"minside-consent-{name}")


def test_the_states_side_by_side_say_who_received_the_cpr_in_which():
    other = Audited(SystemResult(system="TastSelv", verdict="clean", requests=3), "tastselv")
    results = side_by_side(
        [
            state("decline", "leak", leak("supportchat.test", 1), leak("supportchat.test", 2)),
            other,
            state("accept", "leak", leak("supportchat.test", 1), leak("analytics.test", 4)),
            state("none", "inconclusive"),
        ]
    )
    assert results[1] == other, "a system without consent states is left as it was"
    table = results[0].result.consent_table
    assert table is not None and all(r.consent_table == table for r, _ in results if r.consent)
    assert (table.system, table.states) == ("MinSide", ("decline", "accept", "none"))
    assert table.verdicts == {"decline": "leak", "accept": "leak", "none": "inconclusive"}
    assert table.folders["accept"] == "minside-consent-accept"
    assert [(row.domain, row.received) for row in table.rows] == [
        ("analytics.test", {"accept": 1}),
        ("supportchat.test", {"decline": 2, "accept": 1}),
    ]
    assert results[0].result.despite_declined_consent
    assert not results[2].result.despite_declined_consent


def test_a_leak_has_one_fingerprint_in_every_consent_state():
    declined = stamp_fingerprints(state("decline", "leak", leak("supportchat.test", 1)).result)
    accepted = stamp_fingerprints(state("accept", "leak", leak("supportchat.test", 7)).result)
    plain = stamp_fingerprints(
        SystemResult(
            system="MinSide", verdict="leak", requests=1, findings=(leak("supportchat.test", 3),)
        )
    )
    prints = {r.findings[0].fingerprint for r in (declined, accepted, plain)}
    assert len(prints) == 1, "the same leak across states, and across runs without states"
