"""`cpraudit scan-har FILE --cpr CPR`: a browser's HAR export through the same analysis and
report."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from crawler import bundle
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
from crawler.model import Audited, Citizen, Target
from crawler.parties import registrable_domain
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
    scan.add_argument("--out", help="output folder (default reports/<time>-har)")
    add_report_options(scan)
    add_sign_option(scan)
    scan.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    started = time.time()
    citizen = Citizen(cpr=checked_cpr(args.cpr))
    key = signing_key(args)
    options = report_options(args)
    har = read_har(Path(args.file))
    documents = [e.url for e in har.exchanges if e.resource_type == "document"] or [
        e.url for e in har.exchanges
    ]
    if not documents:
        why = f" ({har.problems[0]})" if har.problems else ""
        raise BadInput(
            f"{args.file}: the HAR holds no request that could be read{why}; "
            "export it again with the Network tab open"
        )
    first = args.first_party or [registrable_domain(urlsplit(documents[0]).hostname or "")]
    target = Target(
        system=Path(args.file).name, start_url=documents[0], first_party=tuple(first), crawl=None
    )
    run_dir = bundle.new_run_folder(args.out, "har")
    with logged(run_dir):
        folder = bundle.slug(target.system)
        recording = _recording(args.file, har, target, run_dir / folder)
        bundle.keep_recording(recording, citizen, str)
        result, _ = analyse_system(recording, citizen, command=shlex.join(sys.argv))
        closing = Closing(
            title=Title("har", Path(args.file).name),
            command=result.command,
            started=started,
            report=options,
            sign_key=key,
        )
        return report([Audited(result, folder)], run_dir, closing)


def _recording(file: str, har: HarImport, target: Target, folder: Path) -> Recording:
    """The HAR's exchanges written as a record, with what could not be read as errors."""
    bundle.write_exchanges(har.exchanges, folder / bundle.REQUESTS)
    errors = list(har.problems)
    if har.unreadable:
        errors.insert(
            0, f"{har.unreadable} HAR entries could not be read, so the file was not fully searched"
        )
    notes = [f"imported from {file}, written by {har.creator or 'an unknown tool'}", *har.notes]
    return Recording(target, folder, errors=errors, pages=list(har.pages), notes=notes)
