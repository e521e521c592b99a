"""Environments: one audit.toml for a supplier's test environment and for production.

`[environments.NAME]` holds what differs between them, chosen with `--env NAME`:

    [environments.test]                       # for every system
    resolve = ["*.skat.test=10.0.0.5"]
    ca_file = "test-ca.pem"
    [environments.test.systems.MinSide]       # for one system: any of its keys but its name
    start_url = "https://minside.test.skat.dk/"
    [environments.test.citizens.jens]         # the test environment's credentials
    secrets_file = "secrets.test.toml"

Keys of the environment replace the system's, a system's own table replaces both. The merge
happens on the TOML's tables, before validation, so every key is checked as if it had been
written in the system itself; `origin` maps a key back to where it was written, for errors.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from crawler.errors import BadInput

TABLE = "environments"
FOR_EVERY_SYSTEM = (
    "resolve",
    "ignore_https_errors",
    "ca_file",
    "treat_as_secure",
    "browser_args",
    "dialogs",
    "params",
)
CITIZEN_KEYS = ("credentials", "secrets_file")
Origin = dict[tuple[str, int, str], str]  # ("systems", 0, "start_url") -> "environments.test..."


def names(raw: dict[str, Any]) -> list[str]:
    table = raw.get(TABLE, {})
    return list(table) if isinstance(table, dict) else []


def apply(raw: dict[str, Any], name: str | None, path: Path) -> tuple[dict[str, Any], Origin]:
    """The configuration's tables with environment `name` merged in (None: as written), and
    where each merged key came from."""
    merged = copy.deepcopy({k: v for k, v in raw.items() if k != TABLE})
    if name is None:
        return merged, {}
    env = _environment(raw, name, path)
    origin: Origin = {}
    systems = merged.get("systems", [])
    by_name = {str(s.get("name")): i for i, s in enumerate(systems) if isinstance(s, dict)}
    for key in FOR_EVERY_SYSTEM:
        if key in env:
            for i, system in enumerate(systems):
                system[key] = copy.deepcopy(env[key])
                origin["systems", i, key] = f"{TABLE}.{name}.{key}"
    for system_name, keys in _tables(env, "systems", name, path).items():
        if system_name not in by_name:
            raise BadInput(
                f"{path}: {TABLE}.{name}.systems.{system_name}: no system of that name; "
                f"use one of {sorted(by_name)}"
            )
        if "name" in keys:
            raise BadInput(
                f"{path}: {TABLE}.{name}.systems.{system_name}.name: a system keeps its name "
                "in every environment; remove it"
            )
        i = by_name[system_name]
        systems[i].update(copy.deepcopy(keys))
        origin |= {("systems", i, k): f"{TABLE}.{name}.systems.{system_name}.{k}" for k in keys}
    _citizens(merged, env, name, path)
    return merged, origin


def _environment(raw: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    env = raw.get(TABLE, {}).get(name) if isinstance(raw.get(TABLE), dict) else None
    if not isinstance(env, dict):
        known = ", ".join(names(raw)) or "none"
        raise BadInput(
            f"--env {name}: {path} has no [{TABLE}.{name}] table (environments: {known}); "
            "choose one of them or add it"
        )
    for key in env:
        if key not in (*FOR_EVERY_SYSTEM, "systems", "citizens"):
            raise BadInput(
                f"{path}: {TABLE}.{name}.{key}: unknown key; an environment holds "
                f"{', '.join(FOR_EVERY_SYSTEM)}, [systems.NAME] and [citizens.ID] tables"
            )
    return env


def _tables(env: dict[str, Any], key: str, name: str, path: Path) -> dict[str, dict]:
    tables = env.get(key, {})
    if not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
        raise BadInput(
            f"{path}: {TABLE}.{name}.{key}: give a table per entry, "
            f"e.g. [{TABLE}.{name}.{key}.NAME]"
        )
    return tables


def _citizens(merged: dict[str, Any], env: dict[str, Any], name: str, path: Path) -> None:
    citizens = {str(c.get("id")): c for c in merged.get("citizens", []) if isinstance(c, dict)}
    for citizen_id, keys in _tables(env, "citizens", name, path).items():
        where = f"{path}: {TABLE}.{name}.citizens.{citizen_id}"
        if citizen_id not in citizens:
            raise BadInput(f"{where}: no citizen with that id; use one of {sorted(citizens)}")
        if unknown := sorted(set(keys) - set(CITIZEN_KEYS)):
            raise BadInput(
                f"{where}.{unknown[0]}: an environment changes only a citizen's "
                "credentials and secrets_file; remove it"
            )
        citizens[citizen_id].update(copy.deepcopy(keys))
