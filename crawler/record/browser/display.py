"""Whether a browser window can be shown here: a login by hand needs a person to see one.

Without a display a headed Chromium fails to start, or (with a stale $DISPLAY) waits for an X
server that never answers; either way the person would wait for a window that never comes. So
the display is checked before any browser starts, and its absence named with the fixes.
"""

from __future__ import annotations

import os
import re
import socket
import sys
from pathlib import Path

X11_SOCKETS = Path("/tmp/.X11-unix")


def display_problem(needed_for: str) -> str | None:
    """Why no browser window can be shown for `needed_for` ("--login manual"), naming the
    fixes; None when one can (or this is not a platform with X)."""
    if not sys.platform.startswith("linux") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    display = os.environ.get("DISPLAY", "")
    if not display:
        why = "there is no display (DISPLAY is not set)"
    elif not _answers(display):
        why = f"the display {display} does not answer"
    else:
        return None
    return (
        f"{needed_for} shows a browser window for a person to log in, but {why}: run it on a "
        "desktop (or over ssh -X), under a virtual display a person can see (xvfb-run -a "
        "with a VNC server), or script the login (a scenario, e.g. from cpraudit codegen)"
    )


def _answers(display: str) -> bool:
    """Whether a local X display (":N", "unix:N") takes connections; a display on another
    host (host:N) is taken to, as it cannot be checked without speaking X."""
    found = re.fullmatch(r"(?:unix)?:(\d+)(?:\.\d+)?", display)
    if found is None:
        return True
    for address in (f"\0{X11_SOCKETS}/X{found[1]}", str(X11_SOCKETS / f"X{found[1]}")):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(2)
            try:
                client.connect(address)
                return True
            except OSError:
                continue
    return False
