"""Who sent each finding's request: the initiator the recorder kept, as one line of text."""

from __future__ import annotations

from collections.abc import Iterable

from crawler.model import Exchange, Finding, InitiatorFrame


def sent_by(exchange: Exchange) -> str | None:
    """ "sent by <script:line:col>, loaded by <...>": each script of the chain once, nearest
    first."""
    if not exchange.initiator:
        return (
            f"started by the browser ({exchange.initiator_type})"
            if exchange.initiator_type
            else None
        )
    where = [
        f
        for i, f in enumerate(exchange.initiator)
        if f.url and (i == 0 or f.url != exchange.initiator[i - 1].url)
    ]
    if not where:
        return None
    first = where[0]
    text = ("sent by the HTML of " if exchange.initiator_type == "parser" else "sent by ") + _at(
        first
    )
    return ", ".join(
        [text] + [f"loaded by {_at(f)}" + (f" ({f.cause})" if f.cause else "") for f in where[1:]]
    )


def _at(frame: InitiatorFrame) -> str:
    name = f" in {frame.function}()" if frame.function else ""
    return f"{frame.url}:{frame.line}:{frame.column}{name}"


def annotate(findings: Iterable[Finding], exchanges: list[Exchange]) -> tuple[Finding, ...]:
    """Findings with what the recorder knew of their exchange: who sent it, and whether
    contain mode answered it locally. Set after detection, keyed by exchange seq."""
    by_seq = {e.seq: e for e in exchanges}
    return tuple(
        f.model_copy(
            update={
                "initiator": sent_by(by_seq[f.exchange_seq]),
                "contained": by_seq[f.exchange_seq].contained,
            }
        )
        if f.exchange_seq in by_seq
        else f
        for f in findings
    )
