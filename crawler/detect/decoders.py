"""Decoders: the ways scripts pack text into a request, one entry each in `ENCODINGS` (and
`structure.STRUCTURE` for fields). A new encoding is a new entry, not a new branch in the detector.

Each decoder has a cheap `wants` test (a `%`, a long base64 run, a gzip magic number...) so
the detector only pays for decoding where a layer looks decodable, and a `decode` that
returns `Piece`s. Decoders never raise on bad input (the detector also guards them) and
never produce more than the exchange's `Budget` allows: decompression is always bounded.
"""

from __future__ import annotations

import base64
import html
import re
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote, unquote_plus

import brotli
import zstandard

from crawler.detect import lzstring
from crawler.detect.marks import WIDE_PAIR, has_run, marked


@dataclass(slots=True)
class Layer:
    """Data to search: `text`, and `raw` bytes where it came from bytes (a body, a frame,
    a decompressed or base64-decoded piece)."""

    text: str
    raw: bytes | None = None
    binary: bool = False  # raw is not UTF-8 text
    whole_body: bool = False  # the body or frame as sent: a lone a=b is a form here, nowhere else
    hints: str = ""  # the body's Content-Type and Content-Encoding as sent (a boundary has case)

    @classmethod
    def of(cls, data: str | bytes, **kw) -> Layer:
        if isinstance(data, str):
            return cls(data, **kw)
        try:
            return cls(data.decode("utf-8"), data, **kw)
        except UnicodeDecodeError:
            return cls(data.decode("utf-8", "replace"), data, binary=True, **kw)


@dataclass(frozen=True, slots=True)
class Piece:
    label: str  # the step in Finding.decode_path: "base64", "JSON events.0.page", "field cpr"
    data: str | bytes
    segment: str | None = None  # the part of the input it was decoded from; None: all of it
    exclusive: bool = False  # a pure normalisation: decode the result further, not the input
    name: str = ""  # a field's own name (JSON key, form field, parameter), for the suspect rule


@dataclass
class Budget:
    """What decoding one exchange may cost. Hitting a limit stops decoding that exchange and
    is reported by the detector, never silent."""

    max_bytes: int = 16 << 20
    max_seconds: float = 2.0
    max_depth: int = 8
    max_pieces: int = 20_000
    spent: int = 0
    pieces: int = 0
    started: float = field(default_factory=time.monotonic)
    depth: int = 0  # layers decoded above the piece being decoded now (set by the detector)
    where: str = ""  # the location being decoded now (set by the detector)
    hits: dict[str, tuple[str, int]] = field(
        default_factory=dict
    )  # kind -> (where, depth) first hit

    def room(self) -> int:
        return max(0, self.max_bytes - self.spent)

    def spend(self, data: str | bytes) -> None:
        self.spent += len(data)
        self.pieces += 1

    def exhausted(self) -> str | None:
        if self.spent >= self.max_bytes:
            return "bytes"
        if self.pieces >= self.max_pieces:
            return "pieces"
        return "time" if time.monotonic() - self.started > self.max_seconds else None

    def hit(self, kind: str) -> None:
        self.hits.setdefault(kind, (self.where, self.depth))


@dataclass(frozen=True)
class Decoder:
    """An encoding (`decode(layer, budget)`), or a structure (`decode(layer, budget, keep)`,
    None where the layer is not that structure after all)."""

    name: str
    wants: Callable[[Layer], bool]
    decode: Callable[..., list[Piece] | None]


_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_JS_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\x([0-9A-Fa-f]{2})|\\(/)")
_B64_RUN = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
_LZ_RUN = re.compile(r"[A-Za-z0-9+/$-]{16,}={0,3}")
# Whole runs of hex digits: a pattern that starts with its character class lets the search skip
# a body without any at C speed, where a look-behind first made it try every position.
_HEX_RUN = re.compile(r"[0-9A-Fa-f]{20,}")
_SPACE = re.compile(r"\s")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
MAGIC = (b"\x1f\x8b", b"\x28\xb5\x2f\xfd")


def might_decode(layer: Layer) -> bool:
    """One cheap test before asking every decoder: most layers (numbers, words, short ids)
    fail it, and the detector meets thousands of them per JSON body."""
    return layer.binary or marked(layer.text)


def worth_opening(data: str | bytes) -> bool:
    """The same test for a field not yet made a layer (bytes may be binary: always worth it)."""
    return isinstance(data, bytes) or marked(data)


def readable(text: str) -> bool:
    """Text a person or a script wrote: almost no control characters."""
    return len(text) >= 4 and len(_CONTROL.findall(text[:4096])) <= len(text[:4096]) // 20


