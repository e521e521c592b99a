"""lz-string decompression (pieroxy's LZString 1.4/1.5, as analytics and session-replay scripts
use it to pack state into URLs, storage and beacons).

Decompression only: the detector never compresses. A port of `LZString._decompress` with two
additions the JavaScript lacks, because the input here is hostile: the output is capped at
`limit` characters (the dictionary lets a few kilobytes expand quadratically), and a literal
character no text contains (a control character, a lone surrogate, private use) stops it
early, which is also how random input that only looks like lz-string is rejected quickly.
The PyPI `lzstring` package (last release 2018) is not maintained, hence this small port.
"""

from __future__ import annotations

from collections.abc import Callable

_BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
_URI_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$"
_B64_VALUE = {c: i for i, c in enumerate(_BASE64)}
_URI_VALUE = {c: i for i, c in enumerate(_URI_SAFE)}


class TooLong(Exception):
    """The output passed the caller's limit: a budget, reported, not a failure."""


def _implausible(code: int) -> bool:
    return (code < 32 and code not in (9, 10, 13)) or 0x7F <= code < 0xA0 or 0xE000 <= code < 0xF900


def _decompress(values: Callable[[int], int], n: int, reset: int, limit: int) -> str | None:
    """`values(i)` is the i-th input value, read only as far as the stream goes: random input
    is rejected after a few values, however long it is."""
    state = [values(0) if n else 0, reset, 0]  # current value, bit position, index

    def read(count: int) -> int:
        out = 0
        for i in range(count):
            if state[0] & state[1]:
                out |= 1 << i
            state[1] >>= 1
            if state[1] == 0:
                state[1] = reset
                state[2] += 1
                state[0] = values(state[2]) if state[2] < n else 0
        return out

    def literal(width: int) -> str | None:
        code = read(width)
        return None if _implausible(code) else chr(code)

    first = read(2)
    if first == 2 or first == 3:
        return "" if first == 2 else None
    w = literal(8 if first == 0 else 16)
    if w is None:
        return None
    dictionary, enlarge, bits, size = ["", "", "", w], 4, 3, len(w)
    result = [w]
    while True:
        if state[2] + 1 > n:
            return None
        code = read(bits)
        if code == 0 or code == 1:
            char = literal(8 if code == 0 else 16)
            if char is None:
                return None
            dictionary.append(char)
            code = len(dictionary) - 1
            enlarge -= 1
        elif code == 2:
            return _pair_surrogates("".join(result))
        if enlarge == 0:
            enlarge, bits = 1 << bits, bits + 1
        if code < len(dictionary):
            entry = dictionary[code]
        elif code == len(dictionary):
            entry = w + w[0]
        else:
            return None
        size += len(entry)
        if size > limit:
            raise TooLong(f"lz-string output over {limit} characters")
        result.append(entry)
        dictionary.append(w + entry[0])
        enlarge -= 1
        w = entry
        if enlarge == 0:
            enlarge, bits = 1 << bits, bits + 1


def _pair_surrogates(text: str) -> str:
    """JavaScript strings are UTF-16: an emoji arrives as two halves; join them."""
    if not any(0xD800 <= ord(c) < 0xE000 for c in text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _alphabet(text: str, table: dict[str, int]) -> Callable[[int], int]:
    return lambda i: table.get(text[i], 0)


def from_base64(text: str, limit: int = 1 << 20) -> str | None:
    return _decompress(_alphabet(text, _B64_VALUE), len(text), 32, limit) if text else None


def from_encoded_uri_component(text: str, limit: int = 1 << 20) -> str | None:
    text = text.replace(" ", "+")
    return _decompress(_alphabet(text, _URI_VALUE), len(text), 32, limit) if text else None


def from_utf16(text: str, limit: int = 1 << 20) -> str | None:
    return _decompress(lambda i: ord(text[i]) - 32, len(text), 16384, limit) if text else None


def from_uint8array(data: bytes, limit: int = 1 << 20) -> str | None:
    return (
        _decompress(lambda i: data[2 * i] * 256 + data[2 * i + 1], len(data) // 2, 32768, limit)
        if len(data) >= 2
        else None
    )


DECOMPRESSORS: dict[str, Callable[[str, int], str | None]] = {
    "base64": from_base64,
    "uri": from_encoded_uri_component,
}
