"""First-party endpoints that speak a tracker's protocol: forwarded to the vendor by default
(a leak), self-hosted for self-hostable analytics, and what audit.toml declares wins."""

from __future__ import annotations

import json

from crawler.detect.detector import detect
from crawler.model import Citizen
from crawler.parties import Parties
from crawler.testing import make_exchange

CPR = "0707614285"
SITE = "https://www.skat.dk"


def judged(url: str, method: str = "GET", body: bytes | None = None, declared=None):
    parties = Parties(["skat.dk"], owners={}, endpoints=declared)
    found = detect(
        [make_exchange(seq=1, url=url, method=method, body=body)], Citizen(cpr=CPR), parties
    )
    return [
        (
            f.party,
            f.entity,
            f.endpoint and (f.endpoint.protocol, f.endpoint.meaning, f.endpoint.declared),
        )
        for f in found.findings
    ]


def test_google_analytics_on_a_first_party_host_is_taken_as_forwarded_to_google():
    url = f"{SITE}/g/collect?v=2&tid=G-ABC123&dl=https%3A%2F%2Fwww.skat.dk%2F%3Fcpr%3D{CPR}"
    assert judged(url) == [("third", "Google LLC", ("Google Analytics 4", "forwards", False))]


def test_universal_analytics_posted_as_a_form_and_adobe_are_recognised():
    body = f"v=1&tid=UA-1234-1&dl=x{CPR}".encode()
    assert judged(f"{SITE}/collect", "POST", body)[0][1] == "Google LLC"
    assert judged(f"{SITE}/b/ss/skatprod/1/JS-2.22?g={CPR}")[0][1] == "Adobe Inc."


def test_self_hostable_analytics_stay_first_party_with_the_protocol_named():
    assert judged(f"{SITE}/matomo.php?idsite=1&rec=1&url={CPR}") == [
        ("first", None, ("Matomo", "self-hosted", False))
    ]
    event = json.dumps({"n": "pageview", "u": f"{SITE}/?cpr={CPR}", "d": "skat.dk"}).encode()
    assert judged(f"{SITE}/api/event", "POST", event)[0][2] == (
        "Plausible Analytics",
        "self-hosted",
        False,
    )


def test_a_sentry_tunnel_forwards_where_its_dsn_points():
    head = {"dsn": "https://abc@o1.ingest.sentry.io/42", "event_id": "x"}
    envelope = (json.dumps(head) + "\n" + json.dumps({"user": CPR})).encode()
    assert judged(f"{SITE}/tunnel", "POST", envelope)[0][:2] == (
        "third",
        "Functional Software, Inc. (Sentry)",
    )
    own = (json.dumps({"dsn": "https://abc@sentry.skat.dk/2"}) + "\n" + CPR).encode()
    assert judged(f"{SITE}/tunnel", "POST", own)[0][0] == "first"


def test_what_audit_toml_declares_of_an_endpoint_wins():
    url = f"{SITE}/g/collect?v=2&tid=G-ABC123&uid={CPR}"
    assert judged(url, declared={f"{SITE}/g/": "self-hosted"}) == [
        ("first", None, ("Google Analytics 4", "self-hosted", True))
    ]
    assert judged(f"{SITE}/relay?u={CPR}", declared={f"{SITE}/relay": "forwards"})[0][:2] == (
        "third",
        "the receiver behind www.skat.dk (declared in audit.toml)",
    )


def test_an_ordinary_first_party_request_is_first_party():
    assert judged(f"{SITE}/api/forskud?cpr={CPR}") == [("first", None, None)]
