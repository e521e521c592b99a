"""The data that flows through the pipeline.

A recorded `Exchange` goes in; `Finding`s, `Suspect`s and a `SystemResult` come out.
Every model is frozen: once the recorder has written an exchange, nothing downstream
may change what the browser sent.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, NamedTuple
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr

Channel = Literal["url", "header", "cookie", "body", "websocket"]
PartyKind = Literal["first", "processor", "third"]
Verdict = Literal["leak", "clean", "inconclusive", "not-audited"]
GapCause = Literal["site", "evidence", "browser"]
GapKind = Literal["request", "redirect", "websocket", "preflight", "frames"]
Language = Literal["en", "da"]  # of the reports


def without_fragment(url: str) -> str:
    """The URL as it goes on the wire: a fragment never leaves the browser."""
    return url.split("#", 1)[0]


def http_host(url: str) -> str | None:
    """The host of an http(s) URL; None for any other URL, or for one Python cannot parse
    (an IPv6 host that is no address, such as http://[::zz]/)."""
    try:
        parts = urlsplit(url)
        return parts.hostname if parts.scheme in ("http", "https") else None
    except ValueError:
        return None


BODY_LIMIT = 8 * 2**20  # bytes: a larger request body or frame is kept and searched apart


class Frozen(BaseModel):
    """Base of every pipeline model: immutable, bytes as base64 in JSON, unknown keys ignored
    so that records written by a newer version still load."""

    model_config = ConfigDict(
        frozen=True, extra="ignore", ser_json_bytes="base64", val_json_bytes="base64"
    )


class InitiatorFrame(Frozen):
    """One frame of the script stack that caused a request (line and column 1-based, as
    DevTools shows them); `cause` names the async step that led here, e.g. "setTimeout"."""

    url: str = ""
    line: int = 0
    column: int = 0
    function: str = ""
    cause: str | None = None


class Wire(Frozen):
    """What the network witness (Chromium's NetLog) says of a request it saw."""

    made_by: Literal["page", "devtools", "browser"] = Field(
        default="page",
        description="page: a page, frame or worker of the audit; devtools: DevTools' own loader "
        "(Playwright re-reading a response body for the HAR or trace); browser: Chromium itself.",
    )
    annotation: int = Field(default=0, description="Chromium's traffic annotation hash.")
    initiator: str | None = Field(default=None, description="The origin that caused it.")
    on_wire: bool = Field(
        default=True, description="Its headers were sent (not refused, failed or cached)."
    )
    hop: int = Field(default=0, description="0 for a request, n for its n-th redirect.")
    frames_sent: int = Field(default=0, description="Websocket messages it sent.")


class Exchange(Frozen):
    """One thing the browser sent or received: a request (each redirect hop on its own)
    or a websocket frame, with everything needed to search it later without the browser."""

    seq: int
    kind: Literal["request", "websocket"] = "request"
    method: str = "GET"
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    body_note: str | None = Field(
        default=None, description="Why the body is missing or incomplete (a capture gap)."
    )
    resource_type: str = "other"
    page_url: str | None = None
    frame_url: str | None = None
    step: str | None = None
    time: float = 0.0
    status: int | None = None
    failure: str | None = None
    redirected_from: str | None = None
    direction: Literal["sent", "received"] | None = Field(
        default=None, description="For websocket frames: sent by the page or received by it."
    )
    source: Literal["browser", "interception", "har", "witness"] = Field(
        default="browser",
        description="browser: Playwright's network events; interception: seen only by the "
        "browser-wide request interception (e.g. a beacon sent while a page unloads); "
        "har: imported; witness: seen only on the wire by the network witness.",
    )
    initiator_type: str | None = Field(
        default=None,
        description='What started the request, from DevTools: "script", "parser" (an element '
        'in the HTML), "preload", "other", ...; None when not captured.',
    )
    initiator: tuple[InitiatorFrame, ...] = Field(
        default=(),
        description="The script stack (with its async causes) or the HTML position that sent it.",
    )
    contained: bool = Field(
        default=False, description="Answered locally by contain mode; it never left the machine."
    )
    legacy_referrer: bool = Field(
        default=False, description="Recorded with the legacy referrer default forced."
    )
    wire: Wire | None = Field(default=None, description="For the network witness's requests.")
    body_file: str | None = Field(
        default=None,
        description="A body above the size limit is kept in this file of the system's folder "
        "(a path relative to it), not in `body`, and searched from there in windows.",
    )
    body_size: int | None = Field(default=None, description="Bytes of the body in `body_file`.")

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)


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


