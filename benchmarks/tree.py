"""What a command costs as a whole process tree: wall time, CPU time and peak memory.

CPU is `RUSAGE_CHILDREN` of every descendant (Python, Playwright's driver, each Chromium
process) once the command has ended. Chromium's zygote and renderers outlive the browser
process that started them and were nobody's to wait for, so their CPU went uncounted; this
process is therefore their "subreaper" (Linux's PR_SET_CHILD_SUBREAPER): orphans of a measured
command become its children, and are waited for and counted with it. Peak memory is the
largest sum of the proportional set sizes (PSS, from /proc/PID/smaps_rollup: shared pages split
between the processes that share them) of the command and all its descendants, sampled while it
runs. Linux only, as PSS is.
"""

from __future__ import annotations

import compileall
import ctypes
import os
import re
import resource
import statistics
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SAMPLE_SECONDS = 0.1
_PR_SET_CHILD_SUBREAPER = 36


@dataclass(frozen=True)
class Cost:
    wall: float  # seconds
    cpu: float  # seconds, user + system, of the whole tree
    peak: int  # bytes of summed PSS at the sampled peak
    parts: tuple[tuple[str, int], ...] = ()  # at the peak: bytes of PSS by program name


def measure(command: Sequence[str], env: dict[str, str] | None = None) -> Cost:
    """Run `command` to its end (it must succeed or exit 1, a leak) and say what it cost:
    of its whole tree, the processes it left behind included."""
    _become_subreaper()
    _compiled()
    before, clock = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    peak = _Peak(process.pid)
    peak.start()
    _, stderr = process.communicate()
    wall = time.perf_counter() - clock
    peak.stop()
    _wait_for_orphans()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}:\n{stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Cost(wall, cpu, peak.value, peak.parts)


@cache
def _compiled() -> None:
    """cpraudit's modules as an installed wheel has them, compiled: where Python is told not to
    write bytecode (PYTHONDONTWRITEBYTECODE), each run would compile all 170 again (0.15 s of
    CPU that no installed cpraudit spends), and the bare script's modules are compiled."""
    for package in ("crawler", "benchmarks"):
        compileall.compile_dir(Path(__file__).parents[1] / package, quiet=1)


@cache
def _become_subreaper() -> None:
    if ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise SystemExit(f"cannot count orphans' CPU: prctl failed ({ctypes.get_errno()})")


def _wait_for_orphans() -> None:
    """Wait for every process the command left behind (now children of this one)."""
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


class _Peak(threading.Thread):
    """Samples the summed PSS of a process and its descendants until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.value, self._done = pid, 0, threading.Event()
        self.parts: tuple[tuple[str, int], ...] = ()

    def run(self) -> None:
        while not self._done.wait(SAMPLE_SECONDS):
            sizes = [(_name(pid), _pss(pid)) for pid in _tree(self.pid)]
            if (total := sum(size for _, size in sizes)) > self.value:
                self.value, self.parts = total, _by_name(sizes)

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


def _name(pid: int) -> str:
    """The program, and a Chromium process's type (renderer, gpu-process, utility...)."""
    try:
        name = Path(f"/proc/{pid}/comm").read_text().strip()
        kind = re.search(rb"--type=([\w-]+)", Path(f"/proc/{pid}/cmdline").read_bytes())
    except OSError:
        return "?"
    return f"{name} {kind[1].decode()}" if kind else name


def _by_name(sizes: list[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    totals: dict[str, int] = {}
    for name, size in sizes:
        totals[name] = totals.get(name, 0) + size
    return tuple(sorted(totals.items(), key=lambda item: -item[1]))


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


def median(costs: Sequence[Cost], what: str) -> float:
    return median_spread([getattr(c, what) for c in costs])[0]


def line(cost: Cost, parts: bool = False) -> str:
    """One run: wall, CPU, peak memory (and the largest programs at the peak)."""
    text = f"{cost.wall:6.2f} s wall {cost.cpu:6.2f} s CPU {cost.peak / 2**20:6.0f} MB peak"
    largest = ", ".join(f"{name} {size / 2**20:.0f}" for name, size in cost.parts[:4])
    return text + (f" ({largest})" if parts and largest else "")


def medians(costs: Sequence[Cost]) -> str:
    """Medians of wall, CPU and peak memory, each with its spread (lowest-highest)."""
    out = []
    for what, unit, scale in (("wall", "s", 1.0), ("cpu", "s CPU", 1.0), ("peak", "MB", 2**-20)):
        mid, low, high = median_spread([getattr(c, what) * scale for c in costs])
        out.append(f"{mid:.2f} {unit} ({low:.2f}-{high:.2f})")
    return ", ".join(out)


def ratio(
    what: str, ours: Sequence[Cost], theirs: Sequence[Cost], goal: float | None = None
) -> str:
    """The ratio of the medians of `what`, the lowest and highest ratio of a pair (runs of the
    two taken in turn), and whether it is within `goal` (at most)."""
    mid = median(ours, what) / median(theirs, what)
    each = [getattr(a, what) / getattr(b, what) for a, b in zip(ours, theirs, strict=True)]
    text = f"{what:4} ratio {mid:.2f}x (pairs {min(each):.2f}x to {max(each):.2f}x)"
    if goal is not None:
        text += f"; goal <= {goal:.2f}x: {'met' if mid <= goal else 'NOT met'}"
    return text
