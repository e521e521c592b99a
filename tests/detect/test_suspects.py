"""The suspect rule's search: the same matches as its regular expression over the whole text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.detect.suspects import _SHAPE, shapes

_TEXT = st.text(alphabet='0123456789-.,: "aZæ–', max_size=200)


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        _TEXT,
        st.lists(
            st.sampled_from(
                [
                    "0707614285",
                    "070761-4285",
                    "2304890005",
                    "1714400000123",
                    "0.4821937465",
                    "x",
                    "-",
                    " ",
                    "5",
                    "ab",
                    "3112991234",
                ]
            ),
            max_size=30,
        ).map("".join),
    )
)
def test_shapes_finds_exactly_what_the_expression_finds(text):
    assert [(m.start(), m.group()) for m in shapes(text)] == [
        (m.start(), m.group()) for m in _SHAPE.finditer(text)
    ]


def test_shapes_in_digit_heavy_json():
    text = '{"t": 1714400000123, "x": 412, "id": 300112, "cpr": "070761-4285", "n": 2304890005}'
    assert [m.group() for m in shapes(text)] == ["070761-4285", "2304890005"]
