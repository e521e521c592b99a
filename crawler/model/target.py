"""What an audit is of: the test citizen and the system as audit.toml configures it."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import ConfigDict, Field, SecretStr

from crawler.model.base import ConsentChoice, DialogAction, EndpointMeaning, Frozen
from crawler.model.exchange import BODY_LIMIT


class Citizen(Frozen):
    """The synthetic test citizen whose identifiers an audit looks for."""

    id: str = "citizen"
    cpr: str = Field(description="Ten digits, DDMMYYSSSS.")
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    credentials: dict[str, SecretStr] = Field(
        default_factory=dict,
        exclude=True,
        repr=False,
        description="Login secrets for scenarios; never written to any output.",
    )

    def secret(self, name: str) -> str:
        """A credential for a scenario's login form, e.g. citizen.secret("password")."""
        if name not in self.credentials:
            raise KeyError(
                f"citizen {self.id} has no credential {name!r}: add it to the citizen's "
                "credentials or secrets file in audit.toml"
            )
        return self.credentials[name].get_secret_value()

    def totp(self, name: str) -> str:
        """The one-time code of a two-step login (RFC 6238) from the TOTP secret stored as
        credential `name` (base32, as in the authenticator's QR code), e.g.
        citizen.totp("totp")."""
        from crawler.totp import current_code  # pyotp only where a scenario asks for a code

        return current_code(self.secret(name), name)


def variant_name(system: str, consent: str) -> str:
    """A consent state of a system, as its result and its folder are named."""
    return f"{system} (consent: {consent})"


DEFAULT_DENY = (
    r"log-?out",
    r"log-?ud",
    r"sign-?out",
    r"afmeld",
    r"delete",
    r"slet",
    r"submit",
    r"indsend",
    r"sign",
    r"underskriv",
    r"pay",
    r"betal",
    r"(?<![a-z])log[\s_](?:out|ud)",  # "Log ud", log_out
    r"(?<![a-z])log[\s_-]?(?:af|off)",  # "Log af", logaf, logoff, LogOff.aspx
    r"udlog",  # udlogning
    r"session[/_-]?(?:end|slut)",  # session/end
    r"end[\s_-]?session",
    r"exit",
    r"afslut",
    r"fjern",
    r"remove",
    r"cancel",
    r"opsig",
    r"unsubscribe",
)


class CrawlSettings(Frozen):
    """Bounds of the safe crawl: first-party links, GET navigation only, never a deny pattern."""

    model_config = ConfigDict(allow_inf_nan=False)  # a dwell of inf would never end

    depth: int = Field(default=1, ge=0, description="Link levels to follow from the start page.")
    max_pages: int = Field(default=30, ge=1, description="Pages to visit at most.")
    max_seconds: float = Field(default=300.0, gt=0, description="Time for the crawl at most.")
    dwell: float = Field(
        default=3.0, ge=0, description="Seconds to stay on each page for timed beacons."
    )
    page_timeout: float = Field(default=30.0, gt=0, description="Seconds a page may take to load.")
    deny: tuple[str, ...] = Field(
        default=DEFAULT_DENY,
        description="Regexes (case-insensitive) of link URLs or link texts never followed.",
    )


class LoginCheck(Frozen):
    """What only a logged-in citizen sees: a CSS selector, or a text (case-insensitive)."""

    selector: str | None = None
    text: str | None = None

    def describe(self) -> str:
        return f"selector {self.selector!r}" if self.selector else f"text {self.text!r}"


class Owner(Frozen):
    """An organisation that owns third-party domains, as in data/owners.toml."""

    name: str
    country: str | None = None
    domains: tuple[str, ...]
    category: str | None = Field(
        default=None, description='What it does, in TrackerDB\'s terms, e.g. "hosting".'
    )
    website: str | None = Field(default=None, description="Where its facts can be checked.")


TraceMode = Literal["on", "off", "retain-on-failure"]


def dns_server_address(text: str) -> tuple[str, int]:
    """ "127.0.0.1:5353", "[::1]:53" -> (address, port); ValueError naming the form otherwise."""
    host, _, port = text.strip().rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{text!r} is not a DNS server; write it as HOST:PORT, e.g. 10.0.0.2:53")
    return host.strip("[]"), int(port)


class Target(Frozen):
    """One system to audit: where it starts, what is first party, how to reach it."""

    system: str
    supplier: str | None = None
    start_url: str
    first_party: tuple[str, ...]
    processors: dict[str, str] = Field(
        default_factory=dict, description="domain -> agreement reference"
    )
    agreements_expire: dict[str, date] = Field(
        default_factory=dict, description="domain -> last day of its agreement"
    )
    resolve: tuple[str, ...] = ()
    scenario: str | None = Field(
        default=None, description='"module:function" run before the crawl.'
    )
    crawl: CrawlSettings | None = CrawlSettings()
    owners: tuple[Owner, ...] = Field(default=(), description="Owners added to the bundled list.")
    fail_on_latent: bool = Field(
        default=False, description="Latent Referer leaks make the verdict leak."
    )
    contain: bool = Field(
        default=False, description="Answer requests carrying the CPR to third parties locally."
    )
    legacy_referrer: bool = Field(
        default=False, description="Force the pre-2021 referrer default on first-party pages."
    )
    fail_on_unagreed: bool = Field(
        default=False, description="A third party without an agreement in force fails the system."
    )
    logged_in: LoginCheck | None = Field(
        default=None,
        description="Proves the login after the scenario and after every crawled page.",
    )
    witness: bool = Field(
        default=True, description="Keep Chromium's NetLog as a second witness of what left."
    )
    dns_server: str | None = Field(
        default=None,
        description='A DNS server, "HOST:PORT", to ask for the CNAME chains of the first-party '
        "hosts (a test environment's); default the system's resolver.",
    )
    endpoints: dict[str, EndpointMeaning] = Field(
        default_factory=dict,
        description="First-party endpoints and what they really do with what they get: URL "
        'prefix -> "forwards" (to a third party: a leak) or "self-hosted". Overrides the '
        "default meaning of the tracker protocol an endpoint speaks.",
    )
    fill_forms: bool = Field(
        default=True,
        description="Type the citizen's data into every field of each crawled page, key by "
        "key, never submitting; false where typing has side effects (drafts saved as you type).",
    )
    base_url: str | None = Field(default=None, description="Playwright's base_url for scenarios.")
    params: dict[str, Any] = Field(default_factory=dict, description="Values for the scenario.")
    environment: str | None = None
    ignore_https_errors: bool = False
    ca_file: str | None = Field(default=None, description="PEM file of a test CA to trust.")
    treat_as_secure: tuple[str, ...] = Field(
        default=(), description="Plain-http origins Chromium treats as secure contexts."
    )
    browser_args: tuple[str, ...] = ()
    dialogs: DialogAction = "dismiss"
    consent: ConsentChoice | None = Field(default=None, description="This audit's consent state.")
    consent_selector: str | None = Field(
        default=None, description="audit.toml's selector for this state's button."
    )
    variant_of: str | None = Field(default=None, description="The system as configured.")
    reuse_login: float | None = Field(
        default=None, description="Seconds a saved login (storage state) may be reused."
    )
    login_state: str | None = Field(
        default=None, description="Where this system's saved login is kept (outside reports)."
    )
    trace: TraceMode = Field(
        default="on", description="Keep Playwright's trace: on, off, or only when not clean."
    )
    body_limit: int = Field(
        default=BODY_LIMIT,
        gt=0,
        description="Bytes above which a body is kept in a file of its own and searched in "
        "windows of this size.",
    )
