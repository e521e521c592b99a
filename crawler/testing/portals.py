"""Portals of the tests' own making: every channel a third party can receive the CPR through,
planted once each on its own third-party host, so a test can tell exactly which channel was
(or was not) recorded; and a clean portal whose third parties receive nothing identifying.

The leaky page sets `no-referrer` and opens the Referer channel per element, so that the
image and the clean vendor receive nothing that carries the CPR.
"""

from __future__ import annotations

import json
from pathlib import Path

from crawler.testing.sites import Received, Response, SiteServer

CPR = "0707614285"
PORTAL = "portal.skat.test"

START = f"""<!doctype html><title>Portal</title>
<h1>Portal</h1>
<a href="/side?cpr={CPR}">Min side</a>
<a href="/go?cpr={CPR}">Videre</a>
<a href="/form?cpr={CPR}">Blanket</a>
<a href="/logout">Log ud</a>
<a href="http://elsewhere.test/?cpr={CPR}">Et andet sted</a>
"""

SIDE = """<!doctype html><meta name="referrer" content="no-referrer"><title>Min side</title>
<link rel="stylesheet" referrerpolicy="unsafe-url" href="http://cdn.cdnvendor.test/site.css">
<img src="http://pixel.imgtracker.test/p.gif?x=1">
<iframe referrerpolicy="unsafe-url" src="http://widget.framevendor.test/frame"></iframe>
<script>
const here = location.href;
navigator.sendBeacon("http://blob.beaconvendor.test/b", \
new Blob([JSON.stringify({page: here})], {type: "text/plain"}));
fetch("http://api.fetchvendor.test/collect", \
{method: "POST", mode: "no-cors", body: "u=" + encodeURIComponent(here)});
new Worker("/worker.js" + location.search);
addEventListener("pagehide", () => navigator.sendBeacon("http://exit.hidevendor.test/bye", here));
const ws = new WebSocket("ws://chat.wsvendor.test/socket");
ws.onopen = () => ws.send(JSON.stringify({context: location.search}));
fetch("/api/me" + location.search);
fetch("http://clean.cleanvendor.test/hit?v=2");
document.getElementById;
window.open("/popup" + location.search);
</script>
<p id="ok">Velkommen</p>
"""

WORKER = "fetch('http://worker.workervendor.test/w' + self.location.search);"
FRAME = (
    "<script>fetch('http://frame.framevendor.test/ping?ref=' + "
    "encodeURIComponent(document.referrer))</script>"
)
POPUP = (
    "<img src='http://popup.popupvendor.test/p.gif?page=' + '1'>"
    "<script>new Image().src = 'http://popup.popupvendor.test/q?u=' + "
    "encodeURIComponent(location.href)</script>"
)
FORM = f"""<form id=f action="http://forms.formvendor.test/submit" method="post">
<input name="cpr" value="{CPR}"></form><script>document.getElementById('f').submit()</script>"""


def _redirect(req: Received) -> Response:
    return Response(
        b"",
        status=302,
        headers=(
            ("Location", f"http://landing.redirectvendor.test/l?{req.path.split('?', 1)[-1]}"),
        ),
    )


def leaky_routes() -> dict:
    return {
        f"{PORTAL}/": Response(START),
        f"{PORTAL}/side": Response(SIDE),
        f"{PORTAL}/worker.js": Response(WORKER, "application/javascript"),
        f"{PORTAL}/popup": Response(POPUP),
        f"{PORTAL}/form": Response(FORM),
        f"{PORTAL}/go": _redirect,
        f"{PORTAL}/logout": Response("<p>logged out</p>"),
        "widget.framevendor.test/frame": Response(FRAME),
        "cdn.cdnvendor.test/site.css": Response("body{font-family:sans-serif}", "text/css"),
    }


CLEAN_START = f"""<!doctype html><meta name="referrer" content="strict-origin-when-cross-origin">
<title>Ren portal</title><a href="/konto">Konto</a>
<img src="http://pixel.imgtracker.test/p.gif?page=forside">
<script>fetch("/api/me?cpr={CPR}")</script>"""
CLEAN_ACCOUNT = """<!doctype html><meta name="referrer" content="strict-origin-when-cross-origin">
<title>Konto</title><script>\
navigator.sendBeacon("http://collect.cleanvendor.test/b", "page=konto&t=1764300000")</script>"""


def leaky_portal() -> SiteServer:
    return SiteServer(leaky_routes())


def clean_portal() -> SiteServer:
    """CPR in first-party traffic only; third parties get nothing that identifies the citizen."""
    return SiteServer(
        {f"{PORTAL}/": Response(CLEAN_START), f"{PORTAL}/konto": Response(CLEAN_ACCOUNT)}
    )


EXPECTED = {  # leaky portal: third-party host -> channel through which it received the CPR
    "cdn.cdnvendor.test": "header",  # Referer under a per-element unsafe-url policy
    "blob.beaconvendor.test": "body",  # sendBeacon(Blob)
    "api.fetchvendor.test": "body",  # fetch POST, percent-encoded page URL
    "worker.workervendor.test": "url",  # dedicated worker
    "exit.hidevendor.test": "body",  # pagehide beacon
    "widget.framevendor.test": "header",  # cross-origin iframe document: Referer
    "frame.framevendor.test": "url",  # a request from inside that iframe
    "popup.popupvendor.test": "url",  # popup
    "chat.wsvendor.test": "websocket",  # websocket frame
    "landing.redirectvendor.test": "url",  # redirect hop
    "forms.formvendor.test": "body",  # form post
}


def adhoc(server: SiteServer, tmp_path: Path, *extra: str) -> tuple[int, dict]:
    """`cpraudit adhoc` on a portal of this module, into tmp_path/out: exit code and
    findings.json."""
    from crawler import bundle
    from crawler.cli import main

    out = tmp_path / "out"
    code = main(
        [
            "adhoc",
            f"http://{PORTAL}/",
            "--cpr",
            CPR,
            "--resolve",
            server.resolve_rules()[0],
            "--dwell",
            "1.5",
            "--out",
            str(out),
            *extra,
        ]
    )
    return code, json.loads((out / bundle.slug(PORTAL) / bundle.FINDINGS).read_text())
