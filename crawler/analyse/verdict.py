"""Verdict per system and the exit code over a run: the one place that decides both.

Never a false "clean": a system whose audit did not complete, or that recorded nothing,
is inconclusive unless a leak was already proven before it failed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from crawler.model import Finding, LatentLeak, SystemResult, Verdict

EXIT_CLEAN, EXIT_LEAK, EXIT_INCONCLUSIVE = 0, 1, 2
FAIL_ON = ("new", "any", "none")


def latent_fails(latent: Sequence[LatentLeak], fail_on_latent: bool) -> bool:
    """Latent Referer leaks make a system leak only where its configuration says so."""
    return fail_on_latent and bool(latent)


def judge(
    findings: Sequence[Finding], errors: Sequence[str], requests: int, failing_latent: bool = False
) -> Verdict:
    if findings or failing_latent:
        return "leak"
    if errors or requests == 0:
        return "inconclusive"
    return "clean"


def exit_code(results: Iterable[SystemResult], fail_on: str = "any") -> int:
    """1 if a leak that `fail_on` counts was found (any: every leak not accepted in audit.toml;
    new: only leaks new in this run and not accepted; none: no leak); else 2 if anything was
    inconclusive or nothing was audited; else 0. The reports name what was inconclusive."""
    results = list(results)
    if fail_on != "none" and any(_fails(r, fail_on) for r in results):
        return EXIT_LEAK
    verdicts = [r.verdict for r in results]
    if not verdicts or "inconclusive" in verdicts:
        return EXIT_INCONCLUSIVE
    return EXIT_CLEAN


def _fails(result: SystemResult, fail_on: str) -> bool:
    if result.verdict != "leak":
        return False
    if fail_on == "any" and (result.latent_fails or not result.findings):
        return True  # latent Referer leaks that fail: never accepted, never "new"
    return any(_counts(f, result, fail_on) for f in result.findings)


def _counts(finding: Finding, result: SystemResult, fail_on: str) -> bool:
    h = result.history.of(finding.fingerprint) if result.history else None
    if h is not None and h.accepted:
        return False
    return fail_on == "any" or h is None or h.status == "new"
