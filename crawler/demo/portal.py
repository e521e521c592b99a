"""The demo portal: four systems of the memo's Table 1 re-created on loopback, with real logins.

Every system has its own first-party host under skat.test; its third parties are other
invented `.test` hosts served by the same `SiteServer` (Chromium is pointed at it with
`MAP *.test 127.0.0.1:PORT`). A login is an HTML form posted to the first party, which sets
a random session cookie and redirects; pages behind the login answer 302 to the login page
without that cookie.

- TastSelv (KMD) leaks as in 2015-2020: after login the CPR is in the page URLs
  (`/borger/oversigt?cpr=...`, `/borger/aarsopgoerelse/...`) and the pages allow full-URL
  referrers (`<meta name="referrer" content="unsafe-url">`). An analytics beacon carries the
  page URL as `dl` (as Google Analytics did), a second vendor's beacon carries it as `g`
  1.5 s after load (as Adobe's did), and a CDN stylesheet receives it in `Referer` (as MaxCDN
  did). With that referrer policy every other third-party request of those pages (the two
  vendors' scripts and beacons) also carries the URL in `Referer`, as it did in 2015.
- Skattekontoen (KMD) leaks through subtler channels: no CPR in any URL, but a support-chat
  widget sends it, written DDMMYY-SSSS, in a websocket frame; and its contact page ("Skriv til
  os") loads a form-analytics script that sends what the citizen types into the message field,
  as it is typed, before anything is submitted (the audit's form probe types it).
- Forskud (KMD) is clean: the CPR goes only to its own API (and the login form); it loads the
  same analytics, configured to send the page location without it, under a strict referrer policy.
- LetLøn (IBM): the login answers 503, so no scenario can prove a login: inconclusive.

What a correct audit of `crawler/demo/scenarios/audit.toml` reports (third-party findings only;
`channel` / `detail` as in findings.json; the detector's `encoding` is "plain" for all of
them, because the CPR's digits and dash pass through encodeURIComponent unchanged):

TastSelv -> leak. For every load of a logged-in page (`/borger/...`):
    www.analytics.test            url     query parameter dl    (GET /collect, image)
    www.analytics.test            header  header Referer        (GET /collect and GET /analytics.js)
    metrics.marketingcloud.test   url     query parameter g     (GET /b/ss/..., image; only if
                                                                 the page stays >= 1.5 s)
    metrics.marketingcloud.test   header  header Referer        (its beacon and GET
                                                                 /appmeasurement.js)
    cdn.democdn.test              header  header Referer        (GET /bootstrap.min.css, stylesheet)
  The login page itself (`/`) carries no CPR in its URL and sends nothing that leaks.
Skattekontoen -> leak. For every load of a logged-in page (`/konto...`):
    chat.supportwidget.test       websocket  websocket frame (sent)      matched "070761-4285"
    chat.supportwidget.test       websocket  websocket frame (received)  the test server echoes
                                                                         every frame back
  and on the crawl's visit of `/konto/kontakt`, once typed into:
    forms.forminsights.test       body    body JSON value              typed_into the message
Forskud -> clean: no third-party finding; the CPR is in first-party traffic only (the login
  POST, POST /api/forskud with {"cpr": ...}); www.analytics.test is contacted with
  dl=http://forskud.skat.test/forskud (or /forskud/indkomst).
LetLøn -> inconclusive: POST /login answers 503, the scenario's `#welcome` never appears.

Counted for `crawler/demo/scenarios/audit.toml` (seen with Chromium 156): TastSelv's pages are
loaded 4 times (the scenario's 2, the crawl's revisit of the last one and its visit of the
overview; /logout is never followed), so 28 findings: 4 x dl, 4 x g, 8 x Referer to each
analytics host, 4 x Referer to the CDN. Skattekontoen's pages are loaded 5 times: 5 frames
sent, 5 echoed back, and 2 form-analytics beacons (one per field typed into), 12 findings. The
counts follow the crawl, not the portal: assert per page load, or the sets of (host, channel,
detail), if the crawl may change.
"""

from __future__ import annotations

import html
import secrets
import threading
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from pydantic import SecretStr

from crawler.model import Citizen
from crawler.testing import Handler, Received, Response, SiteServer

