"""The npm packages cpraudit reads at run time, without Node: Ghostery's TrackerDB (owners of
third-party domains) and DuckDuckGo's autoconsent (consent banners). Both are pinned in the
package's own crawler/data/npm/package-lock.json, and `cpraudit setup` (which `make setup` runs)
installs them with `npm ci` into cpraudit's data folder: `$CPRAUDIT_DATA`, else
`$XDG_DATA_HOME/cpraudit` (~/.local/share/cpraudit). TrackerDB is licensed CC BY-NC-SA 4.0,
which is why it is installed beside cpraudit rather than bundled in it.

Each can also be pointed at elsewhere with a variable of its own (`CPRAUDIT_TRACKERDB`,
`CPRAUDIT_AUTOCONSENT`), as the container image does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from importlib import resources
from pathlib import Path

from crawler.errors import BadInput

DATA_VAR = "CPRAUDIT_DATA"
TRACKERDB = "@ghostery/trackerdb"
AUTOCONSENT = "@duckduckgo/autoconsent"
HOW_TO_INSTALL = "install Node.js 20+ and npm, then run `cpraudit setup`"


def data_dir() -> Path:
    if chosen := os.environ.get(DATA_VAR):
        return Path(chosen)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "cpraudit"


def package_dir(name: str, variable: str) -> Path:
    """Where package `name` is read from: `$variable` if set, else cpraudit's data folder."""
    chosen = os.environ.get(variable)
    return Path(chosen) if chosen else data_dir() / "node_modules" / name


def install() -> Path:
    """`npm ci` of the pinned packages into the data folder (nothing to do where they are
    installed as pinned); its node_modules. BadInput with the fix when npm is missing or
    fails."""
    folder = data_dir()
    pinned = resources.files("crawler.data").joinpath("npm")
    lock = pinned.joinpath("package-lock.json").read_text("utf-8")
    installed = folder / "package-lock.json"
    done_before = (folder / "node_modules" / ".package-lock.json").is_file()
    if done_before and installed.is_file() and installed.read_text("utf-8") == lock:
        return folder / "node_modules"
    npm = shutil.which("npm")
    if npm is None:
        raise BadInput(f"npm not found: {HOW_TO_INSTALL}")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text(pinned.joinpath("package.json").read_text("utf-8"))
    (folder / "package-lock.json").write_text(lock, "utf-8")
    done = subprocess.run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise BadInput(f"npm ci in {folder} failed ({last}); {HOW_TO_INSTALL} again")
    return folder / "node_modules"
