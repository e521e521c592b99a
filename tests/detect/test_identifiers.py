"""The CPR's parsing rules (century table, modulus 11 informative only) and the forms looked for."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.detect.identifiers import (
    citizen_values,
    cpr_birth_date,
    modulus11_ok,
    numeric_form,
    parse_cpr,
    phone_forms,
    written_forms,
)
from crawler.errors import BadInput
from crawler.model import Citizen

CPR = "0707614285"


@pytest.mark.parametrize("text", ["0707614285", "070761-4285", "070761 4285", " 070761-4285 "])
def test_parse_accepts_the_written_forms(text):
    assert parse_cpr(text) == CPR


@pytest.mark.parametrize(
    "text, problem",
    [
        ("070761428", "not 10 digits"),
        ("07076142855", "not 10 digits"),
        ("0707-614285", "not 10 digits"),
        ("abcdefghij", "not 10 digits"),
        ("", "not 10 digits"),
        ("０７０７６１４２８５", "not 10 digits"),
        ("3202614285", "real date"),
        ("0713614285", "real date"),
        ("2902014285", "real date"),
    ],
)
def test_parse_rejects_with_one_line_naming_problem_and_fix(text, problem):
    with pytest.raises(BadInput) as error:
        parse_cpr(text)
    message = str(error.value)
    assert problem in message and "\n" not in message and ("DDMMYY" in message)


def test_a_number_failing_modulus_11_is_valid():
    assert not modulus11_ok("0101651234") and parse_cpr("0101651234") == "0101651234"
    assert modulus11_ok(CPR)


@pytest.mark.parametrize(
    "cpr, born",
    [
        ("0707614285", date(1961, 7, 7)),  # 7th digit 0-3: 1900s
        ("0101364000", date(2036, 1, 1)),  # 4: 00-36 -> 2000s
        ("0101374000", date(1937, 1, 1)),  # 4: 37-99 -> 1900s
        ("0101575000", date(2057, 1, 1)),  # 5-8: 00-57 -> 2000s
        ("0101585000", date(1858, 1, 1)),  # 5-8: 58-99 -> 1800s
        ("0101369000", date(2036, 1, 1)),  # 9: 00-36 -> 2000s
        ("0101999000", date(1999, 1, 1)),  # 9: 37-99 -> 1900s
        ("2902004000", date(2000, 2, 29)),  # a leap day that exists
        ("2902001000", None),  # 1900 was no leap year
        ("123", None),
        ("abcdefghij", None),
    ],
)
def test_century_rule(cpr, born):
    assert cpr_birth_date(cpr) == born


def test_written_forms_and_the_number_form():
    assert set(written_forms(CPR).values()) == {
        "0707614285",
        "070761-4285",
        "070761 4285",
        "070761\u20134285",
        "070761\u00a04285",
    }
    assert numeric_form(CPR) == "707614285" and numeric_form("2304890005") is None


def test_phone_forms_with_and_without_country_code():
    forms = phone_forms("+45 12 34 56 78")
    assert {"12345678", "+4512345678", "004512345678", "12 34 56 78", "+45 12 34 56 78"} <= set(
        forms
    )
    assert phone_forms("12345678") == forms and phone_forms("123") == []


def test_citizen_values_cover_every_identifier():
    citizen = Citizen(
        cpr=CPR,
        name="Jens  Hansen",
        email="Jens@Example.dk",
        phone="12345678",
        address="Vestergade 12, 8000 Aarhus C",
    )
    values = citizen_values(citizen)
    kinds = {identifier for identifier, _, _ in values}
    assert kinds == {"cpr", "name", "email", "phone", "address"}
    assert ("name", "jens hansen", "all") in values and ("name", "jens", "hashed") in values
    assert ("email", "jens@example.dk", "all") in values and ("cpr", "707614285", "plain") in values
    assert ("address", "Vestergade 12", "all") in values
