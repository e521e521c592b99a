"""`cpraudit diff A B`: the leaks B has that A has not, and the other way round.

For a supplier's release check: A the accepted release's run, B the new one; exit 1 when B
has a leak A has not, 2 when B is incomplete (or on bad input), else 0.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from crawler import bundle
from crawler.analyse.compare import Comparison, SystemDiff, compare
from crawler.errors import BadInput, printable
from crawler.report.diff import write_diff
from crawler.report.i18n import LANGUAGES

MARKS = {"only-b": "+ only in B", "only-a": "- only in A", "both": "= in both "}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "diff",
        help="compare two run folders, or two system folders, leak by leak "
        "(exit 1 when B has a leak A has not)",
    )
    p.add_argument("a", metavar="A", help="the earlier run folder, or a system folder in one")
    p.add_argument("b", metavar="B", help="the later run folder, or a system folder in one")
    p.add_argument("--out", help="folder for diff.html (default reports/<time>-diff)")
    p.add_argument(
        "--lang", choices=LANGUAGES, default="en", help="language of diff.html: en (default) or da"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    a, b = Path(args.a), Path(args.b)
    comparison = compare(a, b)
    out = _out_folder(args.out, a, b)
    page = write_diff(comparison, out, args.lang)
    for line in lines(comparison):
        print(line)
    print(f"Page: {page}")
    return comparison.exit_code


def _out_folder(out: str | None, *sides: Path) -> Path:
    """Never inside A or B: a file added there would break its seal."""
    for side in sides:
        if out and Path(out).resolve().is_relative_to(side.resolve()):
            raise BadInput(f"--out {out} is inside {side}; write the comparison elsewhere")
    return bundle.new_run_folder(out, "diff", empty=False)  # a comparison, not a run's results


def lines(c: Comparison) -> list[str]:
    out = [f"A  {c.a}", f"B  {c.b}"]
    for system in c.systems:
        out += _system_lines(system)
    out += [f"incomplete: {p}" for p in c.problems] + [f"note: {n}" for n in c.notes]
    out.append(
        f"{c.count('only-b')} leak(s) only in B, {c.count('only-a')} only in A, "
        f"{c.count('both')} in both"
    )
    return [printable(line) for line in out]


def _system_lines(s: SystemDiff) -> list[str]:
    verdicts = " / ".join(r.verdict if r else "absent" for r in (s.a, s.b))
    out = [f"{s.name}  ({verdicts})"]
    for row in sorted(s.leaks, key=lambda r: r.status, reverse=True):
        leak = row.leak
        out.append(
            f"  {MARKS[row.status]}  {leak.receiver}  {leak.channel}  {leak.where}  "
            f"{leak.encoding}  {leak.identifier}  [{leak.fingerprint}]  "
            f"{row.requests_a}/{row.requests_b} request(s)"
        )
    if not s.leaks:
        out.append("  no leak on either side")
    return out