DEMO_CITIZEN = Citizen(
    id="jens",
    cpr="0707614285",
    name="Jens Testsen",
    email="jens.testsen@example.test",
    phone="+45 12 34 56 78",
    address="Prøvevej 1, 2100 København Ø",
    credentials={"password": SecretStr("demo-password")},  # public: this is a demo
)
CPR = DEMO_CITIZEN.cpr
CPR_DASHED = f"{CPR[:6]}-{CPR[6:]}"
STATIC = Path(__file__).with_name("static")


@dataclass(frozen=True)
class DemoSystem:
    name: str
    supplier: str
    start_url: str
    first_party: tuple[str, ...]
    scenario: str
    expected: str
    verdict: str  # what `cpraudit demo` must conclude: leak, clean or inconclusive

    @property
    def host(self) -> str:
        return urlsplit(self.start_url).hostname or ""


DEMO_SYSTEMS = (
    DemoSystem(
        "TastSelv",
        "KMD",
        "http://tastselv.skat.test/",
        ("skat.test",),
        "scenarios.demo.tastselv:run",
        "leak: the CPR in page URLs, sent to www.analytics.test (dl), "
        "metrics.marketingcloud.test (g) and cdn.democdn.test (Referer)",
        "leak",
    ),
    DemoSystem(
        "Skattekontoen",
        "KMD",
        "http://skattekontoen.skat.test/",
        ("skat.test",),
        "scenarios.demo.skattekontoen:run",
        "leak: the CPR as 070761-4285 in a websocket frame to chat.supportwidget.test",
        "leak",
    ),
    DemoSystem(
        "Forskud",
        "KMD",
        "http://forskud.skat.test/",
        ("skat.test",),
        "scenarios.demo.forskud:run",
        "clean: the CPR reaches its own API only; analytics get the page path without it",
        "clean",
    ),
    DemoSystem(
        "LetLøn",
        "IBM",
        "http://letlon.skat.test/",
        ("skat.test",),
        "scenarios.demo.letlon:run",
        "inconclusive: the login answers 503, so the scenario cannot prove a login",
        "inconclusive",
    ),
)

STYLE = """<style>
body{font-family:Arial,Helvetica,sans-serif;margin:0;background:#f2f2f2;color:#1a1a1a}
header{background:#14143c;color:#fff;padding:.8rem 2rem;display:flex;gap:1.5rem;\
align-items:baseline}
header .logo{font-weight:bold;font-size:1.2rem}nav{background:#e3e3ea;padding:.5rem 2rem}
nav a{margin-right:1.2rem;color:#14143c}\
main{background:#fff;max-width:760px;margin:1.5rem auto;padding:1.5rem 2rem}
label{display:block;margin:.6rem 0}input{display:block;padding:.35rem;width:16rem;margin-top:.2rem}
button{background:#14143c;color:#fff;border:0;padding:.5rem 1.2rem;margin-top:.6rem}
.error{color:#a00000}footer{text-align:center;font-size:.8rem;color:#666;padding:1rem}
.chat-button{position:fixed;right:1rem;bottom:1rem}td{padding:.2rem 1rem .2rem 0}
</style>"""


def asset(name: str, content_type: str) -> Response:
    return Response((STATIC / name).read_bytes(), content_type)


def page(
    system: str,
    title: str,
    body: str,
    head: str = "",
    nav: tuple[tuple[str, str], ...] = (),
    status: int = 200,
) -> Response:
    links = "".join(f'<a href="{html.escape(href)}">{label}</a>' for label, href in nav)
    return Response(
        f'<!doctype html><html lang="da"><head><meta charset="utf-8">{head}'
        f"<title>{title} - {system}</title>{STYLE}</head><body>"
        f'<header><span class="logo">Skattestyrelsen</span><span>{system}</span></header>'
        f"{'<nav>' + links + '</nav>' if links else ''}<main>{body}</main>"
        "<footer>Demo af cpraudit. Ingen rigtige data.</footer></body></html>",
        status=status,
    )


def login_form(system: str, error: str = "", status: int = 200) -> Response:
    message = f'<p class="error">{error}</p>' if error else ""
    return page(
        system,
        "Log ind",
        f"""<h1>Log ind på {system}</h1>{message}
<form method="post" action="/login">
<label>CPR-nummer <input name="cpr" autocomplete="off"></label>
<label>Adgangskode <input type="password" name="password"></label>
<button type="submit">Log ind</button></form>""",
        status=status,
    )


def welcome() -> str:
    return f'<h1 id="welcome">Velkommen, {html.escape(DEMO_CITIZEN.name or "")}</h1>'


