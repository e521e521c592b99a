"""A test environment's CA, as audit.toml names it (`ca_file`): read when the file loads, so a
bad certificate is one line before any browser starts, and described for the report."""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from crawler.errors import BadInput


def read_ca(path: Path) -> list[x509.Certificate]:
    """The certificates of a PEM file, or BadInput naming the file and the fix."""
    try:
        certificates = x509.load_pem_x509_certificates(path.read_bytes())
    except OSError as exc:
        raise BadInput(
            f"ca_file {path}: cannot read it ({exc.strerror}); give a PEM file"
        ) from None
    except ValueError:
        raise BadInput(
            f"ca_file {path}: not a PEM certificate; give the test CA's certificate "
            "(-----BEGIN CERTIFICATE-----)"
        ) from None
    return certificates


def describe(path: Path) -> str:
    """The CA as the report names it: subject and SHA-256 fingerprint of each certificate."""
    return "; ".join(
        f"{cert.subject.rfc4514_string()} (SHA-256 {cert.fingerprint(hashes.SHA256()).hex(':')})"
        for cert in read_ca(path)
    )
