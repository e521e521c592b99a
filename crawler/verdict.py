"""Verdict per system and the exit code over a run.

Never a false "clean": a system whose audit did not complete, or that recorded nothing,
is inconclusive unless a leak was already proven before it failed.
"""

from __future__ import annotations

from typing import Iterable

from crawler.model import Finding, SystemResult, Verdict

EXIT_CLEAN, EXIT_LEAK, EXIT_INCONCLUSIVE = 0, 1, 2


def judge(findings: list[Finding], errors: list[str], requests: int, latent: tuple = ()) -> Verdict:
    """`latent` holds the latent Referer leaks only when the system's configuration says they fail."""
    if findings or latent:
        return "leak"
    if errors or requests == 0:
        return "inconclusive"
    return "clean"


def exit_code(results: Iterable[SystemResult]) -> int:
    """1 if a leak was found anywhere (the reports also name what was inconclusive);
    else 2 if anything was inconclusive or nothing was audited; else 0."""
    verdicts = [r.verdict for r in results]
    if "leak" in verdicts:
        return EXIT_LEAK
    if not verdicts or "inconclusive" in verdicts:
        return EXIT_INCONCLUSIVE
    return EXIT_CLEAN