class Sessions:
    """Random session tokens of logged-in demo citizens, each valid on one portal host."""

    def __init__(self) -> None:
        self._tokens: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def login(self, system: str, landing: str) -> Handler:
        def handle(req: Received) -> Response:
            if req.method != "POST":
                return redirect("/")
            form = parse_qs(req.body.decode("utf-8", "replace"))
            cpr = form.get("cpr", [""])[0].replace("-", "").replace(" ", "")
            if cpr != CPR or form.get("password", [""])[0] != DEMO_CITIZEN.secret("password"):
                return login_form(system, "Forkert CPR-nummer eller adgangskode.", status=401)
            token = secrets.token_urlsafe(24)
            with self._lock:
                self._tokens.add((req.host, token))
            return redirect(
                landing, ("Set-Cookie", f"session={token}; Path=/; HttpOnly; SameSite=Lax")
            )

        return handle

    def logout(self, req: Received) -> Response:
        with self._lock:
            self._tokens.discard((req.host, _session(req)))
        return redirect("/", ("Set-Cookie", "session=; Path=/; Max-Age=0"))

    def guard(self, handler: Handler) -> Handler:
        """Only for logged-in citizens; anyone else is sent to the login page."""

        def guarded(req: Received) -> Response:
            with self._lock:
                ok = (req.host, _session(req)) in self._tokens
            return handler(req) if ok else redirect("/")

        return guarded


def _session(req: Received) -> str:
    cookie = SimpleCookie(req.headers.get("cookie", ""))
    return cookie["session"].value if "session" in cookie else ""


def redirect(location: str, *headers: tuple[str, str]) -> Response:
    return Response(b"", status=302, headers=(("Location", location), *headers))


def tastselv(sessions: Sessions) -> dict:
    system, host = "TastSelv Borger", "tastselv.skat.test"
    head = (
        '<meta name="referrer" content="unsafe-url">'  # what let the full URL through in 2015
        '<link rel="stylesheet" href="http://cdn.democdn.test/bootstrap.min.css">'
        '<script src="http://www.analytics.test/analytics.js" async></script>'
        '<script src="http://metrics.marketingcloud.test/appmeasurement.js" async></script>'
    )
    nav = (
        ("Oversigt", f"/borger/oversigt?cpr={CPR}"),
        ("Årsopgørelse", f"/borger/aarsopgoerelse/{CPR}"),
        ("Log ud", "/logout"),
    )
    overview = page(
        system,
        "Oversigt",
        f"""{welcome()}<p>CPR-nummer: {CPR_DASHED}</p>
<div class="alert alert-info">Din årsopgørelse for 2019 er klar.
<a href="/borger/aarsopgoerelse/{CPR}">Se årsopgørelsen</a></div>
<table class="table"><tr><td>Forskudsopgørelse 2020</td><td>Godkendt</td></tr>
<tr><td>Restskat</td><td>0,00 kr.</td></tr></table>""",
        head,
        nav,
    )
    annual = page(
        system,
        "Årsopgørelse 2019",
        """<h1>Årsopgørelse 2019</h1>
<table class="table"><tr><td>Lønindkomst</td><td>412.300 kr.</td></tr>
<tr><td>Beregnet skat</td><td>128.950 kr.</td></tr>\
<tr><td>Til udbetaling</td><td>1.234 kr.</td></tr></table>""",
        head,
        nav,
    )
    return {
        f"{host}/": login_form(system),
        f"{host}/login": sessions.login(system, f"/borger/oversigt?cpr={CPR}"),
        f"{host}/logout": sessions.logout,
        f"{host}/borger/oversigt": sessions.guard(lambda req: overview),
        f"{host}/borger/aarsopgoerelse/{CPR}": sessions.guard(lambda req: annual),
        "www.analytics.test/analytics.js": asset("analytics.js", "application/javascript"),
        "www.analytics.test/collect": Response(_GIF, "image/gif"),
        "metrics.marketingcloud.test/appmeasurement.js": asset(
            "appmeasurement.js", "application/javascript"
        ),
        "cdn.democdn.test/bootstrap.min.css": asset("bootstrap.min.css", "text/css"),
    }


