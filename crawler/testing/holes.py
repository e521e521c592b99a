"""Pages that each send the CPR to third parties through one way the record once lost, or could:
FormData and blob bodies, a shared worker's requests, websockets of shared, service and
dedicated workers (from blob: and data: URLs too), a font, a prefetch, a storm of popups, a
file a form uploads and a third party's own page with the CPR in its cookie; and a quiet page
that sends it nowhere. Each page is its own start URL, so an audit of it leaks through that way
only.

Service workers need a secure origin: audits of these pages run with `SECURE_ORIGIN` in
$CPRAUDIT_CHROMIUM_ARGS.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from crawler.model import Target
from crawler.testing.sites import Response, SiteServer
from crawler.testing.tls import CertificateAuthority

CPR = "0707614285"
PORTAL = "portal.skat.test"
AWAY_VENDOR = "idvendor.test"
SECURE_ORIGIN = f"--unsafely-treat-insecure-origin-as-secure=http://{PORTAL}"
POPUPS = 60

_JS = "application/javascript"
_SOCKET = "s.onopen = () => s.send(JSON.stringify({{cpr: '{cpr}'}}));"

FORMDATA = f"""<!doctype html><title>FormData</title>
<script>
const beacon = new FormData(); beacon.append("cpr", "{CPR}");
navigator.sendBeacon("http://beacon.formdatavendor.test/b", beacon);
const sent = new FormData(); sent.append("cpr", "{CPR}");
fetch("http://fetch.formdatavendor.test/f", {{method: "POST", body: sent, mode: "no-cors"}});
</script>
<iframe src="/formdata-form"></iframe>"""
FORMDATA_FORM = f"""<!doctype html>
<form id=f action="http://form.formdatavendor.test/submit" method=post enctype=multipart/form-data>
<input name=cpr value="{CPR}"></form><script>document.getElementById("f").submit()</script>"""


def _socket_js(vendor: str) -> str:
    """A worker's script: a websocket to the vendor's chat that sends the CPR once open."""
    return f"const s = new WebSocket('ws://chat.{vendor}.test/s');\n" + _SOCKET.format(cpr=CPR)


SHARED_SOCKET = "<!doctype html><script>new SharedWorker('/shared-socket.js')</script>"
SHARED_SOCKET_JS = _socket_js("sharedvendor")
SERVICE_SOCKET = (
    "<!doctype html><script>navigator.serviceWorker.register('/service-socket.js')</script>"
)
SERVICE_SOCKET_JS = _socket_js("servicevendor")
WORKER_SOCKET = "<!doctype html><script>new Worker('/worker-socket.js')</script>"
# Workers whose script is no response: only the capture's hold at their start can gate them
BLOB_SOCKET = (
    "<!doctype html><script>new Worker(URL.createObjectURL(new Blob(["
    + json.dumps(_socket_js("blobvendor"))
    + "], {type: 'text/javascript'})))</script>"
)
DATA_SOCKET = (
    "<!doctype html><script>new Worker('data:text/javascript,' + encodeURIComponent("
    + json.dumps(_socket_js("datavendor"))
    + "))</script>"
)
WORKER_SOCKET_JS = f"new WebSocket('ws://chat.workervendor.test/s?cpr={CPR}');"

FONT = f"""<!doctype html><style>
@font-face {{font-family: Brand; src: url(http://fonts.fontvendor.test/brand.woff2?cpr={CPR})}}
body {{font-family: Brand}}</style><p>Velkommen</p>"""
PREFETCH = f"""<!doctype html>
<link rel=prefetch href="http://next.prefetchvendor.test/p?cpr={CPR}"><p>Velkommen</p>"""
POPUP_STORM = f"""<!doctype html><script>
for (let i = 0; i < {POPUPS}; i++) window.open("/popup?n=" + i + "&cpr={CPR}");
</script>"""
# An image and keepalive fetches sent as the page is left: the browser sends them once the
# document is gone, and only the browser-wide interception sees them (the image as a "Ping").
UNLOAD = f"""<!doctype html><p>Velkommen</p><script>
addEventListener("pagehide", () => {{
  new Image().src = "http://px.unloadvendor.test/bye.gif?cpr={CPR}";
  fetch("http://keep.unloadvendor.test/k?cpr={CPR}", {{keepalive: true, mode: "no-cors"}});
  fetch("http://post.unloadvendor.test/p", {{method: "POST", keepalive: true, mode: "no-cors",
    body: JSON.stringify({{cpr: "{CPR}"}})}});
}});
</script>"""
# Bodies Playwright reports without their bytes: a Blob through fetch and XMLHttpRequest, and a
# File in a FormData.
BLOBS = f"""<!doctype html><script>
const blob = () => new Blob([JSON.stringify({{cpr: "{CPR}"}})], {{type: "text/plain"}});
fetch("http://fetch.blobvendor.test/f", {{method: "POST", mode: "no-cors", body: blob()}});
const xhr = new XMLHttpRequest(); xhr.open("POST", "http://xhr.blobvendor.test/x");
xhr.send(blob());
const form = new FormData();
form.append("upload", new File(["cpr={CPR}"], "id.txt", {{type: "text/plain"}}));
fetch("http://file.blobvendor.test/u", {{method: "POST", mode: "no-cors", body: form}});
</script>"""
# A shared worker's own requests (it has no page): a script it imports, a GET and a POST.
SHARED_FETCH = "<!doctype html><script>new SharedWorker('/shared-fetch.js')</script>"
SHARED_FETCH_JS = f"""importScripts("http://lib.sharedvendor.test/l.js?cpr={CPR}");
fetch("http://get.sharedvendor.test/g?cpr={CPR}", {{mode: "no-cors"}});
fetch("http://post.sharedvendor.test/p", {{method: "POST", mode: "no-cors", body: "cpr={CPR}"}});"""
# Two uploads above a 64 KiB body limit: the CPR at the very end of one, and across the edge of
# the first 64 KiB window of the other.
BIG_BODIES = f"""<!doctype html><script>
const fill = n => "x".repeat(n);
for (const [host, body] of [
  ["end.bigvendor.test", fill(300000) + "&cpr={CPR}"],
  ["edge.bigvendor.test", fill(65536 - 5) + "{CPR}" + fill(100000)],
]) fetch("http://" + host + "/upload", {{method: "POST", mode: "no-cors", body}});
</script>"""
# A response of 32 MB: Playwright's HAR leaves its body out without a word.
BIG_DOWNLOAD = """<!doctype html><script>
fetch("http://files.bigvendor.test/big.bin").then(r => r.arrayBuffer())
  .then(b => document.title = "got " + b.byteLength);
</script>"""
# Three pixels with one URL: the page's image cache sends it once.
POPUP = """<!doctype html><script>
const here = new URLSearchParams(location.search);
for (let i = 0; i < 3; i++) new Image().src = "http://px.pixelvendor.test/p.gif?n=" +
  here.get("n") + "&cpr=" + here.get("cpr");
</script>"""

# A form that uploads a file to a third party: Chromium hands the file's bytes to no DevTools
# client, so only a scenario can choose the file (`upload_scenario`).
UPLOAD = """<!doctype html><form method=post enctype=multipart/form-data
  action="http://upload.filevendor.test/u"><input type=file name=doc><input name=x value=1>
</form>"""
UPLOADED = "upload.filevendor.test"

# The portal sends the citizen on to a third party's own page (a login or payment provider).
# That page keeps the CPR in a SameSite=Strict cookie of its own, beside a plain one, and goes
# on to its next page: a navigation from its own site, so Chromium sends both cookies.
AWAY = f"<!doctype html><script>location.href = 'http://www.{AWAY_VENDOR}/start'</script>"
AWAY_START = "<!doctype html><p>Velkommen</p><script>location.href = '/next'</script>"
AWAY_COOKIES = (
    ("Set-Cookie", f"ident={CPR}; Path=/; SameSite=Strict"),
    ("Set-Cookie", "lang=da; Path=/"),
)


def upload_scenario(folder: Path) -> Path:
    """A scenario that uploads a letter with the CPR in it through the upload page's form."""
    letter, script = folder / "letter.txt", folder / "upload.py"
    letter.write_text(f"Attest for {CPR}\n")
    script.write_text(
        "def run(page, citizen):\n"
        "    page.goto('/upload')\n"
        f"    page.set_input_files('input[type=file]', {str(letter)!r})\n"
        "    page.evaluate('document.forms[0].submit()')\n"
        f"    page.wait_for_url('http://{UPLOADED}/u')\n"
    )
    return script


def upload_target(server: SiteServer, script: Path, contain: bool = False) -> Target:
    """The system whose scenario is `upload_scenario`'s."""
    return Target(
        system="upload",
        start_url=f"http://{PORTAL}/upload",
        base_url=f"http://{PORTAL}",
        first_party=("skat.test",),
        resolve=tuple(server.resolve_rules()),
        login=False,
        crawl=None,
        scenario=str(script),
        contain=contain,
    )


# No CPR anywhere: a clean page, for audits whose recorder is made to miss something. Its pixel
# is a GIF: an image whose body Chromium keeps is never re-sent by Playwright's HAR and trace.
GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
QUIET = """<!doctype html><meta name="referrer" content="no-referrer">
<img src="http://px.quietvendor.test/p.gif?v=1"><p>Velkommen</p>"""


def routes() -> dict:
    return {
        f"{PORTAL}/quiet": Response(QUIET),
        "px.quietvendor.test/p.gif": Response(GIF, "image/gif"),
        f"{PORTAL}/formdata": Response(FORMDATA),
        f"{PORTAL}/formdata-form": Response(FORMDATA_FORM),
        f"{PORTAL}/shared-socket": Response(SHARED_SOCKET),
        f"{PORTAL}/shared-socket.js": Response(SHARED_SOCKET_JS, _JS),
        f"{PORTAL}/service-socket": Response(SERVICE_SOCKET),
        f"{PORTAL}/service-socket.js": Response(SERVICE_SOCKET_JS, _JS),
        f"{PORTAL}/worker-socket": Response(WORKER_SOCKET),
        f"{PORTAL}/worker-socket.js": Response(WORKER_SOCKET_JS, _JS),
        f"{PORTAL}/blob-socket": Response(BLOB_SOCKET),
        f"{PORTAL}/data-socket": Response(DATA_SOCKET),
        f"{PORTAL}/font": Response(FONT),
        "fonts.fontvendor.test/brand.woff2": Response(
            b"wOF2", "font/woff2", headers=(("Access-Control-Allow-Origin", "*"),)
        ),
        f"{PORTAL}/prefetch": Response(PREFETCH),
        f"{PORTAL}/popups": Response(POPUP_STORM),
        f"{PORTAL}/popup": Response(POPUP),
        f"{PORTAL}/unload": Response(UNLOAD),
        f"{PORTAL}/big-bodies": Response(BIG_BODIES),
        f"{PORTAL}/blobs": Response(BLOBS),
        f"{PORTAL}/shared-fetch": Response(SHARED_FETCH),
        f"{PORTAL}/shared-fetch.js": Response(SHARED_FETCH_JS, _JS),
        "lib.sharedvendor.test/l.js": Response("self.lib = 1;", _JS),
        f"{PORTAL}/big-download": Response(BIG_DOWNLOAD),
        "files.bigvendor.test/big.bin": Response(
            b"y" * 32 * 2**20,
            "application/octet-stream",
            headers=(("Access-Control-Allow-Origin", "*"),),
        ),
        "px.unloadvendor.test/bye.gif": Response(GIF, "image/gif"),
        f"{PORTAL}/upload": Response(UPLOAD),
        f"{UPLOADED}/u": Response("ok"),
        f"{PORTAL}/away": Response(AWAY),
        f"www.{AWAY_VENDOR}/start": Response(AWAY_START, headers=AWAY_COOKIES),
        f"www.{AWAY_VENDOR}/next": Response("<!doctype html><p>Tak</p>"),
    }


def holes() -> SiteServer:
    return SiteServer(routes())


# A chat keeps the CPR in a partitioned cookie (CHIPS): Chromium sends it to the chat's own
# site, but leaves it out of the Cookie header of every pause. Partitioned cookies need https:
# these pages are served over TLS (`tls_holes`), and Chromium told to accept the test's
# certificate (`ACCEPT_TEST_CERTIFICATE` in $CPRAUDIT_CHROMIUM_ARGS).
CHAT = "w.chatvendor.test"
ACCEPT_TEST_CERTIFICATE = "--ignore-certificate-errors"
_CHIP = ("Set-Cookie", f"chat={CPR}; Path=/; Secure; SameSite=None; Partitioned")
_PIXEL = "<!doctype html><script>setTimeout(() => new Image().src = '/p.gif', 200)</script>"
# sent as the page is left: no target reports it, the interception alone sees it
_BYE = """<!doctype html><script>addEventListener("pagehide", () =>
  fetch("/bye", {keepalive: true, mode: "no-cors", credentials: "include"}));</script>"""


def tls_routes() -> dict:
    return {
        # the chat in an iframe of the portal: its partition is the portal's
        f"{PORTAL}/chat": Response(f"<!doctype html><iframe src='https://{CHAT}/frame'></iframe>"),
        f"{CHAT}/frame": Response(_PIXEL, headers=(_CHIP,)),
        # the chat as a third party's own page: its partition is that page's
        f"{PORTAL}/chat-away": Response(
            f"<!doctype html><script>location.href = 'https://www.{AWAY_VENDOR}/frame'</script>"
        ),
        f"www.{AWAY_VENDOR}/frame": Response(_PIXEL, headers=(_CHIP,)),
        # ... and in a same-site iframe of that page: a frame no target of the capture's
        f"{PORTAL}/chat-away-inside": Response(
            f"<!doctype html><script>location.href = 'https://www.{AWAY_VENDOR}/outer'</script>"
        ),
        f"www.{AWAY_VENDOR}/outer": Response("<!doctype html><iframe src='/frame'></iframe>"),
        # the chat's request as the page is left
        f"{PORTAL}/chat-leave": Response(
            f"<!doctype html><iframe src='https://{CHAT}/leave'></iframe>"
        ),
        f"{CHAT}/leave": Response(_BYE, headers=(_CHIP,)),
    }


@contextmanager
def tls_holes(folder: Path) -> Iterator[SiteServer]:
    """`tls_routes` over https, with a certificate authority made in `folder`."""
    hosts = sorted({route.split("/", 1)[0] for route in tls_routes()})
    tls = CertificateAuthority.make(folder).server_context(hosts)
    with SiteServer(tls_routes(), tls=tls) as server:
        yield server


def carrying(server: SiteServer, host_suffix: str) -> list:
    """What the server received at `host_suffix` (requests and websocket frames) with the CPR."""
    return [
        r
        for r in server.received_by(host_suffix)
        if CPR in r.path or CPR.encode() in r.body or any(CPR in v for v in r.headers.values())
    ]


def audit(
    server: SiteServer, out: Path, page: str, *extra: str, scheme: str = "http"
) -> tuple[int, dict]:
    """`cpraudit adhoc` of one page, into `out`: exit code and findings.json."""
    from crawler import bundle
    from crawler.cli import main

    code = main(
        [
            "adhoc",
            f"{scheme}://{PORTAL}/{page}",
            "--cpr",
            CPR,
            "--resolve",
            server.resolve_rules()[0],
            "--depth",
            "0",
            "--dwell",
            "1.5",
            "--out",
            str(out),
            *extra,
        ]
    )
    return code, json.loads((out / bundle.slug(PORTAL) / bundle.FINDINGS).read_text())
