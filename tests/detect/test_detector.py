"""The detector end to end on recorded exchanges: every channel, nested encodings, dedupe,
parties, secondary identifiers, suspects, and bounded work on hostile input."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import time
import zlib
from urllib.parse import quote

import brotli
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.detect.decoders import Budget
from crawler.detect.detector import Detection, detect
from crawler.model import Citizen
from crawler.parties import Parties
from crawler.testing import make_exchange
from crawler.testing.corpus import Corpus

CPR = "0707614285"
OTHER = "2304890005"  # someone else's: 23 April 1989, passes modulus 11
CITIZEN = Citizen(
    cpr=CPR,
    name="Jens Hansen",
    email="jens@example.dk",
    phone="+45 12 34 56 78",
    address="Vestergade 12, 8000 Aarhus C",
)
PARTIES = Parties(
    ["skat.test"],
    {"processor.test": "DPA-2024-7"},
    owners={"tracker.test": ("Tracker Inc.", "US"), "skat.test": ("Skatteforvaltningen", "DK")},
)


def run(*exchanges, budget: Budget | None = None) -> Detection:
    return detect(
        [make_exchange(seq=i + 1, **kw) for i, kw in enumerate(exchanges)], CITIZEN, PARTIES, budget
    )


def where(detection: Detection) -> set[tuple]:
    return {
        (f.channel, f.detail, f.encoding, f.identifier, f.decode_path) for f in detection.findings
    }


def test_url_host_path_query_and_fragment():
    found = run({"url": f"http://u{CPR}.tracker.test/p/{CPR}/x?a=1&dl=070761-4285#cpr={CPR}"})
    assert where(found) == {
        ("url", "host", "plain", "cpr", ("host",)),
        ("url", "path", "plain", "cpr", ("path",)),
        ("url", "query parameter dl", "plain", "cpr", ("query parameter dl",)),
        ("url", "fragment", "plain", "cpr", ("fragment",)),
    }


def test_headers_and_each_cookie_by_name():
    found = run(
        {
            "headers": (
                ("Referer", f"http://portal.skat.test/?cpr={CPR}"),
                ("X-Citizen", "070761 4285"),
                ("Cookie", f"sid=abc; _ga=GA1.2.{CPR}; uid=Jens%20Hansen"),
            )
        }
    )
    assert where(found) == {
        ("header", "header Referer", "plain", "cpr", ("header Referer",)),
        ("header", "header X-Citizen", "plain", "cpr", ("header X-Citizen",)),
        ("cookie", "cookie _ga", "plain", "cpr", ("cookie _ga",)),
        ("cookie", "cookie uid", "percent", "name", ("cookie uid", "percent")),
    }
    assert {f.matched for f in found.findings} == {CPR, "070761 4285", "Jens%20Hansen"}


def test_bodies_form_json_multipart_and_text():
    multipart = (
        b'--b0\r\nContent-Disposition: form-data; name="cpr"\r\n\r\n070761-4285\r\n--b0--\r\n'
    )
    found = run(
        {
            "method": "POST",
            "body": b"a=1&cpr=070761%2D4285",
            "headers": (("Content-Type", "application/x-www-form-urlencoded"),),
        },
        {
            "method": "POST",
            "body": json.dumps({"events": [{"x": 1}, {"page": f"/?cpr={CPR}"}]}).encode(),
        },
        {
            "method": "POST",
            "body": multipart,
            "headers": (("Content-Type", "multipart/form-data; boundary=b0"),),
        },
        {"method": "POST", "body": f"free text with {CPR} in it".encode()},
    )
    assert {
        (f.exchange_seq,) + t
        for f in found.findings
        for t in [(f.detail, f.encoding, f.decode_path)]
    } == {
        (1, "body field cpr", "percent", ("body field cpr", "percent")),
        (2, "body JSON events.1.page", "plain", ("body JSON events.1.page",)),
        (3, "body part cpr", "plain", ("body part cpr",)),
        (4, "body", "plain", ("body",)),
    }


def test_websocket_frames_text_and_binary():
    binary = (
        b"\x82\xa3cpr\xab070761-4285\xa1t\xce\x00\x01\x02\x03\xff\xfe"  # msgpack-like, not UTF-8
    )
    found = run(
        {
            "url": "ws://chat.tracker.test/socket",
            "kind": "websocket",
            "direction": "sent",
            "body": json.dumps({"msg": f"mit cpr er {CPR}"}).encode(),
        },
        {
            "url": "ws://chat.tracker.test/socket",
            "kind": "websocket",
            "direction": "received",
            "body": binary,
        },
    )
    assert where(found) == {
        (
            "websocket",
            "websocket frame (sent)",
            "plain",
            "cpr",
            ("websocket frame (sent)", "JSON msg"),
        ),
        (
            "websocket",
            "websocket frame (received)",
            "plain",
            "cpr",
            ("websocket frame (received)",),
        ),
    }


def test_nested_percent_base64_json_percent():
    inner = json.dumps(
        {"properties": {"$current_url": "https://portal.skat.test/?cpr=070761%2D4285"}}
    )
    value = quote(base64.b64encode(inner.encode()).decode(), safe="")
    found = run({"url": f"http://api.tracker.test/track?data={value}"})
    assert where(found) == {
        (
            "url",
            "query parameter data",
            "percent+base64+percent",
            "cpr",
            (
                "query parameter data",
                "percent",
                "base64",
                "JSON properties.$current_url",
                "percent",
            ),
        )
    }


def test_a_large_body_is_searched_whole_and_opened_only_where_needed():
    """A session-replay batch: thousands of numbers, one field with the CPR percent-encoded
    digit by digit (so the search of the whole text cannot see it) and one \\u-escaped."""
    events = [
        {"type": 3, "data": {"positions": [{"x": i, "y": 2 * i, "id": 7 * i} for i in range(40)]}}
        for i in range(50)
    ]
    events.append(
        {
            "type": 4,
            "data": {
                "href": "https://portal.skat.test/?cpr=" + "".join(f"%{ord(c):02X}" for c in CPR)
            },
        }
    )
    escaped = '{"user": {"cpr": "\\u0030707614285"}}'
    found = run(
        {"method": "POST", "body": gzip.compress(json.dumps({"events": events}).encode())},
        {"method": "POST", "body": escaped.encode()},
    )
    assert where(found) == {
        (
            "body",
            "body",
            "gzip+percent",
            "cpr",
            ("body", "gzip", "JSON events.50.data.href", "percent"),
        ),
        ("body", "body JSON user.cpr", "plain", "cpr", ("body JSON user.cpr",)),
    }


def test_compressed_and_lz_string_bodies():
    filler = " ".join(
        f"word{i % 97}" for i in range(600)
    )  # small inputs are stored, not compressed
    page = json.dumps({"href": f"https://portal.skat.test/?cpr={CPR}", "text": filler}).encode()
    found = run(
        {"method": "POST", "body": gzip.compress(page)},
        {"method": "POST", "body": brotli.compress(page), "headers": (("Content-Encoding", "br"),)},
        {"method": "POST", "body": zstandard.ZstdCompressor().compress(page)},
        {
            "url": "http://t.tracker.test/s?state=N4IgDghg5gpiBcIAWAXFYDO8D02wHsAnFCAGwDoMBrCFclGDFbAIyNkIH4B"
            "jMQgXgAMAdhEA2AIwBaACwAmABwBWEABoQKBBOESZMwQYMBfIA==="
        },
    )
    assert {(f.exchange_seq, f.encoding, f.decode_path) for f in found.findings} == {
        (1, "gzip", ("body", "gzip", "JSON href")),
        (2, "brotli", ("body", "brotli", "JSON href")),
        (3, "zstd", ("body", "zstd", "JSON href")),
        (4, "lz-string", ("query parameter state", "lz-string", "JSON page")),
    }


def test_hashes_hex_and_base64_at_an_offset():
    sha = hashlib.sha256(CPR.encode()).hexdigest()
    md5 = hashlib.md5(b"jens@example.dk").hexdigest().upper()
    b64 = base64.b64encode(f"u={CPR};".encode()).decode()
    found = run(
        {"url": f"http://t.tracker.test/c?uid={sha}&em={md5}&h={CPR.encode().hex()}&s={b64}"}
    )
    assert where(found) == {
        ("url", "query parameter uid", "sha256", "cpr", ("query parameter uid", "sha256")),
        ("url", "query parameter em", "md5", "email", ("query parameter em", "md5")),
        ("url", "query parameter h", "hex", "cpr", ("query parameter h", "hex")),
        ("url", "query parameter s", "base64", "cpr", ("query parameter s", "base64")),
    }


def test_one_finding_per_place_identifier_and_encoding():
    page = f"http://portal.skat.test/side?cpr={CPR}&again={CPR}"
    found = run(
        {
            "url": "http://t.tracker.test/c?dl="
            + quote(page, safe="")
            + "&dr="
            + quote(quote(page, safe=""), safe="")
        }
    )
    assert where(found) == {
        ("url", "query parameter dl", "plain", "cpr", ("query parameter dl",)),
        ("url", "query parameter dr", "plain", "cpr", ("query parameter dr",)),
    }
    (f,) = run({"url": "http://t.tracker.test/c?dl=070761%2D4285"}).findings
    assert (f.encoding, f.matched, f.decode_path) == (
        "percent",
        "070761%2D4285",
        ("query parameter dl", "percent"),
    )


def test_party_fields_pass_through_for_every_party():
    found = run(
        {"url": f"http://portal.skat.test/a?cpr={CPR}"},
        {"url": f"http://x.processor.test/a?c={CPR}"},
        {"url": f"http://www.tracker.test/a?c={CPR}"},
    )
    assert [
        (f.party, f.domain, f.entity, f.country, f.agreement, f.host, f.request_url.split("/")[2])
        for f in sorted(found.findings, key=lambda f: f.exchange_seq)
    ] == [
        (
            "first",
            "skat.test",
            "Skatteforvaltningen",
            "DK",
            None,
            "portal.skat.test",
            "portal.skat.test",
        ),
        (
            "processor",
            "processor.test",
            None,
            None,
            "DPA-2024-7",
            "x.processor.test",
            "x.processor.test",
        ),
        (
            "third",
            "tracker.test",
            "Tracker Inc.",
            "US",
            None,
            "www.tracker.test",
            "www.tracker.test",
        ),
    ]
    f = found.findings[-1]
    assert (f.method, f.resource_type, f.page_url, f.step, f.secondary) == (
        "GET",
        "other",
        "http://portal.skat.test/",
        None,
        False,
    )


def test_secondary_identifiers_are_flagged_secondary():
    # the phone's digits stand as they are after %2B (+): found plain, as sent
    found = run(
        {
            "url": "http://t.tracker.test/c?n=JENS+HANSEN&e=Jens%40example.dk&p=%2B4512345678&a=vestergade%2012"
        }
    )
    assert {(f.identifier, f.detail, f.encoding, f.secondary) for f in found.findings} == {
        ("name", "query parameter n", "percent", True),
        ("email", "query parameter e", "percent", True),
        ("phone", "query parameter p", "plain", True),
        ("address", "query parameter a", "percent", True),
    }


def test_suspects_stay_empty_on_realistic_traffic_and_list_a_planted_number():
    traffic = Corpus(seed=11).make(1500)
    assert detect(traffic, CITIZEN, PARTIES).suspects == ()
    planted = make_exchange(
        seq=9999,
        url=f"http://www.tracker.test/c?partner={OTHER}&ts=1714400000&z=1201054008",
        headers=(("Referer", f"http://portal.skat.test/?cpr={CPR}"),),
        time=1714400000.0,
    )
    found = detect([*traffic, planted], CITIZEN, PARTIES)
    assert [
        (s.value, s.channel, s.detail, s.modulus11, s.exchange_seq) for s in found.suspects
    ] == [(OTHER, "url", "query parameter partner", True, 9999)]


def test_suspect_rule_edges():
    stamp = "1501200006"  # passes modulus 11 and is 15 Jan 1920, but also a Unix time of 2017
    found = run(
        {
            "url": f"http://www.tracker.test/c?other={OTHER[:6]}-{OTHER[6:]}&b=0.{OTHER}&c=x{OTHER}&d={OTHER}.5"
            f"&e=0101651234&f={stamp}&g=2304890006&sessionId={OTHER}&h={CPR}",
            "time": 1714400000.0,
        },
        {"url": f"http://portal.skat.test/c?a={OTHER}", "time": 1714400000.0},
    )
    # not: decimals, inside an id, a Unix time, modulus 11 failing, a noise name, the citizen,
    # first party
    assert [(s.value, s.detail, s.modulus11) for s in found.suspects] == [
        ("230489-0005", "query parameter other", True),  # as a person writes it
        # fails modulus 11, but born 1 January: issued since 2007
        ("0101651234", "query parameter e", False),
    ]


def test_a_field_named_for_a_cpr_keeps_a_suspect_that_looks_like_a_unix_time_or_noise():
    stamp = "1501200006"  # 15 Jan 1920, modulus 11, and a Unix time of 2017
    body = json.dumps({"subject_cpr": stamp, "cprNr": "0101651234", "t": stamp})
    found = run(
        {
            "url": f"http://www.tracker.test/c?cpr={stamp}&personnummer_id={OTHER}&f={stamp}",
            "method": "POST",
            "body": body.encode(),
            "time": 1714400000.0,
        }
    )
    assert sorted((s.value, s.detail) for s in found.suspects) == [
        ("0101651234", "body JSON cprNr"),
        (stamp, "body JSON subject_cpr"),
        (stamp, "query parameter cpr"),
        (OTHER, "query parameter personnummer_id"),  # "_id" alone would make it noise
    ], "a Unix-time shape under a plain name (f, t) stays out"


def test_gzip_bomb_is_stopped_and_reported():
    bomb = gzip.compress(b"\0" * (48 << 20), 9)
    start = time.monotonic()
    found = run({"method": "POST", "body": bomb}, budget=Budget(max_bytes=8 << 20))
    assert time.monotonic() - start < 5
    assert found.notes == (
        "exchange 1 body: decode budget (bytes) reached after 0 layers; what lies deeper "
        "was not searched",
    )


def test_twenty_layers_of_base64_hit_the_depth_budget_but_three_are_found():
    text = f"cpr={CPR}-x"
    for depth in range(20):
        text = base64.b64encode(text.encode()).decode()
        if depth == 2:
            three = text
    found = run({"url": f"http://t.tracker.test/c?deep={text}&three={three}"})
    assert where(found) == {
        (
            "url",
            "query parameter three",
            "base64+base64+base64",
            "cpr",
            ("query parameter three", "base64", "base64", "base64"),
        )
    }
    assert found.notes == (
        "exchange 1 query parameter deep: decode budget (depth) reached after 8 layers; "
        "what lies deeper was not searched",
    )


@settings(max_examples=150, deadline=None)
@given(
    body=st.binary(max_size=3000),
    query=st.text(max_size=300),
    kind=st.sampled_from(["request", "websocket"]),
)
def test_detect_never_raises_and_stays_in_budget(body, query, kind):
    start = time.monotonic()
    found = detect(
        [make_exchange(url="http://t.tracker.test/c?q=" + quote(query), body=body, kind=kind)],
        CITIZEN,
        PARTIES,
        Budget(max_bytes=1 << 20, max_seconds=0.5),
    )
    assert found.unsearched == 0 and time.monotonic() - start < 2.0


@settings(max_examples=30, deadline=None)
@given(
    layers=st.integers(min_value=1, max_value=20),
    wrap=st.sampled_from(["base64", "percent", "gzip+base64"]),
)
def test_adversarial_nesting_stays_bounded(layers, wrap):
    data = ("x" * 500 + "070761 4285").encode()
    for _ in range(layers):
        if wrap == "percent":
            data = quote(data.decode(), safe="").encode()
        else:
            data = base64.b64encode(gzip.compress(data) if wrap == "gzip+base64" else data)
    # the depth bound, not the clock, must stop it: a time budget would make the result depend
    # on the machine's load
    found = run({"method": "POST", "body": data}, budget=Budget(max_bytes=4 << 20, max_seconds=60))
    steps = layers * (2 if wrap == "gzip+base64" else 1)
    if steps <= 8:
        assert [f.encoding for f in found.findings] == [
            "+".join([wrap.replace("gzip+base64", "base64+gzip")] * layers)
        ]
        assert found.notes == ()
    else:  # one layer more is still found when its base64 is a precomputed needle
        assert "decode budget (depth) reached after 8 layers" in found.notes[0]
        assert len(found.findings) == (1 if (wrap, layers) == ("base64", 9) else 0)


def _deflate_raw(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-15)
    return packer.compress(data) + packer.flush()


def test_raw_deflate_without_a_declared_encoding_is_opened_in_a_body_and_in_base64():
    batch = json.dumps({"events": [{"type": "input", "value": "070761-4285"}]}).encode()
    packed = _deflate_raw(batch)
    octets = run(
        {
            "url": "http://replay.tracker.test/r",
            "method": "POST",
            "headers": (("Content-Type", "application/octet-stream"),),
            "body": packed,
        },
        {
            "url": "http://replay.tracker.test/j",
            "method": "POST",
            "body": json.dumps({"d": base64.b64encode(packed).decode()}).encode(),
        },
    )
    assert {(f.detail, f.encoding) for f in octets.findings if not f.secondary} == {
        ("body", "deflate"),
        ("body JSON d", "base64+deflate"),
    }


def test_random_binary_bodies_are_not_taken_for_deflate():
    noise = bytes(range(256)) * 4
    assert run({"url": "http://t.tracker.test/b", "method": "POST", "body": noise}).findings == ()
