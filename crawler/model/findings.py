"""What the detector and the analysis find in the record: findings, suspects, the root cause,
capture gaps, and the organisations on the page."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from crawler.model.base import Channel, EndpointMeaning, Frozen, GapCause, GapKind, PartyKind

OwnerSource = Literal["audit.toml", "bundled", "trackerdb", "given", "endpoint"]


class Endpoint(Frozen):
    """A first-party endpoint that speaks a tracker's protocol (or that audit.toml declares),
    and what it is taken to do with what it gets (`crawler.owners.endpoints`)."""

    protocol: str | None = Field(default=None, description='e.g. "Google Analytics 4".')
    vendor: str | None = Field(default=None, description="The probable receiver if forwarded.")
    country: str | None = None
    meaning: EndpointMeaning = Field(
        description="forwards: passed on to the vendor (a leak); self-hosted: kept by the site."
    )
    declared: bool = Field(
        default=False, description="audit.toml says so; else the protocol's default meaning."
    )


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


class PartyFacts(Frozen):
    """Whose a receiving host is: the facts its party holds, and each finding sent to it
    repeats (findings.json keeps them flat)."""

    domain: str = Field(default="", description="Registrable domain (eTLD+1) of the host.")
    entity: str | None = Field(default=None, description="Organisation that owns the domain.")
    country: str | None = Field(default=None, description="ISO 3166 alpha-2 code of its seat.")
    agreement: str | None = Field(default=None, description="Data-processing agreement reference.")
    cname: tuple[str, ...] = Field(
        default=(),
        description="The host's CNAME chain, where its name is first party. One that leads to "
        "another organisation (not its hosting or CDN) makes the host that organisation's: a "
        "third party under the site's name.",
    )
    endpoint: Endpoint | None = Field(
        default=None,
        description="A first-party endpoint that speaks a tracker's protocol: forwarded to its "
        "vendor (a leak) or self-hosted (first party), by default or as declared.",
    )

    def facts(self) -> dict:
        """These facts alone, to repeat them in a finding."""
        return {name: getattr(self, name) for name in PartyFacts.model_fields}


class Party(PartyFacts):
    """Who a host belongs to, seen from the audited system."""

    kind: PartyKind
    agreement_expires: date | None = Field(
        default=None, description="Last day of the agreement (in force or run out)."
    )
    expired_agreement: str | None = Field(
        default=None, description="Reference of an agreement that has run out: it counts as none."
    )
    owner: OwnerInfo | None = None


class Finding(PartyFacts):
    """A confirmed match of the audited citizen's identifier in one exchange, with the facts of
    the party that received it."""

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
    party: PartyKind = Field(default="third", description="The receiving host's party: its kind.")
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
    blocked: str | None = Field(
        default=None,
        description="The browser refused to send the request, and why (csp, mixed-content, "
        "preflight, ...): an attempt, not a leak, unless the network witness saw it leave.",
    )
    typed_into: tuple[str, ...] = Field(
        default=(),
        description="Sent after the test citizen typed into these fields of its page (label and "
        "selector), before any submit: what the citizen typed, sent as it was typed.",
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


class LatentLeak(PartyFacts):
    """A third-party request from a CPR page that would carry the full URL in Referer under
    the legacy default policy (observed=False), or already does (observed=True); with the facts
    of the party that would receive it."""

    page_url: str
    request_url: str
    host: str
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
