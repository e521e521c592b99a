"""The CPR split over two fields of one request: the birth date in one, the serial number in
another (`fdato=070761&lbnr=4285`, or one JSON object holding both). Together they are the CPR;
a birth date alone, or the same date beside another serial number, is not.

The birth date's written forms are needles of their own (`BIRTH_DATE`) that never make a finding:
where one is found in a structured text (a query string, a form, cookies, JSON), its fields are
read here, and a sibling field holding exactly the serial number makes a finding with encoding
`split` that names both fields.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote_plus

from crawler.detect.identifiers import cpr_birth_date

BIRTH_DATE = "birth date"  # the needles' identifier: a lead to read fields, never a finding
_SEPARATORS = {"query": "&", "form": "&", "cookies": ";"}


def birth_date_forms(cpr: str) -> list[str]:
    """How a form or a script writes the citizen's birth date: 070761, 07-07-61, 07.07.1961,
    1961-07-07, ..."""
    born = cpr_birth_date(cpr)
    if born is None:
        return []
    dd, mm, yy, yyyy = f"{born.day:02d}", f"{born.month:02d}", cpr[4:6], str(born.year)
    forms = [dd + mm + yy, dd + mm + yyyy, f"{yyyy}-{mm}-{dd}", yyyy + mm + dd]
    forms += [sep.join((dd, mm, year)) for sep in "-./" for year in (yy, yyyy)]
    return list(dict.fromkeys(forms))


@dataclass(frozen=True)
class Split:
    """The two fields, as paths within the structured text (a parameter name, a JSON path)."""

    date_field: str
    serial_field: str
    date: str


def find(text: str, structure: str, cpr: str) -> list[Split]:
    """Every pair of sibling fields of `text` (a query string, form, cookies or JSON) that holds
    the citizen's birth date and serial number."""
    dates, serial = set(birth_date_forms(cpr)), cpr[6:]
    found = []
    for fields in _containers(text, structure):
        with_date = [(name, value) for name, value in fields if value in dates]
        with_serial = [name for name, value in fields if _is_serial(value, serial)]
        found += [Split(d, s, value) for d, value in with_date for s in with_serial if s != d]
    return found


def _is_serial(value: str, serial: str) -> bool:
    return value == serial or (value.isdigit() and value != "" and int(value) == int(serial))


def _containers(text: str, structure: str) -> Iterator[list[tuple[str, str]]]:
    """The fields of each container of the text: one list for a form, one per JSON object."""
    if structure in _SEPARATORS:
        pairs = (p.strip().partition("=") for p in text.split(_SEPARATORS[structure]))
        yield [(unquote_plus(name), unquote_plus(value)) for name, _, value in pairs if value]
    elif structure == "JSON":
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return
        yield from _objects(data, ())


def _objects(data: object, path: tuple[str, ...]) -> Iterator[list[tuple[str, str]]]:
    """Each JSON object's scalar fields, named by their path, depth first (iteratively: a
    hostile body may nest deeply)."""
    stack = [(data, path)] if isinstance(data, dict | list) else []
    while stack:
        node, where = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        fields = []
        for key, value in items:
            inner = (*where, str(key))
            if isinstance(value, dict | list):
                stack.append((value, inner))
            elif isinstance(value, str | int) and not isinstance(value, bool):
                fields.append((".".join(inner), str(value)))
        if isinstance(node, dict):
            yield fields
