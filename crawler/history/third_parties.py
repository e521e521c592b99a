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
from dataclasses import dataclass, field
from typing import NamedTuple

from crawler.history.read import RunRef, SystemRun
from crawler.model import SystemResult


class Organisation(NamedTuple):
    key: str
    name: str
    domains: frozenset[str]


@dataclass(frozen=True)
class Baseline:
    """What a run's organisations are compared with: those of its series' previous complete run
    and of the incomplete runs since."""

    known: Mapping[str, Organisation] = field(default_factory=dict)  # by key
    domains: frozenset[str] = frozenset()

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

    def after(self, complete: bool, present: Sequence[Organisation]) -> Baseline:
        """The baseline of the run after one with these organisations."""
        known = {} if complete else dict(self.known)
        known.update((o.key, o) for o in present)
        return Baseline(known, frozenset(d for o in known.values() for d in o.domains))


def changes(
    runs: Iterable[SystemRun], organisations: Mapping[str, Sequence[Organisation]]
) -> Iterator[tuple[list[Organisation], list[Organisation]]]:
    """Per run of a series, oldest first: its new organisations and, for a complete run, the
    gone ones."""
    baseline = Baseline()
    for run in runs:
        present = organisations.get(run.run_id, ())
        new = [o for o in present if not baseline.knows(o.key, o.domains)]
        yield new, baseline.gone(present) if run.complete else []
        baseline = baseline.after(run.complete, present)


def organisations(
    conn: sqlite3.Connection, system: str, run_ids: Sequence[str] | None = None
) -> dict[str, tuple[Organisation, ...]]:
    """A system's organisations per run (of the runs named), by name: SQL groups them by run,
    and the runs that had the same ones share one tuple."""
    query = "SELECT run_id, key, organisation, domains FROM third_parties WHERE system = ?"
    params: list[str] = [system]
    if run_ids is not None:
        query += f" AND run_id IN ({', '.join('?' * len(run_ids))})"
        params += run_ids
    grouped = conn.execute(
        "SELECT run_id, group_concat(key || char(31) || organisation || char(31) || domains, "
        f"char(30)) FROM ({query} ORDER BY run_id, key) GROUP BY run_id",
        params,
    )
    parsed: dict[str, tuple[Organisation, ...]] = {}
    return {
        run_id: parsed.get(text) or parsed.setdefault(text, _parse(text))
        for run_id, text in grouped
    }


def _parse(text: str) -> tuple[Organisation, ...]:
    rows = (row.split("\x1f") for row in text.split("\x1e"))
    return tuple(
        sorted(
            (Organisation(key, name, frozenset(domains.split())) for key, name, domains in rows),
            key=lambda o: o.name,
        )
    )


def baseline_of(
    conn: sqlite3.Connection, system: str, order: Sequence[RunRef], run_id: str
) -> Baseline:
    """The baseline of a run of a series (`order`: its runs, oldest first), from the record:
    only the runs since the last complete one before it are read."""
    before = order[: next((i for i, r in enumerate(order) if r.run_id == run_id), len(order))]
    start = max((i for i, r in enumerate(before) if r.complete), default=0)
    seen = organisations(conn, system, [r.run_id for r in before[start:]])
    baseline = Baseline()
    for run in before[start:]:
        baseline = baseline.after(run.complete, seen.get(run.run_id, ()))
    return baseline


def mark_new(result: SystemResult, baseline: Baseline) -> SystemResult:
    """The result with each third party marked new or not against its run's baseline."""
    marked = tuple(
        t.model_copy(update={"new": not baseline.knows(t.key, t.domains)})
        for t in result.third_parties
    )
    return result.model_copy(update={"third_parties": marked})