def skattekontoen(sessions: Sessions) -> dict:
    system, host = "Skattekontoen", "skattekontoen.skat.test"
    head = '<meta name="referrer" content="strict-origin-when-cross-origin">'
    chat = (
        f'<script>window.supportChat = {{customer: "{CPR_DASHED}", topic: "skattekonto"}};</script>'
        '<script src="http://chat.supportwidget.test/widget.js"></script>'
    )
    nav = (
        ("Saldo", "/konto"),
        ("Posteringer", "/konto/posteringer"),
        ("Skriv til os", "/konto/kontakt"),
        ("Log ud", "/logout"),
    )
    account = page(
        system,
        "Saldo",
        f"{welcome()}<p>CPR-nummer: {CPR_DASHED}</p><p>Saldo: 0,00 kr.</p>"
        "<p>Du skylder ikke noget.</p>" + chat,
        head,
        nav,
    )
    entries = page(
        system,
        "Posteringer",
        """<h1>Posteringer</h1><table>
<tr><td>20.03.2020</td><td>Restskat 2018</td><td>0,00 kr.</td></tr></table>"""
        + chat,
        head,
        nav,
    )
    contact = page(
        system,
        "Skriv til os",
        """<h1>Skriv til os</h1><form method="post" action="/konto/kontakt">
<label>Emne <input name="emne"></label>
<label>Din besked <textarea name="besked" rows="4" cols="40"></textarea></label>
<button type="submit">Send</button></form>
<script src="http://forms.forminsights.test/forminsights.js"></script>"""
        + chat,
        head,
        nav,
    )
    return {
        f"{host}/": login_form(system),
        f"{host}/login": sessions.login(system, "/konto"),
        f"{host}/logout": sessions.logout,
        f"{host}/konto": sessions.guard(lambda req: account),
        f"{host}/konto/posteringer": sessions.guard(lambda req: entries),
        f"{host}/konto/kontakt": sessions.guard(lambda req: contact),
        "chat.supportwidget.test/widget.js": asset("widget.js", "application/javascript"),
        "forms.forminsights.test/forminsights.js": asset(
            "forminsights.js", "application/javascript"
        ),
    }


def forskud(sessions: Sessions) -> dict:
    system, host = "Forskud", "forskud.skat.test"
    head = (
        '<meta name="referrer" content="strict-origin-when-cross-origin">'
        "<script>window.demoAnalytics = {location: location.origin + location.pathname};</script>"
        '<script src="http://www.analytics.test/analytics.js" async></script>'
    )
    nav = (("Forskud", "/forskud"), ("Indkomst", "/forskud/indkomst"), ("Log ud", "/logout"))
    overview = page(
        system,
        "Forskudsopgørelse",
        f"""{welcome()}<p>Forskudsopgørelse 2026 for CPR-nummer
{CPR_DASHED}.</p><p id="status">Henter ...</p><script>
fetch("/api/forskud", {{method: "POST", headers: {{"Content-Type": "application/json"}},
  body: JSON.stringify({{cpr: "{CPR}", aar: 2026}})}})
  .then(r => r.json()).then(d => {{ document.getElementById("status").textContent = d.status; }});
</script>""",
        head,
        nav,
    )
    income = page(system, "Indkomst", "<h1>Indkomst</h1><p>Lønindkomst: 420.000 kr.</p>", head, nav)
    return {
        f"{host}/": login_form(system),
        f"{host}/login": sessions.login(system, "/forskud"),
        f"{host}/logout": sessions.logout,
        f"{host}/forskud": sessions.guard(lambda req: overview),
        f"{host}/forskud/indkomst": sessions.guard(lambda req: income),
        f"{host}/api/forskud": sessions.guard(
            lambda req: Response(
                '{"status": "Din forskudsopgørelse er opdateret."}', "application/json"
            )
        ),
    }


def letlon(sessions: Sessions) -> dict:
    system, host = "LetLøn", "letlon.skat.test"
    unavailable = page(
        system,
        "Fejl",
        "<h1>Service unavailable</h1><p>LetLøn er midlertidigt utilgængelig. Prøv igen senere.</p>",
        status=503,
    )
    return {
        f"{host}/": login_form(system),
        f"{host}/login": lambda req: unavailable,  # the broken login: no session is ever set
        f"{host}/logout": sessions.logout,
        f"{host}/loen": sessions.guard(lambda req: page(system, "Løn", welcome())),
    }


_GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


def demo_server(port: int = 0) -> SiteServer:
    """The whole portal, not yet started: `with demo_server() as server: ...`; on `port`, or one
    the system chooses."""
    sessions = Sessions()
    return SiteServer(
        {**tastselv(sessions), **skattekontoen(sessions), **forskud(sessions), **letlon(sessions)},
        bind_port=port,
    )
