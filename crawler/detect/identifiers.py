"""The audited citizen's identifiers: the CPR number and how people and scripts write it,
and the secondary identifiers (name, e-mail, phone, address) in the forms they take.

A CPR is ten digits, DDMMYY then a four-digit sequence number; the 7th digit and the year
decide the century (the CPR office's table, below). Since 1 October 2007 numbers that fail
the modulus-11 check are issued, so a failing check never makes a number invalid.
"""

from __future__ import annotations

import re
from datetime import date

from crawler.errors import BadInput
from crawler.model import Citizen

_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
_SEPARATORS = "- \u2013\u00a0"  # hyphen, space, en dash, no-break space between DDMMYY and SSSS


def cpr_birth_date(cpr: str) -> date | None:
    """Birth date by the CPR office's century rule; None when the first six digits are no date.

    7th digit 0-3: 1900-1999; 4 or 9: 2000-2036 for YY 00-36, else 1937-1999;
    5-8: 2000-2057 for YY 00-57, else 1858-1899.
    """
    if len(cpr) != 10 or not cpr.isascii() or not cpr.isdigit():
        return None
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
    """The pre-2007 check digit rule; informative only (see the module docstring)."""
    if len(cpr) != 10 or not cpr.isascii() or not cpr.isdigit():
        return False
    return sum(int(d) * w for d, w in zip(cpr, _WEIGHTS, strict=True)) % 11 == 0


def parse_cpr(text: str) -> str:
    """The ten digits of `DDMMYYSSSS`, `DDMMYY-SSSS` or `DDMMYY SSSS`; BadInput otherwise.
    A number failing modulus 11 is valid: numbers issued since 2007 need not pass it."""
    raw = (text or "").strip()
    digits = raw[:6] + raw[7:] if len(raw) == 11 and raw[6] in _SEPARATORS else raw
    if not re.fullmatch(r"[0-9]{10}", digits):
        raise BadInput(f"CPR {text!r} is not 10 digits: write it as DDMMYYSSSS or DDMMYY-SSSS")
    if cpr_birth_date(digits) is None:
        raise BadInput(
            f"CPR {text!r} does not start with a real date (DDMMYY): check day and month"
        )
    return digits


def written_forms(cpr: str) -> dict[str, str]:
    """How forms and scripts write a CPR: form name -> text.

    The official written form has a hyphen, input masks and typing give the bare digits or a
    space; word processors and HTML turn the hyphen into an en dash and the space into a
    no-break space. (The CPR written as a number, its leading zero lost, is in `numeric_form`.)
    """
    head, tail = cpr[:6], cpr[6:]
    return {
        "DDMMYYSSSS": cpr,
        "DDMMYY-SSSS": f"{head}-{tail}",
        "DDMMYY SSSS": f"{head} {tail}",
        "DDMMYY\u2013SSSS": f"{head}\u2013{tail}",
        "DDMMYY\u00a0SSSS": f"{head}\u00a0{tail}",
    }


def numeric_form(cpr: str) -> str | None:
    """The CPR after a script made a number of it (JSON, parseInt): a born-on-the-1st-to-9th
    citizen loses the leading zero. Only safe to match with no digit on either side."""
    return cpr.lstrip("0") if cpr.startswith("0") else None


def _spaced(text: str) -> str:
    return " ".join(text.split())


def name_forms(name: str) -> list[str]:
    """The name as typed, in lower, upper and title case, whitespace collapsed."""
    name = _spaced(name)
    return [name, name.lower(), name.upper(), name.title()] if len(name) >= 4 else []


def name_parts(name: str) -> list[str]:
    """Lower-cased first and last name: what ad platforms hash one by one (fn, ln)."""
    words = _spaced(name).lower().split()
    return sorted({words[0], words[-1]}) if len(words) > 1 else []


def email_forms(email: str) -> list[str]:
    """As given, lower and upper case, and capitalised as forms and phones capitalise it.
    (Other mixed case is missed: the needles are matched case-sensitively, for speed.)"""
    email = email.strip()
    return [email, email.lower(), email.upper(), email.lower().capitalize()] if "@" in email else []


def phone_forms(phone: str) -> list[str]:
    """A Danish number with and without +45 / 0045, with and without the usual spaces."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("0045"):
        digits = digits[4:]
    elif digits.startswith("45") and len(digits) == 10:
        digits = digits[2:]
    if len(digits) < 8:
        return []
    spaced = " ".join(digits[i : i + 2] for i in range(0, len(digits), 2))
    return [
        digits,
        f"+45{digits}",
        f"0045{digits}",
        f"45{digits}",
        spaced,
        f"+45 {spaced}",
        f"+45 {digits}",
        f"{digits[:4]} {digits[4:]}",
    ]


def address_forms(address: str) -> list[str]:
    """The address and its first line (street and number): forms split address fields."""
    address = _spaced(address)
    forms = [address, address.lower(), address.upper()]
    street = address.split(",")[0].strip()
    if street != address and len(street) >= 6:
        forms += [street, street.lower(), street.upper()]
    return forms if len(address) >= 6 else []


def citizen_values(citizen: Citizen) -> list[tuple[str, str, str]]:
    """(identifier, text, which transforms) for each form of each identifier of the citizen:
    "all"; "hashed" only (a lone first name is too common to look for plain); "plain" only
    (the CPR as a number: nobody hashes that, and its base64 would match by chance)."""
    values = [("cpr", form, "all") for form in written_forms(citizen.cpr).values()]
    if numeric := numeric_form(citizen.cpr):
        values.append(("cpr", numeric, "plain"))
    forms = {
        "name": name_forms,
        "email": email_forms,
        "phone": phone_forms,
        "address": address_forms,
    }
    for identifier, make in forms.items():
        raw = getattr(citizen, identifier)
        values += [(identifier, form, "all") for form in make(raw)] if raw else []
    values += [("name", part, "hashed") for part in name_parts(citizen.name or "")]
    return values
