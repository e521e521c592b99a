"""What a verdict covers: the login, the pages visited and the links that were not."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from crawler.model.base import Frozen


class PageVisit(Frozen):
    """A page the audit had open: where it ended up (after redirects), and how it got there."""

    url: str = Field(description="The final URL, after redirects.")
    requested: str | None = Field(
        default=None, description="The URL asked for, where it differs from the final URL."
    )
    by: Literal["scenario", "by hand", "crawl"] = Field(
        default="crawl", description="Who opened it: the scenario, a person logging in, the crawl."
    )
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


FieldKind = Literal["cpr", "name", "email", "phone", "address"]


class TypedField(Frozen):
    """A field of a page the form probe typed the citizen's data into, key by key (never
    submitted)."""

    label: str = Field(description="What the field is called on the page (label, aria, ...).")
    selector: str = Field(description="A CSS selector of it within its frame.")
    frame_url: str = Field(default="", description="The frame it is in, when not the page.")
    kind: FieldKind = Field(description="What it asked for, so what was typed.")
    typed: str = Field(description="What was typed: the citizen's synthetic data.")
    time: float = Field(default=0.0, description="When its first key was pressed.")


class TypedPage(Frozen):
    """The fields typed into on one visit of a page, and when: a request sent between the first
    key and shortly after the page was left may carry what was typed."""

    page_url: str
    started: float = Field(description="The first key pressed on the page.")
    left: float = Field(description="When the audit moved on from the page.")
    fields: tuple[TypedField, ...] = ()
    skipped: int = Field(default=0, description="Fields beyond the probe's bound per page.")


class StartPage(Frozen):
    """The start URL ended on another page than the one asked for: a redirect, perhaps to another
    host or to a login form. The audit saw that page, not the one asked for."""

    requested: str = Field(description="The start URL.")
    url: str = Field(description="Where it ended.")
    other_host: bool = Field(default=False, description="It ended on another host.")
    login_form: bool = Field(default=False, description="The page it ended on asks for a password.")
    accepted: Literal["follow_redirect_ok", "login"] | None = Field(
        default=None,
        description="Why this does not make the audit inconclusive: follow_redirect_ok says it "
        "is the page meant, or the audit logged in (by hand or with a saved login); None: it "
        "does.",
    )


LoginState = Literal["proven", "lost", "not proven", "by hand", "not checked", "none", "unknown"]


class Coverage(Frozen):
    """What a verdict covers: steps, pages, links not visited and why, the login, bounds."""

    login: LoginState = Field(
        default="unknown",
        description="proven: logged_in held after the scenario (or the login by hand) and on "
        "every crawled page (or was re-established); lost: lost and not re-established; not "
        "proven: it failed after the scenario; by hand: a person logged in by hand and said so, "
        "with no logged_in check to prove it; not checked: no logged_in check (login = false, "
        "or a saved login given without one); none: no scenario (public pages); unknown: the "
        "audit did not say.",
    )
    login_check: str = Field(default="", description="The logged_in check, as configured.")
    steps: tuple[str, ...] = Field(default=(), description="Scenario steps completed, in order.")
    pages: tuple[PageVisit, ...] = ()
    downloads: tuple[str, ...] = Field(default=(), description="Links that were files, not pages.")
    not_visited: tuple[LinkNotVisited, ...] = ()
    session_losses: tuple[SessionLoss, ...] = ()
    bounds: tuple[str, ...] = Field(default=(), description="Crawl bounds that were reached.")
    start: StartPage | None = Field(
        default=None, description="The start URL ended on another page (see StartPage)."
    )
    typed: tuple[TypedPage, ...] = Field(
        default=(),
        description="Fields the form probe filled with the citizen's data, page by page; "
        "nothing was ever submitted.",
    )
