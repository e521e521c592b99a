"""What never left is not a leak: findings in requests the browser refused to send.

A request blocked before sending (the page's Content-Security-Policy, mixed content, a
subresource filter) reached nobody, so a CPR in it is an attempt: listed apart, with the reason
and the script that tried, because a DPO wants to know that the script still tries. A request
that left and whose response was then blocked (ORB, CORP) is no attempt: it was sent.

A request whose CORS preflight failed was never sent either, but its preflight was: an OPTIONS
request with the same URL and no body, recorded by the browser-wide interception (and seen on
the wire by the network witness) and searched like any other request. So the failed request is
an attempt in every part, and what its preflight carried is a finding of the preflight's own.

Where the record says blocked and the network witness saw the request leave, the witness
decides: it left.
"""

from __future__ import annotations

from collections.abc import Iterable

from crawler.model import PREFLIGHT_FAILED, Exchange, Finding


def reached(exchanges: Iterable[Exchange], on_wire: frozenset[int]) -> list[Exchange]:
    """The exchanges that reached their host: all but those blocked before sending that the
    network witness did not see leave (a request whose preflight failed did reach it)."""
    return [e for e in exchanges if e.blocked in (None, PREFLIGHT_FAILED) or e.seq in on_wire]


def left(finding: Finding, on_wire: frozenset[int], witness_ran: bool) -> bool:
    """Whether what this finding is in left the browser."""
    return finding.blocked is None or (witness_ran and finding.exchange_seq in on_wire)


def split(
    findings: Iterable[Finding], on_wire: frozenset[int], witness_ran: bool
) -> tuple[list[Finding], list[Finding]]:
    """(findings in what left, attempts that never did)."""
    sent: list[Finding] = []
    attempts: list[Finding] = []
    for f in findings:
        (sent if left(f, on_wire, witness_ran) else attempts).append(f)
    return sent, attempts
