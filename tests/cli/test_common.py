"""What the run prints about third parties: agreement failures and new ones, escaped."""

from __future__ import annotations

from crawler.cli.common import third_party_lines
from crawler.model import SystemResult, ThirdParty


def test_agreement_failures_and_new_third_parties_are_printed_escaped():
    hostile = ThirdParty(
        organisation="Evil\x1b[2J Ltd",
        key="evil",
        country="US",
        third_country=True,
        category="hosting",
        hosts=("cdn.evil.test",),
        new=True,
    )
    agreed = ThirdParty(organisation="Fixture CDN GmbH", key="f", status="agreement", new=False)
    result = SystemResult(
        system="TastSelv",
        verdict="clean",
        requests=3,
        third_parties=(hostile, agreed),
        agreement_verdict="fail",
    )
    assert third_party_lines(result) == [
        "AGREEMENTS FAIL: no agreement in force with Evil\\x1b[2J Ltd",
        "new third party: Evil\\x1b[2J Ltd (US, third country; hosting; no agreement) at "
        "cdn.evil.test",
    ]
