"""Units: the pieces of one exchange the detector searches, and how each was reached.

An exchange is cut into its locations (host, path, query string, each header, the cookies,
the body, a websocket frame). A unit that is structured (JSON, a form, a multipart body, a
query string, cookies) stays whole: it is searched whole, and `fields` splits it only where
that is needed, into every field where the whole held a match or a lead (to say which field)
and otherwise only into the fields that may decode to something new. Every other unit that
may decode is decoded into the next generation (`decoded`) until nothing decodes or the
exchange's `Budget` is spent.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from crawler.detect.decoders import (
    ENCODINGS,
    Budget,
    Decoder,
    Layer,
    Piece,
    might_decode,
    worth_opening,
)
from crawler.detect.needles import Needle
from crawler.detect.structure import COOKIES, QUERY, STRUCTURE
from crawler.model import Channel, Exchange

MAX_NESTING = 16  # structures inside structures; deeper text is searched as it is
MAX_RECURRING = 4096  # texts up to this length are decoded once per process (see `_recurring`)
RECURRING_OUTPUT = 4 * MAX_RECURRING  # and kept if their pieces hold no more than this


@dataclass(slots=True)
class Unit:
    """One piece of an exchange to search, and how it was reached."""

    channel: Channel
    detail: str
    layer: Layer
    steps: tuple[str, ...] = ()  # decode_path after the detail
    encodings: tuple[str, ...] = ()  # the steps that are encodings (not JSON/form structure)
    seen: Mapping[tuple[str, str], int] = field(
        default_factory=dict
    )  # occurrences in the unit decoded from
    literal: str | None = None  # text as sent that this unit was decoded from; None: its own text
    name: str = ""  # nearest parameter, field or key name
    structure: tuple[Decoder, ...] = ()  # what it may be split as, tried in order by `fields`
    nesting: int = 0
    owed: tuple[Owed, ...] = ()  # matches in the structured units it was split from


@dataclass(slots=True)
class Owed:
    """Matches in the whole text of a structured unit, which its fields are to find again with
    the field's name: a structure parsed wrongly may cost a finding its field path, never the
    finding."""

    unit: Unit
    hits: list[tuple[int, Needle]]
    paid: set[str] = field(default_factory=set)  # identifiers a field (or deeper) reported

    def unpaid(self) -> list[tuple[int, Needle]]:
        return [(at, needle) for at, needle in self.hits if needle.identifier not in self.paid]


def locations(ex: Exchange) -> Iterator[Unit]:
    """A unit for every searchable part of an exchange, as sent."""
    if ex.kind == "websocket":
        yield settle(
            Unit(
                "websocket",
                f"websocket frame ({ex.direction or 'sent'})",
                Layer.of(ex.body or b"", whole_body=True),
            )
        )
        return
    parts = urlsplit(ex.url)
    yield Unit("url", "host", Layer(parts.hostname or ""))
    yield Unit("url", "path", Layer(parts.path))
    if parts.query:  # its parameters name their locations: "query parameter dl"
        yield Unit("url", "", Layer(parts.query), structure=(QUERY,))
    if parts.fragment:
        yield Unit("url", "fragment", Layer(parts.fragment))
    for name, value in ex.headers:
        if name.lower() == "cookie":
            yield Unit("cookie", "", Layer(value), structure=(COOKIES,))
        else:
            yield settle(Unit("header", f"header {name}", Layer(value), name=name))
    if ex.body and ex.body_file:  # a window of a body kept apart: raw text, no structure
        yield Unit("body", "body", Layer.of(ex.body))
    elif ex.body:
        hints = " ".join(filter(None, (ex.header("content-type"), ex.header("content-encoding"))))
        yield settle(Unit("body", "body", Layer.of(ex.body, whole_body=True, hints=hints)))


def settle(unit: Unit, nesting: int = 0) -> Unit:
    """Note which structures a unit may be, by their cheap tests; it is parsed only if opened."""
    text = unit.layer.text
    if nesting < MAX_NESTING and (
        unit.layer.whole_body or "=" in text or text.lstrip()[:1] in ("{", "[")
    ):
        unit.structure = tuple(d for d in STRUCTURE if _wants(d, unit.layer))
        unit.nesting = nesting
    return unit


def fields(unit: Unit, budget: Budget, every: bool) -> list[Unit] | None:
    """A structured unit's fields (all, or those that may decode); None if it is none of the
    structures it looked like, or opened whole holds no field: then it is searched as text."""
    keep = None if every else worth_opening
    for decoder in unit.structure:
        try:
            pieces = decoder.decode(unit.layer, budget, keep)
        except Exception:
            pieces = None
        if pieces or (pieces is not None and not every):
            return [settle(_field(unit, piece), unit.nesting + 1) for piece in pieces]
    unit.structure = ()
    return None


def _field(unit: Unit, piece: Piece) -> Unit:
    detail, steps = unit.detail, unit.steps + (piece.label,)
    if (
        detail in ("", "body") and not unit.steps
    ):  # the body's, query's and cookies' fields are locations
        detail, steps = f"{detail} {piece.label}".lstrip(), ()
    return Unit(
        unit.channel,
        detail,
        Layer.of(piece.data),
        steps,
        unit.encodings,
        unit.seen,
        unit.literal,
        piece.name or unit.name,
        owed=unit.owed,
    )


def _wants(decoder: Decoder, layer: Layer) -> bool:
    try:
        return decoder.wants(layer)
    except Exception:
        return False


def _run(decoder: Decoder, layer: Layer, budget: Budget) -> list[Piece]:
    """A decoder's pieces; a decoder that fails on hostile input decodes nothing."""
    try:
        return (decoder.decode(layer, budget) or []) if _wants(decoder, layer) else []
    except Exception:
        return []


