"""Saved logins: Playwright's storage state of a logged-in citizen, reused by later audits.

`cpraudit login SYSTEM` (or a run after a fresh login) saves the browser's cookies and local
storage; a run reuses them while they are younger than the system's `reuse_login`, and the login
proof (`logged_in`) still decides whether the citizen is logged in. A storage state is a
session secret: it is kept outside every report folder, readable by its owner only (0600), and
its values are masked wherever they would appear in the evidence.

The file is Playwright's own format (`{"cookies": [...], "origins": [...]}`), so a login saved
by `playwright codegen --save-storage` serves as well; cpraudit adds one key of its own,
`cpraudit`, saying when a person logged in by hand, for the report of the run that reuses it.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from crawler.config.logins import STATE_VAR
from crawler.errors import BadInput
from crawler.model import Target


def reusable(path: Path, max_age: float, now: float | None = None) -> float | None:
    """When the saved login at `path` was saved, if it is there and young enough to reuse."""
    try:
        saved = path.stat().st_mtime
    except OSError:
        return None
    return saved if (now or time.time()) - saved < max_age else None


OURS = "cpraudit"  # the key of what cpraudit adds to Playwright's format


def save(
    state: Mapping[str, Any],
    path: Path,
    out_dirs: tuple[Path, ...] = (),
    by_hand: float | None = None,
) -> None:
    """Write a storage state readable by its owner only, never inside a report folder; with
    when a person logged in by hand, if one did."""
    for out in out_dirs:
        if path.resolve().is_relative_to(out.resolve()):
            raise BadInput(
                f"{path} is inside the report folder {out}: a saved login is a session secret; "
                f"set {STATE_VAR} to a folder outside the reports"
            )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    ours = {OURS: {"by_hand": by_hand}} if by_hand is not None else {}
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        json.dump({**state, **ours}, file)
    os.chmod(temporary, 0o600)  # an existing file keeps its mode through O_CREAT
    os.replace(temporary, path)


def load(path: Path) -> dict[str, Any]:
    """The storage state saved at `path`, as Playwright takes it; BadInput naming the fix when
    it is not one."""
    fix = (
        "give a login saved by `cpraudit login`, or by Playwright "
        "(`playwright codegen --save-storage FILE URL`)"
    )
    try:
        state = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise BadInput(f"{path}: cannot be read ({exc.strerror or exc}); {fix}") from None
    except ValueError:
        raise BadInput(f"{path} is not JSON, so not a saved login; {fix}") from None
    if not (
        isinstance(state, dict)
        and isinstance(state.get("cookies", []), list)
        and isinstance(state.get("origins", []), list)
        and {"cookies", "origins"} & set(state)
    ):
        raise BadInput(f'{path} is not a saved login (no "cookies" or "origins" list); {fix}')
    state.pop(OURS, None)
    return state


def by_hand(path: Path) -> float | None:
    """When a person logged in by hand for the login saved at `path`; None if a script did (or
    it does not say)."""
    try:
        ours = json.loads(path.read_text("utf-8")).get(OURS) or {}
        when = ours.get("by_hand")
    except (OSError, ValueError, AttributeError):
        return None
    return float(when) if isinstance(when, int | float) else None


def in_use(target: Target) -> str:
    """The file of the saved login an audit starts with: the one given, else the system's."""
    path = target.storage_state or target.login_state
    assert path is not None  # asked only where a saved login is used
    return path


def forget(path: Path) -> None:
    path.unlink(missing_ok=True)


def values(path: Path) -> list[str]:
    """Every cookie and local-storage value in a saved login: what the redactor must mask (it
    leaves alone those that carry the CPR)."""
    try:
        state = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return []
    found = [c.get("value", "") for c in state.get("cookies", [])]
    for origin in state.get("origins", []):
        found += [item.get("value", "") for item in origin.get("localStorage", [])]
    return [v for v in found if isinstance(v, str)]
