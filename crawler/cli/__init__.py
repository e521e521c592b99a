"""`cpraudit`: record a portal's traffic as a synthetic citizen and report CPR leaks.

Exit codes: 0 every audited system clean; 1 a leak was found; 2 inconclusive or error.
"""

from __future__ import annotations

import argparse
import sys

from crawler import __version__
from crawler.analyse.verdict import EXIT_INCONCLUSIVE
from crawler.cli import adhoc, demo, diff, history, merge, run, scan_har, verify
from crawler.errors import BadInput

COMMANDS = (
    adhoc,
    scan_har,
    run,
    demo,
    history,
    merge,
    verify,
    diff,
)  # one module per subcommand, in --help's order


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cpraudit", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"cpraudit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BadInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INCONCLUSIVE
    except KeyboardInterrupt:
        print("interrupted: results are incomplete", file=sys.stderr)
        return EXIT_INCONCLUSIVE