def decoded(unit: Unit, counts: Mapping[tuple[str, str], int], budget: Budget) -> list[Unit]:
    """The next generation from one unit: every encoding that applies, within the budget.
    `counts` are the unit's own matches, so a decoded child reports only what is new."""
    if not might_decode(unit.layer):
        return []
    budget.depth, budget.where = len(unit.encodings), unit.detail
    if budget.depth >= budget.max_depth:  # report it only if there was something left to decode
        if any(_run(decoder, unit.layer, budget) for decoder in ENCODINGS):
            budget.hit("depth")
        return []
    if kind := budget.exhausted():
        budget.hit(kind)
        return []
    layer = unit.layer
    recurring = layer.raw is None and len(layer.text) <= MAX_RECURRING
    pieces = _recurring(layer.text, layer.whole_body, layer.hints) if recurring else None
    children: list[Unit] = []
    for piece in _decode(layer, budget) if pieces is None else pieces:
        budget.spend(piece.data)
        literal = unit.literal if unit.literal is not None else (piece.segment or layer.text)
        children.append(
            settle(
                Unit(
                    unit.channel,
                    unit.detail,
                    Layer.of(piece.data),
                    unit.steps + (piece.label,),
                    unit.encodings + (piece.label,),
                    counts,
                    literal,
                    unit.name,
                    owed=unit.owed,
                )
            )
        )
    return children


def _decode(layer: Layer, budget: Budget) -> list[Piece]:
    """Every encoding's pieces, in order; a pure normalisation (percent, entities) that
    applies leaves the rest to its output."""
    found: list[Piece] = []
    for decoder in ENCODINGS:
        pieces = _run(decoder, layer, budget)
        found += pieces
        if pieces and all(p.exclusive for p in pieces):
            break
    return found


@lru_cache(maxsize=4096)
def _recurring(text: str, whole_body: bool, hints: str) -> tuple[Piece, ...] | None:
    """The pieces of a short text decoded once per process: a page's URL is in every beacon's
    Referer and `dl`. None where they would pass `RECURRING_OUTPUT` (lz-string lets a few
    kilobytes expand a hundredfold): then the text is decoded against the exchange's own
    budget, which bounds and reports it, and nothing large is kept."""
    budget = Budget(max_bytes=RECURRING_OUTPUT)
    pieces = _decode(Layer(text, whole_body=whole_body, hints=hints), budget)
    return None if budget.hits else tuple(pieces)


def clear_cache() -> None:
    """Forget the decoded short texts (a benchmark starts each run cold)."""
    _recurring.cache_clear()