OwnerSource = Literal["audit.toml", "bundled", "trackerdb", "given"]


class OwnerInfo(Frozen):
    """The organisation that owns a domain, as one source of owner facts names it."""

    key: str = Field(description="The organisation's identity across sources and runs.")
    name: str
    country: str | None = Field(default=None, description="ISO 3166 alpha-2 code of its seat.")
    category: str | None = Field(
        default=None, description='What it does there, e.g. "site_analytics", "hosting".'
    )
    website: str | None = None
    privacy_policy: str | None = None
    privacy_contact: str | None = None
    source: OwnerSource


class Party(Frozen):
    """Who a host belongs to, seen from the audited system."""

    kind: PartyKind
    domain: str = Field(description="Registrable domain (eTLD+1) of the host.")
    entity: str | None = Field(default=None, description="Organisation that owns the domain.")
    country: str | None = None
    agreement: str | None = Field(default=None, description="Data-processing agreement reference.")
    agreement_expires: date | None = Field(
        default=None, description="Last day of the agreement (in force or run out)."
    )
    expired_agreement: str | None = Field(
        default=None, description="Reference of an agreement that has run out: it counts as none."
    )
    owner: OwnerInfo | None = None


class Finding(Frozen):
    """A confirmed match of the audited citizen's identifier in one exchange."""

    request_url: str
    host: str
    method: str
    resource_type: str
    channel: Channel
    detail: str = Field(
        description='Where in the channel, e.g. "query parameter dl", "header Referer".'
    )
    encoding: str = Field(
        description='How the identifier was encoded, e.g. "plain", "percent", "sha256".'
    )
    identifier: str = Field(description='"cpr", or a secondary identifier: "name", "email", ...')
    page_url: str | None = None
    entity: str | None = None
    party: PartyKind = "third"
    domain: str = ""
    country: str | None = None
    agreement: str | None = None
    matched: str = Field(default="", description="The text as it appeared in the request.")
    decode_path: tuple[str, ...] = ()
    exchange_seq: int = 0
    fingerprint: str = Field(
        default="", description="The same leak across runs: see crawler/fingerprint.py."
    )
    step: str | None = None
    secondary: bool = Field(
        default=False, description="A non-CPR identifier: context, not a verdict."
    )
    initiator: str | None = Field(
        default=None, description='"sent by <script:line:col>, loaded by <...>".'
    )
    contained: bool = Field(default=False, description="Contain mode answered the request locally.")
    capture_gap: bool = Field(
        default=False, description="Seen only on the wire by the network witness."
    )


class CaptureGap(Frozen):
    """Something the network witness saw leave the browser that the browser-side record lacks.
    A copy of the request (URL and headers, no body) is searched like any exchange."""

    url: str
    method: str = "GET"
    host: str = ""
    kind: GapKind = "request"
    cause: GapCause = Field(
        default="site",
        description="site: the audited pages; evidence: Playwright re-reading a response body "
        "for the HAR or trace; browser: Chromium's own traffic, never the site's.",
    )
    explanation: str | None = Field(
        default=None,
        description="Why the record lacks it; None: unexplained, so the system is not clean.",
    )
    left_machine: bool = Field(default=True, description="False: an attempt that never left.")
    frames: int = Field(default=0, description='For kind "frames": websocket frames missing.')
    exchange_seq: int = Field(default=0, description="Its searched copy (0: none).")
    carries_cpr: bool = False
    time: float = 0.0


class WitnessSummary(Frozen):
    """What the second, network-level witness covered in one audit."""

    ran: bool
    method: str = "Chromium NetLog"
    reason: str | None = Field(
        default=None, description="Why it did not run, or why its log is incomplete."
    )
    failed: bool = Field(
        default=False,
        description="It was to run and did not, or its log ends early: the record is unchecked.",
    )
    requests: int = Field(default=0, description="Requests it saw leave the browser.")
    matched: int = Field(default=0, description="Of those, found in the record.")


class Suspect(Frozen):
    """A number shaped like some CPR that is not the audited citizen's: a lead, not a finding."""

    value: str
    request_url: str
    host: str
    channel: Channel
    detail: str
    modulus11: bool
    exchange_seq: int = 0


class DesignFinding(Frozen):
    """A first-party page whose URL carries the CPR (the memo's root cause), and the third
    parties that page loads."""

    page_url: str
    third_parties: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    policy: str = Field(default="default", description="The page's effective referrer policy.")
    source_file: str | None = Field(default=None, description="The page's HTML, saved as text.")
    how: Literal["document", "route", "fragment"] = Field(
        default="document",
        description="document: a page loaded with the CPR in its URL; route: a single-page app's "
        "history.pushState URL; fragment: the CPR after # (never sent, but read by scripts).",
    )


