"""The detector's share of an audit's wall time, on the bundled demo portal.

    .venv/bin/python -m benchmarks.audit

Each system is recorded in a real Chromium (scenario, crawl, dwell for timed beacons) and
then searched; both are measured in the same run, so the share is a ratio of two times on
this machine. Every audit reports the same figure in its report and summary.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from crawler.demo.run import audit_demo


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        outcome = audit_demo(Path(folder), jobs=2)
    results = [result for result, _ in outcome.results]
    for r in results:
        print(
            f"{r.system:24} {r.requests:5} requests  audit {r.wall_seconds:6.1f} s  "
            f"detection {r.detect_seconds:6.3f} s  {100 * r.detect_share:5.2f} %"
        )
    wall, detecting = sum(r.wall_seconds for r in results), sum(r.detect_seconds for r in results)
    print(
        f"{'all systems':24} {sum(r.requests for r in results):5} requests  audit {wall:6.1f} s  "
        f"detection {detecting:6.3f} s  {100 * detecting / wall:5.2f} %"
    )


if __name__ == "__main__":
    main()
