"""`cpraudit scan-har FILE --cpr CPR`: a browser's HAR export through the same analysis and
report."""

from __future__ import annotations

import argparse
import hashlib
import shlex
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import SecretStr

from crawler import bundle, diagnostics
from crawler.analyse.system import analyse_system
from crawler.bundle import Recording
from crawler.cli.common import (
    add_report_options,
    add_sign_option,
    checked_cpr,
    report,
    report_options,
    signing_key,
)
from crawler.crash import logged
from crawler.errors import BadInput
from crawler.importers.har import HarImport, read_har
from crawler.importers.har_secrets import first_party_cookies, typed_secrets
from crawler.model import Audited, Citizen, SourceFile, Target
from crawler.parties import registrable_domain
from crawler.record.addons import redaction
from crawler.record.addons.redaction import Redactor
from crawler.report import Title
from crawler.run.finish import Closing


def register(sub: argparse._SubParsersAction) -> None:
    scan = sub.add_parser(
        "scan-har", help="search a HAR file (DevTools or Playwright export) for the CPR"
    )
    scan.add_argument("file", help="the .har file (or a Playwright .zip HAR)")
    scan.add_argument(
        "--cpr", required=True, help="the CPR number to look for (DDMMYYSSSS or DDMMYY-SSSS)"
    )
    scan.add_argument(
        "--first-party",
        action="append",
        default=[],
        metavar="DOMAIN",
        help="a domain of the audited system (repeatable); "
        "default: that of the first page in the HAR",
    )
    scan.add_argument(
        "--secret",
        action="append",
        default=[],
        metavar="VALUE",
        help="a value to mask in every output, in every form the detector knows (repeatable); "
        "password-like form fields, Authorization and session headers and the first party's "
        "cookies are masked without it",
    )
    scan.add_argument(
        "--secret-file",
        metavar="FILE",
        help="values to mask as --secret does, one per line: kept out of the process list and "
        "the shell's history",
    )
    scan.add_argument(
        "--copy-har",
        action="store_true",
        help=f"also copy the HAR, as it is, into the system's folder ({bundle.HAR_INPUT}.har or "
        ".zip), sealed with the rest; its secrets stay in the copy, which is what its SHA-256 "
        "proves",
    )
    scan.add_argument("--out", help="output folder (default reports/<time>-har)")
    add_report_options(scan)
    add_sign_option(scan)
    scan.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    started = time.time()
    secrets = {f"--secret {n}": SecretStr(v) for n, v in enumerate(args.secret, 1)}
    secrets |= {f"--secret-file {n}": v for n, v in enumerate(_secret_file(args.secret_file), 1)}
    citizen = Citizen(cpr=checked_cpr(args.cpr), credentials=secrets)
    key = signing_key(args)
    options = report_options(args)
    path = Path(args.file)
    source = _source(path)
    har = read_har(path)
    pages = _pages(har, path)
    first = args.first_party or [registrable_domain(urlsplit(pages[0]).hostname or "")]
    redactor = _redactor(har, path, citizen, set(first))
    target = Target(
        system=path.name, start_url=redactor.text(pages[0]), first_party=tuple(first), crawl=None
    )
    run_dir = bundle.new_run_folder(args.out, "har")
    with logged(run_dir, redactor.text):
        folder = run_dir / bundle.slug(target.system)
        if args.copy_har:
            source = _copied(path, folder, source)
        recording = _recording(har, source, pages, target, folder, redactor)
        bundle.keep_recording(recording, citizen, redactor.text)
        command = redactor.text(shlex.join(sys.argv))
        result, _ = analyse_system(recording, citizen, command=command)
        closing = Closing(
            title=Title("har", path.name),
            command=result.command,
            started=started,
            report=options,
            sign_key=key,
        )
        code = report([Audited(result, folder.name)], run_dir, closing)
    if result.verdict == "inconclusive":
        print(f"inconclusive: {_reason(result.errors)}", file=sys.stderr)
    return code


