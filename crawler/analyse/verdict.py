"""Verdict per system and the exit code over a run: the one place that decides both.

Never a false "clean": a system whose audit did not complete, or that recorded nothing,
is inconclusive unless a leak was already proven before it failed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from crawler.errors import BadInput
from crawler.model import AgreementVerdict, Finding, LatentLeak, SystemResult, ThirdParty, Verdict

EXIT_CLEAN, EXIT_LEAK, EXIT_INCONCLUSIVE = 0, 1, 2
FAIL_ON = ("new", "any", "none")  # which leaks make the exit code 1
NEW_THIRD_PARTY = "new-third-party"  # ... and, added to one of those, a new third party too
FAIL_ON_CHOICES = (*FAIL_ON, NEW_THIRD_PARTY)


def latent_fails(latent: Sequence[LatentLeak], fail_on_latent: bool) -> bool:
    """Latent Referer leaks make a system leak only where its configuration says so."""
    return fail_on_latent and bool(latent)


def agreement_verdict(
    third_parties: Sequence[ThirdParty], fail_on_unagreed: bool, verdict: Verdict
) -> AgreementVerdict | None:
    """fail_on_unagreed: a third party without an agreement in force (none, or run out) fails
    the system, on a line of its own beside the CPR verdict; an audit that did not complete
    cannot pass it."""
    if not fail_on_unagreed:
        return None
    if any(t.status != "agreement" for t in third_parties):
        return "fail"
    return "inconclusive" if verdict == "inconclusive" else "pass"


def judge(
    findings: Sequence[Finding], errors: Sequence[str], requests: int, failing_latent: bool = False
) -> Verdict:
    if findings or failing_latent:
        return "leak"
    if errors or requests == 0:
        return "inconclusive"
    return "clean"


def fail_rules(given: Sequence[str] | None) -> tuple[str, ...]:
    """`--fail-on` as given (repeatable): at most one leak rule (default any), and
    new-third-party if asked for."""
    rules = tuple(given or ())
    leaks = {r for r in rules if r in FAIL_ON}
    if len(leaks) > 1:
        raise BadInput(
            f"--fail-on {' and '.join(sorted(leaks))} contradict each other; give one of "
            "any, new or none (and new-third-party beside it if you want)"
        )
    return rules if leaks else ("any", *rules)


def exit_code(results: Iterable[SystemResult], fail_on: str | Sequence[str] = "any") -> int:
    """1 if a leak that `fail_on` counts was found (any: every leak not accepted in audit.toml,
    and a system that fails its fail_on_unagreed policy; new: only leaks new in this run and not
    accepted; none: no leak), or, with new-third-party, a third party new since the system's
    previous complete run; else 2 if anything was inconclusive or nothing was audited; else 0.
    The reports name what was inconclusive."""
    rules = (fail_on,) if isinstance(fail_on, str) else tuple(fail_on)
    leaks = next((r for r in rules if r in FAIL_ON), "any")
    results = list(results)
    if leaks != "none" and any(_fails(r, leaks) for r in results):
        return EXIT_LEAK
    if NEW_THIRD_PARTY in rules and any(t.new for r in results for t in r.third_parties):
        return EXIT_LEAK
    verdicts = [r.verdict for r in results]
    if not verdicts or "inconclusive" in verdicts:
        return EXIT_INCONCLUSIVE
    return EXIT_CLEAN


def _fails(result: SystemResult, fail_on: str) -> bool:
    if fail_on == "any" and result.agreement_verdict == "fail":
        return True  # the configuration's own policy: like latent leaks, never "new"
    if result.verdict != "leak":
        return False
    if fail_on == "any" and (result.latent_fails or not result.findings):
        return True  # latent Referer leaks that fail: never accepted, never "new"
    return any(_counts(f, result, fail_on) for f in result.unaccepted)


def _counts(finding: Finding, result: SystemResult, fail_on: str) -> bool:
    h = result.history.of(finding.fingerprint) if result.history else None
    return fail_on == "any" or h is None or h.status == "new"
