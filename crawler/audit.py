"""One system's audit: record in the browser, then analyse the record.

`record()` is the only part that needs Chromium; `analyse()` works on the written
`requests.jsonl` alone, so an old run can be re-analysed with a newer detector.
"""

from __future__ import annotations

import importlib.util
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from playwright.sync_api import Browser, BrowserContext, Error, Page, sync_playwright

from crawler import __version__, evidence, initiator, recorder, redact, rootcause
from crawler.contain import Containment, modes
from crawler.browser import launch, new_context
from crawler.crawl import crawl, leave_pages
from crawler.detector import detect
from crawler.errors import BadInput, first_line
from crawler.model import BrowserInfo, Citizen, Exchange, SystemResult, Target
from crawler.parties import Parties, host_table
from crawler.report import slug, write_system
from crawler.scenario import listening
from crawler.verdict import judge

Scenario = Callable[[Page, Citizen], None]


@dataclass
class Recording:
    """What the browser stage leaves for analysis: the record on disk and what went wrong."""

    target: Target
    out_dir: Path
    pages: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    steps: list[tuple[str, str]] = field(default_factory=list)  # (step, screenshot file)
    browser: BrowserInfo = BrowserInfo()
    started: float = 0.0
    finished: float = 0.0

    @property
    def requests_path(self) -> Path:
        return self.out_dir / "requests.jsonl"


