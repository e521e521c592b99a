"""Channels: the notify URLs made ready to send, checked before any system is audited.

A missing variable or a URL Apprise cannot use is found when the run starts, as bad input
(exit 2), not the next morning as a message that never came.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pydantic import SecretStr

from crawler.errors import BadInput
from crawler.notify.urls import FIX, expand, references


@dataclass(frozen=True)
class Channel:
    """One notify URL, ready to send."""

    label: str  # 'notify[0] (json)': the only name printed or kept in summary.json
    url: SecretStr = field(repr=False)  # with its variables filled in: never printed
    secrets: tuple[str, ...] = field(default=(), repr=False)  # its variables' values


def prepare(urls: Sequence[str], environ: Mapping[str, str], where: Path) -> tuple[Channel, ...]:
    """Each URL of audit.toml's notify (at `where`) with its variables filled in; BadInput on a
    variable that is not set, a URL Apprise cannot use or a secret written in the file."""
    return tuple(_channel(i, url, environ, where) for i, url in enumerate(urls))


def _channel(i: int, written: str, environ: Mapping[str, str], where: Path) -> Channel:
    key = f"{where}: notify[{i}]"
    if missing := [name for name in references(written) if name not in environ]:
        raise BadInput(
            f"{key}: environment variable {missing[0]} is not set; export it where cpraudit runs "
            "(or remove the URL from notify)"
        )
    url = expand(written, environ)
    values = tuple(environ[name] for name in references(written) if environ[name])
    scheme = urlsplit(url).scheme.lower() or "?"
    if (secret_parts := _private_parts(url)) is None:
        raise BadInput(
            f"{key}: Apprise cannot send to this {scheme}:// URL; check it against the "
            "service's page in Apprise's documentation (github.com/caronc/apprise/wiki)"
        )
    filled = values + tuple(unquote(value) for value in values)
    if any(not any(part in value for value in filled) for part in secret_parts):
        raise BadInput(
            f"{key}: Apprise counts part of this {scheme}:// URL as a secret (a token, key or "
            f"password) and it is written in {where.name}; {FIX}"
        )
    return Channel(f"notify[{i}] ({scheme})", SecretStr(url), values)


def _private_parts(url: str) -> list[str] | None:
    """The parts of the URL that Apprise masks in its own logs (None: not a URL it can use).

    Apprise knows, for each of its services, which parts of a URL are secret; it shows them
    masked in `url(privacy=True)`. What differs from the unmasked URL is what is secret."""
    import apprise

    with quiet_apprise():
        plugin = apprise.Apprise.instantiate(url)
    if plugin is None:
        return None
    plain, masked = _tokens(plugin.url(privacy=False)), _tokens(plugin.url(privacy=True))
    differing = difflib.SequenceMatcher(None, plain, masked, autojunk=False).get_opcodes()
    parts = [unquote("".join(plain[i1:i2])) for tag, i1, i2, _, _ in differing if tag != "equal"]
    return [part for part in parts if part.strip(_DELIMITERS)]


_DELIMITERS = "/?&=@:#"


def _tokens(url: str) -> list[str]:
    """The URL split at its delimiters, each kept as a token: a masked secret is one token."""
    return re.findall(r"[^/?&=@:#]+|[/?&=@:#]", url)


@contextmanager
def quiet_apprise() -> Iterator[list[str]]:
    """Apprise's warnings, kept for the caller instead of printed: they may quote a URL with
    its secrets filled in."""
    logger = logging.getLogger("apprise")
    lines: list[str] = []
    handler = _Keep(lines)
    saved = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield lines
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


class _Keep(logging.Handler):
    def __init__(self, lines: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.lines = lines

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())
