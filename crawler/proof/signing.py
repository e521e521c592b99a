"""Ed25519 signatures of a run's manifest: who sealed the evidence, checkable by anyone who
holds the public key.

Key files, each recognised by its content:
- PEM: a PKCS#8 private key (`openssl genpkey -algorithm ed25519 -out key.pem`) and its
  SubjectPublicKeyInfo public key (`openssl pkey -in key.pem -pubout -out key.pub.pem`);
- OpenSSH: `ssh-keygen -t ed25519 -N '' -f key` writes `key` and `key.pub`;
- raw: the key's 32 bytes, nothing else.
A private key must not be encrypted: a nightly run has nobody to type its passphrase, so
protect the file instead (chmod 600, a CI secret).

The signature (`manifest.sig`) is the raw 64 bytes over manifest.json exactly as written, so
`openssl pkeyutl -verify -pubin -inkey key.pub.pem -rawin -in manifest.json -sigfile
manifest.sig` checks it without cpraudit.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from crawler.errors import BadInput

MAX_KEY_FILE = 64 * 1024  # any key file is far smaller; refuse to read a huge one whole
RAW_KEY = 32
MAKE_ONE = "make one with: openssl genpkey -algorithm ed25519 -out key.pem"


def load_private(path: Path) -> Ed25519PrivateKey:
    """The signing key in `path`; a one-line error naming the fix if it is not one."""
    data = _read(path, "--sign-key")
    key: object
    try:
        if len(data) == RAW_KEY:
            return Ed25519PrivateKey.from_private_bytes(data)
        if b"OPENSSH PRIVATE KEY" in data:
            key = serialization.load_ssh_private_key(data, password=None)
        else:
            key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise BadInput(
            f"{path}: the private key is encrypted; cpraudit signs unattended, so give an "
            "unencrypted key and protect the file (chmod 600)"
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        raise BadInput(
            f"{path}: not a private key in PEM, OpenSSH or raw form; {MAKE_ONE}"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise BadInput(f"{path}: not an Ed25519 key (cpraudit signs with Ed25519); {MAKE_ONE}")
    return key


def load_public(path: Path) -> Ed25519PublicKey:
    """The public key in `path` that a manifest's signature is checked with."""
    data = _read(path, "--key")
    key: object
    try:
        if len(data) == RAW_KEY:
            return Ed25519PublicKey.from_public_bytes(data)
        if data.lstrip().startswith(b"ssh-"):
            key = serialization.load_ssh_public_key(data)
        else:
            key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        raise BadInput(
            f"{path}: not a public key in PEM, OpenSSH or raw form; give the public half of the "
            "signing key (openssl pkey -in key.pem -pubout -out key.pub.pem)"
        ) from None
    if not isinstance(key, Ed25519PublicKey):
        raise BadInput(f"{path}: not an Ed25519 public key; give the one the run was signed with")
    return key


def key_id(key: Ed25519PublicKey) -> str:
    """A short name for a public key: the first 16 hex digits of SHA-256 over its raw bytes."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def verifies(key: Ed25519PublicKey, data: bytes, signature: bytes) -> bool:
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


def _read(path: Path, option: str) -> bytes:
    try:
        with path.open("rb") as file:
            data = file.read(MAX_KEY_FILE + 1)
    except OSError as exc:
        raise BadInput(f"{option} {path}: {exc.strerror}; give the path of a key file") from None
    if len(data) > MAX_KEY_FILE:
        raise BadInput(f"{option} {path}: too large for a key file; give an Ed25519 key")
    return data
