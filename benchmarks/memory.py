"""What a very large body costs: `cpraudit adhoc` of a page that POSTs `--mb` MB to a third
party with the CPR at its very end, and the same page's bare Playwright visit.

    .venv/bin/python -m benchmarks.memory [--runs N] [--mb MB]

Each command runs in a process of its own; its peak memory is the largest summed PSS of its
whole process tree (Python, Playwright's driver, every Chromium process; `benchmarks/tree.py`),
sampled every 0.1 s. Runs alternate which of the two goes first. Printed: each run, the medians
and spread, the ratios, whether the audit found the CPR at the end of the body, and the goal
(peak <= 1.1 times the bare script's). Everything runs on loopback.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from benchmarks.tree import Cost, line, measure, medians, ratio
from crawler.testing.sites import Response, SiteServer

CPR = "0707614285"
GOAL = 1.1  # peak at most this times the bare script's
HOST = "upload.bigvendor.test"
DWELL = 2.0


def page(mb: int) -> str:
    """A page that sends `mb` MB of filler with the CPR as its last bytes, and says when done."""
    return f"""<!doctype html><title>Upload</title><p id=state>sending</p><script>
const body = "x".repeat({mb} * 1048576 - 20) + "&cpr={CPR}";
fetch("http://{HOST}/upload", {{method: "POST", mode: "no-cors", body}})
  .then(() => document.getElementById("state").textContent = "sent");
</script>"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each (default 3)")
    parser.add_argument("--mb", type=int, default=50, help="size of the body (default 50)")
    args = parser.parse_args()
    runs: dict[str, list[Cost]] = {"bare": [], "cpraudit": []}
    found = []
    start = "http://portal.upload.test/"
    with SiteServer({"portal.upload.test/": Response(page(args.mb))}) as server:
        resolve = server.resolve_rules()[0]
        bare = [sys.executable, "-m", "benchmarks.bare", resolve, str(DWELL), start]
        with tempfile.TemporaryDirectory() as folder:
            for n in range(args.runs):
                out = Path(folder) / f"adhoc-{n}"
                adhoc = [sys.executable, "-m", "crawler", "adhoc", start, "--cpr", CPR]
                adhoc += ["--resolve", resolve, "--dwell", str(DWELL), "--out", str(out)]
                order = [("bare", bare), ("cpraudit", adhoc)]
                for name, command in order if n % 2 == 0 else order[::-1]:
                    runs[name].append(measure(command))
                    print(f"run {n + 1} {name:9} {line(runs[name][-1], parts=True)}", flush=True)
                found.append(_found(out))
        received = [r for r in server.received if r.host == HOST]
    print(f"\n{args.mb} MB POST with the CPR at its end, {args.runs} runs each:")
    for name, costs in runs.items():
        print(f"  {name:9} " + medians(costs))
    for what in ("wall", "cpu", "peak"):
        goal = GOAL if what == "peak" else None
        print("  cpraudit / bare " + ratio(what, runs["cpraudit"], runs["bare"], goal))
    print(f"  the CPR at the end of the body found: {sum(found)} of {len(found)} audits")
    print(f"  the server received {len(received)} uploads of {args.mb} MB (one a run of each)")
    if not all(found):
        raise SystemExit("the CPR at the end of the body was not found in every audit")


def _found(out: Path) -> bool:
    system = next(p for p in out.iterdir() if p.is_dir())
    findings = json.loads((system / "findings.json").read_text())["findings"]
    return any(f["host"] == HOST and f["channel"] == "body" for f in findings)


if __name__ == "__main__":
    main()
