"""Each decoder alone, bounded on hostile input; lz-string against the JavaScript library."""

from __future__ import annotations

import base64
import gzip
import time
import zlib

import brotli
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.detect import lzstring
from crawler.detect.decoders import ENCODINGS, Budget, Layer, worth_opening
from crawler.detect.structure import COOKIES, QUERY, STRUCTURE

CPR = "0707614285"
BY_NAME = {d.name: d for d in ENCODINGS}
SPLITS = [
    (d, keep) for d in STRUCTURE + (QUERY, COOKIES) for keep in (None, worth_opening)
]  # every field, marked

# LZString 1.5.0 (npm lz-string) output for PAGE, made with node.
PAGE = '{"page":"https://portal.skat.test/borger?cpr=070761-4285","t":1714400000}'
LZ_BASE64 = (
    "N4IgDghg5gpiBcIAWAXFYDO8D02wHsAnFCAGwDoMBrCFclGDFbAIyNkIH4BjMQgXgAMAdhEA2AIwBaACwAm"
    "ABwBWEABoQKBBOESZMwQYMBfIA==="
)
LZ_UTF16 = (
    "\u1be1\u0823\u412c\u0e80\u5330\u1728\u00d0\u05e5\u3039\u6f23\u69d6\u020c\u0158"
    "\u50a0\u0da0\u3a2c\u0378\u217c\u4a50\u317bf\u2384\u105f\u0083\u18a4\u0600\u0080"
    "\u0781\u0826\u6028\u602b\u2022\u6024\u6021\u602a\u6120\u0362\u02a1\u0290\u44b9"
    "\u19a2\u062c\u0319  "
)
LZ_URI = LZ_BASE64.rstrip("=")  # the same text: no character differs in this case
LZ_UINT8 = (
    "3782200e0860e60a6205c2005805c56033bc0f4db01ec027142006c03a0c06b08572518315b008c8d9081f80"
    "63310817800300761100d8023005a002c0098007005610006840a0413844993304183017c800"
)


def decode(
    name: str, data: str | bytes, budget: Budget | None = None, **layer
) -> list[tuple[str, str | bytes]]:
    decoder, lay = BY_NAME[name], Layer.of(data, **layer)
    if not decoder.wants(lay):
        return []
    return [(p.label, p.data) for p in decoder.decode(lay, budget or Budget())]


def test_percent_repeated_layers_and_plus_as_space():
    assert decode("percent", "cpr%3D070761%2D4285") == [("percent", "cpr=070761-4285")]
    assert decode("percent", "070761+4285") == [("percent", "070761 4285")]
    assert decode("percent", "%2530%2537") == [("percent", "%30%37")], "one layer per application"
    assert decode("percent", "no escapes here") == []


def test_html_entities_and_js_escapes():
    assert decode("html", "cpr=070761&#45;4285&amp;x") == [("html", "cpr=070761-4285&x")]
    assert decode("js-escape", r"\u0030707614285 \x2f \/") == [("js-escape", "0707614285 / /")]


def test_base64_segments_standard_urlsafe_unpadded_and_junk_dropped():
    plain = f"cpr={CPR}>?".encode()
    std, url = (
        base64.b64encode(plain).decode(),
        base64.urlsafe_b64encode(plain).decode().rstrip("="),
    )
    assert decode("base64", f"x={std}&y=1") == [("base64", plain)]
    assert decode("base64", f"x={url}") == [("base64", plain)]
    assert decode("base64", "id=" + "A1b2" * 8) == [], "binary junk from an id is not kept"


def test_hex_segments():
    plain = f"cpr={CPR}".encode()
    hexed = plain.hex()
    assert decode("hex", "v=" + hexed) == [("hex", plain)]
    assert decode("hex", "v=" + hexed + "&w=" + hexed.upper()) == [("hex", plain)] * 2
    assert decode("hex", "v=" + hexed + "a") == [], "a run of odd length is no hex encoding"
    assert decode("hex", "v=a" + hexed) == [], "nor the part of it after its first digit"
    assert decode("hex", "v=" + hexed[:18]) == [], "nor a run shorter than ten bytes"


def test_lz_string_all_four_formats_made_by_the_javascript_library():
    assert decode("lz-string", f"state={LZ_BASE64}") == [("lz-string", PAGE)]
    assert decode("lz-string", f"s={LZ_URI}") == [("lz-string", PAGE)]
    assert decode("lz-string utf16", LZ_UTF16) == [("lz-string", PAGE)]
    assert decode("lz-string uint8", bytes.fromhex(LZ_UINT8), whole_body=True) == [
        ("lz-string", PAGE)
    ]


def test_lz_string_rejects_random_text_quickly():
    start = time.monotonic()
    assert not lzstring.from_base64("ThisIsJustSomeOrdinaryBase64Text")
    assert decode("lz-string", "token=" + base64.b64encode(b'{"a": 1, "b": "text"}').decode()) == []
    assert time.monotonic() - start < 0.5


def test_compressed_bodies():
    page = PAGE.encode()
    assert decode("gzip", gzip.compress(page)) == [("gzip", page)]
    assert decode("zlib", zlib.compress(page)) == [("zlib", page)]
    raw = zlib.compressobj(wbits=-15)
    deflated = raw.compress(page) + raw.flush()
    assert decode("deflate", deflated, whole_body=True, hints="content-encoding: deflate") == [
        ("deflate", page)
    ]
    assert decode("zstd", zstandard.ZstdCompressor().compress(page)) == [("zstd", page)]
    assert decode("brotli", brotli.compress(page), whole_body=True) == [("brotli", page)]


def test_gzip_bomb_stops_at_the_byte_budget():
    bomb = gzip.compress(b"\0" * (64 << 20), 9)  # 64 MB of zeros in about 64 KB
    budget = Budget(max_bytes=4 << 20)
    start = time.monotonic()
    ((_, out),) = decode("gzip", bomb, budget)
    assert len(bomb) < 100_000 and len(out) == (4 << 20) + 1 and budget.hits == {"bytes": ("", 0)}
    assert time.monotonic() - start < 1.0


def test_lz_string_expansion_stops_at_the_byte_budget():
    assert lzstring.from_utf16(LZ_UTF16, 1000) == PAGE
    budget = Budget(max_bytes=10)
    assert decode("lz-string utf16", LZ_UTF16, budget) == [] and budget.hits == {"bytes": ("", 0)}


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4096), st.booleans())
def test_no_decoder_raises_or_overspends_on_arbitrary_bytes(data, whole):
    lay = Layer.of(data, whole_body=whole, hints="content-encoding: deflate")
    for decoder, *keep in SPLITS + [(d,) for d in ENCODINGS]:
        budget = Budget(max_bytes=64 << 10)
        start = time.monotonic()
        if decoder.wants(lay):
            pieces = decoder.decode(lay, budget, *keep) or ()
            assert all(len(p.data) <= (64 << 10) + 1 for p in pieces)
        assert time.monotonic() - start < 1.0, decoder.name


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2048))
def test_no_decoder_raises_on_arbitrary_text(text):
    for decoder, *keep in SPLITS + [(d,) for d in ENCODINGS]:
        lay = Layer.of(text)
        if decoder.wants(lay):
            decoder.decode(lay, Budget(max_bytes=64 << 10), *keep)
