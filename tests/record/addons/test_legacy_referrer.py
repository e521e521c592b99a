"""Legacy referrer mode: a page with no referrer policy of its own leaks its full URL in
Referer as browsers did until 2020-21; without the mode, only its origin goes out."""

from __future__ import annotations

import pytest

from crawler.analyse.system import analyse_system
from crawler.model import Citizen, CrawlSettings, Target
from crawler.record.session import record
from crawler.testing import Response, SiteServer
from crawler.testing.portals import CPR

pytestmark = pytest.mark.browser  # every test here starts Chromium

PORTAL = "borger.legacy.test"
PAGE = '<!doctype html><title>Forskud</title><link rel="stylesheet" href="http://cdn.maxvendor.test/site.css"><p>ok'
OWN_POLICY = '<!doctype html><meta name="referrer" content="no-referrer"><link rel="stylesheet" href="http://cdn.maxvendor.test/own.css">'


@pytest.mark.parametrize("legacy", [False, True])
def test_legacy_mode_makes_the_latent_referer_leak_observed(legacy, tmp_path):
    routes = {
        f"{PORTAL}/side": Response(PAGE),
        f"{PORTAL}/own": Response(OWN_POLICY),
        "cdn.maxvendor.test/site.css": Response("p{}", "text/css"),
        "cdn.maxvendor.test/own.css": Response("p{}", "text/css"),
    }
    with SiteServer(routes) as server:
        target = Target(
            system="legacy",
            start_url=f"http://{PORTAL}/side?cpr={CPR}",
            first_party=("legacy.test",),
            resolve=tuple(server.resolve_rules()),
            crawl=CrawlSettings(depth=0, dwell=0.5),
            legacy_referrer=legacy,
        )
        rec = record(target, Citizen(cpr=CPR), tmp_path)
        result, exchanges = analyse_system(rec, Citizen(cpr=CPR))
        sent = server.received_by("cdn.maxvendor.test")[0].headers["referer"]
    css = [f for f in result.findings if f.host == "cdn.maxvendor.test"]
    if legacy:
        assert sent == f"http://{PORTAL}/side?cpr={CPR}"
        assert [f.detail.lower() for f in css] == ["header referer"]
        assert all(e.legacy_referrer for e in exchanges) and any(
            "legacy referrer mode" in n for n in result.notes
        )
    else:
        assert sent == f"http://{PORTAL}/"
        assert css == [] and not any(e.legacy_referrer for e in exchanges)


def test_a_policy_the_site_sets_itself_is_left_alone(tmp_path):
    routes = {
        f"{PORTAL}/own": Response(OWN_POLICY, headers=(("Referrer-Policy", "same-origin"),)),
        "cdn.maxvendor.test/own.css": Response("p{}", "text/css"),
    }
    with SiteServer(routes) as server:
        target = Target(
            system="legacy",
            start_url=f"http://{PORTAL}/own?cpr={CPR}",
            first_party=("legacy.test",),
            resolve=tuple(server.resolve_rules()),
            crawl=CrawlSettings(depth=0, dwell=0.5),
            legacy_referrer=True,
        )
        record(target, Citizen(cpr=CPR), tmp_path)
        assert "referer" not in server.received_by("cdn.maxvendor.test")[0].headers