def _secret_file(name: str | None) -> list[SecretStr]:
    """The values of --secret-file, one a line (blank lines and surrounding spaces aside)."""
    if name is None:
        return []
    try:
        lines = Path(name).read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise BadInput(
            f"--secret-file {name} cannot be read ({reason}): give a text file of the values to "
            "mask, one a line"
        ) from None
    return [SecretStr(line.strip()) for line in lines if line.strip()]


def _source(path: Path) -> SourceFile:
    """The file as it is read: its SHA-256 proves which export was searched."""
    try:
        with path.open("rb") as file:
            digest = hashlib.file_digest(file, "sha256").hexdigest()
    except OSError:
        return SourceFile(name=str(path), sha256="", size=0)  # read_har says why, in one line
    return SourceFile(name=str(path), sha256=digest, size=path.stat().st_size)


def _copied(path: Path, folder: Path, source: SourceFile) -> SourceFile:
    """The HAR copied as it is (secrets included: a redacted copy would not match its SHA-256)."""
    name = bundle.har_input(path)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, folder / name)
    return source.model_copy(update={"copied_as": name})


def _pages(har: HarImport, path: Path) -> list[str]:
    """The documents the HAR shows loaded (a redirect's hop is not one); its requests when it
    holds no document; BadInput when it holds no request at all."""
    documents = [
        e.url
        for e in har.exchanges
        if e.resource_type == "document" and not 300 <= (e.status or 0) < 400
    ]
    pages = list(dict.fromkeys(documents)) or [e.url for e in har.exchanges]
    if not pages:
        why = f" ({har.problems[0]})" if har.problems else ""
        raise BadInput(
            f"{path}: the HAR holds no request that could be read{why}; "
            "export it again with the Network tab open"
        )
    return pages


def _redactor(har: HarImport, path: Path, citizen: Citizen, first: set[str]) -> Redactor:
    """An audit's redaction, with what the HAR itself says is secret: the --secret values,
    password-like fields, the first party's cookies, and (learned as every exchange is read
    once) Authorization and session headers."""
    redactor = redaction.for_citizen(citizen, first)
    redactor.learn(typed_secrets(har.exchanges), minimum=redaction.MIN_TYPED)
    redactor.learn(first_party_cookies(path, first))
    for exchange in har.exchanges:
        redactor.exchange(exchange)
    return redactor


def _reason(errors: tuple[str, ...], shown: int = 3) -> str:
    """Why a scan is inconclusive, in one line: the first reasons, and how many more."""
    more = f"; and {len(errors) - shown} more in the report" if len(errors) > shown else ""
    return "; ".join(errors[:shown]) + more


def _unread(har: HarImport) -> list[str]:
    """What of the file could not be read, each part named: the verdict cannot be clean."""
    counts = {"unread": har.unreadable, "entries": har.entries, "parts": har.dropped}
    if har.unreadable and har.dropped:
        said = diagnostics.HAR_BOTH_UNREAD(**counts)
    elif har.unreadable:
        said = diagnostics.HAR_ENTRIES_UNREAD(**counts)
    elif har.dropped:
        said = diagnostics.HAR_PARTS_LEFT_OUT(**counts)
    else:
        return []
    return [said, *har.problems]


def _recording(
    har: HarImport,
    source: SourceFile,
    pages: list[str],
    target: Target,
    folder: Path,
    redactor: Redactor,
) -> Recording:
    """The HAR's exchanges written as a record, redacted, with what could not be read as
    errors; dated by the HAR's own times."""
    bundle.write_exchanges(map(redactor.exchange, har.exchanges), folder / bundle.REQUESTS)
    times = [e.time for e in har.exchanges if e.time > 0]
    imported = f"imported from {source.name} (SHA-256 {source.sha256})"
    notes = [f"{imported}, written by {har.creator or 'an unknown tool'}", *har.notes]
    return Recording(
        target,
        folder,
        errors=redactor.texts(_unread(har)),
        pages=redactor.texts(pages),
        notes=redactor.texts(notes),
        started=min(times, default=0.0),
        finished=max(times, default=0.0),
        imported_from=source,
    )
