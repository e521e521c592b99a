"""Reading a TOML file a user gave (audit.toml, a secrets file, a catalogue): every way it can
be unreadable is one line that names the file, the problem and the fix.
"""

from __future__ import annotations

import codecs
import math
import tomllib
from pathlib import Path

from crawler.errors import BadInput, not_a_file

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def read(path: Path, fix: str) -> dict:
    """The file's data; BadInput ending in `fix` (e.g. "give the path of an audit.toml")."""
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        raise BadInput(f"{path}: {not_a_file(path)}; {fix}") from None
    except OSError as exc:
        raise BadInput(f"{path}: cannot read it ({exc.strerror}); {fix}") from None
    if raw.startswith(_UTF16_BOMS) or b"\0" in raw:
        raise BadInput(f"{path}: UTF-16 text, not UTF-8 as TOML must be; save it as UTF-8")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"{path}: not valid TOML ({exc}); fix the syntax at that line") from None
    except RecursionError:
        raise BadInput(f"{path}: nested too deeply to read; {fix}") from None
    if key := non_finite(data):
        raise BadInput(f"{path}: {key}: not a finite number (inf or nan); give a number")
    return data


def non_finite(data: object) -> str | None:
    """The key path of the first inf or nan in parsed TOML, if any (a time limit of inf would
    let an audit run forever). A walk with a list, not recursion: any depth that parsed."""
    pending: list[tuple[str, object]] = [("", data)]
    while pending:
        key, value = pending.pop()
        if isinstance(value, float) and not math.isfinite(value):
            return key or "(top level)"
        if isinstance(value, dict):
            pending += reversed([(f"{key}.{k}".lstrip("."), v) for k, v in value.items()])
        elif isinstance(value, list):
            pending += reversed([(f"{key}[{i}]", v) for i, v in enumerate(value)])
    return None
