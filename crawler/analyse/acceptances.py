"""Acceptances: known leaks accepted in audit.toml with a reason, until a date. They are part of
judging a run, with or without a history: an accepted leak in force is shown as accepted and
does not fail the run; once its date has passed it is shown as expired and counts again."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from crawler.config import Accepted
from crawler.model import Acceptance, SystemResult, names


def accept(result: SystemResult, accepted: Sequence[Accepted], today: date) -> SystemResult:
    """The result with the acceptances that match its leaks (by system, or the consent state's
    system, and fingerprint)."""
    fingerprints = {f.fingerprint for f in result.findings}
    matched = tuple(
        Acceptance(
            fingerprint=a.fingerprint, reason=a.reason, until=a.expires, in_force=a.expires >= today
        )
        for a in accepted
        if names(a.system, result.system) and a.fingerprint in fingerprints
    )
    return result.model_copy(update={"acceptances": matched})
