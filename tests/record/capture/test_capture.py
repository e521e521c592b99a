"""Everything that leaves the browser is recorded and searched: each way the record once lost a
leak, audited end to end against real Chromium and a loopback server that counts what it got."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from crawler import bundle
from crawler.bundle import read_exchanges
from crawler.record.capture.tape import Tape
from crawler.testing.holes import (
    ACCEPT_TEST_CERTIFICATE,
    CHAT,
    CPR,
    POPUPS,
    PORTAL,
    SECURE_ORIGIN,
    audit,
    carrying,
    holes,
    tls_holes,
)

pytestmark = pytest.mark.browser  # every test here starts Chromium


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("CPRAUDIT_CHROMIUM_ARGS", SECURE_ORIGIN)
    with holes() as site:
        yield site


def cpr_findings(found: dict, host: str) -> list[dict]:
    return [f for f in found["findings"] if f["host"] == host and f["identifier"] == "cpr"]


def test_formdata_bodies_are_leaks(server, tmp_path):
    code, found = audit(server, tmp_path, "formdata")
    assert code == 1 and found["verdict"] == "leak"
    for host in ("beacon", "fetch", "form"):
        hits = cpr_findings(found, f"{host}.formdatavendor.test")
        assert [(f["channel"], f["detail"]) for f in hits] == [("body", "body part cpr")], host


def recorded_once(server, code: int, found: dict, channels: dict[str, str]) -> None:
    """A leak in which each host got the CPR and has one finding for it, in its channel, and the
    network witness saw nothing leave that the record lacks."""
    assert code == 1 and found["verdict"] == "leak"
    for host, channel in channels.items():
        assert carrying(server, host), f"{host} did receive it"
        assert [f["channel"] for f in cpr_findings(found, host)] == [channel], host
    assert not [g for g in found["capture_gaps"] if g["cause"] == "site"]


def test_blob_bodies_are_leaks(server, tmp_path):
    """Playwright reports these bodies without their bytes: the interception has them."""
    code, found = audit(server, tmp_path, "blobs")
    hosts = ("fetch", "xhr", "file")
    recorded_once(server, code, found, {f"{h}.blobvendor.test": "body" for h in hosts})


def test_requests_of_a_shared_worker_are_leaks(server, tmp_path):
    """A shared worker has no page: Playwright reports none of its requests."""
    code, found = audit(server, tmp_path, "shared-fetch")
    channels = {"lib": "url", "get": "url", "post": "body"}
    recorded_once(server, code, found, {f"{h}.sharedvendor.test": c for h, c in channels.items()})


@pytest.mark.parametrize(
    ("page", "host"),
    [("shared-socket", "chat.sharedvendor.test"), ("service-socket", "chat.servicevendor.test")],
)
def test_websockets_of_shared_and_service_workers_are_leaks(server, tmp_path, page, host):
    code, found = audit(server, tmp_path, page)
    assert code == 1 and found["verdict"] == "leak"
    sent = [f for f in cpr_findings(found, host) if f["detail"] == "websocket frame (sent)"]
    assert sent and sent[0]["channel"] == "websocket"
    assert carrying(server, host), "the frame did reach the server"


def test_bodies_above_the_limit_are_kept_apart_and_searched_to_their_end(server, tmp_path):
    code, found = audit(server, tmp_path, "big-bodies", "--body-limit", "65536")
    assert code == 1 and found["verdict"] == "leak"
    for host in ("end.bigvendor.test", "edge.bigvendor.test"):
        assert [f["channel"] for f in cpr_findings(found, host)] == ["body"], host
        assert carrying(server, host), f"{host} did receive it"
    folder = tmp_path / bundle.slug(PORTAL)
    record, _ = read_exchanges(folder / bundle.REQUESTS)
    uploads = {e.host: e for e in record if e.host.endswith(".bigvendor.test")}
    for host, upload in uploads.items():
        assert upload.body is None and upload.body_file, host
        kept = (folder / upload.body_file).read_bytes()
        assert kept == server.received_by(host)[0].body and upload.body_size == len(kept)
        assert any(upload.body_file in note and "windows" in note for note in found["notes"])


def test_a_response_body_the_har_left_out_is_named_in_the_report(server, tmp_path):
    code, found = audit(server, tmp_path, "big-download")
    assert code == 0, found["errors"]
    folder = tmp_path / bundle.slug(PORTAL)
    har = json.loads((folder / bundle.HAR).read_text())
    entry = next(e for e in har["log"]["entries"] if e["request"]["url"].endswith("/big.bin"))
    assert entry["response"]["status"] == 200 and "text" not in entry["response"]["content"]
    named = [n for n in found["notes"] if "lacks the response body" in n]
    assert named == [
        "network.har lacks the response body of 1 request(s): GET http://files.bigvendor.test/big.bin"
    ]
    assert named[0] in (folder / bundle.REPORT).read_text()


def test_a_font_sent_once_is_one_exchange_and_one_finding(server, tmp_path):
    code, found = audit(server, tmp_path, "font")
    assert code == 1
    record, _ = read_exchanges(tmp_path / bundle.slug(PORTAL) / bundle.REQUESTS)
    assert len([e for e in record if e.host == "fonts.fontvendor.test"]) == 1
    assert len(cpr_findings(found, "fonts.fontvendor.test")) == 1
    assert len(server.received_by("fontvendor.test")) == 1


def test_the_audit_sends_nothing_the_page_did_not(server, tmp_path):
    """A prefetch's body is one Chromium keeps nowhere: Playwright's HAR and trace fetched it
    again from the site, CPR and all, putting two copies on the wire. Now the page's one
    request is the only one, with one finding."""
    code, found = audit(server, tmp_path, "prefetch")
    assert code == 1 and len(carrying(server, "next.prefetchvendor.test")) == 1
    assert len(cpr_findings(found, "next.prefetchvendor.test")) == 1
    assert [g for g in found["capture_gaps"] if g["cause"] != "browser"] == []


def test_what_a_page_sends_as_it_is_left_is_recorded(server, tmp_path):
    code, found = audit(server, tmp_path, "unload")
    channels = {"px": "url", "keep": "url", "post": "body"}
    recorded_once(server, code, found, {f"{h}.unloadvendor.test": c for h, c in channels.items()})
    # The browser sends these after the document is gone, as the page's own, not as HeadlessChrome
    page_agent = server.received_by(PORTAL)[0].headers["user-agent"]
    agents = {r.headers.get("user-agent") for r in server.received_by("unloadvendor.test")}
    assert "HeadlessChrome" not in page_agent
    assert agents == {page_agent}


@pytest.mark.parametrize("witness", [(), ("--no-witness",)], ids=["witness", "no-witness"])
def test_a_cookie_the_pause_left_out_of_what_a_page_sent_as_it_was_left_is_searched(
    monkeypatch, tmp_path, witness
):
    """A chat's request as the page was left, reported by no target, was recorded with the
    headers of its pause, which lack partitioned cookies: its cookie with the CPR went
    unsearched, and the audit found no leak. The witness saw the headers as sent; without it
    (a remote browser), the partitioned cookies are read from the browser's store."""
    monkeypatch.setenv("CPRAUDIT_CHROMIUM_ARGS", ACCEPT_TEST_CERTIFICATE)
    with tls_holes(tmp_path / "ca") as tls:
        code, found = audit(tls, tmp_path / "out", "chat-leave", *witness, scheme="https")
        assert carrying(tls, CHAT), "the chat's cookie did not leave"
    hits = {(f["host"], f["request_url"], f["detail"]) for f in found["findings"]}
    assert code == 1 and hits == {(CHAT, f"https://{CHAT}/bye", "cookie chat")}, hits


