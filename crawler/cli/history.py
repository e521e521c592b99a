"""`cpraudit history`: the timeline of earlier runs, per system: leaks new, persisting, fixed."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, date, datetime
from pathlib import Path

from crawler.errors import BadInput
from crawler.history.store import open_store
from crawler.history.timeline import timeline, timeline_text


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "history", help="print the timeline of earlier runs: leaks new, persisting and fixed"
    )
    p.add_argument(
        "--history",
        default="reports/history.sqlite",
        metavar="PATH",
        help="the history database (default reports/history.sqlite)",
    )
    p.add_argument("--system", metavar="NAME", help="only this system")
    p.add_argument(
        "--since",
        type=_date,
        metavar="DATE",
        help="only runs on or after this day (YYYY-MM-DD, UTC)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date: write it as YYYY-MM-DD"
        ) from None


def run(args: argparse.Namespace) -> int:
    path = Path(args.history)
    if not path.is_file():
        raise BadInput(
            f"{path}: no history database; run `cpraudit run` first or give one with --history"
        )
    since = (
        datetime.combine(args.since, datetime.min.time(), UTC).timestamp() if args.since else 0.0
    )
    with open_store(path) as conn:
        runs = timeline(conn, args.system, since)
    if args.system and not any(s for run in runs for s in run["systems"]):
        raise BadInput(
            f"--system {args.system!r}: no run of it in {path}; names are as in audit.toml"
        )
    if args.json:
        print(json.dumps({"history": str(path), "runs": runs}, indent=2, ensure_ascii=False))
    else:
        for line in timeline_text(runs):
            print(line)
    return 0
