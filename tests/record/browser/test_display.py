"""A login by hand with no display to show its window in: one line naming the fixes, exit 2, at
once. Never a browser started for a window nobody can see, never a wait for a person."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.testing.login_portal import CPR

CONFIG = f"""
[[citizens]]
id = "jens"
cpr = "{CPR}"

[[systems]]
name = "Portal"
start_url = "http://portal.test/"
first_party = ["portal.test"]
logged_in = "#welcome"
reuse_login = "8h"
"""


def cpraudit(*args: str, display: str | None, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    if display is not None:
        env["DISPLAY"] = display
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,  # a hang fails here
    )


@pytest.mark.parametrize(
    ("display", "why"),
    [
        (None, "there is no display (DISPLAY is not set)"),
        (":987", "the display :987 does not answer"),
    ],
)
@pytest.mark.parametrize(
    "command",
    [
        ("adhoc", "http://portal.test/", "--cpr", CPR, "--login", "manual"),
        ("login", "Portal", "--manual"),
    ],
)
def test_no_display_for_a_login_by_hand_is_one_line_naming_the_fixes(
    command, display, why, tmp_path
):
    (tmp_path / "audit.toml").write_text(CONFIG)
    done = cpraudit(*command, display=display, cwd=tmp_path)
    (line,) = done.stderr.splitlines()
    needed = "--login manual" if command[0] == "adhoc" else "cpraudit login --manual"
    assert done.returncode == 2 and done.stdout == ""
    assert line.startswith(f"error: {needed} shows a browser window for a person to log in, but ")
    assert why in line
    assert "xvfb-run" in line and "script the login" in line
    assert not (tmp_path / "reports").exists(), "nothing was started"
