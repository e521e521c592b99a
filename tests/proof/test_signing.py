"""Signed manifests: valid with the signer's public key in every documented key format,
invalid with another key, after any change to the manifest, or with the signature removed."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from crawler import bundle
from crawler.cli import main
from crawler.proof import seal
from crawler.proof.signing import load_private
from crawler.testing import make_key_pair
from tests.proof.test_verify import sealed_folder


def signed_folder(tmp_path: Path, private: Path) -> Path:
    run = sealed_folder(tmp_path)
    seal(run, command="cpraudit run", started=time.time(), results=[], key=load_private(private))
    return run


@pytest.mark.parametrize("form", ["pem", "openssh", "raw"])
def test_a_signed_manifest_verifies_with_its_key_and_fails_with_another(tmp_path, capsys, form):
    private, public = make_key_pair(tmp_path, "signer", form)
    _, other = make_key_pair(tmp_path, "other", form)
    run = signed_folder(tmp_path, private)
    assert len((run / bundle.SIGNATURE).read_bytes()) == 64
    assert main(["verify", str(run), "--key", str(public)]) == 0
    assert "signature: valid" in capsys.readouterr().out
    assert main(["verify", str(run), "--key", str(other)]) == 1
    out = capsys.readouterr().out
    signer = json.loads((run / bundle.MANIFEST).read_text())["signed_by"]
    assert "signature: invalid" in out and f"the manifest names key {signer}" in out


def test_a_tampered_manifest_fails_even_when_its_digests_match_the_files(tmp_path, capsys):
    private, public = make_key_pair(tmp_path, "signer")
    run = signed_folder(tmp_path, private)
    findings = run / "tastselv" / bundle.FINDINGS
    findings.write_text('{"system": "TastSelv", "verdict": "leak"}')
    manifest = json.loads((run / bundle.MANIFEST).read_text())
    manifest["files"]["tastselv/findings.json"] = {
        "sha256": hashlib.sha256(findings.read_bytes()).hexdigest(),
        "size": findings.stat().st_size,
    }
    (run / bundle.MANIFEST).write_text(json.dumps(manifest, indent=2))
    assert main(["verify", str(run)]) == 0, "without a key only the digests can be checked"
    assert "signature: not checked" in capsys.readouterr().out
    assert main(["verify", str(run), "--key", str(public)]) == 1
    assert "signature: invalid" in capsys.readouterr().out


def test_a_removed_signature_fails_with_or_without_a_key(tmp_path, capsys):
    private, public = make_key_pair(tmp_path, "signer")
    run = signed_folder(tmp_path, private)
    (run / bundle.SIGNATURE).unlink()
    assert main(["verify", str(run)]) == 1
    assert main(["verify", str(run), "--key", str(public)]) == 1
    assert "manifest.sig is missing" in capsys.readouterr().out


def test_an_unsigned_manifest_fails_when_a_key_is_required(tmp_path, capsys):
    _, public = make_key_pair(tmp_path, "signer")
    run = sealed_folder(tmp_path)
    assert main(["verify", str(run), "--key", str(public)]) == 1
    assert "the manifest is not signed" in capsys.readouterr().out


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"not a key at all", "not a public key"),
        (b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "not a public key"),
    ],
)
def test_a_bad_public_key_is_bad_input(tmp_path, capsys, content, problem):
    run = sealed_folder(tmp_path)
    (tmp_path / "bad.pub").write_bytes(content)
    assert main(["verify", str(run), "--key", str(tmp_path / "bad.pub")]) == 2
    err = capsys.readouterr().err
    assert problem in err and err.count("\n") == 1


def test_a_bad_signing_key_fails_before_anything_is_audited(tmp_path, capsys):
    encrypted = Ed25519PrivateKey.generate().private_bytes(
        ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.BestAvailableEncryption(b"secret")
    )
    (tmp_path / "enc.pem").write_bytes(encrypted)
    har = Path(__file__).parents[1] / "data" / "chrome.har"
    out = tmp_path / "out"
    args = ["scan-har", str(har), "--cpr", "0707614285", "--out", str(out)]
    assert main([*args, "--sign-key", str(tmp_path / "enc.pem")]) == 2
    assert "encrypted" in capsys.readouterr().err and not out.exists()
    assert main([*args, "--sign-key", str(tmp_path / "missing.pem")]) == 2
    assert "missing.pem" in capsys.readouterr().err


@pytest.mark.skipif(not shutil.which("openssl"), reason="needs the openssl command")
def test_openssl_keys_sign_and_openssl_verifies_the_signature(tmp_path):
    """The documented key commands work, and the signature needs no cpraudit to check."""
    private, public = tmp_path / "key.pem", tmp_path / "key.pub.pem"
    openssl = ["openssl"]
    subprocess.run([*openssl, "genpkey", "-algorithm", "ed25519", "-out", private], check=True)
    subprocess.run([*openssl, "pkey", "-in", private, "-pubout", "-out", public], check=True)
    run = signed_folder(tmp_path, private)
    assert main(["verify", str(run), "--key", str(public)]) == 0
    check = [
        *openssl,
        "pkeyutl",
        "-verify",
        "-pubin",
        "-inkey",
        public,
        "-rawin",
        "-in",
        run / bundle.MANIFEST,
        "-sigfile",
        run / bundle.SIGNATURE,
    ]
    assert subprocess.run(check, capture_output=True).returncode == 0
    (run / bundle.MANIFEST).write_bytes((run / bundle.MANIFEST).read_bytes() + b" ")
    assert subprocess.run(check, capture_output=True).returncode != 0
