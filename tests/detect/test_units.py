"""Units: a short text decoded once per process still answers to each exchange's budget."""

from __future__ import annotations

import lzstring

from crawler.detect import units
from crawler.detect.decoders import Budget, Layer

CPR = "0707614285"


def test_a_short_text_that_expands_is_decoded_against_the_exchange_budget():
    bomb = lzstring.LZString().compressToBase64(CPR * 25_000)  # under 4 KB that expand to 250 KB
    assert len(bomb) <= units.MAX_RECURRING
    for _ in range(2):  # the second time as the first: nothing that large is kept for reuse
        budget = Budget(max_bytes=100_000)
        children = units.decoded(units.Unit("url", "query parameter s", Layer(bomb)), {}, budget)
        assert (
            sum(len(child.layer.text) for child in children) <= 100_001 and "bytes" in budget.hits
        )


def test_recurring_texts_decode_as_fresh_ones():
    text = "https%3A%2F%2Fportal.skat.test%2F%3Fcpr%3D070761-4285"
    first = units.decoded(units.Unit("url", "query parameter dl", Layer(text)), {}, Budget())
    again = units.decoded(units.Unit("header", "header Referer", Layer(text)), {}, Budget())
    assert (
        [c.layer.text for c in first]
        == [c.layer.text for c in again]
        == ["https://portal.skat.test/?cpr=070761-4285"]
    )
    assert (again[0].channel, again[0].detail, again[0].steps) == (
        "header",
        "header Referer",
        ("percent",),
    )
