"""Series: a system's runs replayed in time order, so each leak is new, persisting or fixed.

How a leak's status is decided, per series (a system in one environment), from its runs in
time order:
- new: not in the series' previous run (a leak fixed earlier and back again is new, with
  `seen_before`: a regression);
- persisting since <date>: in every run since that date (`runs` of them);
- fixed: in the previous run and not in this one.
A run that did not complete (inconclusive, or errors) proves no absence: a leak it did not
see neither ends a series nor counts as fixed; the next complete run decides.

The replay walks a series once, keeping per fingerprint where its current series started, how
many runs it has and when it was last seen: each run costs what its own leaks and the leaks
still open cost, not what the runs before it cost.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

from crawler.history.read import SeriesKey, SystemRun, series_runs, where_of
from crawler.model import FindingHistory, SystemHistory, TrendPoint

TREND_RUNS = 90  # the index's strip; a report's bar chart shows the last 12 of them


class LeakNight(NamedTuple):
    """A leak of a run, seen against the runs before it."""

    fingerprint: str
    since: float  # start of its current series
    runs: int  # runs in that series, this one included
    seen_before: float | None  # a new leak seen in an earlier series: when, last

    @property
    def status(self) -> Literal["new", "persisting"]:
        return "new" if self.runs == 1 else "persisting"


class FixedLeak(NamedTuple):
    """A leak of the series' previous runs that a complete run no longer has."""

    fingerprint: str
    since: float
    runs: int
    last_seen: float


@dataclass(frozen=True)
class Night:
    """One run of a series with what changed since the run before it."""

    run: SystemRun
    previous: SystemRun | None
    leaks: tuple[LeakNight, ...]  # by fingerprint
    fixed: tuple[FixedLeak, ...]
    unseen: int  # leaks of earlier runs that an incomplete run did not see: not fixed

    @property
    def new(self) -> tuple[LeakNight, ...]:
        return tuple(x for x in self.leaks if x.runs == 1)


def replay(runs: Iterable[SystemRun]) -> Iterator[Night]:
    """Each run of a series with its changes, oldest first, in one pass."""
    open_: dict[str, tuple[float, int]] = {}  # fingerprint -> (since, runs) of its series
    last_seen: dict[str, float] = {}
    previous: SystemRun | None = None
    for run in runs:
        leaks = tuple(_seen(fp, run, open_, last_seen) for fp in sorted(run.leaks))
        missing = sorted(fp for fp in open_ if fp not in run.leaks)
        fixed: tuple[FixedLeak, ...] = ()
        if run.complete:
            fixed = tuple(FixedLeak(fp, *open_[fp], last_seen[fp]) for fp in missing)
            open_ = {}  # absence proved: only this run's leaks go on
        open_.update({x.fingerprint: (x.since, x.runs) for x in leaks})
        yield Night(run, previous, leaks, fixed, 0 if run.complete else len(missing))
        last_seen.update(dict.fromkeys(run.leaks, run.started))
        previous = run


def _seen(
    fp: str, run: SystemRun, open_: dict[str, tuple[float, int]], last_seen: dict[str, float]
) -> LeakNight:
    if fp in open_:
        since, runs = open_[fp]
        return LeakNight(fp, since, runs + 1, None)
    return LeakNight(fp, run.started, 1, last_seen.get(fp))


def history_of(
    conn: sqlite3.Connection, key: SeriesKey, run_id: str, runs: Sequence[SystemRun] | None = None
) -> SystemHistory | None:
    """A recorded run of a series seen against the series' earlier runs (`runs`, if already
    loaded), with the trend of the runs up to it; None if the series has no such run."""
    recent: deque[Night] = deque(maxlen=TREND_RUNS)
    for night in replay(series_runs(conn, key) if runs is None else runs):
        recent.append(night)
        if night.run.run_id == run_id:
            return system_history(recent, where_of(conn, key.system))
    return None


def system_history(recent: Sequence[Night], where: dict[str, str]) -> SystemHistory:
    """The last of `recent` nights as a report shows it, with all of them as its trend."""
    night = recent[-1]
    return SystemHistory(
        previous_run=night.previous.started if night.previous else None,
        findings=tuple(
            FindingHistory(
                fingerprint=x.fingerprint,
                status=x.status,
                since=x.since,
                runs=x.runs,
                seen_before=x.seen_before,
                where=where.get(x.fingerprint, ""),
            )
            for x in night.leaks
        ),
        fixed=tuple(
            FindingHistory(
                fingerprint=x.fingerprint,
                status="fixed",
                since=x.since,
                runs=x.runs,
                last_seen=x.last_seen,
                where=where.get(x.fingerprint, ""),
            )
            for x in night.fixed
        ),
        fixed_note=unseen_note(night.unseen),
        trend=tuple(
            TrendPoint(
                started=n.run.started,
                verdict=n.run.verdict,
                findings=len(n.leaks),
                new=len(n.new),
            )
            for n in recent
        ),
    )


def unseen_note(unseen: int) -> str | None:
    """Why leaks of earlier runs that a run did not see are not fixed."""
    if not unseen:
        return None
    return (
        f"{unseen} leak(s) of earlier runs were not seen, "
        "but this audit did not complete, so they are not counted as fixed"
    )
