"""`cpraudit login SYSTEM`: log in once, save the login, and let `run` reuse it (reuse_login)."""

from __future__ import annotations

import argparse
from pathlib import Path

from crawler import config
from crawler.cli.common import add_env_option
from crawler.errors import BadInput, printable
from crawler.record.authoring.signin import log_in_once
from crawler.record.browser import chromium


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "login",
        help="run a system's login steps once and save the login (outside the reports, 0600) "
        "for `run` to reuse while younger than its reuse_login",
    )
    p.add_argument("system", help="the system's name in audit.toml")
    p.add_argument("--config", default="audit.toml", help="the audit.toml (default ./audit.toml)")
    add_env_option(p)
    p.add_argument(
        "--headed",
        action="store_true",
        help="show the browser and wait up to 5 minutes at each action: for a login a person "
        "completes, e.g. an approval in an app",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    audit = config.load(Path(args.config), args.env)
    system = audit.system(args.system)
    if not (system.scenario and system.reuse_login):
        raise BadInput(
            f"{system.name} has no login to save: give it a scenario and "
            'reuse_login = "8h" (how long a saved login may be reused) in audit.toml'
        )
    chromium.require()
    citizen = audit.citizen_for(system)
    for target in audit.targets(system):  # a consent state's login carries its consent cookie
        path = log_in_once(target, citizen, args.headed)
        print(printable(f"{target.system}: logged in; saved to {path}"))
    print(f"`cpraudit run` reuses it for {system.reuse_login}, then logs in again.")
    return 0
