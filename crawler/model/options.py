"""Each per-system setting, declared once: `TargetOptions`. The TOML schema of audit.toml
(`crawler.config.schema.SystemConfig`) and the runtime `Target` both derive from it, and its
field descriptions are the `--help` of the command-line options that set the same things and
the generated reference of audit.toml (docs/reference/audit-toml.md).

The checks of a setting's form live with it: a bad value is refused when audit.toml is read or
an option is parsed, before any browser starts.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field, StrictBool, field_validator

from crawler.model.base import DialogAction, EndpointMeaning, Frozen, checked_http_url
from crawler.model.exchange import BODY_LIMIT

# Switches that audit.toml keys own: given as browser_args they would fight cpraudit's own.
OWNED_SWITCHES = {
    "--host-resolver-rules": "use resolve = [...]",
    "--user-data-dir": "every audit starts with a fresh profile",
    "--remote-debugging-port": "Playwright drives the browser itself",
    "--remote-debugging-pipe": "Playwright drives the browser itself",
}
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
TraceMode = Literal["on", "off", "retain-on-failure"]

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

    selector: str | None = Field(
        default=None, description='A CSS selector of an element, e.g. "#welcome".'
    )
    text: str | None = Field(default=None, description='A text on the page, e.g. "Log af".')

    def describe(self) -> str:
        return f"selector {self.selector!r}" if self.selector else f"text {self.text!r}"


def resolve_pairs(rules: list[str] | tuple[str, ...]) -> list[tuple[str, str]]:
    """`PATTERN=ADDRESS` rules as (pattern, address); ValueError naming the form otherwise."""
    pairs = []
    for rule in rules:
        pattern, sep, address = rule.partition("=")
        if not sep or not pattern.strip() or not address.strip():
            raise ValueError(
                f"{rule!r} is not PATTERN=ADDRESS: write e.g. '*.example.test=127.0.0.1:8080'"
            )
        pairs.append((pattern.strip(), address.strip()))
    return pairs


def checked_browser_args(args: list[str] | tuple[str, ...]) -> list[str]:
    """`browser_args` as given; ValueError naming the first that cannot be used."""
    for arg in args:
        name = arg.split("=", 1)[0]
        if not arg.startswith("--"):
            raise ValueError(f"{arg!r} is not a Chromium switch; write it like --lang=da")
        if name in OWNED_SWITCHES:
            raise ValueError(f"{name} is set by cpraudit: {OWNED_SWITCHES[name]}")
    return list(args)


def checked_secure_origins(origins: list[str] | tuple[str, ...]) -> list[str]:
    """`treat_as_secure` origins (`http://portal.test`, `http://*.skat.test:8080`)."""
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "ws") or not parts.hostname or parts.path not in ("", "/"):
            raise ValueError(
                f"{origin!r} is not a plain-http origin; write it like http://portal.test "
                "(https is secure already)"
            )
    return [o.rstrip("/") for o in origins]


def dns_server_address(text: str) -> tuple[str, int]:
    """ "127.0.0.1:5353", "[::1]:53" -> (address, port); ValueError naming the form otherwise."""
    host, _, port = text.strip().rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{text!r} is not a DNS server; write it as HOST:PORT, e.g. 10.0.0.2:53")
    return host.strip("[]"), int(port)


def duration(text: str) -> float:
    """ "8h", "30m", "1d", "90s" in seconds."""
    number, unit = text.strip()[:-1], text.strip()[-1:]
    if unit not in _UNITS or not number.isdigit() or int(number) == 0:
        raise ValueError(f'{text!r} is not a duration; write e.g. "8h", "30m" or "1d"')
    return int(number) * _UNITS[unit]


class Processor(Frozen):
    """A party the system has a data-processing agreement with."""

    model_config = ConfigDict(extra="forbid")

    domain: str = Field(description="The party's domain; its registrable domain counts.")
    agreement: str = Field(
        description="Reference of the data-processing agreement with this party."
    )
    expires: date | None = Field(
        default=None,
        description="Last day the agreement holds, e.g. 2027-01-31; after it, it counts as none.",
    )


class TargetOptions(Frozen):
    """What audit.toml says of one system, and what the command line can set of it."""

    model_config = ConfigDict(allow_inf_nan=False)

    supplier: str | None = Field(default=None, description="Who builds and runs the system.")
    start_url: str = Field(description="Where the audit starts (an http or https URL).")
    first_party: tuple[str, ...] = Field(
        min_length=1,
        description="Domains of the system itself; a host under any other is a third party.",
    )
    processors: tuple[Processor, ...] = Field(
        default=(),
        description="Parties with a data-processing agreement: domain, agreement (its "
        "reference) and expires (its last day), e.g. "
        '[{ domain = "cdn.example", agreement = "DBA-1", expires = 2027-01-31 }]. A CPR sent '
        "to one is still a leak, shown apart: an agreement does not make a CPR in a URL lawful.",
    )
    scenario: str | None = Field(
        default=None,
        description='Python file of the scenario, relative to audit.toml ("file.py" or '
        '"file.py:function", default run).',
    )
    login: StrictBool = Field(
        default=True, description="false: the scenario visits public pages, nothing to prove."
    )
    logged_in: LoginCheck | None = Field(
        default=None,
        description='What only a logged-in citizen sees: a CSS selector ("#welcome") or '
        '{ text = "Log af" }; proved after the scenario and after every crawled page.',
    )
    resolve: tuple[str, ...] = Field(
        default=(),
        description='Host mappings like "*.test=127.0.0.1:8080" (Chromium host-resolver rules), '
        "for test environments public DNS does not know.",
    )
    crawl: CrawlSettings | None = Field(
        default_factory=CrawlSettings,
        description="The safe crawl after the scenario (false: none): depth, max_pages, "
        "max_seconds, dwell, page_timeout, deny.",
    )
    time_limit: float = Field(default=600.0, gt=0, description="Seconds the whole system may take.")
    fail_on_latent: StrictBool = Field(
        default=False, description="Latent Referer leaks make the verdict leak."
    )
    fail_on_unagreed: StrictBool = Field(
        default=False,
        description="A third party without a data-processing agreement in force fails the system.",
    )
    contain: StrictBool = Field(
        default=False,
        description="Answer requests that would carry the CPR to a third party locally, so it "
        "never leaves the machine; they are still recorded and reported, marked contained. A "
        "form's file upload to a third party, which cannot be searched, is held back too.",
    )
    legacy_referrer: StrictBool = Field(
        default=False,
        description="Give first-party pages without a referrer policy the pre-2021 default "
        "(no-referrer-when-downgrade), so Referer leaks of that era are observed.",
    )
    witness: StrictBool = Field(
        default=True,
        description="Keep Chromium's NetLog as a second witness of what left the browser; "
        "without it the reports say that nothing checked the record.",
    )
    fill_forms: StrictBool = Field(
        default=True,
        description="Type the citizen's data into every field of each crawled page, key by "
        "key, never submitting (switch it off where typing has side effects, such as drafts "
        "saved as you type).",
    )
    dns_server: str | None = Field(
        default=None,
        description='A DNS server, "HOST:PORT", to ask for the CNAME chains of the first-party '
        "hosts (a test environment's); default the system's resolver.",
    )
    endpoints: dict[str, EndpointMeaning] = Field(
        default_factory=dict,
        description="What first-party endpoints really do with what they get, by URL prefix: "
        '{ "https://sst.example.dk/" = "self-hosted" } or "forwards" (to a third party: a '
        "leak); overrides the default meaning of the tracker protocol an endpoint speaks.",
    )
    body_limit: int = Field(
        default=BODY_LIMIT,
        gt=0,
        description="Bytes above which a request body or websocket frame is kept in a file of "
        "its own beside requests.jsonl and searched in windows of this size.",
    )
    trace: TraceMode = Field(
        default="on",
        description="Keep Playwright's trace.zip of each audit (pages, actions, network): on, "
        "off, or retain-on-failure (kept only when the system is not clean).",
    )
    base_url: str | None = Field(
        default=None,
        description='The base_url Playwright gives the scenario, so that page.goto("/") works '
        "in every environment; default start_url.",
    )
    params: dict[str, Any] = Field(
        default_factory=dict, description="Values a scenario reads as system.params[...]."
    )
    ignore_https_errors: StrictBool = Field(
        default=False, description="Accept any certificate (a test host's self-signed one)."
    )
    ca_file: str | None = Field(
        default=None, description="A PEM file of a test CA to trust, relative to audit.toml."
    )
    treat_as_secure: tuple[str, ...] = Field(
        default=(),
        description='Plain-http origins treated as secure contexts, e.g. ["http://portal.test"].',
    )
    browser_args: tuple[str, ...] = Field(
        default=(), description="Switches added to the ones cpraudit gives Chromium."
    )
    dialogs: DialogAction = Field(
        default="dismiss", description="How alert, confirm and prompt dialogs are answered."
    )
    reuse_login: str | None = Field(
        default=None,
        description='Reuse the login saved by `cpraudit login` (or a run) this long, e.g. "8h".',
    )
    follow_redirect_ok: bool = Field(
        default=False,
        description="Take the page the start URL ends on as the page meant, when it is another "
        "one (a redirect to another host or to a login form); without it, or a login, that "
        "audit is inconclusive, since it never saw the page asked for.",
    )

    @field_validator("logged_in", mode="before")
    @classmethod
    def _login_check(cls, value: Any) -> Any:
        if isinstance(value, str):
            if not value.strip():
                raise ValueError('empty; give a CSS selector such as "#welcome"')
            return {"selector": value}
        if isinstance(value, dict) and set(value) == {"text"} and not str(value["text"]).strip():
            raise ValueError('empty; give a text only a logged-in citizen sees, e.g. "Log af"')
        return value

    @field_validator("crawl", mode="before")
    @classmethod
    def _crawl_switch(cls, value: Any) -> Any:
        return {False: None, True: {}}.get(value, value) if isinstance(value, bool) else value

    @field_validator("start_url", "base_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else checked_http_url(value, "https://portal.example.dk/")

    @field_validator("resolve")
    @classmethod
    def _resolve(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        resolve_pairs(value)
        return value

    @field_validator("treat_as_secure")
    @classmethod
    def _secure(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(checked_secure_origins(value))

    @field_validator("browser_args")
    @classmethod
    def _args(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(checked_browser_args(value))

    @field_validator("dns_server")
    @classmethod
    def _dns_server(cls, value: str | None) -> str | None:
        if value is not None:
            dns_server_address(value)
        return value

    @field_validator("reuse_login")
    @classmethod
    def _reuse(cls, value: str | None) -> str | None:
        if value is not None:
            duration(value)
        return value

    @property
    def reuse_seconds(self) -> float | None:
        """How long a saved login may be reused, in seconds."""
        return duration(self.reuse_login) if self.reuse_login else None


def option_help(name: str, model: type[Frozen] | None = None) -> str:
    """A setting's description (of `TargetOptions`, or `model`'s), as the `--help` of the
    option that sets it."""
    text = (model or TargetOptions).model_fields[name].description or ""
    return text[:1].lower() + text[1:].rstrip(".")
