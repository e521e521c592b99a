"""`cpraudit analyse FOLDER`: an earlier run's evidence through today's detector, analysis and
reports, into a new run folder; nothing is visited again and the evidence is only read."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

from crawler import bundle
from crawler.cli.common import (
    accepted_in,
    add_accepted_option,
    add_report_options,
    add_sign_option,
    report,
    report_options,
    signing_key,
)
from crawler.crash import logged
from crawler.report import Title
from crawler.run.finish import Closing
from crawler.run.reanalysis import acceptances_of, analyse_again, evidence_in


def register(sub: argparse._SubParsersAction) -> None:
    analyse = sub.add_parser(
        "analyse",
        help="analyse an earlier run's evidence again with this version's detector",
        description="Search the evidence of an earlier run (its run folder, or one system's "
        "folder in it) again with this version of cpraudit, and write new reports into a new "
        "folder. Nothing is visited again and the evidence is only read; the reports say which "
        "run's evidence they are of, which version recorded it and whether it still matched its "
        "manifest.",
    )
    analyse.add_argument("folder", help="a run folder, or one system's folder in it")
    add_accepted_option(
        analyse, otherwise="; default: the acceptances the earlier run applied, judged today"
    )
    analyse.add_argument("--out", help="output folder (default reports/<time>-analysis)")
    add_report_options(analyse)
    add_sign_option(analyse)
    analyse.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    started = time.time()
    given = Path(args.folder)
    run_folder, evidence = evidence_in(given)
    accepted = accepted_in(args)
    key = signing_key(args)
    options = report_options(args, bundle.run_language(run_folder))
    out = bundle.new_run_folder(args.out, "analysis")
    with logged(out):
        command = shlex.join(sys.argv)
        results = analyse_again(run_folder, evidence, out, command)
        closing = Closing(
            title=Title("analysis", str(given)),
            command=command,
            started=started,
            report=options,
            sign_key=key,
            accepted=acceptances_of(evidence) if accepted is None else accepted,
        )
        return report(results, out, closing)
