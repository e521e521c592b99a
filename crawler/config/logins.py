"""Where a system's saved login is kept: outside every report folder, one file per audit.toml,
system (or consent state), environment and citizen (`cpraudit login` writes it, a run with
`reuse_login` reads it; crawler/record/evidence/saved_logins.py)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from crawler import bundle

STATE_VAR = "CPRAUDIT_STATE_DIR"


def state_dir() -> Path:
    """$CPRAUDIT_STATE_DIR, else $XDG_STATE_HOME/cpraudit/logins (~/.local/state/...)."""
    if chosen := os.environ.get(STATE_VAR):
        return Path(chosen)
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "cpraudit" / "logins"


def state_path(config: Path, system: str, environment: str | None, citizen: str) -> Path:
    """One file per audit.toml, system (or consent state), environment and citizen."""
    key = "\n".join([str(config.resolve()), system, environment or "", citizen])
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return state_dir() / f"{bundle.slug(system)}-{environment or 'default'}-{digest}.json"
