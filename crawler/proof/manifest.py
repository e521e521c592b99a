"""manifest.json: the SHA-256 of every file of a run folder, and what made them.

`seal` writes it when a command has written everything else (with `manifest.sig` beside it
when a key is given), so it covers the whole folder, system folders included; `inventory`
recomputes the same listing for `verify`. Symbolic links are listed by their target and never
followed, and only regular files are opened (a FIFO planted in a folder cannot stall
`verify`).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Final, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import BaseModel, ConfigDict, field_validator

from crawler import __version__, bundle
from crawler.model import BrowserInfo, SystemResult
from crawler.proof import signing

FORMAT: Final = "cpraudit-manifest/1"
OWN = (bundle.MANIFEST, bundle.SIGNATURE)  # in the run folder itself: not covered by the list


class Entry(BaseModel):
    """One file as sealed: a regular file's SHA-256 and size, a link's target, or neither."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    sha256: str | None = None
    size: int | None = None
    link: str | None = None
    other: str | None = None  # not a regular file or a link, or unreadable: why


class Manifest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    format: Literal["cpraudit-manifest/1"]
    tool_version: str
    command: str
    browsers: tuple[BrowserInfo, ...] = ()
    started: str
    finished: str
    signed_by: str | None = None  # key id of the Ed25519 key whose signature is manifest.sig
    files: dict[str, Entry]
    inputs: dict[str, Entry] = {}  # files the run read as evidence (scan-har's HAR), as read

    @field_validator("files")
    @classmethod
    def _inside(cls, files: dict[str, Entry]) -> dict[str, Entry]:
        for name in files:
            if not _plain(name):
                raise ValueError(f"{name!r} is not a path inside the folder")
        return files


def seal(
    folder: Path,
    *,
    command: str,
    started: float,
    results: Iterable[SystemResult],
    key: Ed25519PrivateKey | None = None,
) -> Path:
    """Write manifest.json over every file of `folder` (and manifest.sig when `key` is given),
    naming the files the results were imported from. Call it last: a file written after it is
    reported by `verify` as added."""
    results = list(results)
    for name in OWN:
        (folder / name).unlink(missing_ok=True)  # a reused folder's old seal says nothing now
    manifest = Manifest(
        format=FORMAT,
        tool_version=__version__,
        command=command,
        browsers=tuple(dict.fromkeys(r.browser for r in results if r.browser.version)),
        started=_iso(started),
        finished=_iso(datetime.now(UTC).timestamp()),
        signed_by=signing.key_id(key.public_key()) if key else None,
        files=inventory(folder),
        inputs={
            r.imported_from.name: Entry(sha256=r.imported_from.sha256, size=r.imported_from.size)
            for r in results
            if r.imported_from
        },
    )
    data = (manifest.model_dump_json(indent=2, exclude_none=True) + "\n").encode("utf-8")
    if key is not None:
        (folder / bundle.SIGNATURE).write_bytes(key.sign(data))
    path = folder / bundle.MANIFEST
    path.write_bytes(data)
    return path


def inventory(folder: Path) -> dict[str, Entry]:
    """Every file under `folder` but the seal itself, by its path relative to `folder`."""
    found: dict[str, Entry] = {}
    pending = [folder]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                name = PurePosixPath(Path(entry.path).relative_to(folder)).as_posix()
                if entry.is_dir(follow_symlinks=False):
                    pending.append(Path(entry.path))
                elif name not in OWN:
                    found[name] = _entry(Path(entry.path))
    return dict(sorted(found.items()))


def _entry(path: Path) -> Entry:
    try:
        if path.is_symlink():
            return Entry(link=os.readlink(path))
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then says what it is
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        return Entry(other=f"unreadable: {exc.strerror}")
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            return Entry(other="not a regular file")
        return Entry(sha256=hashlib.file_digest(file, "sha256").hexdigest(), size=info.st_size)


def _plain(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        bool(name)
        and not path.is_absolute()
        and path.as_posix() == name
        and all(part not in ("", ".", "..") for part in path.parts)
    )


def _iso(when: float) -> str:
    return datetime.fromtimestamp(when, UTC).isoformat(timespec="seconds")
