"""JSON read as far as it can be: a value nested too deeply for Python's parser is left out in
its place, not the whole file refused.

A HAR is a few levels deep. One damaged entry with a property nested thousands of levels must
not hide the others, which may hold a leak. `json.loads` stops at its recursion limit, so a
file it cannot take is read again member by member, descending only where the depth is, and
each value still too deep at `MAX_DEPTH` becomes `LEFT_OUT`. NaN and Infinity, which Python's
own encoder and some exporters write, are read as numbers.
"""

from __future__ import annotations

import json
import re

MAX_DEPTH = 8  # log.entries[i].request.postData.params[j].value is 7 levels down
# a string (unrolled: a long body is matched without backtracking) or a structural character
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{},:]')


class LeftOut:
    """Stands where a value was too deeply nested to read."""

    def __repr__(self) -> str:
        return "LEFT_OUT"


LEFT_OUT = LeftOut()


def loads(text: str) -> object:
    """The value of `text`, with `LEFT_OUT` in place of what is nested too deeply; ValueError
    (json.JSONDecodeError) for text that is not JSON."""
    try:
        return json.loads(text)
    except RecursionError:
        start, end = len(text) - len(text.lstrip()), len(text.rstrip())
        return _value(text, start, end, 0)


def left_out(value: object, path: str = "") -> list[str]:
    """The places in `value` of what was left out, as `request.headers[2]`."""
    if value is LEFT_OUT:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in left_out(v, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in left_out(v, f"{path}[{i}]")]
    return []


def _value(text: str, start: int, end: int, depth: int) -> object:
    try:
        return json.loads(text[start:end])
    except RecursionError:
        if depth >= MAX_DEPTH:
            return LEFT_OUT
    members = _members(text, start, end)
    if text[start] == "{":
        return {json.loads(key): _value(text, a, b, depth + 1) for key, a, b in members}
    return [_value(text, a, b, depth + 1) for _, a, b in members]


def _members(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """(key as written, or "" in an array; start; end) of each member of the object or array
    that spans text[start:end], found without parsing what is inside them."""
    members: list[tuple[str, int, int]] = []
    depth, begin, key = 0, start + 1, ""
    expecting_key = text[start] == "{"
    for match in _TOKEN.finditer(text, start + 1, end):
        token = match.group()
        if token[0] == '"':
            if depth == 0 and expecting_key:
                key, expecting_key = token, False
        elif token in "[{":
            depth += 1
        elif token in "]}" and depth:
            depth -= 1
        elif depth == 0 and token == ":":
            begin = match.end()
        elif depth == 0:  # the comma after a member, or the container's own end
            if text[begin : match.start()].strip():
                members.append((key, *_stripped(text, begin, match.start())))
            if token == ",":
                begin, expecting_key = match.end(), text[start] == "{"
                continue
            if token != _CLOSING[text[start]] or text[match.end() : end].strip():
                break
            return members
    raise json.JSONDecodeError("unbalanced brackets", text, start)


_CLOSING = {"{": "}", "[": "]"}


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
