"""The files of a system's folder, redacted once recording has ended.

Playwright writes the HAR and the trace with what the browser saw, secrets included, and the
record (requests.jsonl) was written before every secret was known: a session cookie is only
learned when it is first sent or, if the site cleared it before, from the HAR. So the
first-party cookies in the HAR are learned first, then every file is masked; a file that
cannot be read to be redacted (a trace cut short by a full disk) is removed, and said so. A HAR
and a trace that Playwright wrote to the audit's private temporary folder arrive in the evidence
folder redacted: an audit stopped at any moment leaves no unredacted copy there.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from crawler import bundle
from crawler.errors import BadInput, disk_full, first_line, write_failure
from crawler.importers.har import cookie_values
from crawler.parties import registrable_domain
from crawler.record.addons.redaction import Redactor

_IMAGES = (".png", ".jpeg", ".jpg")  # screenshots: nothing to mask in pixels


def redact_folder(folder: Path, redactor: Redactor, incoming: Path | None = None) -> list[str]:
    """Mask every known secret in every file of `folder`, and bring the HAR and the trace that
    Playwright wrote to `incoming` into it redacted; the problems, one line each."""
    problems = _learn_cookies((incoming or folder) / bundle.HAR, redactor)
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    arriving = [incoming / n for n in (bundle.HAR, bundle.TRACE)] if incoming else []
    for path in filter(Path.is_file, arriving):
        if problem := redact_file(path, redactor, folder / path.name):
            problems.append(problem)
    for path in sorted(files, key=lambda p: p.name == bundle.REQUESTS):  # the record last
        if problem := redact_file(path, redactor):
            problems.append(problem)
    return problems


def redact_file(path: Path, redactor: Redactor, into: Path | None = None) -> str | None:
    """Mask secrets in one file (written to `into`, if given, else in place); a problem line if
    that failed. Evidence files that cannot be redacted are removed; the record is kept as it
    was written (already redacted with what was known then), since the findings come from it."""
    into = into or path
    try:
        if path.name == bundle.REQUESTS:
            bundle.rewrite_exchanges(path, redactor.exchange, redactor.text)
        elif path.suffix == ".zip":
            _redact_zip(path, into, redactor)
        elif path.suffix not in _IMAGES:
            _redact_stream(path, into, redactor)
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        why = write_failure(exc, into.name) if disk_full(exc) else first_line(exc)
        if path.name == bundle.REQUESTS:
            return (
                f"{path.name} could not be redacted again ({why}): a session value first seen "
                "late in the audit may be in it"
            )
        path.unlink(missing_ok=True)
        into.unlink(missing_ok=True)
        return f"{path.name} removed: it could not be redacted ({why})"
    return None


def _learn_cookies(har: Path, redactor: Redactor) -> list[str]:
    if not har.is_file():
        return []
    try:
        cookies = cookie_values(har)
    except BadInput:  # e.g. cut short by a full disk: its secrets cannot all be known
        har.unlink(missing_ok=True)
        return [f"{har.name} removed: it could not be read, so its secrets could not be found"]
    redactor.learn(v for host, v in cookies if registrable_domain(host) in redactor.first_party)
    return []


def _redact_stream(path: Path, into: Path, redactor: Redactor) -> None:
    """A window at a time: a large body or HAR is never held whole."""
    clean = into.with_name(into.name + ".tmp")
    try:
        with path.open("rb") as src, clean.open("wb") as dst:
            redactor.copy(src, dst)
    except BaseException:
        clean.unlink(missing_ok=True)
        raise
    clean.replace(into)


def _redact_zip(path: Path, into: Path, redactor: Redactor) -> None:
    clean = into.with_name(into.name + ".tmp")
    try:
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(clean, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                with src.open(item) as content, dst.open(item, "w", force_zip64=True) as out:
                    if item.filename.endswith(_IMAGES):
                        shutil.copyfileobj(content, out)
                    else:
                        redactor.copy(content, out)
    except BaseException:
        clean.unlink(missing_ok=True)
        raise
    clean.replace(into)