class LatentLeak(Frozen):
    """A third-party request from a CPR page that would carry the full URL in Referer under
    the legacy default policy (observed=False), or already does (observed=True)."""

    page_url: str
    request_url: str
    host: str
    domain: str
    entity: str | None = None
    policy: str = "default"
    observed: bool = False


class HostSummary(Frozen):
    """A host the audited pages contacted, for the report's table of third parties."""

    host: str
    party: Party
    requests: int
    findings: int


AgreementStatus = Literal["agreement", "no-agreement", "agreement-expired"]
AgreementVerdict = Literal["pass", "fail", "inconclusive"]


class ThirdParty(Frozen):
    """An organisation the audited pages made the citizen's browser talk to (it got at least
    the IP address and the page's origin), and the agreement it is under."""

    organisation: str = Field(description="Its name; the registrable domain when no source knows.")
    key: str = Field(description="Its identity across runs, for the history's new third parties.")
    country: str | None = None
    third_country: bool | None = Field(
        default=None,
        description="Seated outside the EU/EEA: a transfer to a third country (None: unknown).",
    )
    category: str | None = None
    source: OwnerSource | None = Field(
        default=None, description="Where the owner facts came from; None when nobody knew."
    )
    website: str | None = None
    privacy_policy: str | None = None
    privacy_contact: str | None = None
    domains: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    requests: int = 0
    cpr_requests: int = Field(default=0, description="Its requests that carried the CPR.")
    first_step: str | None = None
    first_page: str | None = None
    status: AgreementStatus = "no-agreement"
    agreements: tuple[str, ...] = Field(default=(), description="References in force.")
    agreement_expires: date | None = Field(
        default=None, description="The earliest last day among its agreements."
    )
    unagreed: tuple[str, ...] = Field(
        default=(), description="Its domains contacted without an agreement in force."
    )
    new: bool | None = Field(
        default=None,
        description="Not seen in the system's previous complete run (None: no history kept).",
    )


class BrowserInfo(Frozen):
    """How the browser presented itself, so a reader can judge what a site would have sent."""

    version: str = ""
    executable: str = ""
    user_agent: str = ""
    presented_as: str = ""


class FindingHistory(Frozen):
    """What the run history says about one leak (a fingerprint) of a system."""

    fingerprint: str
    status: Literal["new", "persisting", "fixed"]
    since: float = Field(
        default=0.0, description="Start of the current unbroken series of runs with it."
    )
    runs: int = Field(default=1, description="Runs in that series, this one included.")
    last_seen: float = Field(default=0.0, description="For a fixed leak: the last run that had it.")
    seen_before: float | None = Field(
        default=None, description="A new leak seen in an earlier series: a regression."
    )
    where: str = Field(
        default="", description="Receiver, channel and place, for leaks no longer in the findings."
    )
    accepted: str | None = Field(
        default=None, description="Reason of an acceptance in audit.toml that is in force."
    )
    accepted_until: str | None = None
    expired: str | None = Field(
        default=None, description="Date an acceptance ran out: the leak counts again."
    )


class TrendPoint(Frozen):
    started: float
    verdict: Verdict
    findings: int = Field(description="Distinct leaks (fingerprints) in that run.")


class SystemHistory(Frozen):
    """A system's result seen against its earlier runs (crawler/history.py)."""

    previous_run: float | None = None
    findings: tuple[FindingHistory, ...] = Field(
        default=(), description="One per fingerprint of this run."
    )
    fixed: tuple[FindingHistory, ...] = Field(
        default=(), description="In the previous run, gone now."
    )
    fixed_note: str | None = Field(
        default=None, description="Why absent leaks were not counted as fixed."
    )
    trend: tuple[TrendPoint, ...] = Field(default=(), description="The last runs, oldest first.")

    def of(self, fingerprint: str) -> FindingHistory | None:
        return next((h for h in self.findings if h.fingerprint == fingerprint), None)


class PageVisit(Frozen):
    """A page the audit had open: where it ended up (after redirects), and how it got there."""

    url: str = Field(description="The final URL, after redirects.")
    requested: str | None = Field(
        default=None, description="The URL asked for, where it differs from the final URL."
    )
    by: Literal["scenario", "crawl"] = "crawl"
    logged_in: bool | None = Field(
        default=None, description="The logged_in check on this page; None: not checked."
    )


