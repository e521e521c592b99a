"""Beyond one machine: the output folders of `cpraudit run --shard K/N` merged into one.

`cpraudit merge OUT DIR...` copies the shards' system folders into OUT, writes one index.html,
summary.json and junit.xml over them, and records the shards' runs in OUT's history, so the
merged reports say new / persisting / fixed against the history of every earlier sweep.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from crawler import bundle, history, proof
from crawler.errors import BadInput
from crawler.history.runs import RunMeta, read_run_json
from crawler.model import Audited
from crawler.proof.signing import Ed25519PrivateKey
from crawler.report import write_index, write_junit
from crawler.run import catalogue
from crawler.run.runner import write_reports


def read_shard(folder: Path) -> tuple[list[Audited], bool, RunMeta | None]:
    """The audited systems of one run folder, whether it was incomplete, and its run.json."""
    return *bundle.read_run(folder), read_run_json(folder)


def merge(
    out: Path,
    folders: list[Path],
    history_path: Path | None,
    catalogue_path: Path | None,
    command: str = "cpraudit merge",
    key: Ed25519PrivateKey | None = None,
) -> tuple[list[Audited], Path, list[str]]:
    """Combine shard folders into `out` and seal it; returns the results, the index and
    problems found (a missing, interrupted or altered shard)."""
    started = time.time()
    out.mkdir(parents=True, exist_ok=True)
    if any(out.resolve() == f.resolve() for f in folders):
        raise BadInput(f"{out}: the merged output must be a new folder, not one of the shards")
    shards = [(f, *read_shard(f)) for f in folders]
    problems = _missing_shards(shards) + [p for f in folders if (p := _unsealed(f))]
    merged: list[Audited] = []
    seen: dict[str, Path] = {}
    for folder, results, incomplete, meta in shards:
        if incomplete:
            problems.append(f"{folder} is an incomplete (interrupted) run")
        for result, sub in results:
            if result.system in seen:
                raise BadInput(
                    f"{result.system!r} is in both {seen[result.system]} and {folder}; "
                    "merge the shards of one sweep, each once"
                )
            seen[result.system] = folder
            shutil.copytree(folder / sub, out / sub, dirs_exist_ok=True)
        if history_path is not None:
            meta = meta or RunMeta(
                started=min((r.started for r, _ in results), default=0.0),
                finished=max((r.finished for r, _ in results), default=0.0),
                config_digest="unknown",
                command=f"(imported from {folder})",
            )
            merged += history.after_run(
                history_path,
                meta,
                [Audited(r.model_copy(update={"history": None}), s) for r, s in results],
                out,
                run_json=False,
            )
        else:
            merged += results
    write_reports(merged, out)
    cat = catalogue_path or _catalogue_of(shards)
    listed = catalogue.with_coverage(merged, catalogue.load(cat) if cat else catalogue.load())
    index = write_index(
        listed, out, f"cpraudit run, merged from {len(folders)} shard(s)", incomplete=bool(problems)
    )
    write_junit(listed, out)
    proof.seal(out, command=command, started=started, results=[r for r, _ in merged], key=key)
    return merged, index, problems


def _unsealed(folder: Path) -> str | None:
    """Why a shard's files are not as its run sealed them, if they are not: merged evidence is
    only as good as what went in."""
    if not (folder / bundle.MANIFEST).is_file():
        return f"{folder} has no {bundle.MANIFEST}: its files cannot be checked"
    checked = proof.verify(folder)
    if checked.intact():
        return None
    names = [*checked.changed, *checked.missing, *checked.added]
    return f"{folder} is not as its run sealed it (`cpraudit verify {folder}`): {', '.join(names)}"


def _missing_shards(shards) -> list[str]:
    metas = [meta for *_, meta in shards if meta and meta.shard]
    if not metas:
        return []
    n = int(metas[0].shard.split("/")[1])
    have = {int(m.shard.split("/")[0]) for m in metas if int(m.shard.split("/")[1]) == n}
    return [f"shard {k}/{n} is missing from the merge" for k in range(1, n + 1) if k not in have]


def _catalogue_of(shards) -> Path | None:
    paths = [Path(meta.catalogue) for *_, meta in shards if meta and meta.catalogue]
    return next((p for p in paths if p.is_file()), None)
