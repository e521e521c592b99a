"""Certificates of test environments: a test CA trusted for one audit, or no checks at all.

Chromium has no switch for an extra root CA. On Linux it reads the user's NSS database
(`$HOME/.pki/nssdb`), so an audit with `ca_file` starts its browser with a temporary HOME
whose database trusts that CA and nothing else extra: other certificates are still checked.
`ignore_https_errors` (Playwright's context option) accepts any certificate instead; both are
stated in the report.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from crawler.config.certificates import read_ca
from crawler.errors import BadInput

CERTUTIL = "certutil"
NO_CERTUTIL = (
    "ca_file needs certutil to give Chromium the test CA (Debian/Ubuntu: apt-get install "
    "libnss3-tools); or set ignore_https_errors = true instead"
)


def require() -> None:
    """What ca_file needs on this machine, checked before an audit starts."""
    if not sys.platform.startswith("linux"):
        raise BadInput("ca_file works with Chromium on Linux; elsewhere set ignore_https_errors")
    if shutil.which(CERTUTIL) is None:
        raise BadInput(NO_CERTUTIL)


@contextmanager
def trusting(ca_file: str | None) -> Iterator[dict[str, str | float | bool] | None]:
    """The environment for a Chromium that trusts `ca_file` (None: the unchanged one): a
    temporary HOME with an NSS database holding the CA, removed afterwards. It is the whole
    environment, CI secrets included, so it never says its values (`Environment`): launch
    options are shown in pytest's tracebacks."""
    if ca_file is None:
        yield None
        return
    require()
    home = Path(tempfile.mkdtemp(prefix="cpraudit-trust-"))
    try:
        _nss_database(home / ".pki" / "nssdb", Path(ca_file))
        yield Environment({**os.environ, "HOME": str(home)})
    finally:
        shutil.rmtree(home, ignore_errors=True)


class Environment(dict[str, str | float | bool]):
    """A process environment that does not show its values when printed (a traceback shows a
    function's arguments): it holds whatever secrets the environment holds."""

    def __repr__(self) -> str:
        return f"<environment of {len(self)} variables, values not shown>"

    __str__ = __repr__


def _nss_database(folder: Path, ca_file: Path) -> None:
    folder.mkdir(parents=True)
    database = f"sql:{folder}"
    _certutil("-N", "-d", database, "--empty-password")
    for n, cert in enumerate(read_ca(ca_file), 1):
        pem = folder / f"ca-{n}.pem"
        pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        _certutil("-A", "-d", database, "-n", f"cpraudit test CA {n}", "-t", "C,,", "-i", str(pem))


def _certutil(*args: str) -> None:
    done = subprocess.run([CERTUTIL, *args], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise BadInput(f"certutil could not set up the test CA: {done.stderr.strip()[:200]}")