def _worth_keeping(data: bytes) -> bool:
    """Decoded bytes worth searching: text, or a compressed stream to decode further (raw
    deflate has no magic number: a bounded attempt tells)."""
    if data.startswith(MAGIC) or _is_zlib(data):
        return True
    try:
        return readable(data.decode("utf-8"))
    except UnicodeDecodeError:
        return _inflates(data)


INFLATE_PROBE = 4096  # bytes of output a raw deflate attempt may make before it is believed


def _inflates(data: bytes) -> bool:
    """Whether bytes without a header are raw deflate of readable text, as session-replay SDKs
    send `CompressionStream("deflate-raw")` output: random bytes fail within a few bytes."""
    decompressor = zlib.decompressobj(-15)
    try:
        out = decompressor.decompress(data, INFLATE_PROBE)
    except zlib.error:
        return False
    if not out:
        return False
    try:
        return readable(out.decode("utf-8"))
    except UnicodeDecodeError as cut:  # the probe may end inside a character
        return cut.start >= len(out) - 3 and readable(out[: cut.start].decode("utf-8"))


# -- encodings: each a layer of Finding.encoding ------------------------------------------------


def _percent_wants(layer: Layer) -> bool:
    t = layer.text
    if layer.binary:  # a `%` or `+` among compressed bytes is chance, not an escape
        return False
    return ("%" in t and _PERCENT.search(t) is not None) or ("+" in t and not _SPACE.search(t))


def _percent(layer: Layer, budget: Budget) -> list[Piece]:
    """`%XX`, and `+` as a space unless that would break base64 (then the input is decoded
    further too: exclusive only without a `+`)."""
    plus = "+" in layer.text
    out = (unquote_plus if plus else unquote)(layer.text, errors="replace")
    return [Piece("percent", out, exclusive=not plus)] if out != layer.text else []


def _html(layer: Layer, budget: Budget) -> list[Piece]:
    out = html.unescape(layer.text)
    return [Piece("html", out, exclusive=True)] if out != layer.text else []


def _js_unescape(match: re.Match) -> str:
    code = match.group(1) or match.group(2)
    return chr(int(code, 16)) if code else "/"


def _js_escape(layer: Layer, budget: Budget) -> list[Piece]:
    out = _JS_ESCAPE.sub(_js_unescape, layer.text)
    return [Piece("js-escape", out, exclusive=True)] if out != layer.text else []


def _runs(found: Iterable[str], budget: Budget) -> list[str]:
    """Distinct candidate segments, stopping (and reporting) when the budget runs out."""
    runs: list[str] = []
    for run in found:
        if len(runs) % 64 == 63 and budget.exhausted():
            break
        if run not in runs:
            runs.append(run)
    return runs


def _matches(pattern: re.Pattern, text: str) -> Iterator[str]:
    return (match.group() for match in pattern.finditer(text))


def _hex_runs(text: str) -> Iterator[str]:
    """Runs of ten bytes or more written in hex: whole runs of hex digits of even length."""
    return (run for run in _matches(_HEX_RUN, text) if len(run) % 2 == 0)


def _base64(layer: Layer, budget: Budget) -> list[Piece]:
    pieces = []
    for run in _runs(_matches(_B64_RUN, layer.text), budget):
        core = run.rstrip("=").replace("-", "+").replace("_", "/")
        if len(core) % 4 == 1:
            core = core[:-1]
        try:
            data = base64.b64decode(core + "=" * (-len(core) % 4), validate=True)
        except ValueError:
            continue
        if _worth_keeping(data):
            pieces.append(Piece("base64", data, run))
    return pieces


def _hex(layer: Layer, budget: Budget) -> list[Piece]:
    pieces = []
    for run in _runs(_hex_runs(layer.text), budget):
        data = bytes.fromhex(run)
        if _worth_keeping(data):
            pieces.append(Piece("hex", data, run))
    return pieces


def _lz_string(layer: Layer, budget: Budget) -> list[Piece]:
    """compressToBase64 / compressToEncodedURIComponent output: a run of their alphabets."""
    pieces = []
    for run in _runs(_matches(_LZ_RUN, layer.text), budget):
        for name in ("base64", "uri"):
            if (name == "base64" and "$" in run) or (name == "uri" and "/" in run):
                continue
            out = _lz(lzstring.DECOMPRESSORS[name], run, budget)
            if out and readable(out):
                pieces.append(Piece("lz-string", out, run))
                break
    return pieces


def _lz(decompress, data, budget: Budget) -> str | None:
    try:
        return decompress(data, budget.room())
    except lzstring.TooLong:
        budget.hit("bytes")
        return None


def _utf16_wants(layer: Layer) -> bool:
    """compressToUTF16 output is valid text of nearly all non-Latin characters (bytes that are
    not UTF-8 decode to U+FFFD, which would look the same)."""
    head = layer.text[:256]
    if layer.binary or head.isascii() or len(head) < 8 or not WIDE_PAIR.search(head):
        return False
    return sum(ord(c) >= 0x100 for c in head) * 2 >= len(head)


