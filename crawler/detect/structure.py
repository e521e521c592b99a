"""Structure: text that is JSON, a form, a multipart body, a query string or a cookie header
holds fields, one entry each in `STRUCTURE` (or `QUERY`, `COOKIES` for the URL and header).

The detector searches a structured layer whole first and asks for its fields only where
that is needed, so a split takes `keep`: a test of a field's value, or None for every field.
Most fields of a large body (coordinates, counters, short words) are never turned into
objects at all. A split returns None when the layer is not that structure after all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from json.decoder import scanstring  # type: ignore[attr-defined]  # typeshed omits it
from typing import Protocol, cast
from urllib.parse import unquote_plus

from crawler.detect.decoders import Budget, Decoder, Layer, Piece
from crawler.detect.marks import Marks

Keep = Callable[[str | bytes], bool] | None

MAX_SKIPS = 4096  # JSON siblings skipped to reach marked fields; beyond, one walk costs less


class _MatchesEverywhere(Protocol):
    """A compiled expression that also matches the empty string, so `match` never fails."""

    def match(self, string: str, pos: int = ..., /) -> re.Match[str]: ...


_SPACE = re.compile(r"\s")
_WS = cast(_MatchesEverywhere, re.compile(r"[ \t\n\r]*"))
_DECODER = json.JSONDecoder()
_PADDED_B64 = re.compile(r"[A-Za-z0-9+/_-]+={1,2}")  # base64's padding is no form's "="
_NAME = re.compile(rb'(?<![a-z])name="([^"]*)"', re.IGNORECASE)  # not filename=
# A boundary is taken as sent: Chromium's are mixed case (----WebKitFormBoundaryAbC...).
_BOUNDARY = re.compile(r'boundary=(?:"([^"]+)"|([^";,\s]+))', re.IGNORECASE)
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")


def _json_wants(layer: Layer) -> bool:
    head, tail = layer.text.lstrip()[:1], layer.text.rstrip()[-1:]
    return (head, tail) in (("{", "}"), ("[", "]"))


def _json(layer: Layer, budget: Budget, keep: Keep = None) -> list[Piece] | None:
    """Keys (a key can be an identifier too) and values, labelled by their path, in the
    order they are written; numbers only from 8 digits."""
    if (
        keep is not None and "\\u" not in layer.text
    ):  # a \u escape hides a value from the whole's search
        return _marked_fields(layer.text, keep, budget)
    data = _parsed(layer.text)
    return None if data is None else _walk(data, None, budget)


def _parsed(text: str) -> dict | list | None:
    """The JSON of a text `_json_wants` saw as {...} or [...], so an object or an array;
    None if the text is not JSON."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _marked_fields(text: str, keep: Callable[[str], bool], budget: Budget) -> list[Piece] | None:
    """The fields around the text's marks, each reached from the root by skipping the
    siblings before it whole (the C parser does that), so a large body with one URL in it
    costs little; where that would skip more than a walk visits, it is walked once instead."""
    pieces: list[Piece]
    marks, pieces, at, work = Marks(text), [], 0, 0
    ends: dict[int, int] = {}  # where each container parsed so far ends, by where it starts
    while work < MAX_SKIPS:
        at = marks.next(at)
        if at < 0:
            return pieces  # parsed or not, nothing in it is left to decode
        try:
            path, value, end, skipped = _value_at(text, at, ends)
        except (ValueError, IndexError, RecursionError):
            return None
        work += skipped + 1
        found = _scalar(value)
        if found is not None and keep(found):
            pieces.append(_json_piece(path, found))
        at = max(end, at + 1)
    data = _parsed(text)
    return None if data is None else _walk(data, keep, budget)


def _value_at(text: str, at: int, ends: dict[int, int]) -> tuple[tuple, object, int, int]:
    """The path to the innermost key or value of JSON `text` that spans position `at`, that
    key (if long enough to be an identifier) or value, where it ends, and how many siblings
    were skipped on the way. `ends` remembers the containers parsed, for the next mark.
    Raises ValueError where the text up to there is not JSON."""
    path: tuple = ()
    i, skipped = _WS.match(text).end(), 0
    while True:  # at the opening bracket of a container that spans `at`
        close, is_object = ("}", True) if text[i] == "{" else ("]", False)
        i, index = _WS.match(text, i + 1).end(), 0
        while text[i] != close:
            if is_object:
                if text[i] != '"':
                    raise ValueError("a key was expected")
                name, end = scanstring(text, i + 1)
                if at < end:
                    return path + (name,), name if len(name) >= 8 else None, end, skipped
                i = _WS.match(text, end).end()
                if text[i] != ":":
                    raise ValueError("a colon was expected")
                i = _WS.match(text, i + 1).end()
            else:
                name, index = index, index + 1
            container = text[i] in "{["
            if container and i in ends:
                end = ends[i]
            else:
                value, end = _DECODER.raw_decode(text, i)
                if container:
                    ends[i] = end
            if at < end:
                if container:
                    path += (name,)
                    break  # descend into it
                return path + (name,), value, end, skipped
            i, skipped = _WS.match(text, end).end(), skipped + 1
            if text[i] == ",":
                i = _WS.match(text, i + 1).end()
            elif text[i] != close:
                raise ValueError("a comma was expected")
        else:
            if at > i:  # only after the outermost container: text that is not JSON
                raise ValueError("text after the JSON")
            return path, None, i + 1, skipped


