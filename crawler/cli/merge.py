"""`cpraudit merge OUT DIR...`: the output folders of `run --shard K/N` as one run."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from crawler import bundle, config, history
from crawler.analyse.verdict import (
    EXIT_CLEAN,
    EXIT_INCONCLUSIVE,
    FAIL_ON_CHOICES,
    exit_code,
    fail_rules,
)
from crawler.cli.common import (
    add_report_options,
    add_sign_option,
    report_options,
    signing_key,
    third_party_lines,
)
from crawler.crash import logged
from crawler.history.store import chosen_path
from crawler.notify.notifier import NOBODY, for_audit
from crawler.run.merge import merge


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "merge", help="combine the output folders of `run --shard` into one index and history"
    )
    p.add_argument("out", help="the merged output folder (new)")
    p.add_argument("dirs", nargs="+", metavar="DIR", help="output folders of the shards")
    p.add_argument(
        "--history",
        metavar="PATH",
        help="history database to record the shards' runs in (default: history.sqlite beside OUT; "
        "'none' keeps no history)",
    )
    p.add_argument(
        "--catalogue",
        metavar="PATH",
        help="catalogue for the index (default: the one the shards used)",
    )
    p.add_argument(
        "--fail-on",
        choices=FAIL_ON_CHOICES,
        action="append",
        help="what makes the exit code 1, as for run (default any)",
    )
    p.add_argument(
        "--quiet", action="store_true", help="for cron: print only when the exit code is not 0"
    )
    p.add_argument(
        "--config",
        metavar="AUDIT_TOML",
        help="the sweep's audit.toml: its notify = [...] is told of the merged run when something "
        "needs a person (the shards' runs tell nobody); default nobody is told",
    )
    add_report_options(p, lang_default="the shards'")
    add_sign_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    rules = fail_rules(args.fail_on)
    db = chosen_path(args.history, out)
    notify = for_audit(config.load(Path(args.config))) if args.config else NOBODY
    with logged(out):
        results, index, problems = merge(
            out,
            [Path(d) for d in args.dirs],
            db,
            args.catalogue,
            shlex.join(sys.argv),
            signing_key(args),
            report_options(args, bundle.run_language(Path(args.dirs[0]))),
            rules,
            notify,
        )
    code = exit_code((r for r, _ in results), rules)
    if problems and code == EXIT_CLEAN:
        code = EXIT_INCONCLUSIVE  # never 0 for a sweep that did not fully run
    news = any(t.new for r, _ in results for t in r.third_parties)
    if not (args.quiet and code == 0 and not news):
        for result, _ in results:
            print(
                f"{result.system:<24} {result.verdict.upper():<13} "
                f"{len(result.findings):>3} finding(s)"
            )
            for line in third_party_lines(result):
                print(f"{'':<24} {line}")
        for problem in problems:
            print(f"incomplete: {problem}")
        print(history.summary_line(r for r, _ in results))
        print(f"Index: {index}")
    return code
