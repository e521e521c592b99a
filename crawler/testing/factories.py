"""Test data that needs no browser."""

from __future__ import annotations

from crawler.model import Exchange


def make_exchange(
    *,
    url: str = "http://www.tracker.test/collect",
    method: str = "GET",
    headers: tuple[tuple[str, str], ...] = (),
    body: bytes | None = None,
    seq: int = 1,
    **fields,
) -> Exchange:
    """An Exchange with sane defaults, for detector and report tests that need no browser."""
    return Exchange(
        seq=seq,
        url=url,
        method=method,
        headers=headers,
        body=body,
        page_url=fields.pop("page_url", "http://portal.skat.test/"),
        **fields,
    )
