"""Marks: the places where a text may hold something to decode, found fast.

A mark is where a decoder could start: a `%`, `+`, `&` or `\\`, a run of 16 characters of the
base64 and lz-string alphabets, or two characters above Latin-1 in a row (lz-string's UTF-16
output is nearly all such characters; a lone dash or quote in a Danish title is not).
Most of what a page sends has none (numbers, words, short ids), and the detector skips it.
The marks are a superset of what any decoder's own test accepts, so skipping an unmarked text
loses nothing. They are found with `str.find` and `bytes.translate`, which run at memory
speed, instead of a regular expression, which runs at some 15 MB/s on large JSON bodies.
"""

from __future__ import annotations

import re
import string

_RUN_CHARS = (string.ascii_letters + string.digits + "+/_$-").encode()
_RUNS = bytes(ord("a") if byte in _RUN_CHARS else ord(" ") for byte in range(256))
_RUN = b"a" * 16
_SIGNS = "%+&\\"
WIDE_PAIR = re.compile(r"[^\x00-\xff]{2}")  # for a short text; `_wide_pair` finds it in a long one


class Marks:
    """The marks of one text, asked for in order with `next` (each kind is searched for once
    more only when the caller has moved past its last place, so walking a text is linear)."""

    __slots__ = ("_after", "latin", "runs", "text")

    def __init__(self, text: str, signs: str = _SIGNS) -> None:
        self.text = text
        try:  # one byte a character, so places in the bytes are places in the text
            self.latin, wide = text.encode("latin-1"), ""
        except (
            UnicodeEncodeError
        ):  # beyond Latin-1: "?", which is in no run, and look for pairs of those
            self.latin, wide = text.encode("latin-1", "replace"), "w"
        self.runs = self.latin.translate(_RUNS)
        self._after: dict[str, int | None] = dict.fromkeys(signs + "r" + wide)  # kind -> next place

    def next(self, at: int = 0) -> int:
        """The first mark at or after `at`, or -1."""
        best = -1
        for kind, place in self._after.items():
            if place is None or -1 < place < at:  # not searched yet, or passed
                place = self._after[kind] = self._find(kind, at)
            if place >= 0 and (best < 0 or place < best):
                best = place
        return best

    def _find(self, kind: str, at: int) -> int:
        if kind == "r":
            return self.runs.find(_RUN, at)
        if kind == "w":
            return _wide_pair(self.text, self.latin, at)
        return self.text.find(kind, at)


def _wide_pair(text: str, latin: bytes, at: int = 0) -> int:
    """Where two characters beyond Latin-1 stand together: a "??" in the Latin-1 copy that was
    not written as "??"."""
    while (place := latin.find(b"??", at)) >= 0:
        if text[place] > "\xff" and text[place + 1] > "\xff":
            return place
        at = place + 1
    return -1


def marked(text: str) -> bool:
    """Whether a text has any mark (the one-shot form of `Marks`, for short texts)."""
    if any(sign in text for sign in _SIGNS):
        return True
    latin = text.encode("latin-1", "replace")
    return _RUN in latin.translate(_RUNS) or (not text.isascii() and _wide_pair(text, latin) >= 0)


def has_run(text: str) -> bool:
    """Whether a text has 16 characters of the base64 and lz-string alphabets in a row: what
    base64, hex and lz-string segments all need (characters beyond ASCII never belong to a run)."""
    return _RUN in text.encode("latin-1", "replace").translate(_RUNS)
