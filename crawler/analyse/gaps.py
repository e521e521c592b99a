"""What the capture gaps mean for a system's result: the errors that keep it from being clean,
and the notes that say what the network witness covered."""

from __future__ import annotations

from collections.abc import Iterable

from crawler import diagnostics
from crawler.model import CaptureGap, Exchange, Finding, WitnessSummary
from crawler.parties import Parties


def mark(gaps: Iterable[CaptureGap], findings: Iterable[Finding]) -> list[CaptureGap]:
    """Each gap with whether its searched copy carried the CPR (to any party)."""
    carrying = {f.exchange_seq for f in findings if not f.secondary}
    return [
        g.model_copy(update={"carries_cpr": True}) if g.exchange_seq in carrying else g
        for g in gaps
    ]


def errors(witness: WitnessSummary | None, gaps: list[CaptureGap]) -> list[str]:
    """Why the record cannot be shown complete: never clean with any of these."""
    found: list[str] = []
    if witness is not None and witness.failed:
        found.append(diagnostics.WITNESS_FAILED(reason=witness.reason))
    unexplained = [g for g in gaps if g.cause == "site" and g.explanation is None]
    if unexplained:
        found.append(
            diagnostics.CAPTURE_GAPS(num=len(unexplained), requests=_few(_names(unexplained)))
        )
    leaking_browser = [g for g in gaps if g.cause == "browser" and g.carries_cpr]
    if leaking_browser:
        found.append(diagnostics.BROWSER_SENT_CPR(requests=_few(_names(leaking_browser))))
    return found


def missing_bodies(
    exchanges: Iterable[Exchange], parties: Parties, left: frozenset[int] | None
) -> list[str]:
    """A third party's request that left with a body the record lacks: what it carried was not
    searched, so the result cannot be clean. `left`: the requests the network witness saw leave
    (one it did not see, cancelled before it was sent, took its body nowhere), or None without a
    witness. One that contain mode held back counts too: what the site would have sent is not
    known."""
    missing = [
        f"{e.method} {e.url[:100]}"
        for e in exchanges
        if e.body_missing
        and e.blocked is None
        and (left is None or e.seq in left or e.contained)
        and parties.receiver(e).kind != "first"
    ]
    return [diagnostics.BODIES_MISSING(num=len(missing), requests=_few(missing))] if missing else []


def notes(witness: WitnessSummary | None, gaps: list[CaptureGap]) -> list[str]:
    """What the witness covered, and the gaps it explained."""
    if witness is None:
        return []
    if not witness.ran:
        return [diagnostics.WITNESS_DID_NOT_RUN(reason=witness.reason)] if witness.reason else []
    found = [diagnostics.WITNESS_SAW(num=witness.requests, matched=witness.matched)]
    resent = [g for g in gaps if g.cause == "evidence"]
    if resent:
        found.append(diagnostics.RESENT_FOR_EVIDENCE(num=len(resent)))
    preflights = [g for g in gaps if g.kind == "preflight" and g.explanation]
    if preflights:
        found.append(diagnostics.PREFLIGHTS(num=len(preflights)))
    own = [g for g in gaps if g.cause == "browser"]
    if own:
        left = sum(g.left_machine for g in own)
        found.append(
            diagnostics.BROWSER_TRAFFIC(num=len(own), requests=_few(_names(own)), left=left)
        )
    return found


def _few(names: list[str], limit: int = 3) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", … (+{len(names) - limit})" if len(names) > limit else "")  # in any language


def _names(gaps: list[CaptureGap]) -> list[str]:
    return [_name(g) for g in gaps]


def _name(gap: CaptureGap) -> str:
    if gap.kind == "frames":
        return f"{gap.frames} frame(s) on {gap.url[:100]}"
    return f"{gap.method} {gap.url[:100]}"
