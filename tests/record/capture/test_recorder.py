"""The recorder against real Chromium and a real loopback portal: every channel is on disk."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from crawler.bundle import read_exchanges
from crawler.model import Citizen, CrawlSettings, Target
from crawler.record.session import record
from crawler.record.visit.scenarios import load_scenario
from crawler.testing import Response, SiteServer, holes
from crawler.testing.portals import CPR, PORTAL

pytestmark = pytest.mark.browser  # every test here starts Chromium


@pytest.fixture
def recorded(leaky_portal, tmp_path):
    target = Target(
        system="portal",
        start_url=f"http://{PORTAL}/",
        first_party=("skat.test",),
        resolve=tuple(leaky_portal.resolve_rules()),
        crawl=CrawlSettings(depth=1, dwell=1.5),
    )
    rec = record(target, Citizen(cpr=CPR), tmp_path)
    exchanges, unreadable = read_exchanges(rec.requests_path)
    assert unreadable == 0
    return rec, exchanges


def one(exchanges, host, **fields):
    """The exchanges to `host` matching `fields`; fails with what was recorded instead."""
    hits = [
        e
        for e in exchanges
        if e.host == host and all(getattr(e, k) == v for k, v in fields.items())
    ]
    assert hits, (
        f"nothing recorded for {host} {fields}; hosts seen: {sorted({e.host for e in exchanges})}"
    )
    return hits[0]


def one_page(routes: dict, query: str, folder, dwell: float = 1.5, **fields) -> list:
    """What recording the portal's start page (+ `query`) for `dwell` seconds wrote."""
    with SiteServer(routes) as server:
        target = Target(
            system="portal",
            start_url=f"http://{PORTAL}/{query}",
            first_party=("skat.test",),
            resolve=tuple(server.resolve_rules()),
            crawl=CrawlSettings(depth=0, dwell=dwell),
            **fields,
        )
        rec = record(target, Citizen(cpr=CPR), folder)
    return read_exchanges(rec.requests_path)[0]


def test_every_channel_is_recorded(recorded):
    rec, ex = recorded
    assert rec.errors == []
    side = f"http://{PORTAL}/side?cpr={CPR}"

    css = one(ex, "cdn.cdnvendor.test")
    assert (
        css.header("referer") == side and css.resource_type == "stylesheet" and css.page_url == side
    )

    blob = one(ex, "blob.beaconvendor.test")
    assert json.loads(blob.body) == {"page": side}, "sendBeacon(Blob) body must be captured"

    assert (
        one(ex, "api.fetchvendor.test", method="POST").body == b"u=" + quote(side, safe="").encode()
    )
    assert one(ex, "worker.workervendor.test").url.endswith(f"/w?cpr={CPR}")
    assert one(ex, "exit.hidevendor.test").body == side.encode(), "pagehide beacon must be recorded"

    frame = one(ex, "frame.framevendor.test")
    assert frame.frame_url == "http://widget.framevendor.test/frame" and frame.page_url == side

    popup = one(ex, "popup.popupvendor.test", resource_type="image")
    assert popup.page_url == f"http://{PORTAL}/popup?cpr={CPR}"

    sent = one(ex, "chat.wsvendor.test", kind="websocket", direction="sent")
    assert json.loads(sent.body) == {"context": f"?cpr={CPR}"}
    assert one(ex, "chat.wsvendor.test", kind="websocket", direction="received").body == sent.body

    hop = one(ex, "landing.redirectvendor.test")
    assert hop.redirected_from == f"http://{PORTAL}/go?cpr={CPR}" and hop.url.endswith(
        f"l?cpr={CPR}"
    )
    assert one(ex, PORTAL, url=f"http://{PORTAL}/go?cpr={CPR}").status == 302

    form = one(ex, "forms.formvendor.test", method="POST")
    assert form.body == f"cpr={CPR}".encode() and form.resource_type == "document"


def test_headers_are_those_actually_sent(recorded, leaky_portal):
    _, ex = recorded
    css = one(ex, "cdn.cdnvendor.test")
    names = {k.lower() for k, _ in css.headers}
    assert {"user-agent", "referer", "accept"} <= names
    assert "HeadlessChrome" not in css.header("user-agent"), "the audit presents as desktop Chrome"
    received = [r for r in leaky_portal.received if r.host == "cdn.cdnvendor.test"]
    assert received and received[0].headers["referer"] == css.header("referer")


def test_crawl_stays_first_party_and_off_logout(recorded):
    rec, ex = recorded
    documents = {e.url for e in ex if e.resource_type == "document" and e.host == PORTAL}
    assert f"http://{PORTAL}/logout" not in documents
    assert all(not p.startswith("http://elsewhere.test") for p in rec.pages)
    assert rec.pages[0] == f"http://{PORTAL}/"


def test_service_worker_requests_are_recorded(tmp_path):
    """Service workers need a secure origin; Chromium is told to treat the portal as one."""
    page = '<script>navigator.serviceWorker.register("/sw.js" + location.search)</script>'
    worker = (
        "self.addEventListener('install', () => "
        "fetch('http://sw.swvendor.test/i' + self.location.search, {mode: 'no-cors'}));"
    )
    routes = {
        f"{PORTAL}/": Response(page),
        f"{PORTAL}/sw.js": Response(worker, "application/javascript"),
    }
    exchanges = one_page(routes, f"?cpr={CPR}", tmp_path, treat_as_secure=(f"http://{PORTAL}",))
    hit = one(exchanges, "sw.swvendor.test")
    assert hit.url.endswith(f"/i?cpr={CPR}") and hit.page_url is None, (
        "a service worker has no page"
    )


