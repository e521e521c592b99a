"""`cpraudit adhoc URL --cpr CPR`: one site, no script: visit, follow first-party links, report."""

from __future__ import annotations

import argparse
import shlex
import sys
import time

from pydantic import ValidationError

from crawler import bundle
from crawler.cli.common import (
    add_mode_options,
    add_report_options,
    add_sign_option,
    checked_cpr,
    count,
    report_one,
    report_options,
    signing_key,
)
from crawler.crash import logged
from crawler.errors import BadInput
from crawler.model import (
    BODY_LIMIT,
    CREDENTIALS_IN_URL,
    Audited,
    Citizen,
    CrawlSettings,
    Target,
    credentials_in,
    dns_server_address,
    http_host,
    without_credentials,
)
from crawler.parties import registrable_domain
from crawler.record.browser import chromium
from crawler.record.browser.switches import resolver_rules
from crawler.report import Title, write_system
from crawler.run.audit import audit_system


def register(sub: argparse._SubParsersAction) -> None:
    adhoc = sub.add_parser(
        "adhoc", help="visit one site as a citizen and report CPR leaks, no script needed"
    )
    adhoc.add_argument("url", help="start page, e.g. https://portal.example.dk/borger?cpr=...")
    adhoc.add_argument(
        "--cpr", required=True, help="the test citizen's CPR number (DDMMYYSSSS or DDMMYY-SSSS)"
    )
    adhoc.add_argument(
        "--first-party",
        action="append",
        default=[],
        metavar="DOMAIN",
        help="a domain of the audited system (repeatable); default: the registrable domain of URL",
    )
    adhoc.add_argument(
        "--resolve",
        action="append",
        default=[],
        metavar="PATTERN=ADDRESS",
        help="map host names to an address, e.g. '*=127.0.0.1:8080' (Chromium host-resolver rules)",
    )
    adhoc.add_argument(
        "--dns-server",
        metavar="HOST:PORT",
        help="ask this DNS server for the CNAME chains of the first-party hosts (a test "
        "environment's); default the system's resolver",
    )
    adhoc.add_argument(
        "--depth", type=int, default=1, help="first-party link levels to follow (default 1)"
    )
    adhoc.add_argument(
        "--dwell",
        type=float,
        default=3.0,
        help="seconds to stay on each page for analytics sent on timers (default 3)",
    )
    adhoc.add_argument(
        "--max-pages", type=int, default=30, help="pages to visit at most (default 30)"
    )
    adhoc.add_argument(
        "--max-seconds",
        type=float,
        default=300.0,
        help="seconds of crawling at most, dwell included (default 300)",
    )
    adhoc.add_argument(
        "--body-limit",
        type=count(1),
        default=BODY_LIMIT,
        help="bytes above which a request body is kept in a file of its own and searched in "
        f"windows of this size (default {BODY_LIMIT})",
    )
    adhoc.add_argument(
        "--no-fill-forms",
        action="store_true",
        help="do not type the citizen's data into the pages' fields (by default every field is "
        "filled key by key and never submitted); for sites where typing has side effects",
    )
    adhoc.add_argument("--out", help="output folder (default reports/<time>-adhoc)")
    add_mode_options(adhoc)
    add_report_options(adhoc)
    add_sign_option(adhoc)
    adhoc.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    started = time.time()
    citizen = Citizen(cpr=checked_cpr(args.cpr))
    target = adhoc_target(args)
    key = signing_key(args)
    options = report_options(args)
    run_dir = bundle.new_run_folder(args.out, "adhoc")
    chromium.require()
    folder = bundle.slug(target.system)
    with logged(run_dir):
        result, exchanges = audit_system(
            target,
            citizen,
            run_dir / folder,
            command=shlex.join(sys.argv),
            progress=lambda text: print(f"  {text}", flush=True),
        )
        write_system(result, exchanges, run_dir / folder, options)
        title = Title("adhoc", target.start_url)
        return report_one(Audited(result, folder), run_dir, title, started, key, options)


def adhoc_target(args: argparse.Namespace) -> Target:
    hostname = http_host(args.url)
    if not hostname:
        raise BadInput(
            f"{without_credentials(args.url)!r} is not an http(s) URL: give one like "
            "https://portal.example.dk/"
        )
    if credentials_in(args.url):
        raise BadInput(f"{without_credentials(args.url)} {CREDENTIALS_IN_URL}")
    resolver_rules(args.resolve)  # refuse a malformed rule before anything starts
    if args.dns_server:
        try:
            dns_server_address(args.dns_server)
        except ValueError as exc:
            raise BadInput(f"--dns-server {exc}") from None
    first = args.first_party or [registrable_domain(hostname)]
    return Target(
        system=hostname,
        start_url=args.url,
        first_party=tuple(first),
        resolve=tuple(args.resolve),
        crawl=crawl_bounds(args),
        contain=args.contain,
        legacy_referrer=args.legacy_referrer,
        witness=not args.no_witness,
        fill_forms=not args.no_fill_forms,
        dns_server=args.dns_server,
        trace=args.trace or "on",
        body_limit=args.body_limit,
    )


def crawl_bounds(args: argparse.Namespace) -> CrawlSettings:
    bounds = {
        "depth": args.depth,
        "dwell": args.dwell,
        "max_pages": args.max_pages,
        "max_seconds": args.max_seconds,
    }
    try:
        return CrawlSettings(**bounds)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).replace("_", "-")
        raise BadInput(f"--{name} {bounds[str(error['loc'][0])]}: {error['msg'].lower()}") from None
