"""What several subcommands share: the CPR argument, the mode options, the printed summary."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from crawler import bundle
from crawler.analyse.verdict import exit_code
from crawler.config import Accepted, Modes, acceptances
from crawler.detect.identifiers import modulus11_ok, parse_cpr
from crawler.errors import WRITE_FAILED, printable
from crawler.model import Audited, Language, SystemResult, ThirdParty, option_help
from crawler.owners import trackerdb
from crawler.proof.signing import Ed25519PrivateKey, load_private
from crawler.record.browser import chromium
from crawler.report import ReportOptions
from crawler.report.coverage import statement
from crawler.report.i18n import LANGUAGES
from crawler.report.words import VERDICTS
from crawler.run.finish import Closing, finish_run


def checked_cpr(text: str) -> str:
    cpr = parse_cpr(text)
    if not modulus11_ok(cpr):
        print(
            "warning: the CPR fails the modulus-11 check; numbers issued since 2007 need not "
            "pass it, auditing anyway",
            file=sys.stderr,
        )
    return cpr


def count(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least `minimum` (`--jobs 0` would wait forever)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of {minimum} or more")
        return value

    return parse


def add_mode_options(parser: argparse.ArgumentParser) -> None:
    """The modes every system of the run gets (`Modes`), each described where it is declared."""
    parser.add_argument("--contain", action="store_true", help=option_help("contain"))
    parser.add_argument(
        "--legacy-referrer", action="store_true", help=option_help("legacy_referrer")
    )
    parser.add_argument("--no-witness", action="store_true", help=switched_off("witness"))
    parser.add_argument(
        "--trace", choices=("on", "off", "retain-on-failure"), help=option_help("trace")
    )


def switched_off(name: str) -> str:
    """The help of a --no-NAME option: what it switches off, as the setting describes it."""
    return f"switch off {name} (audit.toml's {name} = false): {option_help(name)}"


def modes(args: argparse.Namespace) -> Modes:
    return Modes(
        contain=args.contain,
        legacy_referrer=args.legacy_referrer,
        witness=not args.no_witness,
        trace=args.trace,
    )


def add_accepted_option(parser: argparse.ArgumentParser, otherwise: str = "") -> None:
    parser.add_argument(
        "--accepted",
        metavar="FILE",
        help="leaks accepted for a time: the [[accepted]] tables of this TOML file (an "
        "audit.toml will do); an accepted leak in force does not make the exit code 1" + otherwise,
    )


def accepted_in(args: argparse.Namespace) -> list[Accepted] | None:
    """The --accepted file's acceptances; None when it was not given."""
    return acceptances(Path(args.accepted)) if args.accepted else None


def add_env_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--env",
        metavar="NAME",
        help="audit the environment [environments.NAME] of audit.toml (its URLs, resolve "
        "rules, certificates and credentials); default the systems as written",
    )


def add_sign_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sign-key",
        metavar="FILE",
        help="also sign the run folder's manifest.json (manifest.sig) with this Ed25519 private "
        "key: PEM PKCS#8, OpenSSH or raw 32 bytes, unencrypted; check with `verify --key PUB`",
    )


def add_report_options(parser: argparse.ArgumentParser, lang_default: str = "en") -> None:
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        help=f"language of the reports: en (English) or da (Danish); default {lang_default}",
    )
    parser.add_argument(
        "--pdf",
        action="store_true",
        help="also write each system's report and the index as PDF (report.pdf, index.pdf), "
        "printed by the same Chromium, for case files",
    )


def report_options(args: argparse.Namespace, configured: Language = "en") -> ReportOptions:
    """--lang and --pdf; the language from the command line, else from the configuration.
    PDFs need a local Chromium: checked before anything is audited."""
    if args.pdf:
        chromium.require()
    return ReportOptions(lang=args.lang or configured, pdf=args.pdf)


def signing_key(args: argparse.Namespace) -> Ed25519PrivateKey | None:
    """The --sign-key, loaded before anything is audited: a bad key fails at once."""
    return load_private(Path(args.sign_key)) if args.sign_key else None


def say(quiet: bool) -> Callable[[str], None]:
    return (lambda text: None) if quiet else (lambda text: print(text, flush=True))


def report(results: list[Audited], run_dir: Path, closing: Closing) -> int:
    """A run closed as every run is, and its printed summary; its exit code."""
    outcome = finish_run(results, run_dir, closing)
    print_summary(outcome.results, run_dir, outcome.index)
    tell_write_failures(outcome.results)
    return exit_code((r for r, _ in outcome.results), closing.fail_on)


def print_summary(results: list[Audited], run_dir: Path, index: Path, quiet: bool = False) -> None:
    """A line per system (verdict, findings, receivers), its agreement failures and new third
    parties; quiet prints problems and news only, for cron."""
    for result, folder in results:
        extra = third_party_lines(result)
        if quiet and result.verdict == "clean" and not extra:
            continue
        receivers = ", ".join(sorted({f.host for f in result.findings}))
        print(
            f"{result.system:<24} {verdict_said(result):<15} {len(result.findings):>3} finding(s)"
            + (f" -> {receivers}" if receivers else "")
        )
        lines = [statement(result), *result.errors, *extra, str(run_dir / folder / bundle.REPORT)]
        for text in lines:
            print(f"{'':<24} {text}")
    if not quiet and results:
        detecting = sum(r.detect_seconds for r, _ in results)
        wall = sum(r.wall_seconds for r, _ in results)
        print(
            f"Detection: {detecting:.2f} s for {sum(r.requests for r, _ in results)} requests, "
            f"{100 * detecting / wall if wall else 0:.1f} % of the systems' audit time"
        )
        if isinstance(missing := trackerdb.database(), str):
            print(f"Owners: {missing}")
    print(f"Index: {index}")


def verdict_said(result: SystemResult) -> str:
    """The verdict as a person reads it in the terminal: "NO LEAK FOUND", "LEAK, accepted until
    2027-03-31" where every leak is accepted."""
    said = VERDICTS[result.verdict].upper()
    if result.accepted_until:
        said += f", accepted until {result.accepted_until.isoformat()}"
    return said


def tell_write_failures(results: list[Audited]) -> None:
    """A recording a full disk stopped, on stderr too: what cron mails and CI shows in red."""
    for result, _ in results:
        if failed := next((e for e in result.errors if WRITE_FAILED in e), None):
            print(f"error: {result.system}: {failed}", file=sys.stderr)


def third_party_lines(result: SystemResult) -> list[str]:
    """A leak despite declined consent, the agreement verdict when it fails, and each third
    party new since the previous run (names and hosts come from pages and databases: escaped
    for the terminal)."""
    lines = []
    if result.despite_declined_consent:
        lines.append("the CPR reached third parties despite declined consent")
    if result.agreement_verdict == "fail":
        names = ", ".join(t.organisation for t in result.unagreed)
        lines.append(f"AGREEMENTS FAIL: no agreement in force with {names}")
    lines += [f"new third party: {describe(t)}" for t in result.third_parties if t.new]
    return [printable(line) for line in lines]


def describe(t: ThirdParty) -> str:
    """'Demo CDN LLC (US, third country; hosting; no agreement) at cdn.democdn.test'."""
    where = t.country or "country unknown"
    if t.third_country:
        where += ", third country"
    status = {"agreement": "agreement " + ", ".join(t.agreements)}.get(
        t.status, t.status.replace("-", " ")
    )
    facts = "; ".join(filter(None, [where, t.category, status]))
    return f"{t.organisation} ({facts}) at {', '.join(t.hosts)}"