def _lz_utf16(layer: Layer, budget: Budget) -> list[Piece]:
    out = _lz(lzstring.from_utf16, layer.text, budget)
    return [Piece("lz-string", out)] if out and readable(out) else []


def _lz_uint8(layer: Layer, budget: Budget) -> list[Piece]:
    out = _lz(lzstring.from_uint8array, layer.raw or b"", budget)
    return [Piece("lz-string", out)] if out and readable(out) else []


def _bounded(decompressor, data: bytes, budget: Budget) -> bytes:
    """Decompress at most the budget's room (+1 byte, to know it was exceeded)."""
    out = decompressor.decompress(data, budget.room() + 1)
    if len(out) > budget.room():
        budget.hit("bytes")
    return out


def _zlib_family(wbits: int, label: str) -> Callable[[Layer, Budget], list[Piece]]:
    def decode(layer: Layer, budget: Budget) -> list[Piece]:
        """A stream cut short is kept only as a whole body (a capture limit); inside a text it
        is an artefact, e.g. base64 split at a space that was a `+`."""
        decompressor = zlib.decompressobj(wbits)
        try:
            out = _bounded(decompressor, layer.raw or b"", budget)
        except zlib.error:
            return []
        whole = decompressor.eof or layer.whole_body or len(out) > budget.room()
        return [Piece(label, out)] if whole else []

    return decode


def _is_zlib(raw: bytes) -> bool:
    return (
        len(raw) > 2
        and raw[0] & 0x0F == 8
        and raw[0] >> 4 <= 7
        and (raw[0] << 8 | raw[1]) % 31 == 0
    )


def _zstd(layer: Layer, budget: Budget) -> list[Piece]:
    try:
        with zstandard.ZstdDecompressor().stream_reader(layer.raw or b"") as reader:
            out = reader.read(budget.room() + 1)
    except zstandard.ZstdError:
        return []
    if len(out) > budget.room():
        budget.hit("bytes")
    return [Piece("zstd", out)]


def _brotli(layer: Layer, budget: Budget) -> list[Piece]:
    decompressor = brotli.Decompressor()
    try:
        out = decompressor.process(layer.raw or b"", output_buffer_limit=budget.room() + 1)
    except brotli.error:
        return []
    if len(out) > budget.room():
        budget.hit("bytes")
    elif not decompressor.is_finished():
        return []
    return (
        [Piece("brotli", out)] if out and (len(out) > budget.room() or _worth_keeping(out)) else []
    )


def _raw_deflate(layer: Layer) -> bool:
    """Binary bytes of any content type, with no declared encoding, that inflate to text."""
    raw = layer.raw or b""
    return layer.binary and not raw.startswith(MAGIC) and not _is_zlib(raw) and _inflates(raw)


def _binary_body(layer: Layer) -> bool:
    return layer.binary and layer.whole_body and len(layer.raw or b"") >= 4


ENCODINGS: tuple[Decoder, ...] = (
    Decoder("percent", _percent_wants, _percent),
    Decoder(
        "html",
        lambda l: not l.binary and "&" in l.text and _ENTITY.search(l.text) is not None,
        _html,
    ),
    Decoder(
        "js-escape",
        lambda l: not l.binary and "\\" in l.text and _JS_ESCAPE.search(l.text) is not None,
        _js_escape,
    ),
    Decoder("base64", lambda l: has_run(l.text) and _B64_RUN.search(l.text) is not None, _base64),
    Decoder("hex", lambda l: has_run(l.text) and next(_hex_runs(l.text), None) is not None, _hex),
    Decoder(
        "lz-string", lambda l: has_run(l.text) and _LZ_RUN.search(l.text) is not None, _lz_string
    ),
    Decoder("lz-string utf16", _utf16_wants, _lz_utf16),
    Decoder("gzip", lambda l: (l.raw or b"").startswith(b"\x1f\x8b"), _zlib_family(31, "gzip")),
    Decoder("zlib", lambda l: _is_zlib(l.raw or b""), _zlib_family(15, "zlib")),
    Decoder(
        "deflate",
        lambda l: (_binary_body(l) and "deflate" in l.hints.lower()) or _raw_deflate(l),
        _zlib_family(-15, "deflate"),
    ),
    Decoder("zstd", lambda l: (l.raw or b"").startswith(b"\x28\xb5\x2f\xfd"), _zstd),
    Decoder("brotli", _binary_body, _brotli),
    Decoder("lz-string uint8", lambda l: _binary_body(l) and len(l.raw or b"") % 2 == 0, _lz_uint8),
)
