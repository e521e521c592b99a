"""One system's audit, end to end: record it in the browser, then analyse the record."""

from __future__ import annotations

from pathlib import Path

from crawler.analyse.system import analyse_system
from crawler.model import Citizen, Exchange, SystemResult, Target
from crawler.record.addons.redaction import Redactor
from crawler.record.evidence.har_trace import settle_trace
from crawler.record.session import Lease, Progress, record
from crawler.scenario import Scenario


def audit_system(
    target: Target,
    citizen: Citizen,
    folder: Path,
    scenario: Scenario | None = None,
    command: str = "",
    progress: Progress | None = None,
    lease: Lease | None = None,
    redactor: Redactor | None = None,
) -> tuple[SystemResult, list[Exchange]]:
    """The system's result and the exchanges it was found in; the record and evidence are in
    `folder`. In a browser of cpraudit's own, or the one `lease` lends (see `record`)."""
    recording = record(target, citizen, folder, scenario, progress, lease, redactor)
    result, exchanges = analyse_system(recording, citizen, command)
    settle_trace(folder, target.trace, result.verdict)
    return result, exchanges