def load_scenario(ref: str, base: Path) -> Scenario:
    """`path/to/file.py` or `path/to/file.py:function` (default `run`), relative to `base`."""
    file, _, name = ref.partition(":")
    path = (base / file).resolve()
    if not path.is_file():
        raise BadInput(f"scenario {file}: no such file; give a .py file with a run(page, citizen) function")
    spec = importlib.util.spec_from_file_location(f"cpraudit_scenario_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    function = getattr(module, name or "run", None)
    if not callable(function):
        raise BadInput(f"scenario {file} has no function {name or 'run'}(page, citizen): define one")
    return function


Progress = Callable[[str], None]


def audit_system(target: Target, citizen: Citizen, run_dir: Path, scenario: Scenario | None = None,
                 command: str = "", progress: Progress | None = None) -> tuple[SystemResult, str]:
    """The pipeline for one system: record -> parties/detector/verdict -> report."""
    folder = slug(target.system)
    recording = record(target, citizen, run_dir / folder, scenario, progress)
    result, exchanges = analyse(recording, citizen, command)
    write_system(result, exchanges, run_dir / folder)
    return result, folder


def record(target: Target, citizen: Citizen, out_dir: Path, scenario: Scenario | None = None,
           progress: Progress | None = None) -> Recording:
    """Drive a fresh browser through the scenario and the crawl, recording everything."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rec = Recording(target, out_dir, started=time.time())
    try:
        _record(target, citizen, scenario, rec, progress or (lambda text: None))
    except Error as exc:  # the browser would not start, or died: inconclusive, keep what was written
        rec.errors.append(f"browser failed: {first_line(exc)}")
    except BadInput as exc:  # e.g. no Chromium on this machine
        rec.errors.append(str(exc))
    rec.finished = time.time()
    return rec


def _record(target: Target, citizen: Citizen, scenario: Scenario | None, rec: Recording,
            progress: Progress) -> None:
    with sync_playwright() as pw:
        browser, executable = launch(pw, list(target.resolve))
        try:
            context, rec.browser = new_context(browser, executable, **evidence.context_options(rec.out_dir))
            evidence.start(context, rec.target.system)
            try:
                record_in(browser, context, rec, citizen, scenario, progress)
            finally:
                first = Parties.for_target(rec.target).first
                rec.errors += evidence.finish(context, rec.out_dir, redact.for_citizen(citizen, first))[0]
        finally:
            try:
                browser.close()
            except Error:
                pass


def record_in(browser: Browser, context: BrowserContext, rec: Recording, citizen: Citizen,
              scenario: Scenario | None, progress: Progress) -> None:
    """Record one system in a context someone else made (ours, or pytest-playwright's)."""
    context.set_default_timeout(30_000)
    parties = Parties.for_target(rec.target)
    contain, legacy = modes(rec.target, citizen)
    watch = contain or Containment(citizen.cpr, parties)
    tape = recorder.Recorder(rec.requests_path, browser, context, redact.for_citizen(citizen, parties.first),
                             contain=contain, legacy=legacy, watch=watch)
    page = context.pages[0] if context.pages else context.new_page()
    try:
        _drive(page, rec.target, citizen, scenario, tape, rec, progress)
    finally:
        _finish(context, tape, rec)
        rec.notes += [mode.note() for mode in (contain, legacy) if mode]


def _drive(page: Page, target: Target, citizen: Citizen, scenario: Scenario | None,
           tape: recorder.Recorder, rec: Recording, progress: Progress) -> None:
    try:
        if scenario:
            with listening(lambda name: _on_step(name, page, tape, rec, progress)):
                scenario(page, citizen)
            rec.pages.append(page.url)
        if target.crawl:
            first = Parties.for_target(target).first
            starts = [page.url] if scenario else [target.start_url]
            progress(f"crawling from {starts[0]} ({_so_far(tape)})")
            outcome = crawl(page, starts, first, target.crawl, must_load_first=not scenario)
            rec.pages += outcome.pages
            rec.errors += outcome.errors
            rec.notes += outcome.notes
    except Exception as exc:  # a failing scenario is a finding about the audit, not a crash of it
        where = f" (step {tape.step})" if tape.step else ""
        rec.errors.append(f"scenario did not complete{where}: {type(exc).__name__}: {first_line(exc)}")
        (rec.out_dir / "error.txt").write_text(traceback.format_exc(), encoding="utf-8")
        _screenshot(page, rec.out_dir / "failure.png")


def _on_step(name: str | None, page: Page, tape: recorder.Recorder, rec: Recording,
             progress: Progress) -> None:
    if name:
        progress(f"step {name} ({_so_far(tape)})")
    if name is None and tape.step:
        shot = f"step-{len(rec.steps) + 1:02d}.png"
        _screenshot(page, rec.out_dir / shot)
        rec.steps.append((tape.step, shot))
    tape.step = name


def _so_far(tape: recorder.Recorder) -> str:
    """Progress while recording; the count of leaks is a quick check, the report decides."""
    return f"{tape.count} requests, {tape.leads} carrying the CPR to third parties so far"


def _finish(context: BrowserContext, tape: recorder.Recorder, rec: Recording) -> None:
    try:
        leave_pages(context)
    except Error as exc:
        rec.errors.append(f"browser failed while leaving pages: {first_line(exc)}")
    tape.close()


def _screenshot(page: Page, path: Path) -> None:
    try:
        page.screenshot(path=str(path), timeout=10_000)
    except Error:
        pass  # a dead page has nothing to show; the error text says why


def analyse(rec: Recording, citizen: Citizen, command: str = "") -> tuple[SystemResult, list[Exchange]]:
    """Parties, detector and verdict over the written record."""
    target = rec.target
    parties = Parties.for_target(target)
    exchanges, unreadable = recorder.load(rec.requests_path) if rec.requests_path.exists() else ([], 0)
    clock = time.perf_counter()
    found = detect(exchanges, citizen, parties)
    detect_seconds = time.perf_counter() - clock
    found = found.model_copy(update={"findings": initiator.annotate(found.findings, exchanges)})
    first_party = tuple(f for f in found.findings if f.party == "first" and not f.secondary)
    design, latent = rootcause.analyse(exchanges, list(first_party), parties, rec.out_dir)
    errors = list(rec.errors)
    if unreadable:
        errors.append(f"{unreadable} recorded lines could not be read back from {rec.requests_path.name}")
    confirmed = [f for f in found.findings if f.party != "first" and not f.secondary]
    result = SystemResult(
        system=target.system, supplier=target.supplier,
        verdict=judge(confirmed, errors, len(exchanges), latent if target.fail_on_latent else ()),
        requests=len(exchanges), findings=tuple(confirmed), first_party=first_party, design=design, latent=latent,
        secondary=tuple(f for f in found.findings if f.party != "first" and f.secondary),
        suspects=found.suspects, hosts=host_table(exchanges, parties, confirmed),
        errors=tuple(errors), notes=tuple(rec.notes) + found.budget_hits, pages=tuple(rec.pages),
        steps=tuple(rec.steps), browser=rec.browser, start_url=target.start_url,
        started=rec.started, finished=rec.finished, detect_seconds=detect_seconds, tool_version=__version__,
        command=command,
    )
    return result, exchanges