def _walk(data: dict | list, keep: Callable[[str], bool] | None, budget: Budget) -> list[Piece]:
    """Every key and value of parsed JSON that `keep` keeps (all if None)."""
    pieces: list[Piece] = []
    keys: dict[str, bool] = {}  # keys repeat in every record of a batch: test each once
    stack: list[tuple[tuple, Iterator]] = [((), _items(data))]  # `wants` saw {...} or [...]
    while stack and len(pieces) < budget.max_pieces:
        path, items = stack[-1]
        for key, value in items:  # a plain loop over one container, until a container inside it
            if (
                type(key) is str
                and len(key) >= 8
                and (
                    keep is None or (keys[key] if key in keys else keys.setdefault(key, keep(key)))
                )
            ):
                pieces.append(_json_piece(path + (key,), key))
            kind = type(value)
            if kind is str:
                if keep is None or keep(value):
                    pieces.append(_json_piece(path + (key,), value))
            elif kind is dict or kind is list:
                stack.append((path + (key,), _items(value)))
                break
            elif (text := _scalar(value)) is not None and (keep is None or keep(text)):
                pieces.append(_json_piece(path + (key,), text))
        else:
            stack.pop()
    return pieces


def _scalar(value: object) -> str | None:
    """The text of a value that can hold an identifier: a string, or a number of 8 digits or
    more."""
    if type(value) is str:
        return value
    if (type(value) is int or type(value) is float) and not -(10**7) < value < 10**7:
        return str(value)
    return None


def _items(container: dict | list) -> Iterator:
    return iter(container.items()) if type(container) is dict else enumerate(container)


def _json_piece(path: tuple, text: str) -> Piece:
    return Piece(f"JSON {'.'.join(map(str, path))}", text, name=str(path[-1]))


def _form_wants(layer: Layer) -> bool:
    t = layer.text.strip()
    return (
        "=" in t
        and ("&" in t or layer.whole_body)
        and "?" not in t
        and "://" not in t
        and not _SPACE.search(t)
        and not t.startswith("=")
        and not _PADDED_B64.fullmatch(t)
    )


def pairs(text: str, sep: str, kind: str, keep: Keep = None) -> Iterator[Piece]:
    """`name=value` pairs split at `sep`: the value, and the name where it can carry an
    identifier (digits, an escape or an @). With `keep`, only the pairs around marks."""
    for pair in text.split(sep) if keep is None else _marked_pairs(text, sep):
        name, _, value = pair.strip().partition("=")
        if not (name or value):
            continue
        named = value and any(c.isdigit() or c in "%@" for c in name)
        if keep is None or keep(value or name) or (named and keep(name)):
            decoded = unquote_plus(name)
            yield Piece(f"{kind} {decoded}", value or name, name=decoded)
            if named:
                yield Piece(f"{kind} {decoded}", name, name=decoded)


def _marked_pairs(text: str, sep: str) -> Iterator[str]:
    marks = Marks(text, signs="%+\\" if sep == "&" else "%+&\\")  # "&dl" is a separator, no entity
    at = 0
    while (at := marks.next(at)) >= 0:
        begin = text.rfind(sep, 0, at) + 1
        end = text.find(sep, at)
        end = len(text) if end < 0 else end
        yield text[begin:end]
        at = end + 1


def _form(layer: Layer, budget: Budget, keep: Keep = None) -> list[Piece]:
    return list(pairs(layer.text.strip(), "&", "field", keep))


def _multipart_wants(layer: Layer) -> bool:
    hints = layer.hints.lower()
    return layer.whole_body and "multipart/" in hints and "boundary=" in hints


def _multipart(layer: Layer, budget: Budget, keep: Keep = None) -> list[Piece] | None:
    """Each part's content, labelled by its field name; None where no part is found (a wrong
    boundary, or not multipart after all), so that the body is searched as text."""
    found = _BOUNDARY.search(layer.hints)
    if found is None:  # "boundary=" with no value: not a multipart body after all
        return None
    delimiter = b"--" + (found.group(1) or found.group(2)).encode("utf-8", "replace")
    raw = layer.raw if layer.raw is not None else layer.text.encode()
    pieces = []
    for part in raw.split(delimiter)[1:]:
        head_end = _BLANK_LINE.search(part)
        if head_end is None:  # the closing "--" delimiter, or a part cut short
            continue
        name = _NAME.search(part, 0, head_end.start())
        label = name.group(1).decode("utf-8", "replace") if name else ""
        body = part[head_end.end() :].removesuffix(b"\n").removesuffix(b"\r")
        pieces.append(Piece(f"part {label}".rstrip(), body, name=label))
    return pieces or None


STRUCTURE: tuple[Decoder, ...] = (
    Decoder("JSON", _json_wants, _json),
    Decoder("form", _form_wants, _form),
    Decoder("multipart", _multipart_wants, _multipart),
)
QUERY = Decoder(
    "query",
    lambda layer: True,
    lambda layer, budget, keep=None: list(pairs(layer.text, "&", "query parameter", keep)),
)
COOKIES = Decoder(
    "cookies",
    lambda layer: True,
    lambda layer, budget, keep=None: list(pairs(layer.text, ";", "cookie", keep)),
)
