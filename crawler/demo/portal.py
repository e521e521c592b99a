"""The demo portal: four systems of Table 1 re-created on loopback, with real logins.

- TastSelv (KMD) leaks as in 2015-2020: after login the CPR is in the page URL; an analytics
  pageview beacon carries the page URL as `dl` (as Google Analytics did), a second vendor's
  beacon carries it as `g` a moment after load (as Adobe's did), and a CDN stylesheet receives
  it in `Referer` because the pages allow full-URL referrers (as MaxCDN did).
- Skattekontoen (KMD) leaks through a subtler channel: no CPR in any URL, but a support-chat
  widget sends it in a websocket frame.
- Forskud (KMD) is clean: the CPR goes only to its own API; analytics get a path without it.
- LetLøn (IBM): the login answers 503, so no scenario can prove a login: inconclusive.

A correct audit of `scenarios/demo/audit.toml` reports exactly: TastSelv -> www.analytics.test
(url, query parameter dl), metrics.marketingcloud.test (url, query parameter g),
cdn.democdn.test (header Referer); Skattekontoen -> chat.supportwidget.test (websocket);
Forskud -> nothing; LetLøn -> inconclusive.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from crawler.model import Citizen
from crawler.testing import Received, Response, SiteServer

DEMO_CITIZEN = Citizen(
    id="jens", cpr="0707614285", name="Jens Testsen", email="jens.testsen@example.test",
    phone="+45 12 34 56 78", address="Prøvevej 1, 2100 København Ø",
    credentials={"password": "demo-password"},
)
CPR = DEMO_CITIZEN.cpr
CPR_DASHED = f"{CPR[:6]}-{CPR[6:]}"


@dataclass(frozen=True)
class DemoSystem:
    name: str
    supplier: str
    host: str
    verdict: str


DEMO_SYSTEMS = (
    DemoSystem("TastSelv", "KMD", "tastselv.skat.test", "leak"),
    DemoSystem("Skattekontoen", "KMD", "skattekontoen.skat.test", "leak"),
    DemoSystem("Forskud", "KMD", "forskud.skat.test", "clean"),
    DemoSystem("LetLøn", "IBM", "letlon.skat.test", "inconclusive"),
)

STYLE = """<style>body{font-family:Arial,sans-serif;margin:0;background:#f4f4f4}
header{background:#14143c;color:#fff;padding:1rem 2rem}main{background:#fff;max-width:760px;margin:1.5rem auto;padding:1.5rem 2rem}
label{display:block;margin:.6rem 0}input{padding:.3rem;width:16rem}nav a{margin-right:1rem}</style>"""


def page(title: str, body: str, head: str = "") -> str:
    return (f'<!doctype html><html lang="da"><head><meta charset="utf-8"><title>{title}</title>{head}{STYLE}'
            f'</head><body><header><strong>Skattestyrelsen</strong> · {title}</header><main>{body}</main></body></html>')


def login_form(system: str) -> str:
    return page(f"{system} — log ind", f"""<h1>Log ind på {system}</h1>
<form method="post" action="/login">
<label>CPR-nummer <input name="cpr" autocomplete="off"></label>
<label>Adgangskode <input type="password" name="password"></label>
<button type="submit">Log ind</button></form>""")


class Sessions:
    """Session cookies of logged-in demo citizens, per portal host."""

    def __init__(self) -> None:
        self.tokens: set[str] = set()

    def login(self, req: Received, landing: str) -> Response:
        form = parse_qs(req.body.decode("utf-8", "replace"))
        cpr = form.get("cpr", [""])[0].replace("-", "").strip()
        if cpr != CPR or form.get("password", [""])[0] != DEMO_CITIZEN.secret("password"):
            return Response(page("Log ind", "<p>Forkert CPR-nummer eller adgangskode.</p>"), status=403)
        token = secrets.token_hex(16)
        self.tokens.add(token)
        return Response(b"", status=302, headers=(("Location", landing),
                                                  ("Set-Cookie", f"session={token}; Path=/; HttpOnly")))

    def guard(self, handler):
        """Only for logged-in citizens; others are sent to the login page."""
        def guarded(req: Received) -> Response:
            cookie = SimpleCookie(req.headers.get("cookie", ""))
            if "session" not in cookie or cookie["session"].value not in self.tokens:
                return Response(b"", status=302, headers=(("Location", "/"),))
            return handler(req)
        return guarded


def tastselv(sessions: Sessions) -> dict:
    head = ('<meta name="referrer" content="unsafe-url">'
            '<link rel="stylesheet" href="http://cdn.democdn.test/bootstrap.min.css">'
            '<script src="http://www.analytics.test/analytics.js"></script>'
            '<script src="http://metrics.marketingcloud.test/appmeasurement.js"></script>')
    nav = (f'<nav><a href="/borger/oversigt?cpr={CPR}">Oversigt</a>'
           f'<a href="/borger/aarsopgoerelse/{CPR}">Årsopgørelse</a><a href="/logout">Log ud</a></nav>')
    overview = page("TastSelv Borger", f'{nav}<h1 id="welcome">Velkommen, {DEMO_CITIZEN.name}</h1>'
                                       f"<p>CPR-nummer {CPR_DASHED}. Du har ingen nye meddelelser.</p>", head)
    annual = page("Årsopgørelse 2019", f"{nav}<h1>Årsopgørelse 2019</h1><p>Du skal have 1.234 kr. tilbage.</p>", head)
    host = "tastselv.skat.test"
    return {
        f"{host}/": Response(login_form("TastSelv Borger")),
        f"{host}/login": lambda req: sessions.login(req, f"/borger/oversigt?cpr={CPR}"),
        f"{host}/borger/oversigt": sessions.guard(lambda req: Response(overview)),
        f"{host}/borger/aarsopgoerelse/{CPR}": sessions.guard(lambda req: Response(annual)),
        f"{host}/logout": Response(page("Logget ud", "<p>Du er logget ud.</p>")),
        "www.analytics.test/analytics.js": Response(
            "new Image().src = 'http://www.analytics.test/collect?v=1&t=pageview&cid=' + Math.floor(Math.random()*1e9)"
            " + '&dl=' + encodeURIComponent(location.href) + '&dt=' + encodeURIComponent(document.title);",
            "application/javascript"),
        "metrics.marketingcloud.test/appmeasurement.js": Response(
            "setTimeout(function () { new Image().src = 'http://metrics.marketingcloud.test/b/ss/skat/1?AQB=1"
            "&g=' + encodeURIComponent(location.href) + '&pageName=' + encodeURIComponent(document.title); }, 1500);",
            "application/javascript"),
        "cdn.democdn.test/bootstrap.min.css": Response("body{line-height:1.5}h1{font-size:1.6rem}", "text/css"),
    }


def skattekontoen(sessions: Sessions) -> dict:
    host = "skattekontoen.skat.test"
    widget = ('<script src="http://chat.supportwidget.test/widget.js"></script>'
              f'<script>window.supportContext = {{customer: "{CPR_DASHED}", topic: "skattekonto"}};</script>')
    account = page("Skattekontoen", f'<h1 id="welcome">Velkommen, {DEMO_CITIZEN.name}</h1>'
                                    '<p>Saldo: 0,00 kr.</p><nav><a href="/konto/posteringer">Posteringer</a>'
                                    '<a href="/logout">Log ud</a></nav>' + widget,
                   '<meta name="referrer" content="strict-origin-when-cross-origin">')
    return {
        f"{host}/": Response(login_form("Skattekontoen")),
        f"{host}/login": lambda req: sessions.login(req, "/konto"),
        f"{host}/konto": sessions.guard(lambda req: Response(account)),
        f"{host}/konto/posteringer": sessions.guard(lambda req: Response(page("Posteringer", "<p>Ingen posteringer.</p>"))),
        f"{host}/logout": Response(page("Logget ud", "<p>Du er logget ud.</p>")),
        "chat.supportwidget.test/widget.js": Response(
            "var ws = new WebSocket('ws://chat.supportwidget.test/socket');"
            "ws.onopen = function () { setTimeout(function () {"
            " ws.send(JSON.stringify({type: 'hello', context: window.supportContext})); }, 200); };",
            "application/javascript"),
    }


def forskud(sessions: Sessions) -> dict:
    host = "forskud.skat.test"
    head = ('<meta name="referrer" content="strict-origin-when-cross-origin">'
            '<script>new Image().src = "http://www.analytics.test/collect?v=1&t=pageview&dl="'
            ' + encodeURIComponent(location.origin + location.pathname);</script>')
    body = (f'<h1 id="welcome">Velkommen, {DEMO_CITIZEN.name}</h1><p>Forskudsopgørelse 2026 for {CPR_DASHED}.</p>'
            '<nav><a href="/forskud/indkomst">Indkomst</a><a href="/logout">Log ud</a></nav>'
            f'<script>fetch("/api/forskud", {{method: "POST", body: JSON.stringify({{cpr: "{CPR}"}})}});</script>')
    return {
        f"{host}/": Response(login_form("Forskud")),
        f"{host}/login": lambda req: sessions.login(req, "/forskud"),
        f"{host}/forskud": sessions.guard(lambda req: Response(page("Forskud", body, head))),
        f"{host}/forskud/indkomst": sessions.guard(lambda req: Response(page("Indkomst", "<p>Lønindkomst: 420.000 kr.</p>", head))),
        f"{host}/api/forskud": sessions.guard(lambda req: Response('{"status": "ok"}', "application/json")),
        f"{host}/logout": Response(page("Logget ud", "<p>Du er logget ud.</p>")),
    }


def letlon() -> dict:
    host = "letlon.skat.test"
    return {
        f"{host}/": Response(login_form("LetLøn")),
        f"{host}/login": Response(page("Fejl", "<h1>Service unavailable</h1><p>Prøv igen senere.</p>"), status=503),
    }


def demo_server() -> SiteServer:
    """The whole portal, not yet started: `with demo_server() as server: ...`."""
    sessions = Sessions()
    return SiteServer({**tastselv(sessions), **skattekontoen(sessions), **forskud(sessions), **letlon()})
