"""A full disk under the output folder: the first write that fails stops the recording (the
system inconclusive, "disk full while writing <file>"), the terminal gets one line and no
traceback, and what was written stays readable; a report that cannot be written is said so.

The disk is real: a tmpfs of 2 MB mounted over the output folder in a mount namespace of the
command's own (`unshare`), so that writes fail with ENOSPC exactly as on a full disk, in every
process of the audit (the recorder, its browser's driver, the runner's audit processes). The
namespace, and the mount with it, end with the command; the script copies what it wrote out
first.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler import bundle
from crawler.model import Exchange
from crawler.testing import Response, SiteServer
from crawler.testing.portals import CPR, PORTAL

pytestmark = pytest.mark.browser

DISK = "2m"
PAGE = """<!doctype html><title>Uploads</title><a href="/second">2</a> <a href="/third">3</a>
<script>
const big = "x".repeat(700000);  // six of these fill the disk
for (let i = 0; i < 6; i++)
  fetch("http://api.uploads.test/up?n=" + i, {method: "POST", mode: "no-cors", body: big + i});
</script>"""
ROUTES = {
    f"{PORTAL}/": Response(PAGE),
    f"{PORTAL}/second": Response("<p>Second</p>"),
    f"{PORTAL}/third": Response("<p>Third</p>"),
}
SCRIPT = """
mount -t tmpfs -o size={disk} tmpfs "$DISK" || exit 90
if [ -n "$FILL" ]; then head -c "$FILL" /dev/zero > "$DISK/filler"; fi
"$@" --out "$DISK/out" > "$KEEP/stdout" 2> "$KEEP/stderr"
echo $? > "$KEEP/rc"
cp -a "$DISK/out" "$KEEP/out"
"""


def on_a_full_disk(tmp_path: Path, *command: str, fill: int = 0) -> tuple[int, str, str, Path]:
    """`cpraudit COMMAND --out DISK/out` with DISK a 2 MB tmpfs, `fill` bytes of it taken
    before: exit code, stdout, stderr and a copy of the output folder."""
    unshare = ["unshare", "--mount"] + ([] if os.geteuid() == 0 else ["--map-root-user"])
    if not shutil.which("unshare") or subprocess.run([*unshare, "true"]).returncode:
        pytest.skip("needs a mount namespace of its own (unshare) to mount a small tmpfs")
    disk, keep = tmp_path / "disk", tmp_path / "kept"
    disk.mkdir(), keep.mkdir()
    env = dict(os.environ, DISK=str(disk), KEEP=str(keep), FILL=str(fill or ""))
    script = SCRIPT.format(disk=DISK)
    done = subprocess.run(
        [*unshare, "sh", "-c", script, "sh", sys.executable, "-m", "crawler", *command],
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    if done.returncode == 90:
        pytest.skip("mounting a tmpfs is not allowed here")
    read = lambda name: (keep / name).read_text()  # noqa: E731
    return int(read("rc")), read("stdout"), read("stderr"), keep / "out"


def readable(record: Path) -> list[Exchange]:
    """Every line of a record, each whole: none may be cut."""
    return [Exchange.model_validate_json(line) for line in record.read_text().splitlines()]


def test_the_first_write_that_fails_stops_the_recording_in_one_line(tmp_path):
    with SiteServer(dict(ROUTES)) as server:
        started = time.monotonic()
        code, out, err, folder = on_a_full_disk(
            tmp_path,
            *("adhoc", f"http://{PORTAL}/", "--cpr", CPR, "--resolve", server.resolve_rules()[0]),
            *("--depth", "1", "--dwell", "20"),
        )
        took = time.monotonic() - started
        asked = {r.route for r in server.received}
    system = folder / bundle.slug(PORTAL)
    assert (code, err) == (
        2,
        f"error: {PORTAL}: disk full while writing requests.jsonl: the recording stopped there\n",
    )
    found = json.loads((system / bundle.FINDINGS).read_text())
    assert found["verdict"] == "inconclusive"
    assert (
        found["errors"][0] == "disk full while writing requests.jsonl: the recording stopped there"
    )
    assert readable(system / bundle.REQUESTS), "what was written before stays, every line whole"
    # the recorder writes the uploads at the latest as the crawl leaves the page: the visit
    # stops there, and never waits out the next page's dwell
    assert f"{PORTAL}/third" not in asked and took < 45, "the visit stopped at once"
    assert "Traceback" not in out + err


def test_a_report_that_cannot_be_written_is_said_in_one_line(tmp_path):
    with SiteServer(dict(ROUTES)) as server:
        (tmp_path / "audit.toml").write_text(f"""
[[citizens]]
id = "jens"
cpr = "{CPR}"

[[systems]]
name = "Portal"
start_url = "http://{PORTAL}/"
first_party = ["skat.test"]
resolve = ["{server.resolve_rules()[0]}"]
crawl = {{ depth = 0, dwell = 1 }}
""")
        code, out, err, folder = on_a_full_disk(
            tmp_path, "run", "audit.toml", "--history", "none", fill=2048 * 1024 - 40 * 1024
        )
    assert code == 2 and len(err.splitlines()) == 1, err
    assert err.startswith("error: disk full while writing ")
    assert err.endswith(
        ": the report could not be written; free space there, or choose another --out, "
        "and run again\n"
    )
    readable(folder / "portal" / bundle.REQUESTS)
    assert "Traceback" not in out + err
