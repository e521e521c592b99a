"""One system's result, as findings.json holds it, with its history."""

from __future__ import annotations

from datetime import date
from typing import Literal, NamedTuple

from pydantic import Field

from crawler.model.base import Frozen, Verdict
from crawler.model.coverage import Coverage
from crawler.model.findings import (
    AgreementVerdict,
    CaptureGap,
    DesignFinding,
    Finding,
    HostSummary,
    LatentLeak,
    Suspect,
    ThirdParty,
    WitnessSummary,
)
from crawler.model.portal import AuditSetup, Consent, ConsentTable, Dialog

# How an audit's browser presented itself (BrowserInfo.presented_as), as a report explains it
PRESENTED_AS = "desktop Chrome (user agent and navigator.webdriver as in a citizen's browser)"
PRESENTED_AS_HEADLESS = "headless Chromium as it identifies itself (HeadlessChrome)"


class BrowserInfo(Frozen):
    """How the browser presented itself, so a reader can judge what a site would have sent."""

    version: str = ""
    executable: str = ""
    user_agent: str = ""
    presented_as: str = ""


class SourceFile(Frozen):
    """The file a record was imported from (`scan-har`), as it was read: a case file can prove
    which export was searched."""

    name: str = Field(description="As it was given on the command line.")
    sha256: str = Field(description="Of the file's bytes, as they were read.")
    size: int = Field(description="In bytes.")
    copied_as: str | None = Field(
        default=None, description="Its copy in the system's folder (--copy-har), as it was."
    )


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


class Acceptance(Frozen):
    """A leak accepted in audit.toml (`[[accepted]]`), as it applied to this run: in force until
    its last day, then expired, and the leak counts again."""

    fingerprint: str
    reason: str = Field(description="Why, and who decided, as audit.toml says.")
    until: date = Field(description="The last day it holds.")
    in_force: bool = Field(description="False: it has expired, and the leak counts again.")


class Reanalysis(Frozen):
    """Where a re-analysis (`cpraudit analyse`) took its evidence from: an earlier run's system
    folder, read with today's detector and analysis, never visited again."""

    evidence: str = Field(description="The system folder whose evidence was analysed again.")
    run_id: str = Field(default="", description="The run that recorded it.")
    recorded_by: str = Field(description="The version of cpraudit that recorded it.")
    sealed: str = Field(
        description="How that folder matched its run's manifest.json: 'intact', 'not sealed' "
        "(no manifest), or what did not match."
    )


class TrendPoint(Frozen):
    started: float
    verdict: Verdict
    findings: int = Field(description="Distinct leaks (fingerprints) in that run.")
    new: int = Field(default=0, description="Of them, leaks not in the run before.")


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


class Recorded(Frozen):
    """What the record stage saw of a system: how the portal was met, what was visited, by
    which browser, and when (recording.json keeps it; the analysis adds it to the result)."""

    system: str
    supplier: str | None = None
    start_url: str = ""
    variant_of: str | None = Field(
        default=None,
        description="The system as configured, when this is one of its consent states.",
    )
    pages: tuple[str, ...] = ()
    steps: tuple[tuple[str, str], ...] = Field(
        default=(), description="(step, screenshot file) in order."
    )
    coverage: Coverage = Field(default_factory=Coverage, description="What the verdict covers.")
    browser: BrowserInfo = BrowserInfo()
    started: float = 0.0
    finished: float = 0.0
    witness: WitnessSummary | None = Field(
        default=None, description="The network witness; None where there was no browser."
    )
    setup: AuditSetup = Field(default_factory=AuditSetup, description="How the portal was met.")
    dialogs: tuple[Dialog, ...] = ()
    consent: Consent | None = None
    scenario_traceback: str | None = Field(
        default=None, description="Where the scenario failed (redacted)."
    )
    imported_from: SourceFile | None = Field(
        default=None, description="The file the record was imported from (scan-har)."
    )


class Analysed(Frozen):
    """What the analysis found in the record: the findings, who received what, the verdict and
    why it is what it is."""

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
    attempts: tuple[Finding, ...] = Field(
        default=(),
        description="The citizen's identifiers in requests to third parties that the browser "
        "refused to send (`blocked`): attempts, not leaks.",
    )
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
    errors: tuple[str, ...] = Field(default=(), description="Why the audit is inconclusive.")
    notes: tuple[str, ...] = Field(
        default=(), description="Coverage limits: crawl bounds, decode budgets."
    )
    capture_gaps: tuple[CaptureGap, ...] = Field(
        default=(), description="What left the browser that the record lacks, and why."
    )
    detect_seconds: float = Field(
        default=0.0, description="What the detector took, after recording."
    )
    tool_version: str = ""
    command: str = ""
    reanalysis: Reanalysis | None = Field(
        default=None,
        description="Set when this result is a re-analysis of an earlier run's evidence.",
    )


class Judged(Frozen):
    """What the run adds to a system's result: the acceptances of audit.toml, the history, the
    system's consent states side by side."""

    run_id: str = Field(default="", description="The run this result belongs to.")
    history: SystemHistory | None = Field(
        default=None, description="New, persisting and fixed leaks; trend."
    )
    consent_table: ConsentTable | None = Field(
        default=None, description="The system's consent states side by side."
    )
    acceptances: tuple[Acceptance, ...] = Field(
        default=(),
        description="The acceptances of audit.toml that apply to this system's leaks: a leak "
        "accepted and in force does not fail the run.",
    )


class SystemResult(Judged, Analysed, Recorded):
    """Everything the report and the exit code need about one audited system: what was
    recorded, what the analysis found, what the run judged; findings.json holds it flat."""

    def acceptance(self, fingerprint: str) -> Acceptance | None:
        """The leak's acceptance, in force or expired."""
        return next((a for a in self.acceptances if a.fingerprint == fingerprint), None)

    def accepted(self, fingerprint: str) -> Acceptance | None:
        """The leak's acceptance, if it is in force."""
        a = self.acceptance(fingerprint)
        return a if a is not None and a.in_force else None

    @property
    def unaccepted(self) -> tuple[Finding, ...]:
        """The leaks not accepted (or whose acceptance has expired): what fails a run."""
        return tuple(f for f in self.findings if self.accepted(f.fingerprint) is None)

    @property
    def accepted_until(self) -> date | None:
        """Where every leak is accepted in audit.toml and in force: the first day one of the
        acceptances runs out; else None (no leak, or one that counts)."""
        if self.verdict != "leak" or not self.findings or self.unaccepted or self.latent_fails:
            return None
        return min(a.until for a in self.acceptances if a.in_force)

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
