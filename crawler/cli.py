"""`cpraudit`: record a portal's traffic as a synthetic citizen and report CPR leaks.

Exit codes: 0 every audited system clean; 1 a leak was found; 2 inconclusive or error.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from crawler import __version__, browser, config, history, merge
from crawler.audit import Recording, analyse, audit_system
from crawler.errors import BadInput
from crawler.identifiers import modulus11_ok, parse_cpr
from crawler.model import Citizen, CrawlSettings, SystemResult, Target
from crawler.parties import registrable_domain
from crawler.har import read_har, write_requests
from crawler.report import slug, write_index, write_junit, write_system
from crawler.run import RunOptions, run_audit
from crawler.verdict import EXIT_INCONCLUSIVE, exit_code


def cmd_adhoc(args: argparse.Namespace) -> int:
    citizen = Citizen(cpr=checked_cpr(args.cpr))
    target = adhoc_target(args)
    run_dir = new_run_dir(args.out, "adhoc")
    browser.require()
    audited = audit_system(target, citizen, run_dir, command=shlex.join(sys.argv),
                           progress=lambda text: print(f"  {text}", flush=True))
    return report_one(audited, run_dir, f"Ad-hoc audit of {target.start_url}")


def report_one(audited: tuple[SystemResult, str], run_dir: Path, title: str) -> int:
    """Index, junit.xml and the printed summary of a one-system run; its exit code."""
    results = [audited]
    index = write_index(results, run_dir, title)
    write_junit(results, run_dir)
    print_summary(results, run_dir, index)
    return exit_code(r for r, _ in results)


def cmd_scan_har(args: argparse.Namespace) -> int:
    citizen = Citizen(cpr=checked_cpr(args.cpr))
    har = read_har(Path(args.file))
    documents = [e.url for e in har.exchanges if e.resource_type == "document"] or [e.url for e in har.exchanges]
    if not documents:
        raise BadInput(f"{args.file}: the HAR holds no request that could be read; export it again with the Network tab open")
    first = args.first_party or [registrable_domain(urlsplit(documents[0]).hostname or "")]
    target = Target(system=Path(args.file).name, start_url=documents[0], first_party=tuple(first), crawl=None)
    run_dir = new_run_dir(args.out, "har")
    folder = slug(target.system)
    write_requests(har, run_dir / folder / "requests.jsonl")
    errors = list(har.problems)
    if har.unreadable:
        errors.insert(0, f"{har.unreadable} HAR entries could not be read, so the file was not fully searched")
    recording = Recording(target, run_dir / folder, errors=errors, pages=list(har.pages),
                          notes=[f"imported from {args.file}, written by {har.creator or 'an unknown tool'}",
                                 *har.notes])
    result, exchanges = analyse(recording, citizen, command=shlex.join(sys.argv))
    write_system(result, exchanges, run_dir / folder)
    return report_one((result, folder), run_dir, f"HAR scan of {Path(args.file).name}")


def cmd_run(args: argparse.Namespace) -> int:
    audit = config.load(Path(args.config))
    audit.overrides = {k: True for k in ("contain", "legacy_referrer") if getattr(args, k)}
    run_dir = new_run_dir(args.out, "run")
    options = run_options(args, audit, run_dir)
    outcome = run_audit(audit, run_dir, args.system, args.jobs,
                        shlex.join(sys.argv), args.quiet, say(args.quiet), options)
    code = history.exit_code((r for r, _ in outcome.results), args.fail_on)
    if options.shard and not outcome.results and not outcome.interrupted:
        print(f"shard {args.shard} holds none of the systems chosen: nothing to audit", file=sys.stderr)
        return 0  # the merge of all shards decides
    if not (args.quiet and code == 0):  # cron mails any output: quiet means silent on success
        print_summary(outcome.results, outcome.index.parent, outcome.index, quiet=args.quiet)
        if options.history:
            print(history.summary_line(r for r, _ in outcome.results))
    if outcome.interrupted:
        print("interrupted: the report is marked incomplete", file=sys.stderr)
        return EXIT_INCONCLUSIVE
    return code


def run_options(args: argparse.Namespace, audit: config.Audit, run_dir: Path) -> RunOptions:
    """History, shard and browser server of `cpraudit run`, checked before any system starts."""
    shard = merge.parse_shard(args.shard) if args.shard else None
    notes: tuple[str, ...] = ()
    if args.browser_endpoint:
        notes = tuple(browser.check_endpoint(args.browser_endpoint, any(s.resolve for s in audit.config.systems)
                                             or bool(audit.resolve)))
    else:
        browser.require()
    path = None if args.history == "none" else Path(args.history) if args.history else history.default_path(run_dir)
    return RunOptions(history=path, shard=shard, browser_endpoint=args.browser_endpoint, notes=notes)


def cmd_demo(args: argparse.Namespace) -> int:
    from crawler.demo.run import run_demo  # the demo portal is only imported when asked for

    browser.require()
    return run_demo(new_run_dir(args.out, "demo"), args.jobs, print_summary)


def say(quiet: bool):
    return (lambda text: None) if quiet else (lambda text: print(text, flush=True))


def adhoc_target(args: argparse.Namespace) -> Target:
    parts = urlsplit(args.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInput(f"{args.url!r} is not an http(s) URL: give one like https://portal.example.dk/")
    browser.resolver_rules(args.resolve)  # refuse a malformed rule before anything starts
    first = args.first_party or [registrable_domain(parts.hostname)]
    return Target(system=parts.hostname, start_url=args.url, first_party=tuple(first),
                  resolve=tuple(args.resolve), crawl=CrawlSettings(depth=args.depth, dwell=args.dwell),
                  contain=args.contain, legacy_referrer=args.legacy_referrer)


def checked_cpr(text: str) -> str:
    cpr = parse_cpr(text)
    if not modulus11_ok(cpr):
        print("warning: the CPR fails the modulus-11 check; numbers issued since 2007 need not pass it, "
              "auditing anyway", file=sys.stderr)
    return cpr


def new_run_dir(out: str | None, kind: str) -> Path:
    """`--out`, else reports/<UTC time>-<kind>/; fails early if it cannot be written."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = Path(out) if out else Path("reports") / f"{stamp}-{kind}"
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise BadInput(f"cannot write reports to {path}: {exc.strerror}; choose a writable folder with --out")
    return path


