"""Marks: a superset of what any decoder starts on, so an unmarked text can be skipped."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.detect.decoders import ENCODINGS, Layer
from crawler.detect.marks import Marks, has_run, marked

# The starts of every decoder as one regular expression (plus each decoder's own test below).
_DECODABLE = re.compile(
    r"%[0-9A-Fa-f]{2}|\+|&[#A-Za-z]|\\[ux/]|[A-Za-z0-9+/_$-]{16}|[^\x00-\xff]{2}"
)
_RUN = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_$-")
_TEXT = st.one_of(
    st.text(max_size=80), st.text(alphabet="aZ09+/_-$%&#\\ux.:=æø–\u4e2d\u6587", max_size=80)
)


def test_marks_in_order_and_none():
    text = "a=1&b=%41&c=" + "Q" * 20 + "&d=\\u0041&e=æ – ’&f=\u4e2d\u6587"
    marks, found, at = Marks(text), [], 0
    while (at := marks.next(at)) >= 0:
        found.append(text[at])
        at += 1
    assert found == ["&", "%", "&", *"QQQQQ", "&", "\\", "&", "&", "\u4e2d"], (
        "16-runs where each starts, wide pairs"
    )
    assert not marked("timestamp=1714400000123, x: 412, y: 87, name: Jens") and marked("a+b")
    assert has_run("x" + "Ab0+/_-$" * 2) and not has_run("Ab0+/_-é" * 3)


@settings(max_examples=500, deadline=None)
@given(text=_TEXT)
def test_every_decodable_text_is_marked(text):
    layer = Layer(text)
    if _DECODABLE.search(text) or any(d.wants(layer) for d in ENCODINGS):
        assert marked(text) and Marks(text).next() >= 0
    assert marked(text) == (Marks(text).next() >= 0)


@settings(max_examples=300, deadline=None)
@given(text=_TEXT, at=st.integers(min_value=0, max_value=90))
def test_next_mark_is_the_first_at_or_after(text, at):
    def starts_mark(i: int) -> bool:
        run = text[i : i + 16]
        wide_pair = len(run) >= 2 and run[0] > "\xff" and run[1] > "\xff"
        return text[i] in "%+&\\" or wide_pair or (len(run) == 16 and all(c in _RUN for c in run))

    rest = [i for i in range(at, len(text)) if starts_mark(i)]
    assert Marks(text).next(at) == (rest[0] if rest else -1)
