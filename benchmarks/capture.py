"""Capture at the cost of bare Playwright: `cpraudit adhoc` against the bare script that visits
the same generated pages (`benchmarks/bare.py`), interleaved in one run, and `cpraudit run` of
several systems with --jobs 1 and --jobs 2.

    .venv/bin/python -m benchmarks.capture [--pairs N] [--skip-jobs] [--skip-channels]

Each command runs in a process of its own; its cost is that of its whole process tree (Python,
Playwright's driver, every Chromium process; `benchmarks/tree.py`). Each command of a round goes
first in turn. Printed: medians and the spread (lowest to highest) of wall time, CPU time and
peak memory, the ratios of the medians, the fixed and per-request CPU cost of each, from the runs
at two page counts, and, from runs at the smaller count without it, what each channel a user can
take away (the trace, the network witness) costs. Everything runs on loopback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from benchmarks import site
from benchmarks.tree import Cost, line, measure, median, median_spread, medians, ratio

DWELL = 1.0
GOALS = {"wall": 1.15, "cpu": 1.25}  # at the smaller page count, every channel on
JOBS_GOAL = 1.8  # --jobs 2 against --jobs 1 on 2 cores
# The channels a user can take away, each measured by the runs without it (at the smaller page
# count), so that what each costs is known when it is kept.
CHANNELS = {"the trace": ["--trace", "off"], "the witness": ["--no-witness"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5, help="pairs per page count (default 5)")
    parser.add_argument("--pages", type=int, nargs=2, default=(5, 20), metavar=("FEW", "MANY"))
    parser.add_argument("--skip-jobs", action="store_true", help="only adhoc against bare")
    parser.add_argument(
        "--skip-channels", action="store_true", help="no runs without the trace or the witness"
    )
    parser.add_argument("--systems", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        few, many = sorted(args.pages)
        without = () if args.skip_channels else tuple(CHANNELS)
        costs = {few: pairs(few, args.pairs, Path(folder), without)}
        costs[many] = pairs(many, args.pairs, Path(folder))
        summarise(costs)
        if not args.skip_jobs:
            jobs(args.systems, max(3, args.pairs // 2), Path(folder))


Runs = dict[str, list[Cost]]


def pairs(pages: int, count: int, folder: Path, without: Sequence[str] = ()) -> tuple[Runs, int]:
    """`count` interleaved rounds at `pages` pages of the bare script, cpraudit and cpraudit
    without each channel in `without` (each command goes first in turn); the costs and the
    requests per run."""
    variants: dict[str, list[str] | None] = {"bare": None, "cpraudit": []}
    variants |= {f"without {channel}": CHANNELS[channel] for channel in without}
    names = list(variants)
    runs: Runs = {name: [] for name in names}
    with site.portal(pages) as server:
        resolve, urls = server.resolve_rules()[0], site.page_urls(pages)
        bare = [sys.executable, "-m", "benchmarks.bare", resolve, str(DWELL), *urls]
        for n in range(count):
            for name in names[n % len(names) :] + names[: n % len(names)]:
                out = folder / f"adhoc-{pages}-{n}-{names.index(name)}"
                adhoc = [sys.executable, "-m", "crawler", "adhoc", urls[0], "--cpr", site.CPR]
                adhoc += ["--resolve", resolve, "--dwell", str(DWELL), "--out", str(out)]
                extra = variants[name]
                command = bare if extra is None else adhoc + extra
                runs[name].append(measure(command))
                print(f"{pages:3} pages {name:19} {line(runs[name][-1])}", flush=True)
        first = folder / f"adhoc-{pages}-0-{names.index('cpraudit')}"
        findings = next(first.glob("*/findings.json"))
        requests = json.loads(findings.read_text())["requests"]
    return runs, requests


def summarise(costs: dict[int, tuple[Runs, int]]) -> None:
    print()
    for pages, (runs, requests) in costs.items():
        print(f"{pages} pages x {DWELL:g} s, {requests} requests recorded per run:")
        for name in runs:
            print(f"  {name:19} " + medians(runs[name]))
        for what in ("wall", "cpu", "peak"):
            goal = GOALS.get(what) if pages == min(costs) else None
            print("  " + ratio(what, runs["cpraudit"], runs["bare"], goal))
        for name in runs:
            if (channel := name.removeprefix("without ")) != name:
                print(f"  {channel} costs " + saved(runs["cpraudit"], runs[name]))
    (few, (runs_few, r_few)), (many, (runs_many, r_many)) = sorted(costs.items())
    print(f"CPU per request and fixed per run, from {few} and {many} pages:")
    fixed = {}
    for name in ("bare", "cpraudit"):
        low, high = median(runs_few[name], "cpu"), median(runs_many[name], "cpu")
        per_request = (high - low) / max(1, r_many - r_few)
        fixed[name] = low - per_request * r_few
        print(f"  {name:9} {1000 * per_request:5.2f} ms per request, {fixed[name]:5.2f} s fixed")
    print(f"  fixed cost above the bare script: {fixed['cpraudit'] - fixed['bare']:.2f} s")


def saved(full: list[Cost], without: list[Cost]) -> str:
    """What a channel costs: the median of the differences of the runs with and without it in
    each round, with the lowest and highest difference of a round."""
    out = []
    for what in ("cpu", "wall"):
        each = [getattr(a, what) - getattr(b, what) for a, b in zip(full, without, strict=True)]
        mid, low, high = median_spread(each)
        out.append(f"{mid:+.2f} s {what} (rounds {low:+.2f} to {high:+.2f})")
    return ", ".join(out)


def jobs(systems: int, rounds: int, folder: Path) -> None:
    """`cpraudit run` of `systems` systems (2 pages each), --jobs 1 against --jobs 2."""
    runs: Runs = {"1": [], "2": []}
    with site.portal(2, systems) as server:
        config = folder / "audit.toml"
        config.write_text(_audit_toml(systems, server.resolve_rules()[0]))
        for n in range(rounds):
            for jobs in ("1", "2") if n % 2 == 0 else ("2", "1"):
                out = folder / f"run-{jobs}-{n}"
                command = [sys.executable, "-m", "crawler", "run", str(config), "--jobs", jobs]
                runs[jobs].append(measure(command + ["--out", str(out), "--history", "none"]))
                print(f"run of {systems} systems --jobs {jobs}: {line(runs[jobs][-1])}")
    speedup = median(runs["1"], "wall") / median(runs["2"], "wall")
    each = [a.wall / b.wall for a, b in zip(runs["1"], runs["2"], strict=True)]
    print(
        f"--jobs 2 against --jobs 1 on {systems} systems: {speedup:.2f}x faster "
        f"(rounds {min(each):.2f}x to {max(each):.2f}x); goal >= {JOBS_GOAL:.1f}x on "
        f"{os.cpu_count()} cores: {'met' if speedup >= JOBS_GOAL else 'NOT met'}\n"
        f"  --jobs 1 {medians(runs['1'])}\n  --jobs 2 {medians(runs['2'])}"
    )


def _audit_toml(systems: int, resolve: str) -> str:
    entries = "".join(
        f'\n[[systems]]\nname = "Bench {n}"\nsupplier = "Bench"\n'
        f'start_url = "{site.page_urls(2, n)[0]}"\nfirst_party = ["{site.host(n)}"]\n'
        f'login = false\nresolve = ["{resolve}"]\ncrawl = {{ depth = 1, dwell = {DWELL} }}\n'
        for n in range(systems)
    )
    return f'[[citizens]]\nid = "c"\ncpr = "{site.CPR}"\n{entries}'


if __name__ == "__main__":
    main()
