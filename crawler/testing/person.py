"""A person at a virtual display, for tests of what a person does in a visible browser (a login
by hand, the recorder of `cpraudit codegen`).

`virtual_display()` starts Xvfb; `Person` acts in it with xdotool, which sends X input events as
a keyboard and a mouse do (XTEST), to whatever window has the focus: the browser gets keys and
clicks exactly as from a person at a desktop, with no Playwright and no DevTools in between.
Like a person it finds its way by what the screen shows (window titles) and by the keyboard (Tab
from the top of the page).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager


class Missing(Exception):
    """A tool this needs is not installed (the message says which, and how to get it)."""


@contextmanager
def virtual_display() -> Iterator[str]:
    """An Xvfb display (":N") for as long as the block runs."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise Missing("no Xvfb to show a headed browser in (Debian: apt-get install xvfb)")
    read, write = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write), "-screen", "0", "1600x1200x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as ready:  # open until the end: a late write to it would end Xvfb
            number = ready.readline().strip()  # written when the display takes connections
            if not number or server.poll() is not None:
                raise Missing("Xvfb did not start a display")
            yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


class Person:
    """Keyboard and mouse at `display`, through xdotool."""

    def __init__(self, display: str) -> None:
        if shutil.which("xdotool") is None:
            raise Missing("no xdotool to act as a person (Debian: apt-get install xdotool)")
        self.env = dict(os.environ, DISPLAY=display)

    def sees(self, title: str, seconds: float = 30) -> None:
        """Wait until a window whose title holds `title` is shown (a page's <title>).

        Searched again and again, not with `--sync`: a window that closes while xdotool reads
        it (a browser opens and closes windows of its own as it starts) ends xdotool's search
        with an X error, which says nothing about the window looked for."""
        deadline = time.monotonic() + seconds
        search = ("search", "--onlyvisible", "--name", title)
        while not self._xdotool(*search, check=False, timeout=10):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no window whose title holds {title!r} within {seconds:g} s")
            time.sleep(0.1)

    def clicks_into_the_page(self) -> None:
        """Click an empty spot of the page, which gives it the keyboard."""
        self._xdotool("mousemove", "700", "600", "click", "1")

    def tabs_and_types(self, text: str) -> None:
        """Tab to the next field and type `text` into it, key by key."""
        self._xdotool("key", "Tab")
        self._xdotool("type", "--delay", "40", text)

    def presses(self, key: str) -> None:
        """A key by its X name: Return, ctrl+w."""
        self._xdotool("key", key)

    def _xdotool(self, *args: str, check: bool = True, timeout: float = 30) -> bool:
        """Whether xdotool succeeded; unchecked, its complaints are not shown (an X error about
        a window that closed as it was read)."""
        done = subprocess.run(
            ["xdotool", *args],
            env=self.env,
            check=check,
            timeout=timeout,
            stdout=subprocess.DEVNULL,  # the windows it found
            stderr=None if check else subprocess.DEVNULL,
        )
        return done.returncode == 0
