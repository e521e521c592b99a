"""The evidence bundle: what a run folder and each system's folder in it hold, by name.

Every other module asks here for a file's name and for the record's reading and writing,
so that a folder written by one version of cpraudit can be found and read by the next.

    <run>/                       index.html summary.json junit.xml run.json crash.log (index.pdf)
                                 manifest.json manifest.sig (written last)
    <run>/<system>/              requests.jsonl recording.json findings.json report.html
                                 (report.pdf)
                                 wire.jsonl bodies/body-NNNNNN.bin
                                 network.har trace.zip step-NN.png failure.png error.txt
                                 login-failed.png session-lost-NN.png pages/page-NN.html.txt
                                 crash.log
                                 consent-NN.png input.har (scan-har --copy-har)
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, get_args

from pydantic import TypeAdapter, ValidationError

from crawler import __version__, diagnostics
from crawler.errors import BadInput, first_line, write_failure
from crawler.model import (
    Audited,
    AuditSetup,
    BrowserInfo,
    Citizen,
    Consent,
    Coverage,
    Dialog,
    Exchange,
    Language,
    SourceFile,
    SystemResult,
    Target,
    WitnessSummary,
)

Copy = Callable[[IO[bytes], IO[bytes]], None]  # copies one stream into another, e.g. redacting

# A system's folder
REQUESTS = "requests.jsonl"  # every recorded exchange, one JSON object a line
RECORDING = "recording.json"  # the rest the record stage saw (pages, steps, coverage, ...)
FINDINGS = "findings.json"  # the result: the contract others read
RESULT = "result.json"  # an audit process's result, until its run has written findings.json
REPORT = "report.html"
REPORT_PDF = "report.pdf"  # the same, printed, with --pdf
HAR = "network.har"
TRACE = "trace.zip"
ERROR = "error.txt"  # the traceback of a scenario that failed
CRASH = "crash.log"  # the traceback of an unexpected error, in a system's or a run's folder
FAILURE = "failure.png"  # the page when the scenario failed
LOGIN_FAILED = "login-failed.png"  # the page when logged_in did not hold after the scenario
PAGES = "pages"  # HTML of pages whose URL carries the CPR, as text
WIRE = "wire.jsonl"  # what the network witness saw leave the browser, redacted like the record
BODIES = "bodies"  # bodies above the size limit, one file each, referenced from the record
HAR_INPUT = "input"  # scan-har --copy-har: the HAR searched, as it was (input.har or input.zip)

# A run's folder
INDEX = "index.html"
INDEX_PDF = "index.pdf"
SUMMARY = "summary.json"
JUNIT = "junit.xml"
RUN = "run.json"
MANIFEST = "manifest.json"  # SHA-256 of every other file of the folder: written last
SIGNATURE = "manifest.sig"  # optional: Ed25519 signature of manifest.json's exact bytes

# A comparison's folder (`cpraudit diff`)
DIFF = "diff.html"


def slug(name: str) -> str:
    """A folder name for a system: letters kept (Danish too), the rest dashes."""
    return re.sub(r"[^\w]+", "-", name, flags=re.UNICODE).strip("-").lower() or "system"


def step_screenshot(number: int) -> str:
    return f"step-{number:02d}.png"


def session_screenshot(number: int) -> str:
    """The page on which the crawl found the session lost, the number-th time."""
    return f"session-lost-{number:02d}.png"


def consent_screenshot(number: int) -> str:
    """The page with a consent banner, before the click, the number-th banner met."""
    return f"consent-{number:02d}.png"


def body_file(seq: int) -> str:
    """Where the record's exchange `seq` keeps a body too large to be held in its line."""
    return f"{BODIES}/body-{seq:06d}.bin"


def har_input(har: Path) -> str:
    """The name of a scanned HAR's copy (a Playwright HAR can be a zip with its files)."""
    return f"{HAR_INPUT}{'.zip' if zipfile.is_zipfile(har) else '.har'}"


def page_source(number: int) -> str:
    """Saved as .txt: opening it must never run the site's scripts."""
    return f"{PAGES}/page-{number:02d}.html.txt"


