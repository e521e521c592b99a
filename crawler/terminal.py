"""Standard output that a reader who stopped reading cannot break.

`cpraudit history | head -1` closes the pipe after one line; every later write then fails
with a broken pipe. That must not turn a leak's exit code 1 into a crash's 2, crash a sealed
run folder's last step, or make an audit process fail on its progress line: output ends
quietly, and the command goes on to its own exit code.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO


class QuietWhenClosed:
    """Wraps a text stream: once its reader has gone, writes are dropped. Its file descriptor
    is pointed at /dev/null then, so that what is still buffered can be flushed at exit."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.reader_gone = False

    def write(self, text: str) -> int:
        if not self.reader_gone:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._gone()
        return len(text)

    def flush(self) -> None:
        if not self.reader_gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._gone()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def _gone(self) -> None:
        self.reader_gone = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError):  # no descriptor (a test's captured stream)
            pass


@contextmanager
def quiet_when_closed() -> Iterator[None]:
    """Within: sys.stdout survives a closed pipe."""
    previous = sys.stdout
    if previous is None or isinstance(previous, QuietWhenClosed):
        yield
        return
    sys.stdout = QuietWhenClosed(previous)
    try:
        yield
    finally:
        sys.stdout = previous
