"""What the network witness costs: the demo portal's audits with and without it, in one run.

    .venv/bin/python -m benchmarks.witness [--rounds N]

Each round audits the demo portal's four systems twice, once with Chromium's NetLog kept and
reconciled and once with the witness switched off, in alternating order, each audit in a
process of its own. Wall time and the CPU time of the audit's whole process tree (Python,
Playwright's driver, every Chromium process; `benchmarks/tree.py`) are measured per audit; the
cost is the ratio of the medians. Reading the NetLog and reconciling it is also timed alone, on
the files of the last audit with the witness.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import tree
from crawler import bundle
from crawler.analyse.reconcile import reconcile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--one", choices=("with", "without"), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        return audit_once(args.one == "with", Path(args.out))
    times: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    with tempfile.TemporaryDirectory() as folder:
        for round_ in range(args.rounds):
            for witness in (True, False) if round_ % 2 == 0 else (False, True):
                out = Path(folder) / f"{round_}-{'with' if witness else 'without'}"
                times[witness].append(measure(witness, out))
                print(
                    f"round {round_ + 1}, witness {'on ' if witness else 'off'}: "
                    f"{times[witness][-1][0]:5.1f} s wall, {times[witness][-1][1]:5.1f} s CPU",
                    flush=True,
                )
        report(times, sorted(Path(folder).glob("*-with")))


def measure(witness: bool, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one audit in its own process."""
    one = "with" if witness else "without"
    command = [sys.executable, "-m", "benchmarks.witness", "--one", one, "--out", str(out)]
    cost = tree.measure(command)
    return cost.wall, cost.cpu


def audit_once(witness: bool, out: Path) -> None:
    from crawler import config
    from crawler.demo.portal import DEMO_CITIZEN, demo_server
    from crawler.demo.run import DEMO_CONFIG
    from crawler.run.runner import run_audit

    os.environ.setdefault("CPRAUDIT_DEMO_PASSWORD", DEMO_CITIZEN.secret("password"))
    with demo_server() as server:
        loaded = config.load(DEMO_CONFIG)
        audit = config.Audit(
            loaded.config,
            loaded.path,
            resolve=tuple(server.resolve_rules()),
            modes=config.Modes(witness=witness),
        )
        out.mkdir(parents=True)
        run_audit(audit, out, [], 1, "benchmark", quiet=True, progress=lambda text: None)


def report(times: dict[bool, list[tuple[float, float]]], folders: list[Path]) -> None:
    for i, what in enumerate(("wall", "CPU")):
        on = statistics.median(t[i] for t in times[True])
        off = statistics.median(t[i] for t in times[False])
        spread = [round(t[i], 1) for t in times[True]], [round(t[i], 1) for t in times[False]]
        print(
            f"{what:5} with {on:6.1f} s, without {off:6.1f} s: {100 * (on / off - 1):+5.1f} %"
            f"  (with {spread[0]}, without {spread[1]})"
        )
    if folders:
        reading = 0.0
        systems = [p for p in folders[-1].iterdir() if (p / bundle.WIRE).is_file()]
        for system in systems:
            clock = time.perf_counter()
            record, _ = bundle.read_exchanges(system / bundle.REQUESTS)
            wire, _ = bundle.read_exchanges(system / bundle.WIRE)
            reconcile(record, wire)
            reading += time.perf_counter() - clock
        print(
            f"reading wire.jsonl and reconciling: {1000 * reading / max(1, len(systems)):.1f} ms "
            "per system"
        )


if __name__ == "__main__":
    main()
