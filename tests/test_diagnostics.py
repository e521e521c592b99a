"""What an audit says about itself: each sentence is read back as the diagnostic that wrote it,
with its values, also when it holds another one, so a report can say it in its own language."""

from __future__ import annotations

import re

import pytest

from crawler import diagnostics
from crawler.diagnostics import ALL, Diagnostic

URL = "http://portal.skat.test/side?a=1"


def example(d: Diagnostic, num: int) -> tuple[str, dict[str, str]]:
    """A sentence of `d` with a value for each placeholder, and those values as read back."""
    names = re.findall(r"%\((\w+)\)s", d.plural or d.singular)
    values = {n: str(num) if n == "num" else URL if n == "url" else f"{n} value" for n in names}
    return d(**{n: num if n == "num" else v for n, v in values.items()}), values


def reader(text: str) -> Diagnostic:
    return next(d for d in ALL if d.read(text) is not None)


@pytest.mark.parametrize("d", ALL, ids=lambda d: d.singular[:40])
@pytest.mark.parametrize("num", [1, 3])
def test_each_sentence_is_read_back_as_the_diagnostic_that_wrote_it(d, num):
    text, values = example(d, num)
    assert reader(text) is d
    assert d.read(text) == values


def test_a_count_chooses_the_form():
    assert diagnostics.PAGE_BOUND(num=1) == "page bound: 1 page visited"
    assert diagnostics.PAGE_BOUND(num=30) == "page bound: 30 pages visited"


def test_a_sentence_holding_another_is_read_as_the_outer_one():
    held = diagnostics.LOGGED_IN_FAILS(check="selector '#velkommen'", url=URL)
    lost = diagnostics.NOT_REESTABLISHED(problem=held, reason=diagnostics.NO_LOGIN_STEP())
    assert reader(lost) is diagnostics.NOT_REESTABLISHED
    error = diagnostics.SESSION_LOST(url=URL, problem=lost)
    assert reader(error) is diagnostics.SESSION_LOST
    assert diagnostics.SESSION_LOST.read(error) == {"url": URL, "problem": lost}


def test_a_sentence_no_diagnostic_wrote_is_read_by_none():
    assert all(d.read("evidence files incomplete: disk full") is None for d in ALL)
