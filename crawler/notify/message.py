"""The message of a run: what in its results needs a person, in a few lines.

A message is sent only for news: a new leak, a new third party, a system inconclusive, a leak
no longer found, or a run that did not complete. A known leak that persists is in the reports
every night; telling it every night would teach people to ignore the channel. The message
names systems, verdicts and receivers, never a request: the CPR travels in requests, and the
message goes to a mailbox or a chat that the audit does not control.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from crawler import bundle
from crawler.analyse.fingerprints import fingerprint
from crawler.model import Audited, SystemResult

VERDICTS = {"leak": "LEAK", "clean": "no leak found", "inconclusive": "INCONCLUSIVE"}


@dataclass(frozen=True)
class Message:
    title: str
    body: str


@dataclass(frozen=True)
class News:
    """What in one system's result needs a person."""

    system: str
    verdict: str
    new_leaks: dict[str, int]  # receiver -> how many new leaks (fingerprints) it got
    new_third_parties: tuple[str, ...]
    no_longer_found: tuple[str, ...]
    report: str | None = None  # the report's URL, where the reports are served

    @property
    def inconclusive(self) -> bool:
        return self.verdict == "inconclusive"

    def __bool__(self) -> bool:
        return bool(
            self.new_leaks or self.new_third_parties or self.no_longer_found or self.inconclusive
        )

    def lines(self) -> list[str]:
        said = [f"{self.system}: {VERDICTS.get(self.verdict, self.verdict)}"]
        said += [f"  {count(n, 'new leak', 'new leaks')} to {r}" for r, n in self.new_leaks.items()]
        said += [f"  new third party: {t}" for t in self.new_third_parties]
        said += [f"  leak no longer found: {where}" for where in self.no_longer_found]
        return said + ([f"  report: {self.report}"] if self.report else [])


def news_of(result: SystemResult, report: str | None = None) -> News:
    return News(
        result.system,
        result.verdict,
        new_leaks(result),
        tuple(f"{t.organisation} ({', '.join(t.hosts)})" for t in result.third_parties if t.new),
        tuple(h.where or h.fingerprint for h in (result.history.fixed if result.history else ())),
        report,
    )


def new_leaks(result: SystemResult) -> dict[str, int]:
    """Receiver -> its leaks (fingerprints) not in the system's previous run and not accepted.
    Without a history nothing is known to be old: every leak is new."""
    history = result.history
    seen: dict[str, set[str]] = {}
    for finding in result.unaccepted:
        leak = finding.fingerprint or fingerprint(result.configured, finding)  # an older shard's
        known = history.of(leak) if history else None
        if known and known.status != "new":
            continue
        receiver = f"{finding.entity or finding.domain or finding.host} ({finding.host})"
        seen.setdefault(receiver, set()).add(leak)
    return {receiver: len(leaks) for receiver, leaks in seen.items()}


def compose(
    results: Sequence[Audited],
    index: Path,
    source: str,
    incomplete: bool = False,
    reports_url: str | None = None,
) -> Message | None:
    """The run's message, or None when nothing in it needs a person. With `reports_url` (where
    the run folders are served) it links the index and each system's report; else it names the
    index's path."""
    run = reports_url.rstrip("/") + "/" + quote(index.parent.name) if reports_url else None

    def report(folder: str) -> str | None:
        return f"{run}/{quote(folder)}/{bundle.REPORT}" if run and folder else None

    news = [n for r, folder in results if (n := news_of(r, report(folder)))]
    if not news and not incomplete:
        return None
    totals = [
        count(sum(sum(n.new_leaks.values()) for n in news), "new leak", "new leaks"),
        count(sum(len(n.new_third_parties) for n in news), "new third party", "new third parties"),
        count(sum(n.inconclusive for n in news), "system inconclusive", "systems inconclusive"),
        count(sum(len(n.no_longer_found) for n in news), "leak", "leaks") + " no longer found",
    ]
    said = [t for t in totals if not t.startswith("0 ")]
    lines = [line for n in news for line in n.lines()]
    if incomplete:
        said.append("run incomplete")
        lines.append("The run did not complete (interrupted, or a shard missing): see the index.")
    title = f"cpraudit {source}: {', '.join(said)}"
    where = f"{run}/{bundle.INDEX}" if run else index.resolve()
    return Message(title, "\n".join([*lines, f"Index: {where}"]))


def count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
