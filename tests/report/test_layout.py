"""What the report is made of before it is drawn: leaks grouped by fingerprint, the first
screen's table of receivers, and the data-flow picture's nodes and edges."""

from __future__ import annotations

from datetime import date

from crawler.analyse.fingerprints import stamp_fingerprints
from crawler.model import (
    Acceptance,
    DesignFinding,
    FindingHistory,
    SystemHistory,
    SystemResult,
    ThirdParty,
)
from crawler.report.flow import MAX_NODES, flow
from crawler.report.groups import group
from crawler.report.receivers import receivers
from crawler.testing import make_exchange, make_finding

PORTAL = "http://portal.skat.test"
CPR_PAGE, PLAIN_PAGE = f"{PORTAL}/side?cpr=0707614285", f"{PORTAL}/konto"


def party(name: str, *hosts: str, **fields) -> ThirdParty:
    domains = tuple(sorted({".".join(h.split(".")[-2:]) for h in hosts}))
    return ThirdParty(organisation=name, key=name.lower(), domains=domains, hosts=hosts, **fields)


def tastselv() -> SystemResult:
    """Three receivers; the analytics vendor gets the CPR twice per page, in two places."""
    findings = [
        make_finding(host="www.analytics.test", detail="query parameter dl", seq=1),
        make_finding(host="www.analytics.test", detail="header Referer", seq=1),
        make_finding(host="cdn.cdnvendor.test", detail="header Referer", seq=2),
        make_finding(host="www.analytics.test", detail="query parameter dl", seq=3, step="Log ind"),
        make_finding(host="region1.analytics.test", detail="query parameter dl", seq=4),
    ]
    return stamp_fingerprints(
        SystemResult(
            system="TastSelv",
            verdict="leak",
            requests=6,
            findings=tuple(findings),
            design=(DesignFinding(page_url=CPR_PAGE),),
            third_parties=(
                party(
                    "Analytics Inc",
                    "www.analytics.test",
                    "region1.analytics.test",
                    country="US",
                    third_country=True,
                    cpr_requests=3,
                ),
                party("CDN LLC", "cdn.cdnvendor.test", cpr_requests=1),
                party("Fonts ApS", "fonts.fontvendor.test", country="DK", third_country=False),
            ),
        )
    )


def test_one_group_per_fingerprint_with_every_request_it_was_in():
    r = tastselv()
    leaks = group(r.system, r.findings, {})
    assert [(g.first.host, g.first.detail, g.requests) for g in leaks] == [
        ("www.analytics.test", "query parameter dl", 3),  # region1. is the same receiver
        ("www.analytics.test", "header Referer", 1),
        ("cdn.cdnvendor.test", "header Referer", 1),
    ]
    assert leaks[0].hosts == ["www.analytics.test", "region1.analytics.test"]
    assert leaks[0].steps == ["", "Log ind"], "outside any step first, as they were sent"


def test_the_receivers_table_has_a_row_per_organisation_that_got_the_cpr():
    r = tastselv()
    rows = receivers(r, group(r.system, r.findings, {}))
    assert [x.party.organisation for x in rows] == ["Analytics Inc", "CDN LLC"], (
        "the fonts vendor got no CPR: it is on the page, not in this table"
    )
    analytics = rows[0]
    assert analytics.channels == [("url", ["query parameter dl"]), ("header", ["header Referer"])]
    assert (analytics.requests, analytics.pages) == (3, 1), "one request can leak in two places"
    assert not analytics.history, "no history kept: nothing to say about new or persisting"


def test_the_receivers_history_is_its_oldest_leak_and_its_acceptances():
    r = tastselv()
    dl, referer = (g.fingerprint for g in group(r.system, r.findings, {})[:2])
    r = r.model_copy(
        update={
            "history": SystemHistory(
                findings=(
                    FindingHistory(fingerprint=dl, status="persisting", since=1000.0, runs=4),
                    FindingHistory(fingerprint=referer, status="new", since=2000.0),
                )
            ),
            "acceptances": (
                Acceptance(
                    fingerprint=dl, reason="removal in 24.3", until=date(2027, 1, 31), in_force=True
                ),
            ),
        }
    )
    analytics = receivers(r, group(r.system, r.findings, {}))[0]
    assert analytics.new and analytics.since and analytics.since.since == 1000.0
    assert [a.reason for a in analytics.accepted] == ["removal in 24.3"], "one of its two"


def test_a_receiver_the_inventory_lacks_is_listed_by_its_domain():
    r = tastselv().model_copy(update={"third_parties": ()})  # a result from before the inventory
    rows = receivers(r, group(r.system, r.findings, {}))
    assert [x.party.organisation for x in rows] == ["analytics.test", "cdnvendor.test"]


def test_the_flow_has_an_edge_per_page_and_organisation_marked_where_the_cpr_went():
    r = tastselv()
    exchanges = [
        make_exchange(seq=1, url="http://www.analytics.test/c", page_url=CPR_PAGE),
        make_exchange(seq=2, url="http://cdn.cdnvendor.test/s.css", page_url=CPR_PAGE),
        make_exchange(seq=3, url="http://www.analytics.test/c", page_url=CPR_PAGE, step="Log ind"),
        make_exchange(seq=4, url="http://region1.analytics.test/c", page_url=CPR_PAGE),
        make_exchange(seq=5, url="http://fonts.fontvendor.test/f", page_url=PLAIN_PAGE),
        make_exchange(seq=6, url=f"{PORTAL}/api", page_url=PLAIN_PAGE),  # first party: no edge
    ]
    f = flow(r, exchanges)
    assert f is not None
    edges = {(e.source.full, e.target.full, e.requests, e.cpr) for e in f.edges}
    assert edges == {
        (CPR_PAGE, "Analytics Inc", 3, 3),
        (CPR_PAGE, "CDN LLC", 1, 1),
        (PLAIN_PAGE, "Fonts ApS", 1, 0),
    }
    unrecorded = flow(r, exchanges[1:])  # e.g. seen only by the network witness
    assert unrecorded and {(e.target.full, e.cpr) for e in unrecorded.edges if e.leak} == {
        ("Analytics Inc", 3),
        ("CDN LLC", 1),
    }, "a leak the record lacks is still drawn, from its finding"
    assert [(n.label, n.cpr) for n in f.pages] == [
        ("/side?cpr=0707614285", True),
        ("/konto", False),
    ]
    assert [n.below for n in f.pages] == [["", "Log ind"], [""]]
    assert [n.full for n in f.parties] == ["Analytics Inc", "CDN LLC", "Fonts ApS"]


def test_a_crowded_flow_folds_the_rest_into_one_node_and_keeps_the_leaks():
    r = tastselv()
    pages = [f"{PORTAL}/side/{n}" for n in range(MAX_NODES + 5)]
    exchanges = [
        make_exchange(seq=100 + n, url="http://fonts.fontvendor.test/f", page_url=page)
        for n, page in enumerate(pages)
    ] + [make_exchange(seq=1, url="http://www.analytics.test/c", page_url=CPR_PAGE)]
    f = flow(r, exchanges)
    assert f is not None and len(f.pages) == MAX_NODES
    assert f.pages[0].full == CPR_PAGE, "the page the CPR left from is never folded away"
    assert (
        f.pages[-1].more == 7 and sum(e.requests for e in f.edges if e.source is f.pages[-1]) == 7
    )


def test_no_third_party_no_picture():
    r = SystemResult(system="Forskud", verdict="clean", requests=1)
    assert flow(r, [make_exchange(url=f"{PORTAL}/", page_url=f"{PORTAL}/")]) is None
