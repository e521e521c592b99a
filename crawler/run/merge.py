"""Beyond one machine: the output folders of `cpraudit run --shard K/N` merged into one.

`cpraudit merge OUT DIR...` copies the shards' system folders into OUT and closes the sweep as
one run (`finish_run`): one index.html, summary.json and junit.xml over them, and the sweep
recorded in OUT's history as one run, so the merged reports say new / persisting / no longer
found against every earlier sweep. Each shard's acceptances are kept as its run judged them.
"""

from __future__ import annotations

import itertools
import os
import shutil
import time
from pathlib import Path

from crawler import bundle, proof
from crawler.errors import BadInput, printable
from crawler.history.runs import RunMeta, read_run_json
from crawler.model import Audited
from crawler.notify.notifier import NOBODY, Notifier
from crawler.proof.signing import Ed25519PrivateKey
from crawler.report import DEFAULT_REPORT, ReportOptions, Title
from crawler.run import catalogue
from crawler.run.finish import Closing, finish_run
from crawler.run.shards import parse_shard


def read_shard(folder: Path) -> tuple[list[Audited], bool, RunMeta | None]:
    """The audited systems of one run folder, whether it was incomplete, and its run.json.
    A shard folder is untrusted input (it may come from another machine): a system folder
    that is or holds a link could bring files from elsewhere on this machine into OUT."""
    results, incomplete = bundle.read_run(folder)
    for _, sub in results:
        if _links(folder / sub) or (folder / sub).resolve().parent != folder.resolve():
            raise BadInput(
                f"{folder / sub}: a system folder that is or holds a symbolic link; "
                "merge only shard folders written by `cpraudit run`"
            )
    return results, incomplete, read_run_json(folder)


def _links(folder: Path) -> bool:
    if folder.is_symlink():
        return True
    for root, dirs, files in os.walk(folder):
        if any(os.path.islink(os.path.join(root, name)) for name in dirs + files):
            return True
    return False


def merge(
    out: Path,
    folders: list[Path],
    history_path: Path | None,
    catalogue_name: str | None,
    command: str = "cpraudit merge",
    key: Ed25519PrivateKey | None = None,
    report: ReportOptions = DEFAULT_REPORT,
    fail_on: tuple[str, ...] = ("any",),
    notify: Notifier = NOBODY,
) -> tuple[list[Audited], Path, list[str]]:
    """Combine shard folders into `out` and seal it; returns the results, the index and
    problems found (a missing, interrupted or altered shard). The reports are written again,
    with the merged history."""
    started = time.time()
    if any(out.resolve() == f.resolve() for f in folders):
        raise BadInput(f"{out}: the merged output must be a new folder, not one of the shards")
    unfinished = [f for f in folders if not (f / bundle.SUMMARY).exists()]
    shards = [(f, *read_shard(f)) for f in folders if f not in unfinished]
    if not shards:
        raise BadInput(
            f"no shard finished: {'; '.join(_unfinished(f) for f in folders)}; see each shard's "
            "log, and run the shards again"
        )
    _refuse_twice(shards)
    bundle.new_run_folder(out, "merge", option="OUT")
    problems = [_unfinished(f) for f in unfinished] + _missing_shards(shards)
    problems += [p for f, *_ in shards if (p := _unsealed(f))]
    merged: list[Audited] = []
    for folder, results, incomplete, _ in shards:
        if incomplete:
            problems.append(f"{folder} is an incomplete (interrupted) run")
        for result, sub in results:
            shutil.copytree(folder / sub, out / sub, dirs_exist_ok=True)
            merged.append(Audited(result.model_copy(update={"history": None}), sub))
    metas = [meta for *_, meta in shards if meta]
    catalogue = catalogue_name or _catalogue_of(shards)
    closing = Closing(
        title=Title("merge", str(len(folders))),
        command=command,
        started=started,
        report=report,
        fail_on=fail_on,
        accepted=None,  # each shard's run judged its leaks by its audit.toml: kept as judged
        history=history_path,
        meta=RunMeta(
            started=min((m.started for m in metas), default=started),
            finished=max((m.finished for m in metas), default=time.time()),
            config_digest=metas[0].config_digest if metas else "unknown",
            command=command,
        ),
        catalogue=catalogue,
        sign_key=key,
        incomplete=bool(problems),
        notify=notify,
    )
    outcome = finish_run(merged, out, closing)
    return outcome.results, outcome.index, problems + outcome.problems  # the history's too


def _unfinished(folder: Path) -> str:
    """Why a shard folder holds no run, as far as it tells: its crash.log's last line."""
    if not folder.is_dir():
        return f"{folder} is missing: the shard left nothing (see its job's log)"
    why = f"{folder} is not a finished run (no {bundle.SUMMARY}"
    crash = folder / bundle.CRASH
    if crash.is_file() and not crash.is_symlink():
        lines = crash.read_text("utf-8", "replace").strip().splitlines()
        why += f"; its {bundle.CRASH} ends: {printable(lines[-1])[:300] if lines else 'empty'}"
    return why + ")"


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


def _refuse_twice(shards) -> None:
    """A system, or a system folder, in two shards: they would overwrite each other."""
    seen: dict[str, Path] = {}
    for folder, results, *_ in shards:
        for result, sub in results:
            for key in (result.system, f"folder {sub}"):
                if key in seen:
                    raise BadInput(
                        f"{key!r} is in both {seen[key]} and {folder}; "
                        "merge the shards of one sweep, each once"
                    )
                seen[key] = folder


def _missing_shards(shards, listed: int = 5) -> list[str]:
    """Shards of the sweep that were not given, and shards of another sweep; a few lines at
    most, since N comes from a shard's own run.json."""
    given = []
    for folder, *_, meta in shards:
        if meta and meta.shard:
            try:
                given.append((folder, parse_shard(meta.shard)))
            except BadInput:
                raise BadInput(
                    f"{folder}: run.json names shard {meta.shard!r}, not K/N; "
                    "the shard's output is damaged"
                ) from None
    if not given:
        return []
    n = given[0][1][1]
    problems = [f"{f} is shard {k}/{m}, of another sweep than {n}" for f, (k, m) in given if m != n]
    have = {k for _, (k, m) in given if m == n}
    missing = itertools.islice((k for k in range(1, n + 1) if k not in have), listed)
    problems += [f"shard {k}/{n} is missing from the merge" for k in missing]
    if n - len(have) > listed:
        problems.append(f"{n - len(have) - listed} more of the {n} shards are missing")
    return problems


def _catalogue_of(shards) -> str | None:
    """The catalogue the shards' runs used, where this machine has it too."""
    names = [meta.catalogue for *_, meta in shards if meta and meta.catalogue]
    return next((n for n in names if n in catalogue.BUNDLED or Path(n).is_file()), None)
