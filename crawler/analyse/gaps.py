"""What the capture gaps mean for a system's result: the errors that keep it from being clean,
and the notes that say what the network witness covered."""

from __future__ import annotations

from collections.abc import Iterable

from crawler.model import CaptureGap, Finding, WitnessSummary


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
        found.append(
            f"the network witness failed ({witness.reason}): what left the browser could not be "
            "checked against the record"
        )
    unexplained = [g for g in gaps if g.cause == "site" and g.explanation is None]
    if unexplained:
        found.append(
            f"{len(unexplained)} capture gap(s): the network witness saw "
            f"{_few(unexplained)} leave the browser, and the record lacks it; a body or frame it "
            "held was not searched"
        )
    leaking_browser = [g for g in gaps if g.cause == "browser" and g.carries_cpr]
    if leaking_browser:
        found.append(
            f"the browser's own traffic carried the CPR ({_few(leaking_browser)}): the audit's "
            "browser itself sent it"
        )
    return found


def notes(witness: WitnessSummary | None, gaps: list[CaptureGap]) -> list[str]:
    """What the witness covered, and the gaps it explained."""
    if witness is None:
        return []
    if not witness.ran:
        return [f"The network witness did not run: {witness.reason}."] if witness.reason else []
    found = [
        f"The network witness (Chromium's NetLog) saw {witness.requests} request(s) leave the "
        f"browser; {witness.matched} are in the record, the rest are listed as capture gaps."
    ]
    resent = [g for g in gaps if g.cause == "evidence"]
    if resent:
        found.append(
            f"{len(resent)} request(s) re-sent by Playwright while reading response bodies for a "
            "HAR or trace (see Capture gaps): copies the audit made, searched apart and never "
            "counted as the site's."
        )
    preflights = [g for g in gaps if g.kind == "preflight" and g.explanation]
    if preflights:
        found.append(f"{len(preflights)} CORS preflight(s), searched from the witness's copy.")
    own = [g for g in gaps if g.cause == "browser"]
    if own:
        left = sum(g.left_machine for g in own)
        found.append(
            f"The browser's own traffic: {len(own)} attempt(s) ({_few(own)}), {left} of them "
            "left the machine; listed apart, never as the site's."
        )
    return found


def _few(gaps: list[CaptureGap], limit: int = 3) -> str:
    shown = ", ".join(_name(g) for g in gaps[:limit])
    return shown + (f" and {len(gaps) - limit} more" if len(gaps) > limit else "")


def _name(gap: CaptureGap) -> str:
    if gap.kind == "frames":
        return f"{gap.frames} frame(s) on {gap.url[:100]}"
    return f"{gap.method} {gap.url[:100]}"
