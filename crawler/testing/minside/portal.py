"""MinSide on loopback: the portal, its third parties, and its identity broker over https.

What it plants, per consent state:
- a support chat (chat.supportchat.test) greets every page with its address: the CPR, in every
  state, "decline" included;
- statistics (collect.analytics.test) get the page's address only after "accept";
- the single-page app's route (`/app/borger/<CPR>/oversigt`, by history.pushState) is where
  both come from, and a design finding of its own;
- "Gem kontaktoplysninger" asks confirm(): only an accepted dialog shows "Gemt".
The broker (login.nemlog-in.test, https with a certificate of the test's CA) asks for a user
id and password, then a one-time code (TOTP), and sends the citizen back with a ticket.
Two environments: production at minside.skat.test, test at minside.test.skat.test, each with
its own account.
"""

from __future__ import annotations

import secrets
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyotp

from crawler.testing.minside import pages
from crawler.testing.sites import Received, Response, SiteServer
from crawler.testing.tls import CertificateAuthority

CPR = "0707614285"
BROKER = "login.nemlog-in.test"
PORTALS = {"minside.skat.test": "production", "minside.test.skat.test": "test"}
SCENARIOS = Path(__file__).with_name("scenarios")


@dataclass(frozen=True)
class Account:
    user: str
    password: str
    totp: str  # base32, as in the authenticator's otpauth:// link


ACCOUNTS = {
    "production": Account(
        "jens-testsen", "pw-minside-prod-7f3a", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    ),
    "test": Account("jens-test", "pw-minside-test-91c2", "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"),
}


class MinSide:
    """The portal's state: sign-ins under way, tickets, sessions; `served` lists the pages a
    logged-in citizen got."""

    def __init__(self, folder: Path) -> None:
        self.ca = CertificateAuthority.make(folder)
        self.pending: dict[str, Account] = {}
        self.tickets: dict[str, Account] = {}
        self.sessions: dict[str, Account] = {}
        self.served: list[str] = []
        self._lock = threading.Lock()

    @contextmanager
    def running(self) -> Iterator[list[str]]:
        """Both servers, started; yields the `resolve` rules that reach them."""
        web = SiteServer(_THIRD_PARTIES, fallback=self._web)
        broker = SiteServer({}, fallback=self._broker, tls=self.ca.server_context([BROKER]))
        with web, broker:
            yield [f"{BROKER}=127.0.0.1:{broker.port}", f"*.test=127.0.0.1:{web.port}"]

    # -- the portal ------------------------------------------------------------------------
    def _web(self, req: Received) -> Response:
        if req.host not in PORTALS:
            return Response(b"ok", "text/plain")
        path = urlsplit(req.path).path
        if path == "/callback":
            return self._callback(req)
        with self._lock:
            account = self.sessions.get(_cookie(req, "minside_session"))
            if path == "/log-af":
                self.sessions.pop(_cookie(req, "minside_session"), None)
            elif account:
                self.served.append(path)
        if account is None or path == "/log-af":
            back = f"http://{req.host}/callback"
            return _redirect(f"https://{BROKER}/login?return={back}")
        if not path.startswith("/app"):
            return _redirect("/app")
        return Response(pages.APP.format(cpr=CPR))

    def _callback(self, req: Received) -> Response:
        with self._lock:
            account = self.tickets.pop(_query(req, "ticket"), None)
            if account is None:
                return Response("<p>Ukendt billet</p>", status=403)
            token = secrets.token_hex(16)
            self.sessions[token] = account
        return _redirect("/app", ("Set-Cookie", f"minside_session={token}; Path=/; HttpOnly"))

    # -- the broker ------------------------------------------------------------------------
    def _broker(self, req: Received) -> Response:
        path, form = urlsplit(req.path).path, parse_qs(req.body.decode())
        if path == "/login" and req.method == "GET":
            return Response(pages.BROKER_LOGIN.format(back=_query(req, "return")))
        if path == "/login":
            return self._password(form)
        if path == "/kode":
            return self._code(form)
        return Response(b"", status=404)

    def _password(self, form: dict[str, list[str]]) -> Response:
        back = form.get("return", [""])[0]
        environment = PORTALS.get(urlsplit(back).hostname or "")
        account = ACCOUNTS.get(environment or "")
        given = (form.get("user", [""])[0], form.get("password", [""])[0])
        if account is None or given != (account.user, account.password):
            return Response("<p>Forkert bruger-id eller adgangskode</p>", status=401)
        pending = secrets.token_hex(16)
        with self._lock:
            self.pending[pending] = account
        return Response(pages.BROKER_CODE.format(pending=pending))

    def _code(self, form: dict[str, list[str]]) -> Response:
        with self._lock:
            account = self.pending.pop(form.get("pending", [""])[0], None)
        if account is None or not pyotp.TOTP(account.totp).verify(
            form.get("code", [""])[0], valid_window=1
        ):
            return Response("<p>Forkert engangskode</p>", status=401)
        ticket = secrets.token_hex(16)
        with self._lock:
            self.tickets[ticket] = account
        host = next(h for h, env in PORTALS.items() if ACCOUNTS[env] == account)
        return _redirect(f"http://{host}/callback?ticket={ticket}")


_THIRD_PARTIES: dict = {
    "policy.cookieinfo.test/uc.js": Response(pages.CONSENT, "application/javascript"),
    "chat.supportchat.test/w.js": Response(pages.CHAT, "application/javascript"),
}


def write_audit(folder: Path, rules: list[str], ca_file: Path) -> Path:
    """MinSide's audit.toml in `folder`, with its scenarios, the test CA and a secrets file per
    environment (kept out of version control in a real audit)."""
    shutil.copytree(SCENARIOS, folder / "scenarios", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ca_file, folder / "test-ca.pem")
    for name, environment in (("secrets.toml", "production"), ("secrets.test.toml", "test")):
        account = ACCOUNTS[environment]
        (folder / name).write_text(
            f'[jens]\nuser = "{account.user}"\npassword = "{account.password}"\n'
            f'totp = "{account.totp}"\n'
        )
    path = folder / "audit.toml"
    path.write_text(AUDIT_TOML.replace("RESOLVE", ", ".join(f'"{r}"' for r in rules)))
    return path


AUDIT_TOML = """
[[citizens]]
id = "jens"
cpr = "070761-4285"
name = "Jens Testsen"
secrets_file = "secrets.toml"

[[systems]]
name = "MinSide"
supplier = "Netcompany"
start_url = "http://minside.skat.test/"
first_party = ["skat.test"]
scenario = "scenarios/minside.py"
logged_in = { text = "Log af" }
resolve = [RESOLVE]
ca_file = "test-ca.pem"
dialogs = "accept"
consent = ["decline", "accept"]
crawl = { depth = 1, max_pages = 3, dwell = 1.0 }

[environments.test]
ignore_https_errors = true

[environments.test.systems.MinSide]
start_url = "http://minside.test.skat.test/"
treat_as_secure = ["http://minside.test.skat.test"]

[environments.test.citizens.jens]
secrets_file = "secrets.test.toml"
"""


def _cookie(req: Received, name: str) -> str:
    cookie = SimpleCookie(req.headers.get("cookie", ""))
    return cookie[name].value if name in cookie else ""


def _query(req: Received, name: str) -> str:
    return parse_qs(urlsplit(req.path).query).get(name, [""])[0]


def _redirect(location: str, *headers: tuple[str, str]) -> Response:
    return Response(b"", status=302, headers=(("Location", location), *headers))
