"""`verify`: recompute a run folder's manifest and say what no longer matches it.

A folder is intact when every file it lists is there with the same SHA-256, no file was added,
and (when a public key is given) manifest.sig is a valid signature of manifest.json by that
key. Files added after the seal (notes, a desktop's `.DS_Store`) are named as added: they are
not part of the sealed evidence, and `allow_added` lets them pass while still naming them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import ValidationError

from crawler import bundle
from crawler.errors import BadInput, first_line
from crawler.proof import signing
from crawler.proof.manifest import Manifest, inventory

MAX_MANIFEST = 256 * 1024 * 1024  # a manifest of millions of files; not a whole disk
SIGNATURE_BYTES = 64


@dataclass(frozen=True)
class Verification:
    manifest: Manifest
    changed: list[str]
    missing: list[str]
    added: list[str]
    signature: str  # "valid", "invalid: ...", "not checked", "unsigned"

    def intact(self, allow_added: bool = False) -> bool:
        return (
            not self.changed
            and not self.missing
            and (allow_added or not self.added)
            and not self.signature.startswith("invalid")
        )


def verify(folder: Path, key: Ed25519PublicKey | None = None) -> Verification:
    data = _read_manifest(folder)
    manifest = _parse(folder, data)
    signature = _signature(folder, data, key, manifest.signed_by)
    sealed, now = manifest.files, inventory(folder)
    return Verification(
        manifest=manifest,
        changed=sorted(name for name in sealed.keys() & now.keys() if sealed[name] != now[name]),
        missing=sorted(sealed.keys() - now.keys()),
        added=sorted(now.keys() - sealed.keys()),
        signature=signature,
    )


def _read_manifest(folder: Path) -> bytes:
    path = folder / bundle.MANIFEST
    try:
        if not folder.is_dir():
            raise BadInput(f"{folder}: no such folder; give a run folder written by cpraudit")
        with path.open("rb") as file:
            data = file.read(MAX_MANIFEST + 1)
    except OSError as exc:
        raise BadInput(
            f"{path}: {exc.strerror}; give a run folder sealed by cpraudit (folders written "
            "before manifests existed cannot be verified)"
        ) from None
    if len(data) > MAX_MANIFEST:
        raise BadInput(f"{path}: larger than any manifest cpraudit writes; it is not one")
    return data


def _parse(folder: Path, data: bytes) -> Manifest:
    try:
        return Manifest.model_validate(json.loads(data))
    except (ValueError, ValidationError, RecursionError) as exc:
        raise BadInput(
            f"{folder / bundle.MANIFEST}: not a cpraudit manifest ({first_line(exc)}); "
            "the folder cannot be verified"
        ) from None


def _signature(
    folder: Path, data: bytes, key: Ed25519PublicKey | None, signed_by: str | None
) -> str:
    path = folder / bundle.SIGNATURE
    if not path.exists():
        if signed_by:  # the manifest says it was signed: a removed signature is tampering
            return f"invalid: signed by key {signed_by}, but {bundle.SIGNATURE} is missing"
        return "invalid: the manifest is not signed" if key else "unsigned"
    if key is None:
        return "not checked: give the public key with --key"
    try:
        with path.open("rb") as file:
            signature = file.read(SIGNATURE_BYTES + 1)
    except OSError as exc:
        return f"invalid: {bundle.SIGNATURE} cannot be read ({exc.strerror})"
    if len(signature) == SIGNATURE_BYTES and signing.verifies(key, data, signature):
        return "valid"
    return f"invalid: not a signature of this manifest by key {signing.key_id(key)}" + (
        f" (the manifest names key {signed_by})" if signed_by else ""
    )
