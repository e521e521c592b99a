"""`cpraudit run audit.toml`: every configured system, each in its own process; history; index."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from crawler import bundle, config, history
from crawler.analyse.verdict import EXIT_INCONCLUSIVE, FAIL_ON_CHOICES, exit_code, fail_rules
from crawler.cli.common import (
    add_env_option,
    add_mode_options,
    add_report_options,
    add_sign_option,
    count,
    modes,
    print_summary,
    report_options,
    say,
    signing_key,
    tell_write_failures,
)
from crawler.crash import logged
from crawler.errors import BadInput
from crawler.history.store import check_readable, chosen_path
from crawler.notify.notifier import NOBODY, for_audit
from crawler.record.addons.redaction import Redactor
from crawler.record.browser import chromium, trust
from crawler.record.visit import consent
from crawler.run.runner import RunOptions, run_audit
from crawler.run.shards import parse_shard


def register(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="audit the systems of an audit.toml by their scenarios")
    run.add_argument("config", help="path of an audit.toml (see audit.example.toml)")
    run.add_argument(
        "--system",
        action="append",
        default=[],
        metavar="NAME",
        help="audit only this system, or one consent state of it (repeatable); default all",
    )
    run.add_argument(
        "--jobs",
        type=count(1),
        default=1,
        help="systems audited at once, each in its own browser (default 1)",
    )
    run.add_argument("--out", help="output folder (default reports/<time>-run)")
    add_env_option(run)
    run.add_argument(
        "--quiet",
        action="store_true",
        help="for cron: silent when the exit code is 0 and no third party is new; else a line "
        "per leaking or inconclusive system, its new third parties, the history summary and "
        "the index",
    )
    add_mode_options(run)
    run.add_argument(
        "--history",
        metavar="PATH",
        help="history database of runs, for new / persisting / fixed leaks "
        "(default: history.sqlite beside the run folder, i.e. reports/history.sqlite; "
        "'none' keeps no history)",
    )
    run.add_argument(
        "--fail-on",
        choices=FAIL_ON_CHOICES,
        action="append",
        help="which leaks make the exit code 1: any leak not accepted in audit.toml (default), "
        "only new ones (for a supplier's CI: fail on regressions), or none; repeat it with "
        "new-third-party to fail also when an organisation appears that the system's previous "
        "complete run did not contact",
    )
    run.add_argument(
        "--shard",
        metavar="K/N",
        help="audit only shard K of N of the systems (by a hash of the name); "
        "combine the shards' folders with `cpraudit merge`",
    )
    run.add_argument(
        "--browser-endpoint",
        metavar="WS_URL",
        help="run the browsers on a remote `playwright run-server --unsafe` (ws://host:port/) "
        "instead of on this machine",
    )
    add_report_options(run, lang_default="lang in audit.toml, else en")
    add_sign_option(run)
    run.add_argument(
        "--notify-test",
        action="store_true",
        help="send a test message to every URL of notify = [...] in audit.toml and exit, "
        "auditing nothing: 0 when each took it, 2 when one did not",
    )
    run.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    audit = config.load(Path(args.config), args.env, modes(args))
    if args.notify_test:
        return notify_test(audit)
    rules = fail_rules(args.fail_on)
    masked = Redactor(audit.secrets(), set()).text  # for the crash log, should there be one
    run_dir = bundle.new_run_folder(args.out, "run")
    with logged(run_dir, masked):
        return _run(args, audit, run_dir, rules)


def _run(
    args: argparse.Namespace, audit: config.Audit, run_dir: Path, rules: tuple[str, ...]
) -> int:
    options = run_options(args, audit, run_dir, rules)
    outcome = run_audit(
        audit,
        run_dir,
        args.system,
        args.jobs,
        shlex.join(sys.argv),
        args.quiet,
        say(args.quiet),
        options,
    )
    code = exit_code((r for r, _ in outcome.results), rules)
    if options.shard and not outcome.results and not outcome.interrupted:
        print(
            f"shard {args.shard} holds none of the systems chosen: nothing to audit",
            file=sys.stderr,
        )
        return 0  # the merge of all shards decides
    news = any(t.new for r, _ in outcome.results for t in r.third_parties)
    if not (
        args.quiet and code == 0 and not news
    ):  # cron mails any output: silent when all is well
        print_summary(outcome.results, outcome.index.parent, outcome.index, quiet=args.quiet)
        if options.history:
            print(history.summary_line(r for r, _ in outcome.results))
    tell_write_failures(outcome.results)
    for problem in outcome.problems:  # the reports are written; the nightly job must notice
        print(f"error: {problem}", file=sys.stderr)
    if outcome.interrupted:
        print("interrupted: the report is marked incomplete", file=sys.stderr)
        return EXIT_INCONCLUSIVE
    return EXIT_INCONCLUSIVE if outcome.problems and code == 0 else code


def run_options(
    args: argparse.Namespace, audit: config.Audit, run_dir: Path, rules: tuple[str, ...]
) -> RunOptions:
    """History, shard and browser server of `cpraudit run`, checked before any system starts."""
    shard = parse_shard(args.shard) if args.shard else None
    notes: tuple[str, ...] = ()
    if args.browser_endpoint:
        notes = tuple(
            chromium.check_endpoint(
                args.browser_endpoint,
                any(s.resolve for s in audit.config.systems) or bool(audit.resolve),
            )
        )
    else:
        chromium.require()
    chosen = [target for _, target in audit.chosen(args.system)]
    if any(t.consent for t in chosen):
        consent.package()  # consent states need autoconsent: say so now, not per system
    if any(t.ca_file for t in chosen):
        trust.require()
    path = chosen_path(args.history, run_dir)
    if path is not None:
        check_readable(path)
    return RunOptions(
        history=path,
        shard=shard,
        browser_endpoint=args.browser_endpoint,
        notes=notes,
        sign_key=signing_key(args),
        report=report_options(args, audit.config.lang),
        notify=NOBODY if shard else for_audit(audit),  # a sweep is told once, by its merge
        fail_on=rules,
    )


def notify_test(audit: config.Audit) -> int:
    notifier = for_audit(audit)
    if not notifier.channels:
        raise BadInput(
            f"{audit.path}: no notify = [...] to test; add Apprise URLs (see audit.example.toml)"
        )
    failed = notifier.test()
    for channel in notifier.channels:
        print(f"{channel.label}: {'FAILED' if channel.label in failed else 'sent'}")
    return EXIT_INCONCLUSIVE if failed else 0