def stamp(when: datetime | None = None) -> str:
    """The time part of a run folder's name, in UTC."""
    return (when or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


def new_run_folder(
    out: str | Path | None,
    kind: str,
    parent: Path = Path("reports"),
    empty: bool = True,
    option: str = "--out",
) -> Path:
    """`out` (new or empty unless `empty` is False: a run never writes into another run's
    folder), else a new parent/<UTC time>-<kind>/ (made exclusively: two runs started in the
    same second get -2, -3, ...); fails early if it cannot be written. Errors name `out` as
    the user gave it, with its `option`."""
    if empty and out and Path(out).is_dir() and (held := next(Path(out).iterdir(), None)):
        raise BadInput(
            f"{option} {out} is not empty (it holds {held.name}); give a new or empty folder, "
            "so that no earlier result is taken for this run's or overwritten"
        )
    try:
        path = Path(out) if out else _exclusive(parent, f"{stamp()}-{kind}")
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        where = out or parent
        raise BadInput(
            f"cannot write reports to {where}: {exc.strerror}; choose a writable folder with "
            f"{option}"
        ) from None
    return path


def new_system_folder(run_dir: Path, system: str) -> Path:
    """A system's folder in its run, made exclusively: never shared with another system."""
    path = run_dir / slug(system)
    try:
        path.mkdir()
    except FileExistsError:
        raise BadInput(
            f"{path} already exists: another system or run writes there; give each system a "
            "name of its own and each run a new --out folder"
        ) from None
    return path


def _exclusive(parent: Path, name: str) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    for n in range(1, 1000):
        path = parent / (name if n == 1 else f"{name}-{n}")
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
    raise FileExistsError(f"{parent / name}: 999 run folders of this second already exist")


@dataclass
class Recording:
    """What the record stage leaves for analysis, filled in as the audit goes: the record
    (requests.jsonl in `out_dir`), the pages and steps, and what went wrong."""

    target: Target
    out_dir: Path
    pages: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    steps: list[tuple[str, str]] = field(default_factory=list)  # (step, screenshot file)
    browser: BrowserInfo = field(default_factory=BrowserInfo)
    coverage: Coverage = field(default_factory=Coverage)
    witness: WitnessSummary | None = None  # None: no browser of ours (pytest-playwright's)
    started: float = 0.0
    finished: float = 0.0
    setup: AuditSetup = field(default_factory=AuditSetup)
    dialogs: list[Dialog] = field(default_factory=list)
    consent: Consent | None = None
    traceback: str | None = None  # the scenario's, redacted
    imported_from: SourceFile | None = None  # the file the record was imported from (scan-har)

    @property
    def requests_path(self) -> Path:
        return self.out_dir / REQUESTS

    @property
    def wire_path(self) -> Path:
        return self.out_dir / WIRE


RECORDING_FORMAT = 1
_RECORDING = TypeAdapter(Recording)


def keep_recording(rec: Recording, citizen: Citizen, mask: Callable[[str], str]) -> None:
    """recording.json beside the record; if it cannot be written the evidence still holds,
    only `cpraudit analyse` cannot read the system again, and the report says so."""
    try:
        write_recording(rec, citizen, mask)
    except OSError as exc:
        rec.notes.append(diagnostics.RECORDING_UNWRITTEN(error=exc.strerror or first_line(exc)))


def write_recording(rec: Recording, citizen: Citizen, mask: Callable[[str], str]) -> None:
    """What the record stage saw, beside the record, for analysing it again later: the citizen
    searched for (identifiers only: credentials are never written), the system as audited, and
    the pages, steps, coverage, set-up, dialogs, consent and errors; every secret `mask`ed."""
    data = {
        "format": RECORDING_FORMAT,
        "recorded_by": __version__,
        "citizen": citizen.model_dump(mode="json"),
        "recording": _RECORDING.dump_python(rec, mode="json", exclude={"out_dir"}),
    }
    text = mask(json.dumps(data, indent=2, ensure_ascii=False))
    (rec.out_dir / RECORDING).write_text(text + "\n", encoding="utf-8")


def read_recording(folder: Path) -> tuple[Recording, Citizen, str]:
    """A system folder's recording (its `out_dir` that folder), its citizen, and the version of
    cpraudit that recorded it."""
    path = folder / RECORDING
    try:
        data = json.loads(path.read_text("utf-8"))
        if data.get("format") != RECORDING_FORMAT:
            raise ValueError(f"format {data.get('format')!r}, not {RECORDING_FORMAT}")
        rec = _RECORDING.validate_python({**data["recording"], "out_dir": folder})
        return rec, Citizen.model_validate(data["citizen"]), str(data.get("recorded_by", ""))
    except FileNotFoundError:
        raise BadInput(
            f"{folder}: no {RECORDING}, so it cannot be analysed again (it is not a system "
            "folder, or cpraudit recorded it before it kept one); give a system or run folder "
            "with one, or audit the system anew"
        ) from None
    except (OSError, ValueError, ValidationError, KeyError, TypeError, AttributeError) as exc:
        raise BadInput(
            f"{path}: not a recording cpraudit can read ({first_line(exc)}); give a system "
            "folder of a run, as cpraudit wrote it"
        ) from None


# -- the record ---------------------------------------------------------------------------
class ExchangeWriter:
    """Appends exchanges to requests.jsonl, each line written whole as it comes: a crash
    mid-audit loses nothing already seen.

    A write that fails (a full disk) never raises, since the recorder writes from inside the
    browser's event handlers: the first is remembered in `failed`, the record is cut back to its
    last whole line, so that all of it stays readable, and every later write is refused
    quietly. Whoever writes through it stops there (the tape stops the recording)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.error: OSError | None = None
        self.failed: str | None = None  # "disk full while writing requests.jsonl"
        self._file = path.open("wb", buffering=0)
        self._whole = 0  # bytes of the lines written whole

    def write(self, exchange: Exchange) -> None:
        if self.error:
            return
        line = (exchange.model_dump_json() + "\n").encode("utf-8")
        try:
            done = 0
            while done < len(line):  # a raw write may stop short of the end, then fail
                done += self._file.write(memoryview(line)[done:]) or 0
        except OSError as exc:
            self._fail(exc, self.path.name)
            try:
                os.ftruncate(self._file.fileno(), self._whole)
            except OSError:
                pass
            return
        self._whole += len(line)

    def write_body(self, exchange: Exchange, body: bytes, copy: Copy | None = None) -> Exchange:
        """Keep `body` in a file of its own beside the record (through `copy`, e.g. redacting
        it a window at a time); the exchange, referring to it, for `write`."""
        name = body_file(exchange.seq)
        path = self.path.parent / name
        if self.error:
            return exchange
        try:
            path.parent.mkdir(exist_ok=True)
            with path.open("wb") as out:
                (copy or shutil.copyfileobj)(io.BytesIO(body), out)
        except OSError as exc:
            self._fail(exc, name)
            path.unlink(missing_ok=True)  # a part of a body would be taken for all of it
            return exchange
        return exchange.model_copy(update={"body": None, "body_file": name, "body_size": len(body)})

    def close(self) -> None:
        self._file.close()

    def _fail(self, exc: OSError, name: str) -> None:
        self.error, self.failed = exc, write_failure(exc, name)


def body_windows(path: Path, size: int, overlap: int) -> Iterator[bytes]:
    """A kept body, read back `size` bytes at a time, each window beginning `overlap` bytes
    before the last one ended: what spans a window's edge is whole in the next."""
    with path.open("rb") as body:
        window = body.read(size)
        yield window
        while len(window) == size and (more := body.read(size - overlap)):
            window = window[-overlap:] + more
            yield window


def write_exchanges(exchanges: Iterable[Exchange], path: Path) -> None:
    """All of `exchanges` in `path`, or the OSError of the write that failed."""
    writer = ExchangeWriter(path)
    try:
        for exchange in exchanges:
            writer.write(exchange)
    finally:
        writer.close()
    if writer.error:
        raise writer.error


def read_exchanges(path: Path) -> tuple[list[Exchange], int]:
    """Exchanges recorded in `path`, and how many lines could not be read (a crash can cut the
    last)."""
    if not path.is_file():
        raise BadInput(f"{path}: no such recording; give the {REQUESTS} of an audit")
    exchanges, unreadable = [], 0
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            try:
                exchanges.append(Exchange.model_validate_json(line))
            except ValueError:
                unreadable += 1
    return exchanges, unreadable


def rewrite_exchanges(
    path: Path, change: Callable[[Exchange], Exchange], unreadable: Callable[[str], str]
) -> None:
    """Every exchange of a record through `change`, in place; a line that cannot be read (a
    crash can cut the last) through `unreadable`, so that it is still counted."""
    changed = path.with_name(path.name + ".tmp")
    try:
        with path.open(encoding="utf-8") as lines, changed.open("w", encoding="utf-8") as out:
            for line in lines:
                try:
                    exchange = Exchange.model_validate_json(line)
                except ValueError:
                    out.write(unreadable(line))
                    continue
                out.write(change(exchange).model_dump_json() + "\n")
    except BaseException:  # e.g. a full disk: the record stays as it was
        changed.unlink(missing_ok=True)
        raise
    changed.replace(path)


# -- results ------------------------------------------------------------------------------
def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


def write_result(result: SystemResult, path: Path) -> None:
    write_json(path, result.model_dump(mode="json"))


def read_result(path: Path) -> SystemResult:
    return SystemResult.model_validate_json(path.read_text("utf-8"))


def run_language(folder: Path) -> Language:
    """The language a run folder's reports were written in (English when it does not say)."""
    try:
        lang = json.loads((folder / SUMMARY).read_text("utf-8")).get("lang")
    except (OSError, ValueError, AttributeError):
        return "en"
    return lang if lang in get_args(Language) else "en"


def read_run(folder: Path) -> tuple[list[Audited], bool]:
    """The audited systems of a run folder, as its summary.json lists them, and whether the
    run was incomplete (interrupted). Each system's folder must be a plain name inside it."""
    try:
        summary = json.loads((folder / SUMMARY).read_text("utf-8"))
        listed = [(s["verdict"], s["report"].rsplit("/", 1)[0]) for s in summary["systems"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise BadInput(
            f"{folder}: no readable {SUMMARY} ({exc!r}); give the output folder of a cpraudit run"
        ) from None
    results = []
    for verdict, sub in listed:
        if verdict == "not-audited":
            continue
        if sub in ("", ".", "..") or "/" in sub or "\\" in sub:
            raise BadInput(f"{folder / SUMMARY}: {sub!r} is not a system folder of this run")
        try:
            results.append(Audited(read_result(folder / sub / FINDINGS), sub))
        except (OSError, ValueError) as exc:
            raise BadInput(
                f"{folder / sub}: no readable {FINDINGS} ({first_line(exc)}); "
                "the run folder is damaged"
            ) from None
    return results, bool(summary.get("incomplete"))
