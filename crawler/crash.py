"""Unexpected errors: never a traceback on the terminal and never exit code 1 (which means
"leak"). The user gets one line; the traceback, with every known secret masked, goes to
`crash.log` in the folder the error concerns, for a bug report.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from crawler import bundle
from crawler.errors import BadInput, DiskFull, disk_full, first_line, write_failure

Redact = Callable[[str], str]


class Crashed(Exception):
    """An unexpected error whose traceback is already logged; str() is its one line."""


def describe(exc: BaseException, redact: Redact = str) -> str:
    """The error as one line: its type and first line, secrets masked."""
    return redact(f"{type(exc).__name__}: {first_line(exc)}")


def write_log(folder: Path, exc: BaseException, redact: Redact = str) -> Path | None:
    """The redacted traceback in `folder`, or beside it once the folder is sealed (a file added
    to it would make `verify` fail); None when even that cannot be written (a full disk)."""
    path = folder / bundle.CRASH
    if (folder / bundle.MANIFEST).is_file():
        path = folder.with_name(f"{folder.name}.{bundle.CRASH}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        text = "".join(traceback.format_exception(exc))
        path.write_text(redact(text), encoding="utf-8")
    except OSError:
        with suppress(OSError):
            path.unlink(missing_ok=True)  # an empty log would be taken for one
        return None
    return path


@contextmanager
def logged(folder: Path, redact: Redact = str) -> Iterator[None]:
    """Within: an unexpected error is logged in `folder` and raised again as `Crashed`; a full
    disk is `DiskFull`. Errors the user can act on (BadInput) and Ctrl-C pass unchanged."""
    try:
        yield
    except (BadInput, Crashed):
        raise
    except Exception as exc:
        if isinstance(exc, OSError) and disk_full(exc):  # no log could be written there either
            where = write_failure(exc, str(exc.filename or folder))
            raise DiskFull(
                f"{where}: the report could not be written; free space there, or choose "
                "another --out, and run again"
            ) from None
        log = write_log(folder, exc, redact)
        where = f"the traceback is in {log}" if log else "no traceback could be written"
        raise Crashed(f"unexpected {describe(exc, redact)} ({where}); please report it") from None
