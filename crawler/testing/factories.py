"""Test data that needs no browser."""

from __future__ import annotations

from pathlib import Path

from crawler.model import Exchange, Finding


def make_exchange(
    *,
    url: str = "http://www.tracker.test/collect",
    method: str = "GET",
    headers: tuple[tuple[str, str], ...] = (),
    body: bytes | None = None,
    seq: int = 1,
    **fields,
) -> Exchange:
    """An Exchange with sane defaults, for detector and report tests that need no browser."""
    return Exchange(
        seq=seq,
        url=url,
        method=method,
        headers=headers,
        body=body,
        page_url=fields.pop("page_url", "http://portal.skat.test/"),
        **fields,
    )


def make_finding(
    *,
    host: str = "www.tracker.test",
    detail: str = "query parameter dl",
    seq: int = 1,
    page_url: str = "http://portal.skat.test/side?cpr=0707614285",
    **fields,
) -> Finding:
    """A confirmed finding of the CPR in a request to `host`, for report tests."""
    channel = fields.pop("channel", "header" if detail.startswith("header ") else "url")
    return Finding(
        request_url=fields.pop("request_url", f"http://{host}/collect?dl={page_url}&n={seq}"),
        host=host,
        method=fields.pop("method", "GET"),
        resource_type=fields.pop("resource_type", "image"),
        channel=channel,
        detail=detail,
        encoding=fields.pop("encoding", "plain"),
        identifier=fields.pop("identifier", "cpr"),
        page_url=page_url,
        domain=fields.pop("domain", ".".join(host.split(".")[-2:])),
        matched=fields.pop("matched", "0707614285"),
        exchange_seq=seq,
        **fields,
    )


KEY_FORMS = {  # as documented in crawler/proof/signing.py: (encoding, private, public format)
    "pem": ("PEM", "PKCS8", "SubjectPublicKeyInfo"),
    "openssh": ("PEM", "OpenSSH", "OpenSSH"),
    "raw": ("Raw", "Raw", "Raw"),
}


def make_key_pair(folder: Path, name: str = "signer", form: str = "pem") -> tuple[Path, Path]:
    """A new Ed25519 key pair as files `name` and `name.pub` in one of the documented forms."""
    from cryptography.hazmat.primitives import serialization as ser
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    encoding, private_format, public_format = KEY_FORMS[form]
    key = Ed25519PrivateKey.generate()
    private, public = folder / name, folder / f"{name}.pub"
    private.write_bytes(
        key.private_bytes(
            getattr(ser.Encoding, encoding),
            getattr(ser.PrivateFormat, private_format),
            ser.NoEncryption(),
        )
    )
    public.write_bytes(
        key.public_key().public_bytes(
            ser.Encoding.OpenSSH if form == "openssh" else getattr(ser.Encoding, encoding),
            getattr(ser.PublicFormat, public_format),
        )
    )
    return private, public
