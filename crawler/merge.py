"""Beyond one machine: shards of a run, and merging their outputs into one.

`cpraudit run CONFIG --shard K/N` audits the systems whose name hashes to K of N (SHA-256 of
the name, not its place in the list: adding a system moves no other system to another
shard, so each shard machine keeps auditing the same systems). `cpraudit merge OUT DIR...`
copies the shards' system folders into OUT, writes one index.html, summary.json and
junit.xml over them, and records the shards' runs in OUT's history, so the merged reports
say new / persisting / fixed against the history of every earlier sweep.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from crawler import catalogue, history
from crawler.errors import BadInput
from crawler.model import SystemResult
from crawler.report import write_index, write_junit
from crawler.verdict import EXIT_CLEAN, EXIT_INCONCLUSIVE


def parse_shard(text: str) -> tuple[int, int]:
    k, sep, n = text.partition("/")
    if not (sep and k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise BadInput(f"--shard {text!r} is not K/N with 1 <= K <= N: write e.g. --shard 2/4")
    return int(k), int(n)


def in_shard(system: str, k: int, n: int) -> bool:
    digest = hashlib.sha256(system.casefold().encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % n == k - 1


def read_shard(folder: Path) -> tuple[list[tuple[SystemResult, str]], bool, history.RunMeta | None]:
    """The audited systems of one run folder, whether it was incomplete, and its run.json."""
    try:
        summary = json.loads((folder / "summary.json").read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise BadInput(f"{folder}: no readable summary.json ({exc}); give the output folder of a `cpraudit run`")
    results = []
    for item in summary["systems"]:
        if item["verdict"] == "not-audited":
            continue
        sub = item["report"].rsplit("/", 1)[0]
        try:
            result = SystemResult.model_validate_json((folder / sub / "findings.json").read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise BadInput(f"{folder / sub}: no readable findings.json ({exc}); the shard's output is damaged")
        results.append((result, sub))
    return results, bool(summary.get("incomplete")), history.read_run_json(folder)


def merge(out: Path, folders: list[Path], history_path: Path | None, catalogue_path: Path | None,
          fail_on: str) -> tuple[list[tuple[SystemResult, str]], Path, list[str]]:
    """Combine shard folders into `out`; returns the results, the index and problems found."""
    out.mkdir(parents=True, exist_ok=True)
    if any(out.resolve() == f.resolve() for f in folders):
        raise BadInput(f"{out}: the merged output must be a new folder, not one of the shards")
    shards = [(f, *read_shard(f)) for f in folders]
    problems = _missing_shards(shards)
    merged: list[tuple[SystemResult, str]] = []
    seen: dict[str, Path] = {}
    for folder, results, incomplete, meta in shards:
        if incomplete:
            problems.append(f"{folder} is an incomplete (interrupted) run")
        for result, sub in results:
            if result.system in seen:
                raise BadInput(f"{result.system!r} is in both {seen[result.system]} and {folder}; merge the shards "
                               "of one sweep, each once")
            seen[result.system] = folder
            shutil.copytree(folder / sub, out / sub, dirs_exist_ok=True)
        if history_path is not None:
            meta = meta or history.RunMeta(started=min((r.started for r, _ in results), default=0.0),
                                           finished=max((r.finished for r, _ in results), default=0.0),
                                           config_digest="unknown", command=f"(imported from {folder})")
            merged += history.after_run(history_path, meta, [(r.model_copy(update={"history": None}), s)
                                                             for r, s in results], out, run_json=False)
        else:
            merged += results
    cat = catalogue_path or _catalogue_of(shards)
    listed = catalogue.with_coverage(merged, catalogue.load(cat) if cat else catalogue.load())
    index = write_index(listed, out, f"cpraudit run, merged from {len(folders)} shard(s)", incomplete=bool(problems))
    write_junit(listed, out)
    return merged, index, problems


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


def add_parser(sub) -> None:
    p = sub.add_parser("merge", help="combine the output folders of `run --shard` into one index and history")
    p.add_argument("out", help="the merged output folder (new)")
    p.add_argument("dirs", nargs="+", metavar="DIR", help="output folders of the shards")
    p.add_argument("--history", metavar="PATH",
                   help="history database to record the shards' runs in (default: history.sqlite beside OUT)")
    p.add_argument("--catalogue", metavar="PATH", help="catalogue for the index (default: the one the shards used)")
    p.add_argument("--fail-on", choices=history.FAIL_ON, default="any",
                   help="which leaks make the exit code 1, as for run (default any)")
    p.add_argument("--quiet", action="store_true", help="for cron: print only when the exit code is not 0")
    p.set_defaults(func=cmd_merge)


def cmd_merge(args) -> int:
    out = Path(args.out)
    db = Path(args.history) if args.history else history.default_path(out)
    results, index, problems = merge(out, [Path(d) for d in args.dirs], db,
                                     Path(args.catalogue) if args.catalogue else None, args.fail_on)
    code = history.exit_code((r for r, _ in results), args.fail_on)
    if problems and code == EXIT_CLEAN:
        code = EXIT_INCONCLUSIVE  # never 0 for a sweep that did not fully run
    if not (args.quiet and code == 0):
        for result, folder in results:
            print(f"{result.system:<24} {result.verdict.upper():<13} {len(result.findings):>3} finding(s)")
        for problem in problems:
            print(f"incomplete: {problem}")
        print(history.summary_line(r for r, _ in results))
        print(f"Index: {index}")
    return code
