"""How the browser met the portal: dialogs, consent banners and states, certificates and secure
contexts."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from crawler.model.base import ConsentChoice, DialogAction, Frozen


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


class NameChain(Frozen):
    """The CNAME chain of a first-party host, looked up while recording: where its name leads.
    Adobe's "first-party data collection" (`smetrics.<site>` -> `<site>.sc.omtrdc.net`) is a
    third party under the site's name."""

    host: str
    chain: tuple[str, ...] = Field(
        default=(), description="The names it is an alias of, in order; empty: none."
    )
    problem: str | None = Field(
        default=None, description="Why the lookup failed (a timeout, no answer): unchecked."
    )


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
    login_age: float | None = Field(
        default=None, description="How old the reused login was when the audit used it, in s."
    )
    login_given: str | None = Field(
        default=None, description="The saved login file the audit was given (--storage-state)."
    )
    login_by_hand: float | None = Field(
        default=None,
        description="When a person logged in by hand: in this audit, or for the login it reused.",
    )
    dns_server: str | None = Field(
        default=None,
        description="The DNS server the CNAME chains were asked of; None: the system's.",
    )
    names: tuple[NameChain, ...] = Field(
        default=(), description="The first-party hosts contacted, and where their names lead."
    )
