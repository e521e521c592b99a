"""A run's metadata, as the history and the run folder's run.json keep it."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pydantic import TypeAdapter

from crawler import __version__, bundle
from crawler.errors import BadInput, first_line


@dataclass(frozen=True)
class RunMeta:
    """One `cpraudit run` (or one shard of it), as the history and `run.json` keep it."""

    started: float
    finished: float
    config_digest: str
    command: str
    shard: str | None = None
    incomplete: bool = False
    tool_version: str = __version__
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    catalogue: str | None = None


def write_run_json(run_dir: Path, meta: RunMeta, db_path: Path | None) -> None:
    data = asdict(meta) | {"history": str(db_path) if db_path else None}
    bundle.write_json(run_dir / bundle.RUN, data)


def read_run_json(run_dir: Path) -> RunMeta | None:
    """The run.json of a run folder, checked: it may come from another machine (a shard)."""
    path = run_dir / bundle.RUN
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
        known = {k: v for k, v in data.items() if k in RunMeta.__dataclass_fields__}
        return TypeAdapter(RunMeta).validate_python(known)
    except (OSError, ValueError, AttributeError, RecursionError) as exc:
        raise BadInput(
            f"{path}: not a readable run.json ({first_line(exc)}); the run's output is damaged"
        ) from None


def config_digest(config_path: Path, scenario_files: Iterable[Path] = ()) -> str:
    """SHA-256 over audit.toml and the scenario files it names: a changed scenario is a changed
    audit."""
    digest = hashlib.sha256()
    for path in [config_path, *sorted(set(scenario_files))]:
        digest.update(str(path.name).encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"(missing)")
    return digest.hexdigest()[:16]
