"""A portal with a real login through a login broker on another domain, for tests of the login
proof and the session guard.

`selvbetjening.skat.test` sends a visitor without a session to the broker
`login.nemlogin.test` (another registrable domain, as NemLog-in is for Danish portals); the
broker's form posts a user id (not the CPR, as with MitID) and a password, and the portal's
callback sets a random session cookie. Every protected page has a header with "Forside" and
"Log af" (at `/session/luk`, a URL no deny pattern knows), `#welcome`, links to all protected
pages, and a tracker pixel that gets the page's number (and the CPR too, on a leaky portal).
A session can be made to expire after a number of protected pages: a session that times out
mid-crawl, at a point the test knows. With `form_analytics`, the broker's form has a form-analytics
script of `forms.tracker.test` that sends what is typed into the user field as it changes, and
the broker takes the CPR as a user id (as NemLog-in did): a login page that leaks.
"""

from __future__ import annotations

import secrets
import threading
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect

from crawler.model import Citizen
from crawler.scenario import step
from crawler.testing.sites import Handler, Received, Response, SiteServer

PORTAL = "selvbetjening.skat.test"
BROKER = "login.nemlogin.test"
TRACKER = "pixel.tracker.test"
FORM_TRACKER = "forms.tracker.test"
CPR = "0707614285"
USER = "jens-testsen"
PASSWORD = "pw#42"  # a PIN-like password: a person types a short one too

LOGIN_FORM = """<!doctype html><title>Log ind</title><form method="post" action="/login">
<input type="hidden" name="return" value="{back}">
<label>Bruger-id <input name="user"></label>
<label>Adgangskode <input type="password" name="password"></label>
<button>Log ind</button></form>"""

FORM_ANALYTICS = f"""<script>
document.querySelector("[name=user]").addEventListener("change", (e) => {{
  new Image().src = "http://{FORM_TRACKER}/f?field=user&v=" + encodeURIComponent(e.target.value);
}});
</script>"""


class LoginPortal:
    """The routes and sessions of the portal; `served` lists the protected paths it served to a
    logged-in citizen, in order."""

    def __init__(
        self,
        pages: int = 6,
        leaky: bool = False,
        session_pages: int | None = None,
        trap: bool = False,
        form_analytics: bool = False,
    ) -> None:
        self.pages, self.leaky, self.session_pages = pages, leaky, session_pages
        self.trap = trap  # a "Videre" link that logs out, which no deny pattern can know
        self.form_analytics = form_analytics
        self.sessions: dict[str, int] = {}  # token -> protected pages it may still see
        self.served: list[str] = []
        self._lock = threading.Lock()

    def server(self) -> SiteServer:
        protected = ["/forside", *(f"/side/{n}" for n in range(1, self.pages + 1))]
        routes: dict[str, Response | Handler] = {
            f"{PORTAL}{path}": self._protected for path in protected
        }
        routes |= {
            f"{PORTAL}/": self._protected,
            f"{PORTAL}/callback": self._callback,
            f"{PORTAL}/session/luk": self._logout,
            f"{PORTAL}/videre": self._logout,
            f"{BROKER}/": self._login_form,
            f"{BROKER}/login": self._login,
        }
        return SiteServer(routes)

    def _protected(self, req: Received) -> Response:
        path = urlsplit(req.path).path
        with self._lock:
            token = _session(req)
            if self.sessions.get(token, 0) <= 0:
                return _redirect(f"http://{BROKER}/?return={path}")
            self.sessions[token] -= 1
            self.served.append(path)
        return Response(self._page("/forside" if path == "/" else path))

    def _page(self, path: str) -> str:
        number = path.rsplit("/", 1)[-1]
        pixel = f"http://{TRACKER}/p.gif?side={number}" + (f"&u={CPR}" if self.leaky else "")
        links = "".join(f'<a href="/side/{n}">Side {n}</a> ' for n in range(1, self.pages + 1))
        if self.trap:
            links = '<a href="/videre">Videre</a> ' + links
        return (
            '<!doctype html><meta name="referrer" content="no-referrer">'
            '<header><a href="/forside">Forside</a> <a href="/session/luk">Log af</a></header>'
            f'<h1 id="welcome">{number}</h1><nav>{links}</nav><img src="{pixel}">'
        )

    def _login_form(self, req: Received) -> Response:
        form = LOGIN_FORM.format(back=_query(req, "return"))
        return Response(form + (FORM_ANALYTICS if self.form_analytics else ""))

    def _login(self, req: Received) -> Response:
        form = parse_qs(req.body.decode())
        users = [[USER], [CPR]] if self.form_analytics else [[USER]]
        if form.get("user") not in users or form.get("password") != [PASSWORD]:
            return Response("<p>Forkert bruger-id eller adgangskode</p>", status=401)
        back = form.get("return", ["/forside"])[0] or "/forside"
        return _redirect(f"http://{PORTAL}/callback?return={back}")

    def _callback(self, req: Received) -> Response:
        token = secrets.token_hex(12)
        with self._lock:
            self.sessions[token] = self.session_pages or 10**6
        cookie = ("Set-Cookie", f"session={token}; Path=/; HttpOnly")
        return _redirect(_query(req, "return") or "/forside", cookie)

    def _logout(self, req: Received) -> Response:
        with self._lock:
            self.sessions.pop(_session(req), None)
        return _redirect(f"http://{BROKER}/?return=/forside")


def log_in(page: Page, citizen: Citizen, login_step: bool = True) -> None:
    """The scenario: log in through the broker, and prove it."""
    with step("Log ind", login=login_step):
        page.goto(f"http://{PORTAL}/")
        page.get_by_label("Bruger-id").fill(citizen.secret("user"))
        page.get_by_label("Adgangskode").fill(citizen.secret("password"))
        page.get_by_role("button", name="Log ind").click()
        expect(page.locator("#welcome")).to_be_visible()


def _session(req: Received) -> str:
    cookie = SimpleCookie(req.headers.get("cookie", ""))
    return cookie["session"].value if "session" in cookie else ""


def _query(req: Received, name: str) -> str:
    return parse_qs(urlsplit(req.path).query).get(name, [""])[0]


def _redirect(location: str, *headers: tuple[str, str]) -> Response:
    return Response(b"", status=302, headers=(("Location", location), *headers))
