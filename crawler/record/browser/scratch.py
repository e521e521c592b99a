"""A private temporary folder for everything an audit's browser writes that is not evidence yet.

Playwright's browser profile (the session's cookies), the parts of its HAR and trace, and
Chromium's NetLog (every header sent, cookies included) are written unredacted. They all go to
one folder per audit process, private (0700) in the system's temporary directory: TMPDIR points
there while the browser runs, so Playwright's driver and Python's tempfile use it. Chromium itself
keeps the temporary directory it had, where its own files hold no secret: the path of its socket
there may not grow. The folder is removed however the audit ends: by the audit itself (Ctrl-C
and SIGTERM included), by the runner when it stops an audit process (`remove_of`: a time limit
or an interrupted run kill the process outright), and, for a process killed together with its
runner, by the next audit.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from crawler.errors import BadInput

PREFIX = "cpraudit-audit-"  # then the audit process's id
# Chromium's socket is TMPDIR/.org.chromium.Chromium.XXXXXX/SingletonSocket, and a socket's path
# has at most 107 bytes: TMPDIR may have 61
LONGEST_TEMP = 107 - len("/.org.chromium.Chromium.XXXXXX/SingletonSocket")
SHORT_TEMP = "/tmp"  # the system's own temporary directory, short everywhere


@dataclass(frozen=True)
class Temp:
    folder: Path
    outer: str | None  # TMPDIR as it was

    def browser_env(self, env: Mapping[str, str | float | bool] | None = None) -> dict:
        """`env` (else this process's) for Chromium, with its TMPDIR as it was: a socket's
        path there may not exceed 108 bytes, and this folder would lengthen it. A TMPDIR that
        is itself too long for that gives way to the system's own."""
        changed = {k: v for k, v in (env or os.environ).items() if k != "TMPDIR"}
        return changed | ({"TMPDIR": chromium_temp(self.outer)} if self.outer is not None else {})


def chromium_temp(given: str) -> str:
    """Where Chromium may keep its socket: `given`, unless the socket's path there would be too
    long (then SHORT_TEMP; a clear error if that cannot be written either)."""
    if len(os.fsencode(given)) <= LONGEST_TEMP:
        return given
    if os.path.isdir(SHORT_TEMP) and os.access(SHORT_TEMP, os.W_OK | os.X_OK):
        return SHORT_TEMP
    raise BadInput(
        f"TMPDIR is {len(given)} characters long, too long for Chromium's socket in it (at most "
        f"{LONGEST_TEMP}), and {SHORT_TEMP} cannot be written: set TMPDIR to a shorter folder"
    )


@contextmanager
def private_temp() -> Iterator[Temp]:
    """Within: a new private folder is the temporary directory of this process and of the
    processes it starts; removed afterwards."""
    sweep()
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
    before = os.environ.get("TMPDIR"), tempfile.tempdir
    os.environ["TMPDIR"] = tempfile.tempdir = str(folder)
    try:
        yield Temp(folder, before[0])
    finally:
        if before[0] is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = before[0]
        tempfile.tempdir = before[1]
        shutil.rmtree(folder, ignore_errors=True)


def remove_of(pid: int) -> None:
    """The folder of an audit process that was stopped before it could remove it. Its browser
    outlives it (Playwright starts Chromium in a process group of its own, which ends once its
    driver is gone, writing to its profile as it does): stopped first, or it would write again
    into the folder just removed."""
    for folder in Path(tempfile.gettempdir()).glob(f"{PREFIX}{pid}-*"):
        _stop_processes_using(folder)
        shutil.rmtree(folder, ignore_errors=True)


def _stop_processes_using(folder: Path, seconds: float = 5) -> None:
    """Kill every process whose command line names `folder` (a browser's profile in it), and
    wait until they are gone. Where /proc does not exist, nothing."""
    mark = str(folder).encode()
    using = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if mark in (entry / "cmdline").read_bytes():
                os.kill(int(entry.name), signal.SIGKILL)
                using.append(entry)
        except (OSError, ValueError):
            pass  # gone already, or not ours
    deadline = time.monotonic() + seconds
    while any(p.exists() and _alive(p) for p in using) and time.monotonic() < deadline:
        time.sleep(0.05)


def _alive(process: Path) -> bool:
    """Not yet reaped but dead (a zombie) counts as gone: it writes nothing."""
    try:
        return (process / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def sweep() -> None:
    """The folders of audit processes that no longer run (killed with their runner)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        try:
            os.kill(int(folder.name.removeprefix(PREFIX).split("-")[0]), 0)
        except ProcessLookupError:
            _stop_processes_using(folder)  # its browser, if it outlived it
            shutil.rmtree(folder, ignore_errors=True)
        except (ValueError, PermissionError):
            pass  # not ours, or another user's process: theirs to remove