CHATTY = f"""<!doctype html><title>Chat</title><script>
fetch("http://api.chattyvendor.test/stalled?cpr={CPR}", {{mode: "no-cors"}});  // never ends
const s = new WebSocket("ws://chat.chattyvendor.test/s");
s.onopen = () => setInterval(() => s.send("tick"), 50);  // echoed: never a quiet moment
</script>"""


@contextlib.contextmanager
def stalling() -> Iterator[int]:
    """A server that answers every request with its headers and the first bytes of a body
    that never ends; its port."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\nfirst")
            held.append(connection)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()
        for connection in held:
            connection.close()


def test_a_request_is_written_while_a_websocket_keeps_talking(tmp_path):
    """What has ended, or was answered long ago, is written during the visit, not when it ends:
    a crash mid-audit must not lose it. A websocket that never fell silent held it back."""
    target = Target(
        system="portal",
        start_url=f"http://{PORTAL}/",
        first_party=("skat.test",),
        crawl=CrawlSettings(depth=0, dwell=7),
    )
    seen: list[float] = []
    with SiteServer({f"{PORTAL}/": Response(CHATTY)}) as server, stalling() as port:
        resolve = (f"api.chattyvendor.test=127.0.0.1:{port}", *server.resolve_rules())
        target = target.model_copy(update={"resolve": resolve})
        path = tmp_path / "portal" / "requests.jsonl"

        def watch() -> None:
            while not seen and not done.is_set():
                if path.is_file() and "api.chattyvendor.test" in path.read_text():
                    seen.append(time.monotonic())
                time.sleep(0.05)

        done = threading.Event()
        watcher = threading.Thread(target=watch)
        watcher.start()
        rec = record(target, Citizen(cpr=CPR), tmp_path / "portal")
        ended = time.monotonic()
        done.set()
        watcher.join()
    frames = [e for e in read_exchanges(rec.requests_path)[0] if e.kind == "websocket"]
    assert len(frames) > 20, "the websocket talked throughout"
    assert seen, "the fetch was never written"
    assert seen[0] < ended - 2, f"written {ended - seen[0]:.1f} s before the end, not during"


REFUSED = f"""<!doctype html><title>Refused</title><script>
const body = new Uint8Array([0xff, 0xfe, ...new TextEncoder().encode("cpr={CPR}")]);
fetch("http://api.corsvendor.test/save", {{method: "PUT", body}});  // its preflight fails
</script>"""


def test_a_binary_body_asked_of_the_target_is_recorded_as_sent(tmp_path):
    """A request whose CORS preflight failed is paused nowhere, so its body is asked of its
    target, which answers a binary body in base64: once recorded as that base64 text."""
    exchanges = one_page({f"{PORTAL}/": Response(REFUSED)}, "", tmp_path)
    refused = one(exchanges, "api.corsvendor.test", method="PUT")
    assert (refused.blocked, refused.body) == ("preflight", b"\xff\xfe" + f"cpr={CPR}".encode())


PASSED_ON = """<!doctype html><title>Worker</title><script>
navigator.serviceWorker.register("/sw.js").then(() => navigator.serviceWorker.ready).then(() => {
  if (!navigator.serviceWorker.controller) return location.reload();  // controlled from now on
  fetch("http://api.postvendor.test/p", {method: "POST", mode: "no-cors", body: "hello=world"});
});
</script>"""
PASSING_ON = (
    "self.addEventListener('install', () => self.skipWaiting());"
    "self.addEventListener('activate', e => e.waitUntil(clients.claim()));"
    "self.addEventListener('fetch', e => e.respondWith(fetch(e.request)));"
)


def test_a_body_a_service_worker_passed_on_is_not_missing(tmp_path):
    """A page's POST that its service worker answered never left as such: what left is the
    worker's own request, body and all. The page's copy, whose body Chromium had mostly no
    longer held, once counted as a body missing, and kept the result from being clean."""
    routes = {
        f"{PORTAL}/": Response(PASSED_ON),
        f"{PORTAL}/sw.js": Response(PASSING_ON, "application/javascript"),
    }
    exchanges = one_page(routes, "", tmp_path, 3, treat_as_secure=(f"http://{PORTAL}",))
    posts = {e.frame_url: e for e in exchanges if e.host == "api.postvendor.test"}
    worker, page = posts[f"http://{PORTAL}/sw.js"], posts[f"http://{PORTAL}/"]
    assert worker.body == b"hello=world" and not worker.body_missing
    assert not page.body_missing  # Chromium may still hold its body, or may not
    assert page.body == b"hello=world" or "service worker" in (page.body_note or "")


def test_a_file_a_form_uploads_is_a_body_the_record_lacks(tmp_path):
    """Chromium hands a form's file over to no DevTools client: the recorded body had the file
    as empty, and a CPR in the file (a citizen's uploaded letter) went unsearched, silently."""
    script = holes.upload_scenario(tmp_path)
    with holes.holes() as server:
        target = holes.upload_target(server, script)
        rec = record(
            target, Citizen(cpr=CPR), tmp_path / "out", load_scenario(str(script), tmp_path)
        )
    assert rec.errors == []
    assert CPR.encode() in next(r.body for r in server.received_by(holes.UPLOADED))
    post = one(read_exchanges(rec.requests_path)[0], holes.UPLOADED, method="POST")
    assert CPR.encode() not in (post.body or b"") and b'name="x"' in (post.body or b"")
    assert post.body_missing and "not captured" in (post.body_note or "")
