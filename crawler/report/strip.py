"""The index's picture of a system's recent runs: a strip of one thin bar per run, oldest
first, coloured by the run's verdict, with a dark mark above each run that brought new leaks.
Laid out here; drawn as inline SVG by templates/_strip.html (no script, and presentation
attributes only: the pages' policy allows no style attribute)."""

from __future__ import annotations

from dataclasses import dataclass

from crawler.model import SystemHistory, TrendPoint

VERDICT_COLOURS = {
    "leak": "#b00020",
    "clean": "#1b7f3b",
    "inconclusive": "#a15c00",
    "not-audited": "#666",
}
NEW_COLOUR = "#1d1d1f"
STEP, BAR = 3, 2  # px per run, of them the bar's width; a 90-run strip is 270 px wide
MARK = 4  # px above the bars for the new-leak mark
HEIGHT = 18


@dataclass(frozen=True)
class Bar:
    x: int
    point: TrendPoint
    fill: str


@dataclass(frozen=True)
class Strip:
    bars: list[Bar]
    width: int
    height: int = HEIGHT
    bar: int = BAR
    mark: int = MARK
    new_colour: str = NEW_COLOUR

    @property
    def runs(self) -> int:
        return len(self.bars)


def strip(history: SystemHistory) -> Strip:
    """The history's trend (its last runs, crawler/history/series.py) as a strip."""
    bars = [
        Bar(STEP * i, p, VERDICT_COLOURS.get(p.verdict, VERDICT_COLOURS["not-audited"]))
        for i, p in enumerate(history.trend)
    ]
    return Strip(bars, STEP * len(bars))
