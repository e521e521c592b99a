"""Looking for a secret in everything a command left: every output file (each entry of a zip on
its own) and what it printed, in every form the detector would find the CPR in."""

from __future__ import annotations

import zipfile
from pathlib import Path
from urllib.parse import quote, quote_plus

from crawler.detect.needles import needles_for


def forms(secret: str) -> set[str]:
    """The forms to look for, made independently of the redaction code: as written, percent-
    encoded from UTF-8 and Latin-1, and the detector's transforms (hex, base64, hashes)."""
    written = {secret}
    for charset in ("utf-8", "latin-1"):
        try:
            raw = secret.encode(charset)
        except UnicodeEncodeError:
            continue
        written |= {quote(raw, safe=""), quote_plus(raw), quote(raw, safe="").lower()}
    return {n.text for form in written for n in needles_for("secret", form, "all")}


def contents(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by its path, each entry of a zip on its own."""
    found: dict[str, bytes] = {}
    for path in folder.rglob("*"):
        if path.suffix == ".zip" and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                found |= {f"{path.name}:{n}": archive.read(n) for n in archive.namelist()}
        elif path.is_file():
            found[str(path.relative_to(folder))] = path.read_bytes()
    return found


def places(secret: str, files: dict[str, bytes], printed: bytes = b"") -> list[str]:
    """Where any form of `secret` is: the files' names, and "printed"."""
    found = []
    for form in sorted(forms(secret)):
        needle = form.encode()
        found += [f"{name} ({form})" for name, data in files.items() if needle in data]
        found += [f"printed ({form})"] if needle in printed else []
    return found
