"""Shards of a run: which systems a machine audits when a sweep is split over N machines.

A shard holds the systems whose name hashes (SHA-256) to it, not a slice of the list:
adding a system moves no other system to another shard, so each shard machine keeps
auditing the same systems.
"""

from __future__ import annotations

import hashlib

from crawler.errors import BadInput


def parse_shard(text: str) -> tuple[int, int]:
    k, sep, n = text.partition("/")
    if not (sep and k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise BadInput(f"--shard {text!r} is not K/N with 1 <= K <= N: write e.g. --shard 2/4")
    return int(k), int(n)


def in_shard(system: str, k: int, n: int) -> bool:
    digest = hashlib.sha256(system.casefold().encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % n == k - 1
