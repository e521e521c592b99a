"""The catalogue of systems an audit should cover, so coverage gaps show in the index."""

from __future__ import annotations

from pathlib import Path

from crawler import tomlfile
from crawler.errors import BadInput
from crawler.model import Audited, SystemResult

DEFAULT = (
    Path(__file__).resolve().parents[1] / "data" / "catalogue.toml"
)  # Table 1 of the 2020 memo


def load(path: Path = DEFAULT) -> list[tuple[str, str]]:
    """(supplier, system) pairs in the catalogue's order."""
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
    by_name = {a.result.system.casefold(): a for a in results}
    rows = [
        found
        if (found := by_name.pop(name.casefold(), None))
        else Audited(not_audited(supplier, name), "")
        for supplier, name in catalogue
    ]
    return rows + sorted(by_name.values(), key=lambda a: (a.result.supplier or "", a.result.system))
