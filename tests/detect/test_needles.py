"""Each precomputed transform of a value, found by one automaton pass over many texts."""

from __future__ import annotations

import base64
import hashlib

import pytest

from crawler.detect.needles import NeedleSet, base64_cores, join, needle_set, needles_for
from crawler.model import Citizen

CPR = "0707614285"
CITIZEN = Citizen(cpr=CPR, email="jens@example.dk", phone="12345678")


def found(text: str) -> set[tuple[str, str]]:
    (hits,) = needle_set(CITIZEN).search(*join([text]))
    return {(n.identifier, n.transform) for _, n in hits}


@pytest.mark.parametrize("algorithm", ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"])
def test_every_hash_in_hex_lower_upper_and_base64(algorithm):
    digest = hashlib.new(algorithm, CPR.encode()).digest()
    for text in (
        digest.hex(),
        digest.hex().upper(),
        base64.b64encode(digest).decode(),
        base64.urlsafe_b64encode(digest).decode().rstrip("="),
    ):
        assert found(f"uid={text}&x=1") == {("cpr", algorithm)}, text


def test_hash_of_the_dashed_form_and_of_the_lowercased_email():
    assert found(hashlib.sha256(b"070761-4285").hexdigest()) == {("cpr", "sha256")}
    assert found(hashlib.sha256(b"jens@example.dk").hexdigest()) == {("email", "sha256")}


@pytest.mark.parametrize(
    "prefix", ["", "a", "ab", "abc", '{"cpr":"', "https://portal.skat.test/?cpr="]
)
@pytest.mark.parametrize("encode", [base64.b64encode, base64.urlsafe_b64encode])
def test_base64_of_any_text_containing_the_value_at_any_offset(prefix, encode):
    text = encode(f"{prefix}{CPR}&more=1".encode()).decode().rstrip("=")
    assert ("cpr", "base64") in found(text)


def test_base64_cores_are_the_value_bits_only():
    cores = base64_cores(b"0707614285")
    assert len(cores) == 6 and all(len(core) >= 12 for core in cores)
    assert cores[0] == base64.b64encode(b"0707614285").decode()[:13]


def test_hex_lower_and_upper():
    assert found(CPR.encode().hex()) == {("cpr", "hex")}
    assert found("0x" + CPR.encode().hex().upper()) == {("cpr", "hex")}


def test_the_number_form_and_short_phone_need_digit_free_neighbours():
    assert found('{"cpr":707614285}') == {("cpr", "plain")}
    assert found("id=17076142851") == set(), "inside a longer number it is noise"
    assert found("tel=12345678") == {("phone", "plain")}
    assert found("ts=1712345678") == set()


def test_one_pass_over_many_texts_maps_hits_back_to_their_text():
    hits = needle_set(CITIZEN).search(*join(["nothing", f"a{CPR}", "", f"{CPR} {CPR}"]))
    assert [[(start, n.text) for start, n in h] for h in hits] == [
        [],
        [(1, CPR)],
        [],
        [(0, CPR), (11, CPR)],
    ]


def test_first_needle_of_a_text_wins_and_short_encodings_are_skipped():
    assert needles_for("name", "Bo", "all")[0].transform == "plain"
    assert all(len(n.text) >= 8 for n in needles_for("name", "Bo", "all")[1:])
    both = NeedleSet(needles_for("cpr", "same", "plain") + needles_for("name", "same", "plain"))
    assert both.needles["same"].identifier == "cpr"