def print_summary(results: list[tuple[SystemResult, str]], run_dir: Path, index: Path,
                  quiet: bool = False) -> None:
    """A line per system (verdict, findings, receivers); quiet prints problems only, for cron."""
    for result, folder in results:
        if quiet and result.verdict == "clean":
            continue
        receivers = ", ".join(sorted({f.host for f in result.findings}))
        line = f"{result.system:<24} {result.verdict.upper():<13} {len(result.findings):>3} finding(s)"
        print(line + (f" -> {receivers}" if receivers else ""))
        for error in result.errors:
            print(f"{'':<24} {error}")
        print(f"{'':<24} {run_dir / folder / 'report.html'}")
    if not quiet and results:
        detecting = sum(r.detect_seconds for r, _ in results)
        wall = sum(r.wall_seconds for r, _ in results)
        print(f"Detection: {detecting:.2f} s for {sum(r.requests for r, _ in results)} requests, "
              f"{100 * detecting / wall if wall else 0:.1f} % of the systems' audit time")
    print(f"Index: {index}")


def add_mode_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--contain", action="store_true",
                        help="answer requests that would carry the CPR to a third party locally, so it never leaves "
                        "the machine; they are still recorded and reported, marked contained (run: every system)")
    parser.add_argument("--legacy-referrer", action="store_true",
                        help="give first-party pages without a referrer policy the pre-2021 default "
                        "(no-referrer-when-downgrade), so Referer leaks of that era are observed (run: every system)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cpraudit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"cpraudit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    adhoc = sub.add_parser("adhoc", help="visit one site as a citizen and report CPR leaks, no script needed")
    adhoc.add_argument("url", help="start page, e.g. https://portal.example.dk/borger?cpr=...")
    adhoc.add_argument("--cpr", required=True, help="the test citizen's CPR number (DDMMYYSSSS or DDMMYY-SSSS)")
    adhoc.add_argument("--first-party", action="append", default=[], metavar="DOMAIN",
                       help="a domain of the audited system (repeatable); default: the registrable domain of URL")
    adhoc.add_argument("--resolve", action="append", default=[], metavar="PATTERN=ADDRESS",
                       help="map host names to an address, e.g. '*=127.0.0.1:8080' (Chromium host-resolver rules)")
    adhoc.add_argument("--depth", type=int, default=1, help="first-party link levels to follow (default 1)")
    adhoc.add_argument("--dwell", type=float, default=3.0,
                       help="seconds to stay on each page for analytics sent on timers (default 3)")
    adhoc.add_argument("--out", help="output folder (default reports/<time>-adhoc)")
    add_mode_options(adhoc)
    adhoc.set_defaults(func=cmd_adhoc)

    scan = sub.add_parser("scan-har", help="search a HAR file (DevTools or Playwright export) for the CPR")
    scan.add_argument("file", help="the .har file (or a Playwright .zip HAR)")
    scan.add_argument("--cpr", required=True, help="the CPR number to look for (DDMMYYSSSS or DDMMYY-SSSS)")
    scan.add_argument("--first-party", action="append", default=[], metavar="DOMAIN",
                      help="a domain of the audited system (repeatable); default: that of the first page in the HAR")
    scan.add_argument("--out", help="output folder (default reports/<time>-har)")
    scan.set_defaults(func=cmd_scan_har)

    run = sub.add_parser("run", help="audit the systems of an audit.toml by their scenarios")
    run.add_argument("config", help="path of an audit.toml (see audit.example.toml)")
    run.add_argument("--system", action="append", default=[], metavar="NAME",
                     help="audit only this system (repeatable); default all")
    run.add_argument("--jobs", type=int, default=1, help="systems audited at once, each in its own browser (default 1)")
    run.add_argument("--out", help="output folder (default reports/<time>-run)")
    run.add_argument("--quiet", action="store_true", help="for cron: silent when the exit code is 0; else a line per leaking or inconclusive system, the history summary and the index")
    add_mode_options(run)
    run.add_argument("--history", metavar="PATH",
                     help="history database of runs, for new / persisting / fixed leaks (default: history.sqlite "
                     "beside the run folder, i.e. reports/history.sqlite; 'none' keeps no history)")
    run.add_argument("--fail-on", choices=history.FAIL_ON, default="any",
                     help="which leaks make the exit code 1: any leak not accepted in audit.toml (default), only "
                     "new ones (for a supplier's CI: fail on regressions), or none")
    run.add_argument("--shard", metavar="K/N", help="audit only shard K of N of the systems (by a hash of the name); "
                     "combine the shards' folders with `cpraudit merge`")
    run.add_argument("--browser-endpoint", metavar="WS_URL",
                     help="run the browsers on a remote `playwright run-server --unsafe` (ws://host:port/) "
                     "instead of on this machine")
    run.set_defaults(func=cmd_run)

    demo = sub.add_parser("demo", help="audit the bundled demo portal (a re-creation of the 2015-2020 case)")
    demo.add_argument("--out", help="output folder (default reports/<time>-demo)")
    demo.add_argument("--jobs", type=int, default=2, help="systems audited at once (default 2)")
    demo.set_defaults(func=cmd_demo)
    history.add_parser(sub)
    merge.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BadInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INCONCLUSIVE
    except KeyboardInterrupt:
        print("interrupted: results are incomplete", file=sys.stderr)
        return EXIT_INCONCLUSIVE
