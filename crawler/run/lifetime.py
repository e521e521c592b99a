"""An audit process's lifetime: it never outlives the runner that started it, nor its own
time limit.

The runner kills an audit process's group at the system's time limit, but a runner that is
itself killed (`timeout`, a CI job cancelled, systemd stopping the unit) can no longer do so.
So each audit process asks Linux to kill it when its parent dies (`PR_SET_PDEATHSIG`), and
sets an alarm of its own. Its Playwright driver and Chromium end with it: the driver exits
when its pipe to the audit process closes, and Chromium when its pipe to the driver does.
"""

from __future__ import annotations

import ctypes
import math
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # linux/prctl.h
GRACE = 10.0  # seconds past the time limit: the runner stops a system first, with its record


def bind(runner: int, time_limit: float) -> None:
    """Called first thing in an audit process: die with `runner`, and at the latest
    `GRACE` seconds after `time_limit`."""
    _die_with_parent()
    if os.getppid() != runner:  # the runner died before the line above took effect
        os._exit(1)
    # SIGALRM's default action ends the process at once, wherever it is waiting
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(math.ceil(time_limit + GRACE))


def _die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return  # elsewhere only the alarm applies
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
