"""An earlier run's evidence analysed again with today's detector and analysis: when the
detector has learned a new encoding, last month's evidence is checked without visiting the
portals again.

Each system's evidence is copied into a new run folder and analysed there; the old folder is
only read. What the run's manifest says of it is checked first: evidence changed since it was
sealed is no evidence of that run, and the system is inconclusive, with the reason.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from crawler import bundle, diagnostics
from crawler.analyse.system import analyse_system
from crawler.config import Accepted
from crawler.errors import BadInput, first_line
from crawler.model import Audited, Reanalysis, SystemResult
from crawler.proof.verify import Verification, verify

# What a system's folder holds that the analysis writes, not the record stage: never copied
_ANALYSED = frozenset({bundle.FINDINGS, bundle.REPORT, bundle.REPORT_PDF, bundle.RESULT})


@dataclass(frozen=True)
class Evidence:
    """One system's folder of an earlier run, and what that run said of it."""

    folder: Path
    name: str  # its folder's name, kept in the new run folder
    earlier: SystemResult | None  # its findings.json, if there is one


def evidence_in(given: Path) -> tuple[Path, list[Evidence]]:
    """The run folder and the systems to analyse: every audited system of a run folder, or the
    one system folder given."""
    if (given / bundle.SUMMARY).is_file():
        audited, _ = bundle.read_run(given)
        return given, [Evidence(given / sub, sub, result) for result, sub in audited]
    if (given / bundle.RECORDING).is_file():
        findings = given / bundle.FINDINGS
        earlier = _earlier(findings) if findings.is_file() else None
        return given.parent, [Evidence(given, given.name, earlier)]
    raise BadInput(
        f"{given}: neither a run folder ({bundle.SUMMARY}) nor a system folder "
        f"({bundle.RECORDING}); give a folder cpraudit wrote"
    )


def analyse_again(
    run_folder: Path, evidence: list[Evidence], out: Path, command: str
) -> list[Audited]:
    """Each system's evidence copied into `out` and analysed there, the result saying where it
    came from."""
    check = _checked(run_folder)
    results = []
    for item in evidence:
        folder = out / item.name
        _copy_evidence(item.folder, folder)
        rec, citizen, recorded_by = bundle.read_recording(folder)
        sealed = _sealed(check, item.name)
        if sealed not in ("intact", "not sealed"):
            rec.errors.append(diagnostics.EVIDENCE_CHANGED(problem=sealed))
        result, _ = analyse_system(rec, citizen, command)
        origin = Reanalysis(
            evidence=str(item.folder),
            run_id=item.earlier.run_id if item.earlier else "",
            recorded_by=recorded_by,
            sealed=sealed,
        )
        results.append(Audited(result.model_copy(update={"reanalysis": origin}), item.name))
    return results


def acceptances_of(evidence: list[Evidence]) -> list[Accepted]:
    """The acceptances the earlier run applied, to be judged again today."""
    return [
        Accepted(
            system=e.earlier.system, fingerprint=a.fingerprint, reason=a.reason, expires=a.until
        )
        for e in evidence
        if e.earlier
        for a in e.earlier.acceptances
    ]


def _earlier(path: Path) -> SystemResult | None:
    try:
        return bundle.read_result(path)
    except (OSError, ValueError):  # an unreadable findings.json is no reason not to analyse
        return None


def _checked(run_folder: Path) -> Verification | str:
    """The run folder checked against its manifest, or why it could not be."""
    if not (run_folder / bundle.MANIFEST).is_file():
        return "not sealed"
    try:
        return verify(run_folder)
    except BadInput as exc:
        return f"its {bundle.MANIFEST} cannot be read ({first_line(exc)})"


def _sealed(check: Verification | str, name: str) -> str:
    """'intact', 'not sealed', or what in the system's folder does not match the manifest."""
    if isinstance(check, str):
        return check
    mine = f"{name}/"
    problems = [
        f"{what} {', '.join(found[:3])}{' ...' if len(found) > 3 else ''}"
        for what, names in (("changed", check.changed), ("missing", check.missing))
        if (found := [n for n in names if n.startswith(mine) and _is_evidence(n[len(mine) :])])
    ]
    return "; ".join(problems) or "intact"


def _is_evidence(name: str) -> bool:
    return name not in _ANALYSED


def _copy_evidence(source: Path, folder: Path) -> None:
    """The system folder's evidence (regular files only: a link could point anywhere)."""
    try:
        folder.mkdir(parents=True)
        for path in _evidence_files(source):
            copy = folder / path.relative_to(source)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)
    except OSError as exc:
        raise BadInput(
            f"cannot copy the evidence of {source} into {folder}: {exc.strerror}; choose a "
            "writable --out folder with room for it"
        ) from None


def _evidence_files(source: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(source):  # links to folders are not followed
        here = Path(root)
        dirs[:] = [d for d in dirs if not (here / d).is_symlink()]
        for name in files:
            path = here / name
            evidence = here != source or _is_evidence(name)
            if evidence and path.is_file() and not path.is_symlink():
                yield path
