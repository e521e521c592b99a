"""Detector speed: `detect` against a naive baseline, in the same run, on the same corpus.

    .venv/bin/python -m benchmarks.detector [--requests N] [--quick]

The naive baseline is the straightforward detector: split every structure (JSON, forms,
query strings, cookies) into all its fields, decode every field and every decoded layer
with the same decoders and budget, and in each layer try each needle (every written form
under every precomputed transform) with a substring test, one needle at a time, and the
suspect rule. `detect` finds the same things (the benchmark checks that) by searching each
generation of layers with one Aho-Corasick pass and splitting a structure only where
that pass or the marks of something decodable point. Decoding everything is also timed
alone, to show what the baseline spends on decoding and what on matching. Both runs start
with an empty cache of decoded short texts. MB/s counts request data as recorded (URL,
headers, body bytes).
"""

from __future__ import annotations

import argparse
import gc
import time

from crawler.detect import detector, units
from crawler.detect.decoders import Budget
from crawler.detect.needles import iter_needles
from crawler.detect.suspects import SuspectRule
from crawler.model import Citizen
from crawler.parties import Parties
from crawler.testing.corpus import Corpus

CITIZEN = Citizen(
    cpr="0707614285",
    name="Jens Hansen",
    email="jens@example.dk",
    phone="+45 12 34 56 78",
    address="Vestergade 12, 8000 Aarhus C",
)
PARTIES = Parties(["skat.test"])


def size(exchanges) -> int:
    return sum(
        len(e.url) + len(e.body or b"") + sum(len(k) + len(v) for k, v in e.headers)
        for e in exchanges
    )


def naive(exchanges, citizen: Citizen, match: bool = True) -> set[tuple[int, str]]:
    """Every layer of every exchange, each needle tried in each; returns the (exchange,
    identifier) pairs found. With `match=False`, only the decoding."""
    needles = list(iter_needles(citizen)) if match else []
    rule = SuspectRule(citizen.cpr)
    found: set[tuple[int, str]] = set()
    for ex in exchanges:
        budget = Budget()
        third = PARTIES.classify(ex.host).kind != "first"
        generation = list(units.locations(ex))
        while generation:
            following = []
            for unit in generation:
                if (
                    unit.structure
                    and (opened := units.fields(unit, budget, every=True)) is not None
                ):
                    following += opened
                    continue
                text = unit.layer.text
                found.update(
                    (ex.seq, needle.identifier) for needle in needles if needle.text in text
                )
                if match and third:
                    rule.find(text, ex.time)
                following += units.decoded(unit, {}, budget)
            generation = following
    return found


def timed(fn, *args):
    """Seconds of one call, with the garbage collector off as `timeit` does (for both runs)."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        result = fn(*args)
        return result, time.perf_counter() - start
    finally:
        gc.enable()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000, help="Requests in the corpus.")
    parser.add_argument("--quick", action="store_true", help="1,000 requests, for a smoke run.")
    args = parser.parse_args(argv)
    n = 1_000 if args.quick else args.requests
    exchanges = Corpus(seed=7, plant=CITIZEN.cpr, rate=0.02).make(n)
    megabytes = size(exchanges) / 1e6
    warm = Corpus(seed=8, plant=CITIZEN.cpr).make(500)  # every code path once, outside the timing
    detector.detect(warm, CITIZEN, PARTIES)
    naive(warm, CITIZEN)
    runs = {}
    for name, fn in (
        ("detect", detector.detect),
        ("naive", naive),
        ("decoding only", lambda e, c, _: naive(e, c, False)),
    ):
        units.clear_cache()
        runs[name] = timed(fn, exchanges, CITIZEN, PARTIES)
    (detection, fast), (found, slow), (_, shared) = (
        runs["detect"],
        runs["naive"],
        runs["decoding only"],
    )
    cpr = {(f.exchange_seq, f.identifier) for f in detection.findings if f.identifier == "cpr"}
    print(
        f"corpus: {n} requests, {megabytes:.1f} MB, {len(list(iter_needles(CITIZEN)))} needles; "
        f"the CPR found in {len(cpr)} requests by detect, "
        f"{len({p for p in found if p[1] == 'cpr'})} by the baseline"
    )
    for name, seconds in (("detect", fast), ("naive", slow)):
        print(
            f"{name:30} {seconds:7.2f} s  {megabytes / seconds:6.2f} MB/s  "
            f"{n / seconds:8.0f} requests/s"
        )
    print(f"{'naive: decoding alone':30} {shared:7.2f} s")
    print(f"ratio naive / detect: {slow / fast:.1f}x")
    if cpr != {p for p in found if p[1] == "cpr"}:
        raise SystemExit("detect and the baseline disagree on which requests carry the CPR")


if __name__ == "__main__":
    main()
