"""The EU/EEA: where a receiver's seat is not a transfer to a third country (GDPR chapter V).

The one list in cpraudit. ISO 3166-1 alpha-2 codes, as TrackerDB and audit.toml write them
(Greece is GR, not the EU's own EL): the 27 EU member states since 1 February 2020, and
Iceland, Liechtenstein and Norway of the EEA. A country with an adequacy decision (the United
Kingdom, Switzerland, the United States under the Data Privacy Framework, ...) is still a third
country: the decision allows the transfer, it does not make it none.
"""

from __future__ import annotations

EU = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)
EEA = EU | {"IS", "LI", "NO"}


def third_country(country: str | None) -> bool | None:
    """True outside the EU/EEA, False inside, None when the country is not known."""
    if not country:
        return None
    return country.strip().upper() not in EEA
