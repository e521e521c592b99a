"""The command line: one parser with a subcommand per module, and one way every command
ends (its exit code, or one line on stderr)."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

from crawler import __version__, cli  # the package's docstring is --help's description
from crawler.analyse.verdict import EXIT_INCONCLUSIVE
from crawler.cli import (
    adhoc,
    analyse,
    codegen,
    demo,
    diff,
    history,
    login,
    merge,
    run,
    scan_har,
    setup,
    verify,
)
from crawler.crash import Crashed, describe
from crawler.errors import BadInput, DiskFull
from crawler.terminal import quiet_when_closed

COMMANDS = (
    adhoc,
    scan_har,
    run,
    demo,
    analyse,
    history,
    merge,
    verify,
    diff,
    login,
    codegen,
    setup,
)  # one module per subcommand, in --help's order


class _Parser(argparse.ArgumentParser):
    """A usage error is one line that names the fix, like every other error (exit 2)."""

    def error(self, message: str) -> NoReturn:
        raise BadInput(f"{message}; see `{self.prog} --help`")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="cpraudit",
        description=cli.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"cpraudit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    with _sigterm_interrupts(), quiet_when_closed():
        try:
            args = build_parser().parse_args(argv)
            return args.func(args)
        except (BadInput, DiskFull) as exc:
            print(f"error: {exc}", file=sys.stderr)
        except KeyboardInterrupt:
            print("interrupted: results are incomplete", file=sys.stderr)
        except Crashed as exc:  # logged in the run folder
            print(f"error: {exc}", file=sys.stderr)
        except Exception as exc:  # before any folder existed; never a traceback, never exit 1
            print(f"error: unexpected {describe(exc)}; please report it", file=sys.stderr)
        return EXIT_INCONCLUSIVE


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM (from `timeout`, systemd or a CI job) stops a command as Ctrl-C does: what was
    audited is reported, marked incomplete, and the exit code is 2."""

    def interrupt(signum: int, frame: object) -> NoReturn:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread (cpraudit embedded): leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
