"""One system's browser session: the one driver that records a system, for `run`, `adhoc` and
the pytest plugin alike: a fresh Chromium of cpraudit's own (with its network witness), or a
browser someone else started (`Lease`: pytest-playwright's), then the scenario and the safe
crawl, all recorded.

This is the only stage of an audit that needs the browser. It leaves a `Recording`: the
record on disk (requests.jsonl), the evidence files, and what went wrong; the analysis
reads that afterwards, without the browser.

The first write to the system's folder that fails (a full disk) ends the recording: the pages
are closed, the browser is closed as always, and the recording says "disk full while writing
<file>", which makes the system inconclusive. What was written before stays readable.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from playwright.sync_api import Browser, BrowserContext, Error, sync_playwright
from pydantic import BaseModel

from crawler import bundle, diagnostics
from crawler.bundle import Recording
from crawler.detect.live import CprToThirdParty
from crawler.errors import BadInput, first_line, write_failure
from crawler.model import BrowserInfo, Citizen, Target, WitnessSummary
from crawler.parties import Parties, first_party_of, registrable_domain
from crawler.record.addons import redaction
from crawler.record.addons.defaults import default_addons
from crawler.record.browser import debugging, scratch, setup, trust
from crawler.record.browser.chromium import launch, new_context, remote_endpoint
from crawler.record.capture.connection import DevToolsError
from crawler.record.capture.recorder import Recorder
from crawler.record.capture.tape import Tape
from crawler.record.capture.witness import Witness
from crawler.record.evidence import har_trace, names, saved_logins
from crawler.record.visit.by_hand import mask_typed_passwords
from crawler.record.visit.crawl import leave_pages
from crawler.record.visit.drive import Drive, Progress, Visited
from crawler.scenario import Scenario


@dataclass(frozen=True)
class Lease:
    """A browser someone else started and owns (pytest-playwright's), with how to open a
    context in it; what it records itself (a HAR, a trace) cpraudit then does not."""

    browser: Browser
    new_context: Callable[..., BrowserContext]
    info: BrowserInfo
    har: bool = True  # cpraudit records network.har
    trace: bool = True  # cpraudit keeps its own trace.zip
    witness: WitnessSummary = field(default_factory=lambda: WitnessSummary(ran=False))
    devtools: str | None = None  # its DevTools websocket for the capture (`browser.debugging`)
    unredacted: Path | None = None  # where the HAR and trace are written, before redaction


def record(
    target: Target,
    citizen: Citizen,
    out_dir: Path,
    scenario: Scenario | None = None,
    progress: Progress | None = None,
    lease: Lease | None = None,
    redactor: redaction.Redactor | None = None,
) -> Recording:
    """Drive a browser (a fresh one of cpraudit's own, or the one `lease` lends) through the
    scenario and the crawl, recording everything; `redactor` (made here if not given) learns
    the session's secrets, for files redacted afterwards by whoever gave it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rec = Recording(target, out_dir, started=time.time())
    redactor = redactor or redactor_for(citizen, target)
    say = progress or (lambda text: None)

    def masked(text: str) -> None:  # a link's user:password, a session token in a page's URL
        say(redactor.text(text))

    try:
        if lease is None:
            with scratch.private_temp() as temp:  # what is unredacted, removed however it ends
                _in_own_browser(target, citizen, scenario, rec, redactor, masked, temp)
        else:
            rec.browser, rec.witness = lease.info, lease.witness
            _in_context(lease, rec, citizen, scenario, masked, redactor)
    # the browser would not start, or died: inconclusive, keep what was written
    except Error as exc:
        rec.errors.append(diagnostics.BROWSER_FAILED(error=first_line(exc)))
    except BadInput as exc:  # e.g. no Chromium on this machine
        rec.errors.append(str(exc))
    except OSError as exc:  # a screenshot or error.txt could not be written: a full disk
        rec.errors.append(write_failure(exc, Path(exc.filename or "").name or "the evidence"))
    mask(rec, redactor)
    rec.finished = time.time()
    bundle.keep_recording(rec, citizen, redactor.text)
    return rec


M = TypeVar("M", bound=BaseModel)


def mask(rec: Recording, redactor: redaction.Redactor) -> None:
    """Secrets out of what the report shows: an exception's text can hold the password, a
    page's URL a session token."""
    rec.errors, rec.notes = redactor.texts(rec.errors), redactor.texts(rec.notes)
    rec.pages = redactor.texts(rec.pages)
    rec.coverage = _masked(rec.coverage, redactor)
    rec.setup = _masked(rec.setup, redactor)  # the pages audited in an insecure context
    rec.dialogs = [_masked(d, redactor) for d in rec.dialogs]
    rec.consent = _masked(rec.consent, redactor) if rec.consent else None


def _masked(model: M, redactor: redaction.Redactor) -> M:
    """The model with every secret in any of its texts (URLs included) masked."""
    return type(model).model_validate_json(redactor.text(model.model_dump_json()))


def _in_own_browser(
    target: Target,
    citizen: Citizen,
    scenario: Scenario | None,
    rec: Recording,
    redactor: redaction.Redactor,
    progress: Progress,
    temp: scratch.Temp,
) -> None:
    remote = remote_endpoint() is not None
    witness = Witness(target.witness, remote=remote)
    port = debugging.free_port()
    try:
        with sync_playwright() as pw, trust.trusting(target.ca_file) as env:
            switches = [*witness.switches(), debugging.switch(port)]
            browser, executable = launch(
                pw,
                **setup.launch_options(target),
                headless=not target.login_by_hand,  # by hand: a window for the person
                extra=switches,
                env=env if remote else temp.browser_env(env),  # a remote one has its own
            )
            try:

                def opened(**options: Any) -> BrowserContext:
                    context, rec.browser = new_context(browser, executable, **options)
                    return context

                lease = Lease(
                    browser,
                    opened,
                    rec.browser,
                    trace=target.trace != "off",
                    devtools=debugging.endpoint(port, browser),
                    unredacted=temp.folder,
                )
                _in_context(lease, rec, citizen, scenario, progress, redactor)
            finally:
                try:
                    browser.close()
                except Error:
                    pass
    finally:  # the NetLog is complete once the browser has closed
        rec.witness = witness.finish(rec.out_dir, redactor)


def _in_context(
    lease: Lease,
    rec: Recording,
    citizen: Citizen,
    scenario: Scenario | None,
    progress: Progress,
    redactor: redaction.Redactor,
) -> None:
    """A context of the lease's browser, its evidence (HAR, trace) written and redacted."""
    target = rec.target
    saved = saved_login(target)
    state = saved_logins.load(Path(saved_logins.in_use(target))) if saved else None
    context = lease.new_context(**setup.context_options(target, state))
    if lease.trace:
        har_trace.start(context, target.system, target.trace)
    har = (lease.unredacted or rec.out_dir) / bundle.HAR if lease.har else None
    try:
        record_in(
            lease.browser,
            context,
            rec,
            citizen,
            scenario,
            progress,
            redactor,
            saved,
            lease.devtools,
            har,
        )
    finally:
        rec.errors += har_trace.finish(
            context, rec.out_dir, redactor, lease.trace, written_in=lease.unredacted
        )


def saved_login(target: Target) -> float | None:
    """When the system's saved login was saved, if it may be reused (`reuse_login`); when the
    one given was (`storage_state`: whatever its age)."""
    if target.storage_state:
        return saved_logins.reusable(Path(target.storage_state), float("inf"))
    if target.login_state is None or (seconds := target.reuse_seconds) is None:
        return None
    return saved_logins.reusable(Path(target.login_state), seconds)


def redactor_for(citizen: Citizen, target: Target) -> redaction.Redactor:
    """The citizen's credentials, and the values of the system's saved login."""
    redactor = redaction.for_citizen(citizen, first_party_of(target))
    for path in filter(None, (target.login_state, target.storage_state)):
        redactor.learn(saved_logins.values(Path(path)))
    return redactor


def record_in(
    browser: Browser,
    context: BrowserContext,
    rec: Recording,
    citizen: Citizen,
    scenario: Scenario | None,
    progress: Progress,
    redactor: redaction.Redactor,
    saved: float | None = None,
    devtools: str | None = None,
    har: Path | None = None,
) -> None:
    """Record one system in a context someone else made (ours, or pytest-playwright's), which
    holds the saved login of `saved` (its time) if that is given; `redactor` learns the
    session's secrets for the evidence files redacted afterwards. `devtools` is the browser's
    DevTools websocket, if it has one of ours (`browser.debugging`): without, the capture goes
    through Playwright's driver. The capture writes network.har to `har`, if given."""
    target = rec.target
    context.set_default_timeout(30_000)
    # contain mode judges a first-party name by its CNAME chain before the request leaves
    lookups = names.Lookups(target.dns_server)
    parties = Parties.for_target(target, look_up=lookups.chain_of if target.contain else None)
    addons = default_addons(target, citizen, parties, redactor)
    leads = CprToThirdParty(citizen.cpr, parties)
    tape = Tape(rec.requests_path, addons, target.body_limit, leads)
    dialogs, banner = setup.attach(context, target, rec.out_dir, lambda: tape.step, redactor)
    if target.login_by_hand:
        mask_typed_passwords(context, redactor)
    try:
        capture = Recorder(tape, browser, context, addons, devtools, har)
    except DevToolsError as exc:  # nothing can be recorded: never an audit that did not run
        tape.close()
        rec.errors.append(diagnostics.CAPTURE_NOT_STARTED(error=str(exc)))
        return
    page = context.pages[0] if context.pages else context.new_page()
    if not capture.ready(page):
        rec.notes.append("the initiator set-up was late: the first requests may lack who sent them")
    drive = Drive(
        page,
        citizen,
        scenario,
        tape,
        target,
        rec.out_dir,
        progress,
        redactor,
        addons,
        saved,
        banner,
    )
    try:
        _visited(rec, drive.run())
    finally:
        _finish(context, capture, rec, leave=not tape.failed)
        if tape.failed:  # first, and without what followed from closing the pages
            rec.errors = [diagnostics.RECORDING_STOPPED(error=tape.failed)] + [
                e for e in rec.errors if tape.failed not in e and _CLOSED not in e
            ]
        redactor.learn_userinfo(rec.coverage.model_dump_json())  # links not followed, for files
        rec.notes += addons.collect("note")
        rec.dialogs = dialogs.seen
        if banner:
            rec.consent = banner.outcome()
            rec.notes += banner.errors
            if rec.consent.problem:  # never blamed where the visit failed before the banner
                (rec.notes if rec.errors else rec.errors).append(f"consent: {rec.consent.problem}")
        own = sorted(h for h in tape.hosts if h and registrable_domain(h) in parties.first)
        rec.setup = setup.described(
            target, rec.pages, drive.saved_login, lookups.look_up(own)
        ).model_copy(update=_login_account(drive, target))
        rec.notes += setup.notes(rec.setup)


def _visited(rec: Recording, seen: Visited) -> None:
    """What the visit saw, into the recording: its errors and notes before what follows."""
    rec.pages, rec.steps, rec.coverage = seen.pages, seen.steps, seen.coverage
    rec.traceback = seen.traceback
    rec.errors, rec.notes = seen.errors + rec.errors, seen.notes + rec.notes


def _login_account(drive: Drive, target: Target) -> dict[str, Any]:
    """What the report says of a login by hand and of the saved login used: when, how old."""
    return {
        "login_by_hand": drive.by_hand,
        "login_age": drive.login_age,
        "login_given": target.storage_state if drive.saved_login is not None else None,
    }


_CLOSED = "has been closed"  # what Playwright says of a call the closing of its page ended


def _finish(context: BrowserContext, capture: Recorder, rec: Recording, leave: bool) -> None:
    """Leave the pages (unless the recording was stopped: nothing more would be kept), and
    stop recording."""
    try:
        if leave:
            leave_pages(context, capture.quiet)
    except Error as exc:
        rec.errors.append(f"browser failed while leaving pages: {first_line(exc)}")
    capture.close()
    rec.errors += capture.failures()
