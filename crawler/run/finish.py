"""Closing a run: the one way a run folder is finished, for `run`, `merge`, `adhoc`, `scan-har`
and the pytest plugin alike.

In order: the acceptances of audit.toml judge each leak (with or without a history); the history
records the run and says what is new, persisting or no longer found; a system's consent states
are put side by side; each system's findings.json and report.html are written, once, with all of
that; then the index, summary.json and junit.xml over the run (the catalogue's systems listed,
audited or not), the PDFs; the message to audit.toml's notify, when something needs a person; and
last the manifest that seals the folder.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from crawler import bundle, history, proof
from crawler.analyse.acceptances import accept
from crawler.analyse.consent import side_by_side
from crawler.config import Accepted
from crawler.errors import BadInput
from crawler.history.runs import RunMeta
from crawler.model import Audited
from crawler.notify.notifier import NOBODY, Notifier
from crawler.proof.signing import Ed25519PrivateKey
from crawler.report import DEFAULT_REPORT, ReportOptions, Title, write_run_files, write_system
from crawler.run import catalogue


@dataclass(frozen=True)
class Closing:
    """What a run's closing needs to know besides its results."""

    title: Title
    command: str
    started: float
    report: ReportOptions = DEFAULT_REPORT
    fail_on: tuple[str, ...] = ("any",)  # what fails the run: junit.xml agrees with the exit code
    accepted: Sequence[Accepted] | None = ()  # None: the results are judged already (merge)
    history: Path | None = None  # None: no history kept
    meta: RunMeta | None = None  # of a run or merge: its id, times and config; the rest from here
    catalogue: str | None = None
    notes: tuple[str, ...] = ()  # for every report, e.g. about a remote browser
    sign_key: Ed25519PrivateKey | None = None
    incomplete: bool = False  # interrupted, or a merge missing a shard
    notify: Notifier = NOBODY  # audit.toml's notify, told when something needs a person
    today: date = field(default_factory=date.today)


@dataclass(frozen=True)
class RunOutcome:
    results: list[Audited]  # the systems audited
    listed: list[Audited]  # and the catalogue's systems not audited
    index: Path
    interrupted: bool
    problems: list[str] = field(default_factory=list)  # what went wrong closing it, e.g. history


def finish_run(results: list[Audited], run_dir: Path, closing: Closing) -> RunOutcome:
    """Judge, record, report and seal a run whose systems' evidence is in `run_dir`."""
    accepted = closing.accepted
    judged = (
        results
        if accepted is None
        else [Audited(accept(r, accepted, closing.today), f) for r, f in results]
    )
    meta = replace(
        closing.meta
        or RunMeta(closing.started, time.time(), config_digest="none", command=closing.command),
        incomplete=closing.incomplete,
        catalogue=closing.catalogue,
    )
    try:
        kept = history.after_run(closing.history, meta, judged, run_dir, closing.notes)
        problems: list[str] = []
    # the history broke during the run: every report is written all the same
    except BadInput as exc:
        kept = history.after_run(None, meta, judged, run_dir, closing.notes)
        problems = [f"the history was not recorded: {exc}"]
    compared = side_by_side(kept)
    write_reports(compared, run_dir, closing.report)
    listed = catalogue.with_coverage(compared, catalogue.load(closing.catalogue))
    index = write_run_files(
        listed, run_dir, closing.title, closing.report, closing.incomplete, closing.fail_on
    )
    closing.notify.after_run(compared, index, closing.incomplete)  # its note sealed with the rest
    proof.seal(
        run_dir,
        command=closing.command,
        started=closing.started,
        results=[r for r, _ in compared],
        key=closing.sign_key,
    )
    return RunOutcome(compared, listed, index, closing.incomplete, problems)


def write_reports(results: list[Audited], run_dir: Path, options: ReportOptions) -> None:
    """Each system's findings.json and report.html, with everything the run added."""
    for result, folder in results:
        out = run_dir / folder
        requests = out / bundle.REQUESTS
        exchanges = bundle.read_exchanges(requests)[0] if requests.is_file() else []
        write_system(result, exchanges, out, options)
        (out / bundle.RESULT).unlink(missing_ok=True)
