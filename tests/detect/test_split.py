"""The CPR split over two fields of one request: the birth date in one, the serial in another,
is the CPR; a birth date alone, or beside another serial number, is not."""

from __future__ import annotations

import base64
import json

from crawler.detect.detector import detect
from crawler.detect.split import birth_date_forms
from crawler.model import Citizen
from crawler.parties import Parties
from crawler.testing import make_exchange

CITIZEN = Citizen(cpr="0707614285")
PARTIES = Parties(["skat.test"])


def split_findings(**exchange) -> set[tuple[str, str, str]]:
    found = detect([make_exchange(seq=1, **exchange)], CITIZEN, PARTIES).findings
    return {(f.channel, f.detail, f.encoding) for f in found}


def test_a_birth_date_and_a_serial_in_two_query_parameters_are_the_cpr():
    url = "http://forms.tracker.test/c?fdato=070761&x=1&lbnr=4285"
    assert split_findings(url=url) == {("url", "query parameter fdato + lbnr", "split")}


def test_the_two_halves_in_one_json_object_are_the_cpr_in_any_date_form():
    body = json.dumps({"events": [{"person": {"born": "07-07-1961", "serial": 4285}}]})
    assert split_findings(url="http://t.tracker.test/e", method="POST", body=body.encode()) == {
        ("body", "body JSON events.0.person.born + events.0.person.serial", "split")
    }


def test_a_split_cpr_inside_an_encoded_value_names_that_value():
    data = base64.b64encode(json.dumps({"fdato": "070761", "lbnr": "4285"}).encode()).decode()
    assert split_findings(url=f"http://t.tracker.test/c?data={data}") == {
        ("url", "query parameter data (fdato + lbnr)", "base64+split")
    }


def test_a_birth_date_alone_or_with_another_serial_is_no_finding():
    assert split_findings(url="http://t.tracker.test/c?fdato=070761&n=3") == set()
    assert split_findings(url="http://t.tracker.test/c?fdato=070761&lbnr=4286") == set()
    assert (
        split_findings(
            url="http://t.tracker.test/e",
            method="POST",
            body=json.dumps({"a": {"born": "070761"}, "b": {"serial": "4285"}}).encode(),
        )
        == set()
    ), "two objects: not one person's fields"


def test_the_birth_date_forms_follow_the_century_of_the_cpr():
    assert {"070761", "07071961", "1961-07-07", "07.07.1961", "07-07-61"} <= set(
        birth_date_forms("0707614285")
    )
    assert "01012010" in birth_date_forms("0101105123")  # 7th digit 5, YY 10: born 2010
