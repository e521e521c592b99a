"""Errors a user can act on: each carries one line that names the problem and the fix."""

import errno
from pathlib import Path

_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}
WRITE_FAILED = " while writing "  # in every line `write_failure` makes


class BadInput(Exception):
    """Input the audit cannot run with (a CPR, a URL, a config, a HAR file). Exit code 2."""


class Inconclusive(Exception):
    """The audit ran but could not prove its result (a page that did not load, a crash)."""


class DiskFull(Exception):
    """A full disk where the reports were to be written: nothing more can be kept. Exit code 2."""


def disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in _DISK_FULL


def write_failure(exc: BaseException, name: str) -> str:
    """A write that failed, as the report and the terminal say it: "disk full while writing
    requests.jsonl" (or the system's own words for another failure)."""
    what = "disk full" if disk_full(exc) else getattr(exc, "strerror", None) or type(exc).__name__
    return f"{what}{WRITE_FAILED}{name}"


def first_line(exc: BaseException) -> str:
    """An exception as one line for a report or a terminal (Playwright's run to many)."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def not_a_file(path: Path) -> str:
    """Why a path given as a file cannot be read as one: "a folder, not a file" or "no such
    file"."""
    return "a folder, not a file" if path.is_dir() else "no such file"


def printable(text: str) -> str:
    """Text from hostile pages or folders, safe for a terminal: control characters escaped."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
