"""New and gone third parties: organisations a system's pages talked to that its previous
complete run did not, and the other way round. How "MaxCDN appeared on TastSelv" is noticed
the next morning.

The baseline is the series' previous complete run, together with any incomplete runs since
(what an incomplete run saw was there; what it did not see proves nothing). An organisation is
new when neither its identity nor any of its domains is in the baseline, so a renamed owner in
a newer database is not news; it is gone when a complete run has neither. Without an earlier
run every organisation is new, as every leak is.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple

from crawler.history.read import SystemRun
from crawler.model import SystemResult


class Organisation(NamedTuple):
    key: str
    name: str
    domains: frozenset[str]


class Baseline:
    """What a run's organisations are compared with, advanced a run at a time."""

    def __init__(self) -> None:
        self.known: dict[str, Organisation] = {}
        self.domains: set[str] = set()

    def knows(self, key: str, domains: Iterable[str]) -> bool:
        return key in self.known or not self.domains.isdisjoint(domains)

    def gone(self, present: Sequence[Organisation]) -> list[Organisation]:
        """The baseline's organisations that none of `present` is, by identity or domain."""
        keys = {o.key for o in present}
        domains = {d for o in present for d in o.domains}
        return sorted(
            (o for o in self.known.values() if o.key not in keys and domains.isdisjoint(o.domains)),
            key=lambda o: o.name,
        )

    def advance(self, run: SystemRun, present: Sequence[Organisation]) -> None:
        if run.complete:
            self.known, self.domains = {}, set()
        for o in present:
            self.known[o.key] = o
            self.domains.update(o.domains)


def changes(
    runs: Iterable[SystemRun], organisations: Mapping[str, Sequence[Organisation]]
) -> Iterator[tuple[list[Organisation], list[Organisation]]]:
    """Per run of a series, oldest first: its new organisations and, for a complete run, the
    gone ones."""
    baseline = Baseline()
    for run in runs:
        present = organisations.get(run.run_id, ())
        new = [o for o in present if not baseline.knows(o.key, o.domains)]
        yield new, baseline.gone(present) if run.complete and baseline.known else []
        baseline.advance(run, present)


def organisations(
    conn: sqlite3.Connection, system: str, run_ids: Sequence[str] | None = None
) -> dict[str, list[Organisation]]:
    """A system's organisations per run (of the runs named), by name."""
    query = "SELECT run_id, key, organisation, domains FROM third_parties WHERE system = ?"
    params: list[str] = [system]
    if run_ids is not None:
        query += f" AND run_id IN ({', '.join('?' * len(run_ids))})"
        params += run_ids
    out: dict[str, list[Organisation]] = {}
    for run_id, key, name, domains in conn.execute(query + " ORDER BY organisation", params):
        out.setdefault(run_id, []).append(Organisation(key, name, frozenset(domains.split())))
    return out


def mark_new(
    conn: sqlite3.Connection, result: SystemResult, runs: Sequence[SystemRun], run_id: str
) -> SystemResult:
    """The result with each third party marked new or not, against the runs of its series
    before `run_id`: only the baseline's runs are read."""
    before = runs[: next((i for i, r in enumerate(runs) if r.run_id == run_id), len(runs))]
    start = max((i for i, r in enumerate(before) if r.complete), default=0)
    window = before[start:]
    seen = organisations(conn, result.system, [r.run_id for r in window])
    baseline = Baseline()
    for run in window:
        baseline.advance(run, seen.get(run.run_id, ()))
    marked = tuple(
        t.model_copy(update={"new": not baseline.knows(t.key, t.domains)})
        for t in result.third_parties
    )
    return result.model_copy(update={"third_parties": marked})
