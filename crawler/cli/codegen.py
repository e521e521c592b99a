"""`cpraudit codegen SYSTEM|URL`: record a scenario in the Chromium cpraudit audits with."""

from __future__ import annotations

import argparse
from pathlib import Path
from urllib.parse import urlsplit

from crawler import bundle, config
from crawler.cli.common import add_env_option
from crawler.errors import BadInput
from crawler.model import CREDENTIALS_IN_URL, Citizen, Target, credentials_in, without_credentials
from crawler.parties import registrable_domain
from crawler.record.authoring.codegen import record_code, skeleton
from crawler.record.browser import chromium
from crawler.record.browser.switches import resolver_rules


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "codegen",
        help="open a system (or URL) in a headed Chromium set up as its audit is (resolve rules, "
        "certificates, switches) with Playwright's recorder on, and write what you do as a "
        "scenario skeleton",
    )
    p.add_argument("system", metavar="SYSTEM|URL", help="a system of audit.toml, or a URL")
    p.add_argument("--config", default="audit.toml", help="the audit.toml (default ./audit.toml)")
    add_env_option(p)
    p.add_argument(
        "--resolve",
        action="append",
        default=[],
        metavar="PATTERN=ADDRESS",
        help="with a URL: map host names to an address, as for adhoc",
    )
    p.add_argument(
        "--ignore-https-errors",
        action="store_true",
        help="with a URL: accept any certificate (a test host's self-signed one)",
    )
    p.add_argument("--out", help="the scenario file to write (default <system>.py); must be new")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    target, citizen = _target(args)
    out = Path(args.out or f"{bundle.slug(target.variant_of or target.system)}.py")
    if out.exists():
        raise BadInput(f"{out} exists; give a new file with --out (nothing is overwritten)")
    chromium.require()
    print("Recording: act as the citizen in the browser window, then close it.", flush=True)
    code = record_code(target)
    out.write_text(skeleton(code, target, citizen), encoding="utf-8")
    print(f"Scenario written to {out}: review it, then name it as the system's scenario.")
    return 0


def _target(args: argparse.Namespace) -> tuple[Target, Citizen]:
    parts = urlsplit(args.system)
    if credentials_in(args.system):
        raise BadInput(f"{without_credentials(args.system)} {CREDENTIALS_IN_URL}")
    if parts.scheme in ("http", "https") and parts.hostname:
        resolver_rules(args.resolve)  # a bad rule is a one-line error before the browser starts
        target = Target(
            system=parts.hostname,
            start_url=args.system,
            first_party=(registrable_domain(parts.hostname),),
            resolve=tuple(args.resolve),
            ignore_https_errors=args.ignore_https_errors,
        )
        return target, Citizen(cpr="0000000000")
    audit = config.load(Path(args.config), args.env)
    system = audit.system(args.system)
    return audit.targets(system)[0], audit.citizen_for(system)
