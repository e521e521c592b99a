"""Consent states side by side: which third parties received the CPR in which state.

Each consent state of a system ("none", "decline", "accept") is audited as a result of its
own; this puts them together for the report of each and for the run's index. A third party
that got the CPR in the "decline" state got it despite declined consent.
"""

from __future__ import annotations

from crawler.model import Audited, ConsentChoice, ConsentRow, ConsentTable, SystemResult


def side_by_side(results: list[Audited]) -> list[Audited]:
    """The results, each consent state's with the table of its system's states."""
    groups: dict[str, list[Audited]] = {}
    for audited in results:
        if audited.result.consent is not None:
            groups.setdefault(audited.result.configured, []).append(audited)
    tables = {name: consent_table(group) for name, group in groups.items()}
    return [
        Audited(r.model_copy(update={"consent_table": tables[r.configured]}), folder)
        if r.consent is not None
        else Audited(r, folder)
        for r, folder in results
    ]


def consent_table(group: list[Audited]) -> ConsentTable:
    """One system's states: per third party, the requests that carried the CPR in each."""
    rows: dict[str, ConsentRow] = {}
    for result, _ in group:
        state = _state(result)
        for domain, requests in _receivers(result).items():
            row = rows.setdefault(domain, ConsentRow(domain=domain, entity=_entity(result, domain)))
            rows[domain] = row.model_copy(update={"received": {**row.received, state: requests}})
    first = group[0].result
    return ConsentTable(
        system=first.configured,
        states=tuple(_state(r) for r, _ in group),
        verdicts={_state(r): r.verdict for r, _ in group},
        folders={_state(r): folder for r, folder in group},
        rows=tuple(sorted(rows.values(), key=lambda row: row.domain)),
    )


def _state(result: SystemResult) -> ConsentChoice:
    assert result.consent is not None
    return result.consent.state


def _receivers(result: SystemResult) -> dict[str, int]:
    seqs: dict[str, set[int]] = {}
    for f in result.findings:
        seqs.setdefault(f.domain or f.host, set()).add(f.exchange_seq)
    return {domain: len(found) for domain, found in seqs.items()}


def _entity(result: SystemResult, domain: str) -> str | None:
    return next((f.entity for f in result.findings if (f.domain or f.host) == domain), None)
