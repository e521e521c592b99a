"""The catalogue of systems an audit should cover, so coverage gaps show in the index.

Used only when audit.toml names one: a TOML file of its own (a path relative to audit.toml), or
the bundled Table 1 of the 2020 review as `catalogue = "cpraudit:table-1"` (the demo's); without
it the index lists the systems audited, not 24 "not audited" rows."""

from __future__ import annotations

from pathlib import Path

from crawler import tomlfile
from crawler.errors import BadInput
from crawler.model import Audited, SystemResult

BUNDLED = {  # the catalogues cpraudit ships, by the name audit.toml gives them
    "cpraudit:table-1": Path(__file__).resolve().parents[1] / "data" / "catalogue.toml",
}


def path_of(name: str) -> Path:
    """The file a catalogue's name stands for: a bundled one, or a path as given."""
    if name in BUNDLED:
        return BUNDLED[name]
    if name.startswith("cpraudit:"):
        raise BadInput(
            f"catalogue {name!r} is not a bundled catalogue; give a file or one of "
            f"{', '.join(BUNDLED)}"
        )
    return Path(name)


def load(name: str | None) -> list[tuple[str, str]]:
    """(supplier, system) pairs in the catalogue's order; none without a catalogue."""
    if name is None:
        return []
    path = path_of(name)
    data = tomlfile.read(path, "fix or remove the `catalogue` key")
    try:
        return [
            (str(group["supplier"]), str(name))
            for group in data.get("system", [])
            for name in group["names"]
        ]
    except (KeyError, TypeError):
        raise BadInput(
            f"{path}: not a catalogue ([[system]] tables of supplier and names); "
            "fix or remove the `catalogue` key"
        ) from None


def not_audited(supplier: str, system: str) -> SystemResult:
    return SystemResult(
        system=system,
        supplier=supplier,
        verdict="not-audited",
        requests=0,
        errors=("no scenario or environment configured for this system",),
    )


def with_coverage(results: list[Audited], catalogue: list[tuple[str, str]]) -> list[Audited]:
    """Every catalogue system in catalogue order (audited or not), then audited systems it lacks."""
    by_name: dict[str, list[Audited]] = {}
    for audited in results:  # a system's consent states all stand in its catalogue row
        by_name.setdefault(audited.result.configured.casefold(), []).append(audited)
    rows = [
        row
        for supplier, name in catalogue
        for row in by_name.pop(name.casefold(), None) or [Audited(not_audited(supplier, name), "")]
    ]
    rest = [a for found in by_name.values() for a in found]
    return rows + sorted(rest, key=lambda a: (a.result.supplier or "", a.result.system))
