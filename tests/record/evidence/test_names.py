"""Third parties under first-party names: each first-party host's CNAME chain is looked up while
recording, and its requests are judged by where the chain leads."""

from __future__ import annotations

import json
import socket
import time

import pytest

from crawler.cli import main
from crawler.record.evidence.names import Lookups, look_up
from crawler.testing.cloaked import CNAMES, OWNERS, cloaked
from crawler.testing.dns import CnameServer
from crawler.testing.holes import CPR, PORTAL, carrying
from crawler.testing.holes import audit as holes_audit


@pytest.fixture
def server():
    with cloaked() as running:
        yield running


def audit(
    tmp_path, server, dns_server: str, contain: bool = False, page: str = "cloaked"
) -> tuple[int, dict]:
    config = tmp_path / "audit.toml"
    config.write_text(
        f"""{OWNERS}
[[citizens]]
id = "jens"
cpr = "{CPR}"

[[systems]]
name = "Cloaked"
start_url = "http://{PORTAL}/{page}"
first_party = ["skat.test"]
login = false
resolve = ["{server.resolve_rules()[0]}"]
dns_server = "{dns_server}"
crawl = {{ depth = 0, dwell = 1.0 }}
contain = {str(contain).lower()}
"""
    )
    out = tmp_path / "out"
    code = main(["run", str(config), "--out", str(out), "--history", "none"])
    return code, json.loads((out / "cloaked" / "findings.json").read_text())


@pytest.mark.browser
def test_a_first_party_name_whose_chain_leads_to_another_organisation_is_a_third_party(
    server, tmp_path
):
    with CnameServer(CNAMES) as dns:
        code, found = audit(tmp_path, server, dns.address)
    assert (code, found["verdict"]) == (1, "leak")
    receivers = {(f["host"], f["entity"], f["domain"]) for f in found["findings"]}
    assert receivers == {
        ("smetrics.skat.test", "Analytics Cloud Inc.", "omtrdc.test"),
        ("metrics.skat.test", None, "unnamedvendor.test"),
    }, "the CDN that serves the site itself stays first party"
    chains_shown = {
        tuple(f["cname"]) for f in found["findings"] if f["host"] == "smetrics.skat.test"
    }
    assert chains_shown == {("skat.test.ssl.sc.omtrdc.test", "edge.sc.omtrdc.test")}
    chains = {n["host"]: n["chain"] for n in found["setup"]["names"]}
    assert chains["static.skat.test"] == ["skat.cdnvendor.test"]
    assert {f["host"] for f in found["first_party"]} >= {"static.skat.test"}
    assert "Analytics Cloud Inc." in {t["organisation"] for t in found["third_parties"]}


