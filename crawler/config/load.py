"""Loading audit.toml: read, environments merged, validated, every error one line that names the
file, the key, the problem and the fix."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from crawler import bundle, tomlfile
from crawler.config import environments
from crawler.config.audit import NO_MODES, Audit, Modes
from crawler.config.certificates import read_ca
from crawler.config.schema import Accepted, AuditConfig
from crawler.errors import BadInput
from crawler.model import variant_name


def load(path: Path, env: str | None = None, modes: Modes = NO_MODES) -> Audit:
    """Read and validate an audit.toml, with environment `env` merged in (see
    `environments`) and the command line's `modes` applied to every system; BadInput with one
    line on any problem. Every environment is checked, so a mistake in one shows before the
    night it is used."""
    raw = tomlfile.read(path, "give the path of an audit.toml (see audit.example.toml)")
    for other in environments.names(raw):
        if other != env:
            _validated(path, raw, other)
    audit = Audit(_validated(path, raw, env), path, environment=env, modes=modes)
    for system in audit.config.systems:
        if system.ca_file:
            read_ca(audit.base / system.ca_file)
    return audit


def _validated(path: Path, raw: dict, env: str | None) -> AuditConfig:
    merged, origin = environments.apply(raw, env, path)
    try:
        config = AuditConfig.model_validate(merged)
    except ValidationError as exc:
        raise BadInput(explain(path, exc, origin)) from None
    citizens = {c.id for c in config.citizens}
    for i, system in enumerate(config.systems):
        if system.citizen and system.citizen not in citizens:
            raise BadInput(
                f"{path}: systems[{i}].citizen: no citizen with id {system.citizen!r}; "
                f"use one of {sorted(citizens)}"
            )
    names = [s.name for s in config.systems]
    if dupes := sorted({n for n in names if names.count(n) > 1}):
        raise BadInput(f"{path}: systems: {dupes[0]!r} appears twice; give each system one entry")
    variants = [variant_name(s.name, c) for s in config.systems for c in s.consent]
    _refuse_shared_folders(path, names + variants)
    return config


def _refuse_shared_folders(path: Path, names: list[str]) -> None:
    """Two systems whose names make one folder name would overwrite each other's evidence."""
    by_folder: dict[str, str] = {}
    for name in names:  # a system's consent states among them: named alike is no excuse
        other = by_folder.setdefault(bundle.slug(name), name)
        if other is not name:
            raise BadInput(
                f"{path}: systems: {other!r} and {name!r} would share the report folder "
                f"{bundle.slug(name)!r}; rename one of them"
            )


def explain(path: Path, exc: ValidationError, origin: environments.Origin | None = None) -> str:
    """The first validation error as `file: key.path: problem`, and how many more there are;
    a key an environment set is named where it was written."""
    errors = exc.errors()
    first = errors[0]
    loc = first["loc"]
    if origin and (written := origin.get(tuple(loc[:3]))):  # type: ignore[arg-type]
        loc = (written, *loc[3:])
    key, problem = _key(loc), _problem(first)
    if first["type"] == "extra_forbidden":
        problem = "unknown key; check its spelling against audit.example.toml"
    elif first["type"] == "missing":
        problem = "required key is missing; add it"
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return f"{path}: {key}: {problem}{more}"


def acceptances(path: Path) -> list[Accepted]:
    """The [[accepted]] tables of a TOML file (an audit.toml, or a file of them alone), for a
    run without an audit.toml (`adhoc --accepted`); BadInput with one line on any problem."""
    raw = tomlfile.read(path, "give a TOML file with [[accepted]] tables, e.g. an audit.toml")
    try:
        return TypeAdapter(list[Accepted]).validate_python(raw.get("accepted", []))
    except ValidationError as exc:
        error = exc.errors()[0]
        raise BadInput(f"{path}: accepted{_key(error['loc'])}: {_problem(error)}") from None


def _key(loc: Sequence[int | str]) -> str:
    """Where a problem is, as audit.toml writes it: systems[0].crawl.depth."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


def _problem(error: Mapping[str, Any]) -> str:
    return str(error["msg"]).removeprefix("Value error, ")
