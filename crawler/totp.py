"""One-time codes for two-step test logins: TOTP (RFC 6238) from a secret in the secrets file
or the environment, as an authenticator app would show them."""

from __future__ import annotations

import binascii
import time
from collections.abc import Callable

import pyotp

from crawler.errors import BadInput

MARGIN = 3.0  # seconds a code must still be valid for: typing it and posting it take time


class _Authenticator(pyotp.TOTP):
    # The portal chose the secret; a client refusing the 80-bit secrets many issue fixes nothing.
    min_secret_length_bits = 80


def current_code(
    secret: str,
    name: str = "totp",
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """The code now, or, when it runs out within MARGIN seconds, the next one (waited for):
    a code that expires on its way to the server fails the login for no fault of the portal's."""
    try:
        totp = _Authenticator(secret.replace(" ", "").upper())
    except (binascii.Error, ValueError):
        raise BadInput(
            f"credential {name!r} is not a TOTP secret: give the base32 secret (at least 16 "
            "characters) of the test user's authenticator, the `secret=` of its otpauth:// link"
        ) from None
    left = totp.interval - clock() % totp.interval
    if left < MARGIN:
        sleep(left + 0.05)
    return totp.at(clock())
