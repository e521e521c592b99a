"""Acceptances: known leaks accepted in audit.toml with a reason, until a date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from crawler.config import Accepted
from crawler.model import SystemHistory


def accept(
    history: SystemHistory, system: str, accepted: Sequence[Accepted], today: date
) -> SystemHistory:
    """Mark leaks accepted in audit.toml (`[[accepted]]`: system, fingerprint, reason, expires).
    An acceptance past its date is shown as expired and the leak counts again."""
    marked = []
    for h in history.findings:
        match = next(
            (
                a
                for a in accepted
                if a.system.casefold() == system.casefold() and a.fingerprint == h.fingerprint
            ),
            None,
        )
        if match is None:
            marked.append(h)
        elif match.expires >= today:
            marked.append(
                h.model_copy(
                    update={"accepted": match.reason, "accepted_until": match.expires.isoformat()}
                )
            )
        else:
            marked.append(h.model_copy(update={"expired": match.expires.isoformat()}))
    return history.model_copy(update={"findings": tuple(marked)})
