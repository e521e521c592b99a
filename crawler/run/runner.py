"""Run many systems' audits, each in its own process with its own browser.

A process per system means a scenario that hangs, a browser that dies or a Python crash
stays inside that system: the runner kills the process group at the system's time limit,
and reports from whatever it had recorded. Each audit process leaves its result in its
folder (result.json); the runner adds the run's history and writes every report once.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path

from crawler import bundle, crash, diagnostics, terminal
from crawler.analyse.system import analyse_system
from crawler.bundle import Recording
from crawler.config import Audit
from crawler.errors import BadInput
from crawler.history.runs import RunMeta, config_digest
from crawler.model import Audited, Citizen, SystemResult, Target
from crawler.notify.notifier import NOBODY, Notifier
from crawler.proof.signing import Ed25519PrivateKey
from crawler.record.browser import chromium, scratch
from crawler.record.session import redactor_for
from crawler.record.visit.scenarios import ScenarioError, load_scenario
from crawler.report import DEFAULT_REPORT, ReportOptions, Title
from crawler.run import lifetime
from crawler.run.audit import audit_system
from crawler.run.finish import Closing, RunOutcome, finish_run
from crawler.run.shards import in_shard

Progress = Callable[[str], None]
EXIT_CRASHED = 3  # an audit process's exit code after an unexpected error, logged in its folder


@dataclass(frozen=True)
class Job:
    target: Target
    citizen: Citizen
    time_limit: float = 600.0
    browser_endpoint: str | None = None
    run_id: str = ""  # written into the result: a result without it is not this run's


@dataclass
class _Running:
    job: Job
    process: multiprocessing.process.BaseProcess
    deadline: float
    started: float = field(default_factory=time.time)


def _child(job: Job, run_dir: Path, command: str, quiet: bool, runner: int) -> None:
    # own process group: the runner can kill the browser with it, Ctrl-C stays with the runner
    os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    lifetime.bind(runner, job.time_limit)
    folder = run_dir / bundle.slug(job.target.system)
    masked = redactor_for(job.citizen, job.target).text
    sys.stdout = terminal.QuietWhenClosed(sys.stdout)  # progress lines nobody reads any more
    try:
        _audit(job, folder, command, quiet)
    except BadInput as exc:  # e.g. a scenario that cannot be loaded: this system cannot start
        not_started = Recording(job.target, folder, errors=[masked(str(exc))])
        if isinstance(exc, ScenarioError):  # where it failed, for the report
            not_started.traceback = masked(exc.traceback)
        bundle.keep_recording(not_started, job.citizen, masked)
        _hand_back(job, folder, analyse_system(not_started, job.citizen)[0])
    except Exception as exc:  # a bug: logged, never a traceback on the terminal
        crash.write_log(folder, exc, masked)
        sys.exit(EXIT_CRASHED)


def _audit(job: Job, folder: Path, command: str, quiet: bool) -> None:
    if job.browser_endpoint:  # chromium.launch() connects there instead of starting Chromium here
        os.environ[chromium.ENDPOINT_VAR] = job.browser_endpoint
    scenario = load_scenario(job.target.scenario, Path(".")) if job.target.scenario else None
    say = (
        (lambda text: None)
        if quiet
        else (lambda text: print(f"  {job.target.system}: {text}", flush=True))
    )
    result, _ = audit_system(
        job.target, job.citizen, folder, scenario, command=command, progress=say
    )
    _hand_back(job, folder, result)


def _hand_back(job: Job, folder: Path, result: SystemResult) -> None:
    """The result for the runner, marked as this run's."""
    bundle.write_result(result.model_copy(update={"run_id": job.run_id}), folder / bundle.RESULT)


def run_jobs(
    jobs: list[Job], run_dir: Path, workers: int, command: str, quiet: bool, progress: Progress
) -> tuple[list[Audited], bool]:
    """Audit every job, at most `workers` at once; returns results in job order and whether
    the run was interrupted (Ctrl-C or SIGTERM), in which case unfinished systems are
    inconclusive."""
    ctx = multiprocessing.get_context("spawn")
    pending: deque[Job] = deque(jobs)
    running: list[_Running] = []
    done: dict[str, Audited] = {}
    interrupted = False
    try:
        while pending or running:
            while pending and len(running) < workers:
                job = pending.popleft()
                process = ctx.Process(
                    target=_child, args=(job, run_dir, command, quiet, os.getpid()), daemon=False
                )
                process.start()
                progress(f"{job.target.system}: started")
                running.append(_Running(job, process, time.monotonic() + job.time_limit))
            for item in list(running):
                if not item.process.is_alive() or time.monotonic() > item.deadline:
                    reason = (
                        None
                        if not item.process.is_alive()
                        else (diagnostics.TIME_LIMIT(seconds=f"{item.job.time_limit:.0f}"))
                    )
                    _stop(item.process)
                    running.remove(item)
                    done[item.job.target.system] = collect(
                        item.job, run_dir, reason, item.process.exitcode
                    )
                    progress(_line(done[item.job.target.system]))
            if running and (len(running) >= workers or not pending):
                # nothing to start: sleep until a system ends, or the first time limit
                first = min(item.deadline for item in running) - time.monotonic()
                wait([item.process.sentinel for item in running], timeout=max(0.0, first))
    except KeyboardInterrupt as stop:  # Ctrl-C, or SIGTERM (see cli.main)
        interrupted, how = True, str(stop) or "Ctrl-C"
        for item in running:
            _stop(item.process)
            done[item.job.target.system] = collect(
                item.job, run_dir, f"run interrupted ({how}) before this system finished", None
            )
        for job in pending:
            done[job.target.system] = collect(
                job, run_dir, f"run interrupted ({how}) before this system started", None
            )
    finally:  # whatever happened here, no audit process outlives it
        for item in running:
            _stop(item.process)
    return [done[j.target.system] for j in jobs if j.target.system in done], interrupted


