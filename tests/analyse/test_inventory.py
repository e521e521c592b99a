"""The third-party inventory: one row per organisation, its country and transfer, its
agreement (in force, run out, none), and the policy and exit code built on it."""

from __future__ import annotations

from datetime import date

from crawler import bundle
from crawler.analyse.inventory import inventory
from crawler.analyse.system import analyse_system
from crawler.analyse.verdict import agreement_verdict, exit_code
from crawler.bundle import Recording
from crawler.model import Citizen, Finding, SystemResult, Target
from crawler.owners import trackerdb
from crawler.parties import Parties
from crawler.testing import make_exchange

PAGE = "http://portal.skat.test/borger"


def parties() -> Parties:
    return Parties(
        ["skat.test"],
        {"fixture-cdn.test": "DBA-2024-017", "fixture-chat.test": "DBA-2019-031"},
        expires={"fixture-chat.test": date(2025, 12, 31)},
        on=date(2026, 5, 1),
    )


def exchanges():
    urls = [
        "http://portal.skat.test/borger",  # first party: not in the inventory
        "http://www.fixture-analytics.test/collect?dl=x",
        "http://static.fixture-cdn.test/site.css",
        "http://pixel.fixture-ads.test/p.gif",  # the same company as the analytics
        "http://fixture-chat.test/widget.js",
        "http://api.unknown-vendor.test/v1",
        "http://static.fixture-cdn.test/font.woff",
    ]
    return [
        make_exchange(seq=i, url=u, page_url=PAGE, step="Log ind" if i < 3 else "Oversigt")
        for i, u in enumerate(urls, 1)
    ]


def by_name(rows):
    return {t.organisation: t for t in rows}


def test_every_organisation_contacted_is_listed_with_its_standing():
    cpr = Finding(
        request_url="http://www.fixture-analytics.test/collect?dl=x",
        host="www.fixture-analytics.test",
        method="GET",
        resource_type="image",
        channel="url",
        detail="query parameter dl",
        encoding="plain",
        identifier="cpr",
        exchange_seq=2,
    )
    rows = inventory(exchanges(), parties(), [cpr])
    assert rows[0].organisation == "Fixture Inc.", "the one that got the CPR first"
    found = by_name(rows)
    assert set(found) == {
        "Fixture Inc.",
        "Fixture CDN GmbH",
        "Fixture Chat ApS",
        "unknown-vendor.test",
    }

    ads = found["Fixture Inc."]
    assert (ads.country, ads.third_country, ads.status, ads.source) == (
        "US",
        True,
        "no-agreement",
        "trackerdb",
    )
    assert ads.hosts == ("pixel.fixture-ads.test", "www.fixture-analytics.test")
    assert (ads.requests, ads.cpr_requests) == (2, 1)
    assert ads.category == "site_analytics, advertising"
    assert (ads.first_step, ads.first_page) == ("Log ind", PAGE)

    cdn = found["Fixture CDN GmbH"]
    assert (cdn.country, cdn.third_country, cdn.status, cdn.agreements, cdn.requests) == (
        "DE",
        False,
        "agreement",
        ("DBA-2024-017",),
        2,
    )
    chat = found["Fixture Chat ApS"]
    assert (chat.status, chat.agreements, chat.agreement_expires) == (
        "agreement-expired",
        (),
        date(2025, 12, 31),
    )
    unknown = found["unknown-vendor.test"]
    assert (unknown.source, unknown.country, unknown.third_country, unknown.key) == (
        None,
        None,
        None,
        "domain:unknown-vendor.test",
    )


def test_an_organisation_is_agreed_only_when_every_domain_of_it_is():
    agreed = Parties(["skat.test"], {"fixture-analytics.test": "DBA-1"})
    (row,) = [t for t in inventory(exchanges(), agreed, []) if t.organisation == "Fixture Inc."]
    assert (row.status, row.agreements, row.unagreed) == (
        "no-agreement",
        ("DBA-1",),
        ("fixture-ads.test",),
    )


def result(**fields) -> SystemResult:
    return SystemResult(system="TastSelv", verdict="clean", requests=7, **fields)


def test_fail_on_unagreed_is_its_own_verdict_and_fails_the_exit_code():
    rows = inventory(exchanges(), parties(), [])
    assert agreement_verdict(rows, False, "clean") is None, "not asked: no verdict line"
    assert agreement_verdict(rows, True, "clean") == "fail"
    agreed = [t for t in rows if t.status == "agreement"]
    assert agreement_verdict(agreed, True, "clean") == "pass"
    assert agreement_verdict(agreed, True, "inconclusive") == "inconclusive"

    failing = result(third_parties=rows, agreement_verdict="fail")
    assert failing.verdict == "clean", "the CPR verdict stays readable"
    assert exit_code([failing]) == 1
    assert exit_code([failing], "new") == 0, "a standing policy failure is never new"
    assert exit_code([failing], "none") == 0


def test_fail_on_new_third_party():
    rows = inventory(exchanges(), parties(), [])
    seen = result(third_parties=tuple(t.model_copy(update={"new": False}) for t in rows))
    new = result(third_parties=(rows[0].model_copy(update={"new": True}),))
    assert exit_code([seen, new]) == 0, "new third parties fail only when asked"
    assert exit_code([seen], ["any", "new-third-party"]) == 0
    assert exit_code([seen, new], ["new-third-party"]) == 1
    assert exit_code([seen, new], ["none", "new-third-party"]) == 1


def test_without_the_database_the_audit_runs_says_so_and_owners_are_unknown(tmp_path, monkeypatch):
    monkeypatch.setenv(trackerdb.ENV_VAR, str(tmp_path / "not-installed"))
    bundle.write_exchanges(exchanges(), tmp_path / bundle.REQUESTS)
    target = Target(system="portal", start_url=PAGE, first_party=("skat.test",))
    result, _ = analyse_system(Recording(target, tmp_path, pages=[PAGE]), Citizen(cpr="0707614285"))
    assert result.verdict == "clean" and result.owner_database == ""
    (note,) = [n for n in result.notes if "owner database" in n]
    assert "cpraudit setup" in note and "\n" not in note
    assert {t.organisation for t in result.third_parties} == {
        "fixture-analytics.test",
        "fixture-ads.test",
        "fixture-cdn.test",
        "fixture-chat.test",
        "unknown-vendor.test",
    }, "listed by domain, owner unknown"