@pytest.mark.slow
def test_a_storm_of_popups_is_counted_request_by_request(server, tmp_path):
    code, found = audit(server, tmp_path, "popups")
    on_wire = carrying(server, "px.pixelvendor.test")
    assert code == 1 and len(on_wire) >= POPUPS
    assert len(cpr_findings(found, "px.pixelvendor.test")) == len(on_wire)
    assert CPR in found["findings"][0]["request_url"]


@pytest.fixture
def blind_to(monkeypatch):
    """The recorder made to miss what goes to one host: a capture hole of the test's making."""

    def blind(host: str, kind: str = "request") -> None:
        write = Tape.write

        def write_unless_missed(self, **fields):
            if urlsplit(fields["url"]).hostname != host or fields.get("kind") != kind:
                write(self, **fields)

        monkeypatch.setattr(Tape, "write", write_unless_missed)

    return blind


def test_a_quiet_page_is_clean_with_every_request_on_the_wire_in_the_record(server, tmp_path):
    code, found = audit(server, tmp_path, "quiet")
    assert (code, found["verdict"]) == (0, "clean"), found["errors"]
    witness = found["witness"]
    assert witness["ran"] and witness["requests"] == witness["matched"] >= 2
    assert [g for g in found["capture_gaps"] if g["cause"] != "browser"] == []


def test_a_request_the_recorder_missed_is_a_named_capture_gap_and_never_clean(
    server, tmp_path, blind_to
):
    blind_to("px.quietvendor.test")
    code, found = audit(server, tmp_path, "quiet")
    assert (code, found["verdict"]) == (2, "inconclusive")
    (gap,) = [g for g in found["capture_gaps"] if g["cause"] == "site"]
    assert gap["url"] == "http://px.quietvendor.test/p.gif?v=1" and gap["explanation"] is None
    assert any("capture gap" in e and gap["url"] in e for e in found["errors"])
    report = (tmp_path / bundle.slug(PORTAL) / bundle.REPORT).read_text()
    assert "Capture gaps" in report and gap["url"] in report and "unexplained" in report


def test_a_leak_the_recorder_missed_is_still_a_leak(server, tmp_path, blind_to):
    blind_to("fonts.fontvendor.test")
    code, found = audit(server, tmp_path, "font")
    assert code == 1
    (finding,) = cpr_findings(found, "fonts.fontvendor.test")
    assert finding["capture_gap"] and finding["detail"] == "query parameter cpr"


def test_websocket_frames_the_recorder_missed_are_a_gap(server, tmp_path, blind_to):
    blind_to("chat.sharedvendor.test", kind="websocket")
    code, found = audit(server, tmp_path, "shared-socket")
    assert (code, found["verdict"]) == (2, "inconclusive")
    (gap,) = [g for g in found["capture_gaps"] if g["kind"] == "frames"]
    assert gap["frames"] == 1 and gap["host"] == "chat.sharedvendor.test"