def _stop(process: multiprocessing.process.BaseProcess) -> None:
    if process.is_alive() and process.pid is not None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.join(timeout=10)
    if process.pid is not None:  # what a process killed here could not remove itself
        scratch.remove_of(process.pid)


def collect(job: Job, run_dir: Path, reason: str | None, exitcode: int | None) -> Audited:
    """The result its audit process left, if the process finished and the result is this
    run's; otherwise one rebuilt from its recording: inconclusive (or a leak already proven),
    with everything it had recorded."""
    folder = bundle.slug(job.target.system)
    out = run_dir / folder
    if reason is None:
        handed, reason = _handed(job, out / bundle.RESULT, exitcode)
        if handed:
            return Audited(handed, folder)
        if (out / bundle.CRASH).is_file():
            reason += f": an unexpected error, its traceback in {bundle.CRASH}"
    result, _ = analyse_system(_stand_in(job, out, reason), job.citizen)
    return Audited(result.model_copy(update={"run_id": job.run_id}), folder)


def _stand_in(job: Job, out: Path, reason: str) -> Recording:
    """The recording of an audit that handed back no result: the reason alone. Kept for
    `analyse` unless the audit kept its own (its record was complete; analysing failed)."""
    rec = Recording(job.target, out, errors=[reason])
    if not (out / bundle.RECORDING).is_file():
        bundle.keep_recording(rec, job.citizen, redactor_for(job.citizen, job.target).text)
    return rec


def _handed(job: Job, path: Path, exitcode: int | None) -> tuple[SystemResult | None, str]:
    """The result the audit process wrote, or why there is none to trust."""
    if exitcode != 0:
        return None, f"audit process ended without a result ({_ended(exitcode)})"
    try:
        result = bundle.read_result(path)
    except (OSError, ValueError):
        return None, "audit process ended without a readable result"
    if result.run_id != job.run_id:
        return None, "the result in the system's folder is not this run's"
    return result, ""


def _ended(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


def _line(item: Audited) -> str:
    result, _ = item
    return (
        f"{result.system}: {result.verdict} "
        f"({len(result.findings)} finding(s), {result.requests} requests)"
    )


@dataclass(frozen=True)
class RunOptions:
    """What a scheduled or scaled-out run adds: where its history goes, which shard of the
    systems it audits, and a remote browser server."""

    history: Path | None = None
    shard: tuple[int, int] | None = None
    browser_endpoint: str | None = None
    notes: tuple[str, ...] = ()  # for every report, e.g. about the remote browser
    sign_key: Ed25519PrivateKey | None = None  # signs the run folder's manifest
    report: ReportOptions = DEFAULT_REPORT  # the reports' language, and PDFs
    notify: Notifier = NOBODY  # audit.toml's notify, told when something needs a person
    fail_on: tuple[str, ...] = ("any",)  # what fails the run, for junit.xml


def run_audit(
    audit: Audit,
    run_dir: Path,
    systems: list[str],
    workers: int,
    command: str,
    quiet: bool,
    progress: Progress,
    options: RunOptions = RunOptions(),
) -> RunOutcome:
    """Audit the configured systems (all, or those named, or a shard's), record the run in the
    history, write the run's index files, and seal the folder with its manifest."""
    started = time.time()
    chosen = audit.chosen(systems)
    if options.shard:
        chosen = [(s, t) for s, t in chosen if in_shard(s.name, *options.shard)]
    run_id = uuid.uuid4().hex
    jobs = [  # each consent state in a browser of its own
        Job(target, audit.citizen_for(s), s.time_limit, options.browser_endpoint, run_id)
        for s, target in chosen
    ]
    for job in jobs:  # a folder of its own for each system, in this run only
        bundle.new_system_folder(run_dir, job.target.system)
    results, interrupted = run_jobs(jobs, run_dir, workers, command, quiet, progress)
    meta = RunMeta(
        id=run_id,
        started=started,
        finished=time.time(),
        command=command,
        config_digest=config_digest(
            audit.path,
            [audit.base / s.scenario.partition(":")[0] for s in audit.config.systems if s.scenario],
        ),
        shard="/".join(map(str, options.shard)) if options.shard else None,
    )
    closing = Closing(
        title=Title("run", audit.path.name, meta.shard),
        command=command,
        started=started,
        report=options.report,
        fail_on=options.fail_on,
        accepted=audit.config.accepted,
        history=options.history,
        meta=meta,
        catalogue=audit.catalogue,
        notes=options.notes,
        sign_key=options.sign_key,
        incomplete=interrupted,
        notify=options.notify,
    )
    return finish_run(results, run_dir, closing)
