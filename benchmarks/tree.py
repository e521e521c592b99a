"""What a command costs as a whole process tree: wall time, CPU time and peak memory.

CPU is `RUSAGE_CHILDREN`: every descendant that was waited for (Python, Playwright's driver,
each Chromium process) once the command has ended. Peak memory is the largest sum of the
proportional set sizes (PSS, from /proc/PID/smaps_rollup: shared pages split between the
processes that share them) of the command and all its descendants, sampled while it runs.
Linux only, as PSS is.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.1


@dataclass(frozen=True)
class Cost:
    wall: float  # seconds
    cpu: float  # seconds, user + system, of the whole tree
    peak: int  # bytes of summed PSS at the sampled peak


def measure(command: Sequence[str], env: dict[str, str] | None = None) -> Cost:
    """Run `command` to its end (it must succeed or exit 1, a leak) and say what it cost."""
    before, clock = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    peak = _Peak(process.pid)
    peak.start()
    _, stderr = process.communicate()
    wall = time.perf_counter() - clock
    peak.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}:\n{stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Cost(wall, cpu, peak.value)


class _Peak(threading.Thread):
    """Samples the summed PSS of a process and its descendants until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.value, self._done = pid, 0, threading.Event()

    def run(self) -> None:
        while not self._done.wait(SAMPLE_SECONDS):
            self.value = max(self.value, sum(map(_pss, _tree(self.pid))))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack += children.get(pid, [])
    return found


def _pss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def median_spread(values: Sequence[float]) -> tuple[float, float, float]:
    """The median, and the lowest and highest value."""
    return statistics.median(values), min(values), max(values)
