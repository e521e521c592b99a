"""The needle set: every written form of every identifier under every precomputed transform,
compiled once into one Aho-Corasick automaton.

Why precompute: hashes cannot be decoded, and base64 of a longer text has no fixed
boundaries to decode at; but the hash of a known value, and the part of a base64 text
that only the value's own bytes determine, are fixed strings. One pass of the automaton over
a text finds all of them at once, so the detector never loops over needles.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick_rs

from crawler.detect.identifiers import citizen_values
from crawler.detect.split import BIRTH_DATE, birth_date_forms
from crawler.model import Citizen

MIN_ENCODED = 8  # shorter hex/base64 strings turn up in random ids by chance


@dataclass(frozen=True)
class Needle:
    text: str
    identifier: str
    transform: str  # "plain", "hex", "base64", "sha256", ...
    bounded: bool = False  # all digits: must not touch another digit (8-digit phone, CPR as number)


@dataclass(frozen=True)
class Transform:
    name: str
    hashed: bool  # a hash: applied to "hashed" values too
    make: Callable[[bytes], list[str]]


def _hash(algorithm: str) -> Callable[[bytes], list[str]]:
    def make(value: bytes) -> list[str]:
        digest = hashlib.new(algorithm, value).digest()
        b64 = base64.b64encode(digest).decode().rstrip("=")  # unpadded also finds the padded
        return [digest.hex(), digest.hex().upper(), b64, b64.replace("+", "-").replace("/", "_")]

    return make


def base64_cores(value: bytes) -> list[str]:
    """The stable middle of base64 of any text containing `value`, for each of the three
    alignments: the characters made only of the value's own bits, never of its neighbours'."""
    cores = []
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + value).decode()
        first, end = -(-8 * offset // 6), 8 * (offset + len(value)) // 6
        core = encoded[first:end]
        cores += [core, core.replace("+", "-").replace("/", "_")]
    return cores


def _hex(value: bytes) -> list[str]:
    return [value.hex(), value.hex().upper()]


TRANSFORMS: tuple[Transform, ...] = (
    Transform("hex", False, _hex),
    Transform("base64", False, base64_cores),
    *(
        Transform(name, True, _hash(name))
        for name in ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")
    ),
)


def needles_for(identifier: str, text: str, which: str) -> list[Needle]:
    """One value under the transforms `which` ("all", "hashed", "plain") asks for."""
    bounded = text.isascii() and text.isdigit() and len(text) < 10
    found = [Needle(text, identifier, "plain", bounded)] if which in ("all", "plain") else []
    if which == "plain":
        return found
    value = text.encode("utf-8")
    for transform in TRANSFORMS:
        if which == "all" or transform.hashed:
            found += [
                Needle(t, identifier, transform.name)
                for t in transform.make(value)
                if len(t) >= MIN_ENCODED
            ]
    return found


class NeedleSet:
    """All needles of one citizen; `search` finds them in many texts with one automaton pass."""

    def __init__(self, needles: list[Needle]) -> None:
        self.needles: dict[str, Needle] = {}
        for needle in needles:  # the CPR comes first: a text that is two things counts as the CPR
            self.needles.setdefault(needle.text, needle)
        self._order = list(self.needles.values())
        self._automaton = ahocorasick_rs.AhoCorasick(
            [n.text for n in self._order], implementation=ahocorasick_rs.Implementation.DFA
        )

    def search(self, joined: str, starts: list[int]) -> list[list[tuple[int, Needle]]]:
        """(start, needle) per text of `join(texts)`: one automaton pass for all of them,
        every match including overlapping ones ("+4512345678" also holds "4512345678")."""
        hits: list[list[tuple[int, Needle]]] = [[] for _ in starts]
        for index, start, end in self._automaton.find_matches_as_indexes(joined, overlapping=True):
            needle = self._order[index]
            if needle.bounded and _touches_digit(joined, start, end):
                continue
            i = bisect.bisect_right(starts, start) - 1
            hits[i].append((start - starts[i], needle))
        return hits


def join(texts: list[str]) -> tuple[str, list[int]]:
    """The texts joined by NUL (which no needle contains), and where each one starts."""
    starts, at = [], 0
    for text in texts:
        starts.append(at)
        at += len(text) + 1
    return "\0".join(texts), starts


def _touches_digit(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    return before.isdigit() or after.isdigit()


def iter_needles(citizen: Citizen) -> Iterator[Needle]:
    for identifier, text, which in citizen_values(citizen):
        yield from needles_for(identifier, text, which)
    for form in birth_date_forms(citizen.cpr):  # leads to a CPR split over two fields
        yield Needle(form, BIRTH_DATE, "plain", bounded=form.isdigit())


@lru_cache(maxsize=16)
def _cached(
    cpr: str, name: str | None, email: str | None, phone: str | None, address: str | None
) -> NeedleSet:
    citizen = Citizen(cpr=cpr, name=name, email=email, phone=phone, address=address)
    return NeedleSet(list(iter_needles(citizen)))


def needle_set(citizen: Citizen) -> NeedleSet:
    """The compiled needles of a citizen, built once per process and citizen."""
    return _cached(citizen.cpr, citizen.name, citizen.email, citizen.phone, citizen.address)
