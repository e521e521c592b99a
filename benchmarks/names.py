"""What looking up the first-party names costs an audit: 50 hosts' CNAME chains at once,
against asking them one after another, in the same run.

    .venv/bin/python -m benchmarks.names [--rounds N] [--hosts N]

A DNS server on loopback (the tests' `CnameServer`) answers a two-step chain for half of the
hosts and NXDOMAIN for the rest, after a delay per answer like a resolver's across a network
(`--delay`, 20 ms). The goal is at most 1 s per system for 50 hosts; the ratio says what doing
them at once saves against the straightforward loop.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from crawler.record.evidence.names import _chain, _resolver, look_up
from crawler.testing.dns import CnameServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--delay", type=float, default=0.02, help="seconds per DNS answer")
    args = parser.parse_args()
    hosts = [f"h{i}.portal.test" for i in range(args.hosts)]
    table = {h: f"{h}.edge.vendor.test" for h in hosts[::2]}
    table |= {f"{h}.edge.vendor.test": f"e{i}.cdn.vendor.test" for i, h in enumerate(hosts[::2])}
    with CnameServer(table, delay=args.delay) as dns:
        resolver = _resolver(dns.address)
        at_once = _timed(lambda: look_up(hosts, dns.address), args.rounds)
        one_by_one = _timed(lambda: [_chain(resolver, h) for h in hosts], args.rounds)
    print(f"{args.hosts} hosts, {args.delay * 1000:.0f} ms a DNS answer, {args.rounds} rounds")
    print(f"  at once (cpraudit): {_spread(at_once)}")
    print(f"  one after another:  {_spread(one_by_one)}")
    ratio = statistics.median(at_once) / statistics.median(one_by_one)
    goal = "met" if statistics.median(at_once) <= 1.0 else "NOT met"
    print(f"  ratio {ratio:.2f}x of the loop; goal <= 1 s per system: {goal}")


def _timed(work: Callable[[], object], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return times


def _spread(times: list[float]) -> str:
    return f"median {statistics.median(times):.3f} s (from {min(times):.3f} to {max(times):.3f})"


if __name__ == "__main__":
    main()
