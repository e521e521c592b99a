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
many runs it has and when it was last seen (`SeriesState`): each run costs what its own leaks
and the leaks still open cost, not what the runs before it cost.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from crawler import diagnostics
from crawler.history.read import SystemRun
from crawler.model import FindingHistory, SystemHistory, TrendPoint, Verdict

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


class Point(NamedTuple):
    """A run in a series' trend."""

    started: float
    verdict: Verdict
    findings: int
    new: int


@dataclass
class SeriesState:
    """What the replay keeps of a series' past: per fingerprint the start and runs of its open
    series and when it was last seen, the previous run, and the trend. Kept between nights by
    `checkpoint`, so that a nightly run replays only itself."""

    open_: dict[str, tuple[float, int]] = field(default_factory=dict)  # since, runs
    last_seen: dict[str, float] = field(default_factory=dict)
    previous: SystemRun | None = None
    trend: deque[Point] = field(default_factory=lambda: deque(maxlen=TREND_RUNS))

    def advance(self, run: SystemRun) -> Night:
        """The next run of the series with its changes; the state is then as of that run."""
        leaks = tuple(self._seen(fp, run) for fp in sorted(run.leaks))
        missing = sorted(fp for fp in self.open_ if fp not in run.leaks)
        fixed: tuple[FixedLeak, ...] = ()
        if run.complete:
            fixed = tuple(FixedLeak(fp, *self.open_[fp], self.last_seen[fp]) for fp in missing)
            self.open_ = {}  # absence proved: only this run's leaks go on
        self.open_.update({x.fingerprint: (x.since, x.runs) for x in leaks})
        night = Night(run, self.previous, leaks, fixed, 0 if run.complete else len(missing))
        self.last_seen.update(dict.fromkeys(run.leaks, run.started))
        self.previous = run
        self.trend.append(Point(run.started, run.verdict, len(leaks), len(night.new)))
        return night

    def _seen(self, fp: str, run: SystemRun) -> LeakNight:
        if fp in self.open_:
            since, runs = self.open_[fp]
            return LeakNight(fp, since, runs + 1, None)
        return LeakNight(fp, run.started, 1, self.last_seen.get(fp))


def replay(runs: Iterable[SystemRun], state: SeriesState | None = None) -> Iterator[Night]:
    """Each run of a series with its changes, oldest first, in one pass (from `state`, the
    series as of the run before the first of `runs`)."""
    state = state if state is not None else SeriesState()
    for run in runs:
        yield state.advance(run)


def system_history(night: Night, trend: Iterable[Point], where: dict[str, str]) -> SystemHistory:
    """A night as a report shows it."""
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
        trend=tuple(TrendPoint(**p._asdict()) for p in trend),
    )


def unseen_note(unseen: int) -> str | None:
    """Why leaks of earlier runs that a run did not see are not counted as no longer found."""
    return diagnostics.NOT_COUNTED_AS_GONE(num=unseen) if unseen else None
