"""Evidence that proves itself: every run folder is sealed by a manifest of its files' SHA-256
(optionally signed with Ed25519), and `cpraudit verify` says whether it is still as sealed."""

from crawler.proof.manifest import seal
from crawler.proof.verify import Verification, verify

__all__ = ["Verification", "seal", "verify"]
