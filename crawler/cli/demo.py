"""`cpraudit demo`: the bundled demo portal, audited through the same path as `cpraudit run`."""

from __future__ import annotations

import argparse

from crawler import bundle
from crawler.cli.common import (
    add_report_options,
    add_sign_option,
    count,
    print_summary,
    report_options,
    signing_key,
)
from crawler.crash import logged
from crawler.record.browser import chromium


def register(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser(
        "demo", help="audit the bundled demo portal (a re-creation of the 2015-2020 case)"
    )
    demo.add_argument("--out", help="output folder (default reports/<time>-demo)")
    demo.add_argument(
        "--serve",
        type=count(1),
        metavar="PORT",
        nargs="?",
        const=8080,
        help="serve the demo portal on 127.0.0.1:PORT (default 8080) until Ctrl-C, to try "
        "adhoc and scan-har on it, instead of auditing it",
    )
    demo.add_argument(
        "--jobs", type=count(1), default=2, help="systems audited at once (default 2)"
    )
    add_report_options(demo)
    add_sign_option(demo)
    demo.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from crawler.demo.run import run_demo, serve  # the demo portal only when asked for

    if args.serve:
        return serve(args.serve)
    key = signing_key(args)
    chromium.require()
    options = report_options(args)
    run_dir = bundle.new_run_folder(args.out, "demo")
    with logged(run_dir):
        return run_demo(run_dir, args.jobs, print_summary, key, options)
