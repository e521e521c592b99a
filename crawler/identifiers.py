"""The CPR number: parsing, validation and its written forms."""

from __future__ import annotations

import re
from datetime import date

from crawler.errors import BadInput

_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)


def cpr_birth_date(cpr: str) -> date | None:
    """Birth date by the CPR office's century rule (the 7th digit and the year decide it)."""
    day, month, yy, seventh = int(cpr[0:2]), int(cpr[2:4]), int(cpr[4:6]), int(cpr[6])
    if seventh <= 3:
        century = 1900
    elif seventh in (4, 9):
        century = 2000 if yy <= 36 else 1900
    else:
        century = 2000 if yy <= 57 else 1800
    try:
        return date(century + yy, month, day)
    except ValueError:
        return None


def modulus11_ok(cpr: str) -> bool:
    return sum(int(d) * w for d, w in zip(cpr, _WEIGHTS)) % 11 == 0


def parse_cpr(text: str) -> str:
    """The ten digits of `DDMMYYSSSS`, `DDMMYY-SSSS` or `DDMMYY SSSS`; BadInput otherwise.
    A number failing modulus 11 is valid: numbers issued since 2007 need not pass it."""
    digits = re.sub(r"[\s-]", "", text or "")
    if not re.fullmatch(r"\d{10}", digits):
        raise BadInput(f"CPR {text!r} is not 10 digits: write it as DDMMYYSSSS or DDMMYY-SSSS")
    if cpr_birth_date(digits) is None:
        raise BadInput(f"CPR {text!r} does not start with a real date (DDMMYY): check day and month")
    return digits


def written_forms(cpr: str) -> dict[str, str]:
    """How forms and scripts write a CPR: form name -> text."""
    return {"DDMMYYSSSS": cpr, "DDMMYY-SSSS": f"{cpr[:6]}-{cpr[6:]}", "DDMMYY SSSS": f"{cpr[:6]} {cpr[6:]}"}
