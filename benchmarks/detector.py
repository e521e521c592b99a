"""Detector speed: `detect` against a naive baseline, in the same run, on the same corpus.

    .venv/bin/python -m benchmarks.detector [--requests N] [--quick]

The baseline walks exactly the same units and decoded layers as `detect` (same locations,
same decoders, same budget) but looks for each needle (every written form under every
precomputed transform) with a plain substring test, one needle at a time, instead of one
Aho-Corasick pass per generation. So the ratio isolates the matching strategy; decoding
costs both the same, and is also timed alone so the matching's own ratio can be shown.
MB/s counts request data as recorded (URL, headers, body bytes).
"""

from __future__ import annotations

import argparse
import time

from benchmarks.corpus import Corpus
from crawler import detector
from crawler.decoders import Budget
from crawler.model import Citizen
from crawler.needles import iter_needles
from crawler.parties import Parties

CITIZEN = Citizen(cpr="0707614285", name="Jens Hansen", email="jens@example.dk", phone="+45 12 34 56 78",
                  address="Vestergade 12, 8000 Aarhus C")
PARTIES = Parties(["skat.test"])


def size(exchanges) -> int:
    return sum(len(e.url) + len(e.body or b"") + sum(len(k) + len(v) for k, v in e.headers) for e in exchanges)


def decode_only(exchanges, citizen: Citizen) -> int:
    """The traversal both share (locations, structure, decoders), matching nothing: what is
    left of each run's time after this is its matching."""
    return naive(exchanges, citizen, needles=[])


def naive(exchanges, citizen: Citizen, needles: list[str] | None = None) -> int:
    """Each needle tried in each decoded layer by substring search; returns the hits."""
    needles = [n.text for n in iter_needles(citizen)] if needles is None else needles
    hits = 0
    for ex in exchanges:
        budget = Budget()
        search = detector._Search(ex, PARTIES.classify(ex.host), budget, None)
        generation = [u for loc in detector.locations(ex) for u in detector._settle(loc, budget)]
        while generation:
            following = []
            for unit in generation:
                text = unit.layer.text
                found = sum(1 for needle in needles if needle in text)
                if unit.parts is not None:  # the same rule as detect for opening JSON and forms
                    following += search.open(unit, every=found > 0)
                    continue
                hits += found
                following += detector._decode(unit, {}, budget)
            generation = following
    return hits


def timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000, help="Requests in the corpus.")
    parser.add_argument("--quick", action="store_true", help="1,000 requests, for a smoke run.")
    args = parser.parse_args(argv)
    n = 1_000 if args.quick else args.requests
    exchanges = Corpus(seed=7, plant=CITIZEN.cpr, rate=0.02).make(n)
    megabytes = size(exchanges) / 1e6
    detector.detect(exchanges[:50], CITIZEN, PARTIES)  # build the automaton outside the timing
    found, fast = timed(detector.detect, exchanges, CITIZEN, PARTIES)
    hits, slow = timed(naive, exchanges, CITIZEN)
    _, shared = timed(decode_only, exchanges, CITIZEN)
    print(f"corpus: {n} requests, {megabytes:.1f} MB, {len(list(iter_needles(CITIZEN)))} needles, "
          f"{len(found.findings)} findings, {len(found.suspects)} suspects, {len(found.budget_hits)} budget notes")
    for name, seconds in (("detect (Aho-Corasick)", fast), ("naive (substring per needle)", slow)):
        print(f"{name:30} {seconds:7.2f} s  {megabytes / seconds:6.2f} MB/s  {n / seconds:8.0f} requests/s")
    print(f"{'decoding only (shared by both)':30} {shared:7.2f} s")
    print(f"ratio naive / detect, end to end: {slow / fast:.1f}x  (baseline matched {hits} needle-layer pairs)")
    print(f"ratio of the matching alone (time minus decoding): {(slow - shared) / max(fast - shared, 1e-9):.1f}x")


if __name__ == "__main__":
    main()
