"""`cpraudit adhoc URL --cpr CPR`: one site, no script: visit, follow first-party links, report."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

from pydantic import ValidationError

from crawler import bundle
from crawler.cli.common import (
    accepted_in,
    add_accepted_option,
    add_mode_options,
    add_report_options,
    add_sign_option,
    checked_cpr,
    count,
    modes,
    report,
    report_options,
    signing_key,
    switched_off,
)
from crawler.config import target_of
from crawler.crash import logged
from crawler.errors import BadInput
from crawler.model import (
    BODY_LIMIT,
    Audited,
    Citizen,
    CrawlSettings,
    Target,
    TargetOptions,
    checked_http_url,
    http_host,
    option_help,
    without_credentials,
)
from crawler.parties import registrable_domain
from crawler.record.browser import chromium
from crawler.record.browser.display import display_problem
from crawler.record.evidence import saved_logins
from crawler.report import Title
from crawler.run.audit import audit_system
from crawler.run.finish import Closing


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
        help=f"{option_help('first_party')} (repeatable); default: the registrable domain of URL",
    )
    adhoc.add_argument(
        "--resolve",
        action="append",
        default=[],
        metavar="PATTERN=ADDRESS",
        help=f"{option_help('resolve')} (repeatable)",
    )
    adhoc.add_argument("--dns-server", metavar="HOST:PORT", help=option_help("dns_server"))
    for name, kind in (
        ("depth", int),
        ("dwell", float),
        ("max_pages", int),
        ("max_seconds", float),
    ):
        default = CrawlSettings.model_fields[name].default
        adhoc.add_argument(
            "--" + name.replace("_", "-"),
            type=kind,
            default=default,
            help=f"{option_help(name, CrawlSettings)} (default {default:g})",
        )
    adhoc.add_argument(
        "--body-limit",
        type=count(1),
        default=BODY_LIMIT,
        help=f"{option_help('body_limit')} (default {BODY_LIMIT})",
    )
    adhoc.add_argument("--no-fill-forms", action="store_true", help=switched_off("fill_forms"))
    add_login_options(adhoc)
    add_accepted_option(adhoc)
    adhoc.add_argument("--out", help="output folder (default reports/<time>-adhoc)")
    add_mode_options(adhoc)
    add_report_options(adhoc)
    add_sign_option(adhoc)
    adhoc.set_defaults(func=run)


def add_login_options(adhoc: argparse.ArgumentParser) -> None:
    """How the audit gets behind a login: by hand, or with a saved one; and how it is proven."""
    adhoc.add_argument(
        "--login",
        choices=("manual",),
        help="manual: a visible browser opens at URL, recording from its first request, and a "
        "person logs in by hand (a test identity, an approval app); the audit then goes on by "
        "itself. Needs a display",
    )
    adhoc.add_argument(
        "--logged-in",
        metavar="SELECTOR",
        help="what only a logged-in citizen sees, proved on every crawled page (audit.toml's "
        'logged_in): a CSS selector ("#welcome"), or text=TEXT ("text=Log af"); with --login '
        "manual it also says when the login is done (else press Enter)",
    )
    adhoc.add_argument(
        "--storage-state",
        metavar="FILE",
        help="start logged in with this saved login: one saved by `cpraudit login` (by hand "
        "too) or by Playwright (`playwright codegen --save-storage FILE URL`)",
    )
    adhoc.add_argument(
        "--follow-redirect-ok", action="store_true", help=option_help("follow_redirect_ok")
    )


def run(args: argparse.Namespace) -> int:
    started = time.time()
    citizen = Citizen(cpr=checked_cpr(args.cpr))
    target = adhoc_target(args)
    accepted = accepted_in(args) or []
    key = signing_key(args)
    options = report_options(args)
    run_dir = bundle.new_run_folder(args.out, "adhoc")
    chromium.require()
    folder = bundle.slug(target.system)
    with logged(run_dir):
        result, _ = audit_system(
            target,
            citizen,
            run_dir / folder,
            command=shlex.join(sys.argv),
            progress=lambda text: print(f"  {text}", flush=True),
        )
        closing = Closing(
            title=Title("adhoc", target.start_url),
            command=result.command,
            started=started,
            report=options,
            sign_key=key,
            accepted=accepted,
        )
        return report([Audited(result, folder)], run_dir, closing)


def adhoc_target(args: argparse.Namespace) -> Target:
    """The site as a system: its options from the command line, each checked as audit.toml's."""
    try:  # before any message could show its credentials
        checked_http_url(args.url, "https://portal.example.dk/")
    except ValueError as exc:
        raise BadInput(f"{without_credentials(args.url)!r}: {exc}") from None
    hostname = http_host(args.url) or ""  # there is one: the URL was checked
    given = {
        "start_url": args.url,
        "first_party": tuple(args.first_party or [registrable_domain(hostname)]),
        "resolve": tuple(args.resolve),
        "dns_server": args.dns_server,
        "crawl": {
            "depth": args.depth,
            "dwell": args.dwell,
            "max_pages": args.max_pages,
            "max_seconds": args.max_seconds,
        },
        "body_limit": args.body_limit,
        "fill_forms": not args.no_fill_forms,
        "logged_in": _login_check(args.logged_in),
        "follow_redirect_ok": args.follow_redirect_ok,
    }
    try:
        options = TargetOptions.model_validate(given)
    except ValidationError as exc:
        raise BadInput(_as_option(exc, given)) from None
    return target_of(
        options,
        modes(args),
        system=hostname,
        login_by_hand=args.login == "manual",
        storage_state=_given_login(args),
    )


def _login_check(given: str | None) -> str | dict[str, str] | None:
    """`--logged-in`: a selector as audit.toml's logged_in, or text=TEXT as its { text = ... }."""
    if given is not None and given.startswith("text="):
        return {"text": given.removeprefix("text=").strip().strip('"')}
    return given


def _given_login(args: argparse.Namespace) -> str | None:
    """The saved login to start with, checked; and whether a login by hand can be shown."""
    if args.login == "manual" and args.storage_state:
        raise BadInput(
            "--login manual and --storage-state both log in: give one (a login saved by hand "
            "is given with --storage-state alone)"
        )
    if args.login == "manual" and (problem := display_problem("--login manual")):
        raise BadInput(problem)
    if not args.storage_state:
        return None
    path = Path(args.storage_state).resolve()
    saved_logins.load(path)
    return str(path)


def _as_option(exc: ValidationError, given: dict) -> str:
    """The first problem, named by the option that set it: `--depth -1: ...`."""
    error = exc.errors()[0]
    name = str(error["loc"][-1] if error["loc"][0] == "crawl" else error["loc"][0])
    value = given["crawl"].get(name) if error["loc"][0] == "crawl" else given.get(name)
    shown = " ".join(value) if isinstance(value, tuple) else value
    problem = error["msg"].removeprefix("Value error, ")
    return f"--{name.replace('_', '-')} {shown}: {problem[:1].lower()}{problem[1:]}"
