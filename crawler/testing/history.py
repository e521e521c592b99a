"""A generated history of nightly runs: systems whose leaks come, persist, go and come back,
whose third parties change now and then, and whose audits sometimes do not complete. For the
history's tests and `benchmarks/history.py`; reproducible from its seed."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from crawler.analyse.fingerprints import stamp_fingerprints
from crawler.history.runs import RunMeta
from crawler.history.store import open_store, save_run
from crawler.model import AuditSetup, Finding, SystemResult, ThirdParty
from crawler.testing.factories import make_finding

FIRST_NIGHT = 1_735_700_400.0  # 1 January 2025, 03:00 UTC
NIGHT = 86_400.0
RECEIVERS = ("analytics.test", "metrics.test", "cdn.test", "chat.test", "pixel.test")
PARAMETERS = ("dl", "page", "u", "ref", "g")


@dataclass(frozen=True)
class Shape:
    """How a generated history behaves: per system per night, leaks that appear and are fixed
    (0 to `max_leaks` at once), about `organisations` third parties, and audits that do not
    complete at `incomplete` odds."""

    systems: int = 24
    nights: int = 365
    max_leaks: int = 6
    organisations: int = 8
    incomplete: float = 0.03
    appear: float = 0.004  # each absent leak, each night
    fix: float = 0.01  # each present leak, each night
    swap: float = 0.02  # one third party replaced by another, each night
    environment: str | None = None
    seed: int = 7


def nights(shape: Shape) -> Iterator[tuple[RunMeta, list[SystemResult]]]:
    """Each night's run and its systems' results, oldest first."""
    rng = random.Random(shape.seed)
    systems = [_System.start(f"System {n:02d}", rng, shape) for n in range(shape.systems)]
    for night in range(shape.nights):
        started = FIRST_NIGHT + night * NIGHT
        meta = RunMeta(
            started=started,
            finished=started + 600,
            config_digest=f"digest{night // 90}",
            command="cpraudit run audit.toml",
            id=f"{rng.getrandbits(128):032x}",
        )
        yield meta, [s.night(rng, shape) for s in systems]


def write_history(path: Path, shape: Shape) -> Path:
    """The history database of `shape`'s nights, written as `cpraudit run` writes each night."""
    with open_store(path) as conn:
        for meta, results in nights(shape):
            save_run(conn, meta, results)
    return path


@dataclass
class _System:
    name: str
    leaks: list[Finding]  # every leak it can have, fingerprinted
    present: set[int]
    parties: list[ThirdParty]  # every organisation it can use
    using: list[int]

    @classmethod
    def start(cls, name: str, rng: random.Random, shape: Shape) -> _System:
        pool = [
            make_finding(host=f"www.{receiver}", detail=f"query parameter {param}")
            for receiver in RECEIVERS
            for param in PARAMETERS[:2]
        ]
        probe = SystemResult(system=name, verdict="leak", requests=1, findings=tuple(pool))
        leaks = list(stamp_fingerprints(probe).findings)
        parties = [_party(n) for n in rng.sample(range(40), shape.organisations + 4)]
        present = set(rng.sample(range(len(leaks)), rng.randint(0, min(3, shape.max_leaks))))
        return cls(name, leaks, present, parties, list(range(shape.organisations)))

    def night(self, rng: random.Random, shape: Shape) -> SystemResult:
        for i in range(len(self.leaks)):
            if i in self.present and rng.random() < shape.fix:
                self.present.discard(i)
            elif len(self.present) < shape.max_leaks and rng.random() < shape.appear:
                self.present.add(i)
        if rng.random() < shape.swap:
            unused = [i for i in range(len(self.parties)) if i not in self.using]
            self.using[rng.randrange(len(self.using))] = rng.choice(unused)
        complete = rng.random() >= shape.incomplete
        seen = sorted(self.present if complete else (i for i in self.present if rng.random() < 0.5))
        findings = tuple(self.leaks[i] for i in seen)
        return SystemResult(
            system=self.name,
            verdict="leak" if findings else "clean" if complete else "inconclusive",
            requests=120,
            findings=findings,
            third_parties=tuple(self.parties[i] for i in self.using),
            errors=() if complete else ("the scenario timed out",),
            setup=AuditSetup(environment=shape.environment),
        )


def _party(n: int) -> ThirdParty:
    return ThirdParty(
        organisation=f"Organisation {n:02d}", key=f"org-{n:02d}", domains=(f"org{n:02d}.test",)
    )
