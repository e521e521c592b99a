"""`cpraudit login SYSTEM`: log in once (by the scenario, or by hand with `--manual`), save the
login, and let `run` reuse it (reuse_login)."""

from __future__ import annotations

import argparse
from pathlib import Path

from crawler import config
from crawler.cli.common import add_env_option
from crawler.errors import BadInput, printable
from crawler.record.authoring.signin import log_in_by_hand_once, log_in_once
from crawler.record.browser import chromium
from crawler.record.browser.display import display_problem


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
    p.add_argument(
        "--manual",
        action="store_true",
        help="log in by hand instead of the scenario: a visible browser opens at the start page, "
        "and the login is saved once logged_in holds (for portals no script can log in to; the "
        "system needs no scenario; needs a display)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    audit = config.load(Path(args.config), args.env)
    system = audit.system(args.system)
    if args.manual:
        return _by_hand(audit, system)
    if not (system.scenario and system.reuse_login):
        raise BadInput(
            f"{system.name} has no login to save: give it a scenario and "
            'reuse_login = "8h" (how long a saved login may be reused) in audit.toml'
        )
    if args.headed and (problem := display_problem("cpraudit login --headed")):
        raise BadInput(problem)
    chromium.require()
    citizen = audit.citizen_for(system)
    for target in audit.targets(system):  # a consent state's login carries its consent cookie
        path = log_in_once(target, citizen, args.headed)
        print(printable(f"{target.system}: logged in; saved to {path}"))
    print(f"`cpraudit run` reuses it for {system.reuse_login}, then logs in again.")
    return 0


def _by_hand(audit: config.Audit, system: config.SystemConfig) -> int:
    """A person logs in by hand, once per consent state (each carries its consent cookie)."""
    if not system.reuse_login:
        raise BadInput(
            f'{system.name} has no login to save: give it reuse_login = "8h" (how long a '
            "saved login may be reused) and logged_in in audit.toml"
        )
    if problem := display_problem("cpraudit login --manual"):
        raise BadInput(problem)
    chromium.require()
    for target in audit.targets(system):
        print(printable(f"{target.system}: log in by hand"), flush=True)
        path = log_in_by_hand_once(target, lambda text: print(f"  {text}", flush=True))
        print(printable(f"{target.system}: logged in by hand; saved to {path}"))
    after = "its scenario logs in" if system.scenario else "log in by hand again"
    print(f"`cpraudit run` reuses it for {system.reuse_login}; after that, {after}.")
    return 0