NotVisited = Literal[
    "page bound", "time bound", "depth bound", "denied", "off-site", "session lost"
]


class LinkNotVisited(Frozen):
    """A link the crawl saw and did not follow, and why."""

    url: str
    reason: NotVisited
    text: str = Field(default="", description="The link's text, as the deny list saw it.")


class SessionLoss(Frozen):
    """The citizen's login found lost during the crawl, and whether it was re-established."""

    page_url: str = Field(description="The page asked for when the loss was found.")
    final_url: str
    time: float
    problem: str
    recovered: bool
    screenshot: str | None = None


LoginState = Literal["proven", "lost", "not proven", "not checked", "none", "unknown"]


class Coverage(Frozen):
    """What a verdict covers: steps, pages, links not visited and why, the login, bounds."""

    login: LoginState = Field(
        default="unknown",
        description="proven: logged_in held after the scenario and on every crawled page (or "
        "was re-established); lost: lost and not re-established; not proven: it failed after "
        "the scenario; not checked: login = false; none: no scenario (public pages); unknown: "
        "the audit did not say.",
    )
    login_check: str = Field(default="", description="The logged_in check, as configured.")
    steps: tuple[str, ...] = Field(default=(), description="Scenario steps completed, in order.")
    pages: tuple[PageVisit, ...] = ()
    downloads: tuple[str, ...] = Field(default=(), description="Links that were files, not pages.")
    not_visited: tuple[LinkNotVisited, ...] = ()
    session_losses: tuple[SessionLoss, ...] = ()
    bounds: tuple[str, ...] = Field(default=(), description="Crawl bounds that were reached.")


DialogAction = Literal["accept", "dismiss"]
ConsentChoice = Literal["none", "decline", "accept"]


def variant_name(system: str, consent: str) -> str:
    """A consent state of a system, as its result and its folder are named."""
    return f"{system} (consent: {consent})"


class Dialog(Frozen):
    """An alert, confirm, prompt or beforeunload dialog a page opened, and what was answered."""

    type: str = Field(description='"alert", "confirm", "prompt" or "beforeunload".')
    message: str = Field(description="Its text, as the page wrote it (redacted).")
    action: DialogAction
    step: str | None = None
    page_url: str | None = None
    time: float = 0.0


class ConsentAction(Frozen):
    """A consent banner met during the audit, and what was done with it."""

    platform: str = Field(description="The consent platform (autoconsent's rule name).")
    by: Literal["autoconsent", "selector"] = Field(
        description="autoconsent's rule for the platform, or the selector in audit.toml."
    )
    page_url: str = ""
    step: str | None = None
    choice: ConsentChoice = Field(description="What was chosen: none leaves the banner as it is.")
    sent: bool = Field(default=False, description="The choice was sent to the banner's page.")
    done: bool | None = Field(
        default=None,
        description="The banner's script reported the click through (True) or failed (False); "
        "None: not reported (nothing to click, or the page moved on first).",
    )
    screenshot: str | None = Field(default=None, description="The banner before the click.")


class Consent(Frozen):
    """The consent state a system was audited in, and how it was reached."""

    state: ConsentChoice
    detected: tuple[str, ...] = Field(
        default=(), description="Consent platforms found on the pages, shown or not."
    )
    actions: tuple[ConsentAction, ...] = ()
    problem: str | None = Field(
        default=None, description="Why the state could not be set: then the audit is not clean."
    )


class ConsentRow(Frozen):
    """One third party in the side-by-side table of a system's consent states."""

    domain: str
    entity: str | None = None
    received: dict[str, int] = Field(
        default_factory=dict, description="consent state -> requests that carried the CPR to it"
    )


class ConsentTable(Frozen):
    """Which third parties received the CPR in which consent state of one system."""

    system: str = Field(description="The system as configured, without its state.")
    states: tuple[ConsentChoice, ...] = ()
    verdicts: dict[str, str] = Field(default_factory=dict, description="state -> verdict")
    folders: dict[str, str] = Field(default_factory=dict, description="state -> its folder")
    rows: tuple[ConsentRow, ...] = ()


