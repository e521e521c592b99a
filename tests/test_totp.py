"""One-time codes for two-step test logins (RFC 6238)."""

from __future__ import annotations

import pyotp
import pytest
from pydantic import SecretStr

from crawler.errors import BadInput
from crawler.model import Citizen
from crawler.totp import current_code

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
SHORT = "JBSWY3DPEHPK3PXP"  # 80 bits, as many portals give their test users


def test_the_code_is_the_authenticators_and_never_one_about_to_expire():
    slept: list[float] = []
    assert current_code(SECRET, clock=lambda: 1_700_000_010.0, sleep=slept.append) == (
        pyotp.TOTP(SECRET).at(1_700_000_010)
    )
    assert slept == []
    now = [1_700_000_038.5]  # 1.5 s left of this code's 30

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    code = current_code(SECRET, clock=lambda: now[0], sleep=sleep)
    assert slept == [pytest.approx(1.55)] and code == pyotp.TOTP(SECRET).at(1_700_000_040)


def test_citizen_totp_reads_the_secret_and_names_what_is_wrong():
    citizen = Citizen(
        cpr="0707614285",
        credentials={"totp": SecretStr(SHORT.lower()), "bad": SecretStr("not base32!")},
    )
    assert citizen.totp("totp").isdigit() and len(citizen.totp("totp")) == 6
    with pytest.raises(BadInput, match="credential 'bad' is not a TOTP secret: give the base32"):
        citizen.totp("bad")
    with pytest.raises(KeyError, match="has no credential 'code': add it to the citizen's"):
        citizen.totp("code")
