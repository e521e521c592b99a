"""Contain mode against the leaky portal: nothing with the CPR reaches a third party, yet every
leak is still reported, marked contained."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from urllib.parse import quote, quote_plus

import pytest

from crawler.model import Citizen
from crawler.parties import Parties, registrable_domain
from crawler.record.addons.contain import CprToThirdParty
from crawler.record.visit.scenarios import load_scenario
from crawler.run.audit import audit_system
from crawler.testing import holes
from crawler.testing.portals import CPR, EXPECTED, PORTAL, adhoc

pytestmark = pytest.mark.browser  # every test here starts Chromium

FORMS = {CPR, f"{CPR[:6]}-{CPR[6:]}"}
ENCODED = (
    FORMS
    | {quote(f, safe="") for f in FORMS}
    | {quote_plus(f) for f in FORMS}
    | {quote(quote(f, safe=""), safe="") for f in FORMS}
)
# The cross-origin iframe's document is contained (its Referer carries the CPR), so the script
# inside it never runs and its own request never happens: one receiver fewer, by design.
NEVER_HAPPENS = {"frame.framevendor.test"}


def test_contained_audit_delivers_nothing_with_the_cpr_and_still_reports_every_leak(
    leaky_portal, tmp_path
):
    code, found = adhoc(leaky_portal, tmp_path, "--contain")
    assert code == 1 and found["verdict"] == "leak"

    third = [
        r for r in leaky_portal.received if registrable_domain(r.host) != registrable_domain(PORTAL)
    ]
    assert third, "third parties still get the requests that carry nothing"
    for r in third:
        seen = " ".join([r.path, *r.headers.values(), r.body.decode("utf-8", "replace")])
        assert not any(form in seen for form in ENCODED), (
            f"{r.host} received the CPR: {r.method} {r.path}"
        )

    hosts = {f["host"] for f in found["findings"]}
    assert hosts == set(EXPECTED) - NEVER_HAPPENS
    assert all(f["contained"] for f in found["findings"]), [
        f["host"] for f in found["findings"] if not f["contained"]
    ]
    assert any("contain mode" in note for note in found["notes"])
    assert "clean.cleanvendor.test" in {r.host for r in leaky_portal.received}, (
        "clean requests still go out"
    )


def test_the_check_sees_every_encoding_the_detector_sees_to_third_parties_only():
    contain = CprToThirdParty(CPR, Parties(["skat.test"]))
    assert contain(
        f"http://t.tracker.test/c?dl={quote(quote('https://x/?cpr=' + CPR, safe=''), safe='')}",
        {},
        None,
    )
    assert contain(
        "http://t.tracker.test/c",
        {"Referer": f"http://portal.skat.test/s?c={CPR[:6]}-{CPR[6:]}"},
        None,
    )
    assert contain(
        "http://t.tracker.test/c", {}, f"page={quote_plus(CPR[:6] + ' ' + CPR[6:])}".encode()
    )
    batch = json.dumps(
        [{"properties": {"$current_url": f"https://portal.skat.test/?cpr={CPR}"}}]
    ).encode()
    assert contain("http://t.tracker.test/track", {}, b"data=" + base64.b64encode(batch))
    assert contain("http://t.tracker.test/e", {"Content-Encoding": "gzip"}, gzip.compress(batch))
    assert contain(
        f"http://t.tracker.test/c?uid={hashlib.sha256(CPR.encode()).hexdigest()}", {}, None
    )
    assert contain.carries("wss://chat.tracker.test/s", body=f"mit cpr er {CPR}", frame=True)
    assert not contain(f"http://api.skat.test/me?cpr={CPR}", {}, None), (
        "first party is never contained"
    )
    assert not contain("http://t.tracker.test/c?v=2", {}, b"nothing")


@pytest.mark.parametrize(
    ("page", "host"),
    [
        ("formdata", "formdatavendor.test"),
        ("shared-socket", "chat.sharedvendor.test"),
        ("service-socket", "chat.servicevendor.test"),
        ("worker-socket", "chat.workervendor.test"),  # the CPR in the handshake's URL
        ("blob-socket", "chat.blobvendor.test"),  # workers whose script is no response
        ("data-socket", "chat.datavendor.test"),
    ],
)
def test_contain_stops_formdata_and_the_websockets_of_every_kind_of_worker(
    monkeypatch, tmp_path, page, host
):
    monkeypatch.setenv("CPRAUDIT_CHROMIUM_ARGS", holes.SECURE_ORIGIN)
    with holes.holes() as server:
        code, found = holes.audit(server, tmp_path, page, "--contain")
    assert code == 1 and not holes.carrying(server, host), f"{host} received the CPR"
    hits = [f for f in found["findings"] if f["host"].endswith(host)]
    assert hits and all(f["contained"] for f in hits), hits


def test_contain_holds_back_an_upload_whose_file_it_cannot_search(tmp_path):
    """Chromium hands a form's file to no DevTools client, so contain mode could not search it
    and let it go: the citizen's letter with the CPR reached the third party in a contained
    audit. It is held back now, and the result stays inconclusive: what the site would have
    sent is not known."""
    script = holes.upload_scenario(tmp_path)
    with holes.holes() as server:
        target = holes.upload_target(server, script, contain=True)
        result, _ = audit_system(
            target, Citizen(cpr=CPR), tmp_path / "out", load_scenario(str(script), tmp_path)
        )
        uploads = [r for r in server.received_by(holes.UPLOADED) if r.method == "POST"]
        assert not uploads, "the upload left the machine"
    assert result.verdict == "inconclusive", result.verdict
    assert any(holes.UPLOADED in reason for reason in result.errors), result.errors
    assert any("1 upload(s) to third parties were held back" in n for n in result.notes)


def test_contain_searches_the_cookies_chromium_sends_from_a_third_party_page(tmp_path):
    """Contain mode put the Cookie header its own model computed, with the portal taken as the
    top-level site, in place of the one Chromium had put in the paused request. A third party's
    own page, where the portal had sent the citizen, went on to its next page: Chromium sent that
    navigation the SameSite=Strict cookie holding the CPR, while the model, taking it for a
    cross-site one, found only the plain cookie, and let it go."""
    with holes.holes() as server:
        code, found = holes.audit(server, tmp_path, "away", "--contain")
    assert server.received_by(f"www.{holes.AWAY_VENDOR}"), "the page never went to the vendor"
    assert not holes.carrying(server, holes.AWAY_VENDOR), "the vendor got the CPR cookie"
    hits = [f for f in found["findings"] if f["host"].endswith(holes.AWAY_VENDOR)]
    assert code == 1 and hits and all(f["contained"] for f in hits), hits


@pytest.mark.parametrize(
    ("page", "receiver"),
    [
        ("chat", holes.CHAT),
        ("chat-away", f"www.{holes.AWAY_VENDOR}"),
        ("chat-away-inside", f"www.{holes.AWAY_VENDOR}"),
    ],
)
def test_contain_searches_the_partitioned_cookies_chromium_leaves_out_of_the_pause(
    monkeypatch, tmp_path, page, receiver
):
    """A chat's partitioned cookie with the CPR went to its pixel in a contained audit, where
    the chat was a third party's own page: the store was read for the portal's partition only.
    Embedded in the portal, its partition is the portal's; on that page, the page's, also from
    a same-site iframe of that page (no target of the capture's: placed by the frame trees)."""
    monkeypatch.setenv("CPRAUDIT_CHROMIUM_ARGS", holes.ACCEPT_TEST_CERTIFICATE)
    with holes.tls_holes(tmp_path / "ca") as server:
        code, found = holes.audit(
            server, tmp_path / "out", page, "--contain", "--follow-redirect-ok", scheme="https"
        )
        assert server.received_by(receiver), "the chat never loaded"
        assert not holes.carrying(server, receiver), "the chat got the CPR cookie"
    hits = {(f["host"], f["detail"], f["contained"]) for f in found["findings"]}
    assert code == 1 and hits == {(receiver, "cookie chat", True)}, hits