@pytest.mark.browser
def test_a_name_that_could_not_be_looked_up_is_said_so_never_silently_first_party(server, tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:  # bound, never answers
        silent.bind(("127.0.0.1", 0))
        code, found = audit(tmp_path, server, f"127.0.0.1:{silent.getsockname()[1]}")
    assert {(f["host"], f["entity"]) for f in found["findings"]} == {
        ("smetrics.skat.test", "Adobe Inc.")
    }, "by its name first party, but it speaks Adobe's protocol"
    assert code == 1
    assert all(n["problem"] == "the DNS lookup timed out" for n in found["setup"]["names"])
    assert any("could not be checked for a CNAME" in n for n in found["notes"])


def test_fifty_names_are_looked_up_at_once_within_about_a_second():
    hosts = [f"h{i}.skat.test" for i in range(50)]
    with CnameServer({h: f"{h}.elsewhere.test" for h in hosts[:25]}) as dns:
        started = time.monotonic()
        chains = look_up(hosts, dns.address)
        took = time.monotonic() - started
    assert [len(c.chain) for c in chains] == [1] * 25 + [0] * 25
    assert took < 5, "bounded: each name's lookup is, and they run at once"


def test_without_a_dns_server_names_public_dns_cannot_know_are_not_asked():
    assert look_up(["portal.skat.test", "127.0.0.1", "intra.localhost"]) == ()
    lookups = Lookups()
    assert lookups.chain_of("portal.skat.test").chain == ()
    assert lookups.look_up(["portal.skat.test", "intra.localhost"]) == ()


def test_a_name_asked_while_recording_is_not_asked_again_for_the_evidence():
    with CnameServer({"smetrics.skat.test": "skat.test.sc.omtrdc.test"}) as dns:
        lookups = Lookups(dns.address)
        live = lookups.chain_of("smetrics.skat.test")
        evidence = lookups.look_up(["www.skat.test", "smetrics.skat.test"])
        asked = list(dns.table.asked)
    assert live.chain == ("skat.test.sc.omtrdc.test",)
    assert [c.host for c in evidence] == ["www.skat.test", "smetrics.skat.test"]
    assert evidence[1] is live, "the evidence holds the answer the decision was made on"
    assert asked.count("smetrics.skat.test") == 1 and asked.count("www.skat.test") == 1


@pytest.mark.browser
def test_a_first_party_tag_manager_speaking_google_analytics_is_a_leak_to_google(server, tmp_path):
    code, found = holes_audit(server, tmp_path / "out", "tagged")
    assert (code, found["verdict"]) == (1, "leak")
    assert {(f["host"], f["entity"]) for f in found["findings"]} == {
        ("sst.skat.test", "Google LLC")
    }
    assert {f["endpoint"]["protocol"] for f in found["first_party"] if f["endpoint"]} == {
        "Matomo"
    }, "self-hosted analytics: a first-party note"
    assert any("speaks Matomo: taken as self-hosted" in n for n in found["notes"])


@pytest.mark.browser
def test_contain_mode_stops_third_parties_under_first_party_names_before_the_cpr_leaves(
    server, tmp_path
):
    """Contain mode judged a host by its name alone while the request was paused (the chains
    were looked up after the visit, and tracker protocols read in the analysis): Adobe's CNAME,
    an unnamed collector's and a server-side tag manager got the CPR in a contained audit."""
    with CnameServer(CNAMES) as dns:
        code, found = audit(tmp_path, server, dns.address, contain=True)
    assert (code, found["verdict"]) == (1, "leak")
    assert not carrying(server, "metrics.skat.test"), "smetrics and metrics got the CPR"
    assert sorted(dns.table.asked) == sorted(set(dns.table.asked)), "each name asked once"
    assert {(f["host"], f["contained"]) for f in found["findings"]} == {
        ("smetrics.skat.test", True),
        ("metrics.skat.test", True),
    }
    assert carrying(server, "static.skat.test"), "the site's own CDN is not contained"

    code, found = holes_audit(server, tmp_path / "tagged", "tagged", "--contain")
    assert (code, found["verdict"]) == (1, "leak")
    assert not carrying(server, "sst.skat.test"), "the tag manager got the CPR"
    assert [(f["host"], f["contained"]) for f in found["findings"]] == [("sst.skat.test", True)]
    assert carrying(server, "stats.skat.test"), "self-hosted analytics is first party"


@pytest.mark.browser
def test_contain_mode_searches_the_cookies_a_request_would_carry(server, tmp_path):
    """The interception pauses a request before Chromium adds its cookies: a cookie of the
    portal's whole domain with the CPR went to its CNAME'd collector in a contained audit."""
    with CnameServer(CNAMES) as dns:
        code, found = audit(tmp_path, server, dns.address, contain=True, page="cookie")
    assert not carrying(server, "metrics.skat.test"), "the collector got the CPR cookie"
    assert (code, found["verdict"]) == (1, "leak")
    hits = [f for f in found["findings"] if f["host"] == "metrics.skat.test"]
    assert hits and all(f["contained"] for f in hits), hits


@pytest.mark.browser
def test_a_cookie_with_the_cpr_sent_to_a_third_party_under_a_first_party_name_is_a_leak(
    server, tmp_path
):
    """The portal's cookies were masked in the record as first-party session secrets, also
    where the receiver was a CNAME'd collector and the value the CPR: a false clean."""
    with CnameServer(CNAMES) as dns:
        code, found = audit(tmp_path, server, dns.address, page="cookie")
    assert carrying(server, "metrics.skat.test"), "the page sends the cookie"
    assert (code, found["verdict"]) == (1, "leak")
    assert {f["host"] for f in found["findings"]} == {"metrics.skat.test"}
