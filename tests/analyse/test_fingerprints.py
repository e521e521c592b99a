"""The same leak has the same fingerprint run after run, whatever noise the request carries;
a different receiver, place, encoding or system is a different leak."""

from __future__ import annotations

from crawler.analyse.fingerprints import fingerprint, key, leak_key
from crawler.detect.detector import detect
from crawler.model import Citizen
from crawler.parties import Parties
from crawler.testing import make_exchange

CPR = "0707614285"
CITIZEN = Citizen(cpr=CPR)
PARTIES = Parties(["skat.test"], {})


def findings(**exchange):
    found = detect([make_exchange(**exchange)], CITIZEN, PARTIES).findings
    assert found, f"the detector should find the CPR in {exchange}"
    return found


def prints(system="TastSelv", **exchange):
    return {fingerprint(system, f) for f in findings(**exchange)}


def test_requests_that_differ_only_in_noise_share_a_fingerprint():
    monday = prints(
        url=f"http://www.analytics.test/collect?v=1&_=1714400000123&z=88231&dl=http%3A%2F%2Fportal.skat.test%2F%3Fcpr%3D{CPR}&cid=111.222",
        page_url="http://portal.skat.test/a?session=abc",
    )
    tuesday = prints(
        url=f"http://region1.analytics.test/collect?dl=http%3A%2F%2Fportal.skat.test%2Fother%3Fcpr%3D{CPR}%26t%3D9&v=1&_=1714486400999&cid=333.444",
        page_url="http://portal.skat.test/b?session=xyz",
        method="POST",
        seq=42,
    )
    assert monday == tuesday and len(monday) == 1


def test_json_array_positions_and_header_case_are_noise():
    a = prints(
        url="http://api.vendor.test/e",
        method="POST",
        body=f'{{"events":[{{"x":1}},{{"page":"{CPR}"}}]}}'.encode(),
    )
    b = prints(
        url="http://api.vendor.test/e?ts=5",
        method="POST",
        body=f'{{"events":[{{"page":"{CPR}"}}]}}'.encode(),
    )
    assert a == b
    c = prints(
        url="http://cdn.vendor.test/x.css",
        headers=(("Referer", f"http://portal.skat.test/?cpr={CPR}"),),
    )
    d = prints(
        url="http://cdn.vendor.test/y.css?v=2",
        headers=(("referer", f"http://portal.skat.test/?cpr={CPR}&r=7"),),
    )
    assert c == d


def test_receiver_place_encoding_and_system_make_different_leaks():
    base = prints(url=f"http://www.analytics.test/c?dl={CPR}")
    assert prints(url=f"http://www.other-analytics.test/c?dl={CPR}") != base, "another receiver"
    assert prints(url=f"http://www.analytics.test/c?page={CPR}") != base, "another parameter"
    assert prints(url="http://www.analytics.test/c?dl=070761%2D4285") != base, "percent-encoded"
    assert prints(system="Forskud", url=f"http://www.analytics.test/c?dl={CPR}") != base, (
        "another system"
    )
    assert prints(url=f"http://www.analytics.test/c?eVar5={CPR}") != prints(
        url=f"http://www.analytics.test/c?eVar12={CPR}"
    )


def test_the_rule_is_readable():
    (finding,) = findings(url="http://www.analytics.test/c?dl=070761%2D4285")
    assert (
        key("TastSelv", finding)
        == "tastselv | analytics.test | url | query parameter dl | percent | cpr"
    )
    assert len(fingerprint("TastSelv", finding)) == 16


def test_the_same_leak_in_two_systems_shares_its_key_without_the_system():
    """What `cpraudit diff` compares two systems (or variants of one) by."""
    (found,) = findings(url=f"http://www.analytics.test/collect?dl={CPR}")
    assert key("TastSelv", found) == f"tastselv | {leak_key(found)}"
    assert fingerprint("TastSelv", found) != fingerprint("Forskud", found)
    assert key("Forskud", found).removeprefix("forskud | ") == leak_key(found)
