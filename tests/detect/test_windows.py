"""A body kept apart (above the size limit) is read back and searched in overlapping windows:
the CPR in any written form is found wherever it sits, across a window's edge included."""

from __future__ import annotations

import base64
import gzip
from urllib.parse import quote

import pytest

from crawler import bundle
from crawler.detect.detector import detect
from crawler.model import Citizen
from crawler.parties import Parties
from crawler.testing import make_exchange

CPR = "0707614285"
CITIZEN = Citizen(cpr=CPR)
PARTIES = Parties(["skat.test"])
WINDOW = 1024


def kept(tmp_path, body: bytes, seq: int = 1, **fields):
    """An exchange as the recorder writes one whose body is above the limit."""
    exchange = make_exchange(method="POST", seq=seq, **fields)
    writer = bundle.ExchangeWriter(tmp_path / bundle.REQUESTS)
    try:
        return writer.write_body(exchange, body)
    finally:
        writer.close()


@pytest.mark.parametrize(
    ("form", "encoding"),
    [
        (CPR, "plain"),
        ("070761-4285", "plain"),
        (quote(f'"cpr":"{CPR}"'), "plain"),
        (CPR.encode().hex(), "hex"),
        (base64.b64encode(f'{{"cpr":"{CPR}"}}'.encode()).decode(), "base64"),
    ],
)
@pytest.mark.parametrize("at", [0, WINDOW - 5, 3 * WINDOW - 3000, 10 * WINDOW])
def test_a_form_of_the_cpr_anywhere_in_a_kept_body_is_found(tmp_path, form, encoding, at):
    filler = b"a=" + b"x" * (10 * WINDOW)
    body = filler[:at] + b"&v=" + form.encode() + b"&" + filler[at:]
    ex = kept(tmp_path, body)
    assert ex.body is None and ex.body_size == len(body)
    found = detect([ex], CITIZEN, PARTIES, folder=tmp_path, window=WINDOW)
    assert [f.identifier for f in found.findings] == ["cpr"], found.notes
    assert encoding in found.findings[0].encoding
    assert found.findings[0].channel == "body" and not found.unsearched
    assert any(ex.body_file in note and "windows of 1,024 bytes" in note for note in found.notes)


def test_a_kept_body_is_searched_as_raw_text_once_per_form(tmp_path):
    body = (b"x" * 700 + f"cpr={CPR}".encode()) * 20
    found = detect([kept(tmp_path, body)], CITIZEN, PARTIES, folder=tmp_path, window=WINDOW)
    assert [(f.channel, f.detail, f.encoding) for f in found.findings] == [
        ("body", "body", "plain")
    ]


def test_a_kept_body_compressed_whole_or_missing_is_not_fully_searched(tmp_path):
    squeezed = kept(tmp_path, gzip.compress(b"x" * 50_000 + CPR.encode()), seq=1)
    (tmp_path / bundle.body_file(2)).parent.mkdir(exist_ok=True)
    gone = make_exchange(method="POST", seq=2, body_file=bundle.body_file(2), body_size=9)
    found = detect([squeezed, gone], CITIZEN, PARTIES, folder=tmp_path, window=WINDOW)
    assert found.unsearched == 2 and not found.findings
    assert any("compressed as a whole" in note for note in found.notes)


def test_windows_overlap_and_cover_the_whole_body(tmp_path):
    body = bytes(range(256)) * 40
    path = tmp_path / "body.bin"
    path.write_bytes(body)
    windows = list(bundle.body_windows(path, 1000, 100))
    assert all(len(w) <= 1000 for w in windows)
    assert windows[0] + b"".join(w[100:] for w in windows[1:]) == body