class AuditSetup(Frozen):
    """How the browser met the portal: environment, certificates, secure contexts, switches,
    dialogs, a reused login. What a reader needs to judge how close the audit came to a citizen's
    visit."""

    environment: str | None = Field(default=None, description="The audit.toml environment.")
    base_url: str | None = None
    certificate_checks: Literal["on", "off", "test CA"] = "on"
    test_ca: str | None = Field(default=None, description="The trusted test CA: subject, SHA-256.")
    treat_as_secure: tuple[str, ...] = ()
    insecure_pages: tuple[str, ...] = Field(
        default=(), description="Pages audited in an insecure context (plain http)."
    )
    browser_args: tuple[str, ...] = Field(default=(), description="Switches added to Chromium's.")
    dialogs: DialogAction = "dismiss"
    login_reused: float | None = Field(
        default=None, description="When the reused login (storage state) was saved."
    )


class SystemResult(Frozen):
    """Everything the report and the exit code need about one audited system."""

    system: str
    supplier: str | None = None
    verdict: Verdict
    requests: int
    findings: tuple[Finding, ...] = ()
    first_party: tuple[Finding, ...] = Field(
        default=(), description="The CPR in first-party requests: context, not a leak."
    )
    secondary: tuple[Finding, ...] = Field(
        default=(),
        description="Other identifiers of the citizen (name, e-mail, ...) in third-party requests.",
    )
    suspects: tuple[Suspect, ...] = ()
    design: tuple[DesignFinding, ...] = Field(
        default=(), description="First-party pages with the CPR in their URL."
    )
    latent: tuple[LatentLeak, ...] = Field(
        default=(), description="Referer leaks one policy change away."
    )
    latent_fails: bool = Field(
        default=False, description="The latent leaks make the verdict leak (fail_on_latent)."
    )
    hosts: tuple[HostSummary, ...] = ()
    errors: tuple[str, ...] = Field(default=(), description="Why the audit is inconclusive.")
    notes: tuple[str, ...] = Field(
        default=(), description="Coverage limits: crawl bounds, decode budgets."
    )
    pages: tuple[str, ...] = ()
    steps: tuple[tuple[str, str], ...] = Field(
        default=(), description="(step, screenshot file) in order."
    )
    browser: BrowserInfo = BrowserInfo()
    start_url: str = ""
    started: float = 0.0
    finished: float = 0.0
    detect_seconds: float = Field(
        default=0.0, description="What the detector took, after recording."
    )
    tool_version: str = ""
    command: str = ""
    history: SystemHistory | None = Field(
        default=None, description="New, persisting and fixed leaks; trend."
    )
    third_parties: tuple[ThirdParty, ...] = Field(
        default=(), description="Every third-party organisation contacted, CPR or not."
    )
    agreement_verdict: AgreementVerdict | None = Field(
        default=None,
        description="fail_on_unagreed: fail when a third party has no agreement in force "
        "(apart from the CPR verdict); None when the system does not ask.",
    )
    owner_database: str = Field(
        default="", description="The tracker database that named owners, with its licence."
    )
    coverage: Coverage = Field(default_factory=Coverage, description="What the verdict covers.")
    run_id: str = Field(default="", description="The run this result belongs to.")
    witness: WitnessSummary | None = Field(
        default=None, description="The network witness; None where there was no browser."
    )
    capture_gaps: tuple[CaptureGap, ...] = Field(
        default=(), description="What left the browser that the record lacks, and why."
    )
    variant_of: str | None = Field(
        default=None,
        description="The system as configured, when this is one of its consent states.",
    )
    setup: AuditSetup = Field(default_factory=AuditSetup, description="How the portal was met.")
    dialogs: tuple[Dialog, ...] = ()
    consent: Consent | None = None
    consent_table: ConsentTable | None = Field(
        default=None, description="The system's consent states side by side."
    )
    scenario_traceback: str | None = Field(
        default=None, description="Where the scenario failed (redacted)."
    )

    @property
    def configured(self) -> str:
        """The system's name as in audit.toml: the same for each of its consent states."""
        return self.variant_of or self.system

    @property
    def despite_declined_consent(self) -> bool:
        return (
            self.verdict == "leak" and self.consent is not None and self.consent.state == "decline"
        )

    @property
    def unagreed(self) -> tuple[ThirdParty, ...]:
        """Third parties without a data-processing agreement in force."""
        return tuple(t for t in self.third_parties if t.status != "agreement")

    @property
    def wall_seconds(self) -> float:
        """The audit's wall time: recording, then detection."""
        return max(0.0, self.finished - self.started) + self.detect_seconds

    @property
    def detect_share(self) -> float:
        return self.detect_seconds / self.wall_seconds if self.wall_seconds else 0.0


class Audited(NamedTuple):
    """A system's result and its folder in the run folder ("" for a system not audited)."""

    result: SystemResult
    folder: str


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
