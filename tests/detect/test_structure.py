"""Structure splits: every field with paths and names, and the marked fields only (`keep`),
which must be exactly the fields the full split keeps, however the JSON is written."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.detect.decoders import Budget, Layer, worth_opening
from crawler.detect.structure import COOKIES, QUERY, STRUCTURE, pairs

CPR = "0707614285"
BY_NAME = {d.name: d for d in STRUCTURE + (QUERY, COOKIES)}


def split(name: str, data: str | bytes, keep=None, **layer) -> list[tuple[str, str | bytes]] | None:
    decoder, lay = BY_NAME[name], Layer.of(data, **layer)
    if not decoder.wants(lay):
        return None
    pieces = decoder.decode(lay, Budget(), keep)
    return None if pieces is None else [(p.label, p.data) for p in pieces]


def test_json_paths_keys_and_numbers_in_written_order():
    data = {
        "events": [{"x": 12345678}, {"page": CPR, "n": 707614285, "ok": True, "y": 1234567}],
        "0707614285xy": None,
    }
    assert split("JSON", json.dumps(data)) == [
        ("JSON events.0.x", "12345678"),
        ("JSON events.1.page", CPR),
        ("JSON events.1.n", "707614285"),
        ("JSON 0707614285xy", "0707614285xy"),
    ]
    assert split("JSON", "{not json}") is None, "not JSON after all: searched as text"


def test_json_marked_fields_deep_in_a_large_body():
    events = [
        {"type": 3, "data": {"positions": [{"x": i, "y": i * 2, "id": i} for i in range(50)]}}
        for i in range(40)
    ]
    events.append({"type": 4, "data": {"href": "https://portal.skat.test/?q=%30%37%30%37"}})
    body = json.dumps({"sessionId": "4821937465", "events": events})
    assert split("JSON", body, worth_opening) == [
        ("JSON events.40.data.href", "https://portal.skat.test/?q=%30%37%30%37")
    ]
    assert split("JSON", json.dumps({"a": [1, 2, {"b": "short"}]}), worth_opening) == [], (
        "nothing to decode"
    )
    assert split("JSON", '{"a": "%41", "b": ', worth_opening) is None, "cut short: searched as text"
    assert split("JSON", '{"a": 1} %41 ]', worth_opening) is None, "text after the JSON"


def test_json_escaped_values_are_all_opened():
    """A `\\u` escape hides a value from the search of the whole text, so every field is looked
    at."""
    assert split("JSON", '{"cpr": "\\u0030707614285", "n": "1"}', worth_opening) == [
        ("JSON cpr", CPR),
        ("JSON n", "1"),
    ]


def test_form_query_and_cookie_pairs_with_names_that_carry_identifiers():
    assert split("form", "a=1&cpr=070761-4285") == [("field a", "1"), ("field cpr", "070761-4285")]
    assert split("form", "cpr=1") is None, "a lone a=b is a form only as a whole body"
    assert split("form", "cpr=1", whole_body=True) == [("field cpr", "1")]
    assert split("query", f"a=1&{CPR}=x&dl=https%3A%2F%2Fp.test%2F", worth_opening) == [
        ("query parameter dl", "https%3A%2F%2Fp.test%2F")
    ]
    assert split("query", f"u%40x={CPR}&b=2") == [
        ("query parameter u@x", CPR),
        ("query parameter u@x", "u%40x"),
        ("query parameter b", "2"),
    ]
    assert split("cookies", "sid=abc; uid=Jens%20Hansen; t=1", worth_opening) == [
        ("cookie uid", "Jens%20Hansen")
    ]


def test_multipart_parts():
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="cpr"\r\n\r\n070761-4285\r\n'
        b'--XyZ\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\n'
        b"hello\r\n--XyZ--\r\n"
    )
    assert split("multipart", body, whole_body=True, hints="multipart/form-data; boundary=XyZ") == [
        ("part cpr", b"070761-4285"),
        ("part f", b"hello"),
    ]


_LEAF = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="abc%+&\\/=-_$0123456789ABCXYZ", max_size=40),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
_JSON = st.recursive(
    _LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=6), st.dictionaries(st.text(max_size=20), inner, max_size=6)
    ),
    max_leaves=60,
).filter(lambda v: isinstance(v, (dict, list)))


@settings(max_examples=300, deadline=None)
@given(data=_JSON, indent=st.sampled_from([None, 2]), compact=st.booleans())
def test_marked_json_fields_are_exactly_the_fields_the_full_split_keeps(data, indent, compact):
    text = json.dumps(
        data, ensure_ascii=False, indent=indent, separators=(",", ":") if compact else None
    )
    marked = split("JSON", text, worth_opening)
    every = split("JSON", text)
    assert (
        marked == [(label, value) for label, value in every if worth_opening(value)]
        or "\\u" in text
    )


@settings(max_examples=300, deadline=None)
@given(
    items=st.lists(
        st.tuples(
            st.text(alphabet="ab1%@+&=", max_size=6),
            st.text(alphabet="xyz09%+&;\\=" + "A" * 5 + "b" * 5, max_size=24),
        ),
        max_size=12,
    ),
    sep=st.sampled_from(["&", ";"]),
)
def test_marked_pairs_are_exactly_the_pairs_the_full_split_keeps(items, sep):
    text = sep.join(f"{name}={value}" for name, value in items)
    expected = []
    for pair in text.split(
        sep
    ):  # a pair gives its value (and its name if that can carry an identifier)
        pieces = list(pairs(pair, sep, "field"))
        if any(worth_opening(p.data) for p in pieces):
            expected += pieces
    assert list(pairs(text, sep, "field", worth_opening)) == expected


def test_many_marks_in_a_long_array_are_all_found():
    """Past a few thousand skipped siblings the marked fields come from one walk instead."""
    body = json.dumps(
        [{"u": f"https://portal.skat.test/a?n=%3{i % 10}", "v": 1} for i in range(20_000)]
    )
    fields = split("JSON", body, worth_opening)
    assert len(fields) == 20_000 and fields[-1] == (
        "JSON 19999.u",
        "https://portal.skat.test/a?n=%39",
    )
