"""The person at the virtual display finds a window by its title while other windows come and
go, as a starting browser's do."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.browser  # a virtual display of its own

# Opens and closes windows without pause; after `delay` seconds it shows the one looked for.
CHURN = """
import sys, time, tkinter
root = tkinter.Tk()
start, delay = time.monotonic(), float(sys.argv[1])
def churn():
    for _ in range(20):
        window = tkinter.Toplevel(root)
        window.update_idletasks()
        window.destroy()
    if time.monotonic() - start > delay and not hasattr(root, "shown"):
        root.shown = tkinter.Toplevel(root)
        root.shown.title("Log ind")
    root.after(1, churn)
root.after(1, churn)
root.mainloop()
"""


@pytest.fixture
def churning(display):
    pytest.importorskip("tkinter")
    windows = subprocess.Popen([sys.executable, "-c", CHURN, "1"], stderr=subprocess.DEVNULL)
    yield windows
    windows.kill()
    windows.wait()


def test_a_window_is_found_while_others_close_around_it(person, churning):
    for _ in range(10):  # each look reads every window, while others close
        person.sees("Log ind", seconds=20)
    assert churning.poll() is None  # the windows churned the whole time


def test_a_window_that_never_comes_is_named(person, churning):
    with pytest.raises(TimeoutError, match="'Log ud'"):
        person.sees("Log ud", seconds=2)
