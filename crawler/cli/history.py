"""`cpraudit history`: what changed in earlier runs, per system and environment: leaks new,
reappeared and no longer found, third parties new and gone, and the leaks still there."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, date, datetime
from pathlib import Path

from crawler.errors import BadInput
from crawler.history.read import series_keys
from crawler.history.store import open_store
from crawler.history.timeline import night_json, series_text, timeline


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "history",
        help="print what changed in earlier runs, per system and environment: leaks new, "
        "reappeared and no longer found, third parties new and gone, and the leaks still there",
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
        help="only runs on or after this day (YYYY-MM-DD, UTC); earlier runs still count for "
        "what is new, persisting or no longer found",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="every run of every system, one JSON object per line, series after series "
        "(system, environment), each oldest first",
    )
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
        if args.system and not series_keys(conn, args.system):
            raise BadInput(
                f"--system {args.system!r}: no run of it in {path}; names are as in audit.toml"
            )
        printed = False
        for series in timeline(conn, args.system):
            if args.json:
                for n in series.nights:
                    if n.run.started >= since:
                        print(json.dumps(night_json(series, n), ensure_ascii=False))
                continue
            for line in series_text(series, since):
                printed = True
                print(line)
    if not printed and not args.json:
        print("no runs in the history" + (f" since {args.since}" if args.since else ""))
    return 0
