"""What the citizen typed, sent before any submit: which findings the form probe caused.

The probe (`crawler.record.addons.form_probe`) records, per page, when it began typing and when
the audit moved on. A finding is put down to typing on a page when its request was sent in that
window (or within `GRACE` seconds after, for what scripts send as the page is left), from that
page, and its leak (receiver, channel, place, encoding) was not already sent from the page
before the first key: a beacon that carried the CPR since the page loaded did not learn it from
the keyboard. A CPR sent as it appears in the page's own URL is the URL's, not the typing's.
The fields named are those typed into before the request was sent; a request from a frame in
which fields were typed names those alone.

Requests sent as a page is left often name only its origin (the default referrer policy), or no
page at all: both count as from the page in the window.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import urlsplit

from crawler.analyse.fingerprints import leak_key
from crawler.model import Exchange, Finding, TypedPage, without_fragment

GRACE = 3.0  # seconds after leaving a page in which its pagehide senders' requests go out


def attribute(
    findings: Iterable[Finding], exchanges: Mapping[int, Exchange], typed: Sequence[TypedPage]
) -> list[Finding]:
    """The findings, each caused by typing naming the fields typed before it was sent."""
    findings = list(findings)
    if not typed:
        return findings
    before = _sent_before_typing(findings, exchanges, typed)
    out = []
    for f in findings:
        ex = exchanges.get(f.exchange_seq)
        page = _typed_on(ex, typed) if ex else None
        if ex is None or page is None or (page.page_url, leak_key(f)) in before:
            out.append(f)
            continue
        if f.matched and f.matched in page.page_url:  # the page's URL carries it as sent
            out.append(f)
            continue
        earlier = [t for t in page.fields if t.time <= ex.time]
        in_frame = [t for t in earlier if t.frame_url and t.frame_url == ex.frame_url]
        fields = tuple(_name(t.label, t.selector) for t in in_frame or earlier)
        out.append(f.model_copy(update={"typed_into": fields}) if fields else f)
    return out


def _typed_on(ex: Exchange, typed: Sequence[TypedPage]) -> TypedPage | None:
    """The page whose typing window the request was sent in, if it came from that page."""
    for page in typed:
        if page.started <= ex.time <= page.left + GRACE and _from(ex, page.page_url):
            return page
    return None


def _from(ex: Exchange, page_url: str) -> bool:
    if ex.page_url is None:
        return True
    sent_from = without_fragment(ex.page_url).rstrip("/")
    return sent_from in (without_fragment(page_url).rstrip("/"), _origin(page_url))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _sent_before_typing(
    findings: list[Finding], exchanges: Mapping[int, Exchange], typed: Sequence[TypedPage]
) -> set[tuple[str, str]]:
    """(page, leak) of every leak already sent from a typed page before its first key."""
    first_key: dict[str, float] = {}
    for page in typed:
        first_key.setdefault(page.page_url, page.started)
    sent = set()
    for f in findings:
        ex = exchanges.get(f.exchange_seq)
        if ex is None:
            continue
        for url, started in first_key.items():
            if ex.time < started and ex.page_url and _from(ex, url):
                sent.add((url, leak_key(f)))
    return sent


def _name(label: str, selector: str) -> str:
    return f"»{label}« ({selector})" if label != selector else selector
