"""The witness's NetLog never outlives its audit: read and removed, or swept by the next one."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

from crawler.record import witness
from crawler.record.redaction import Redactor


def test_a_netlog_is_removed_once_read_and_nothing_is_kept_without_one(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    seen = witness.Witness()
    assert seen.path and seen.switches()[0] == f"--log-net-log={seen.path}"
    seen.path.write_text("")  # Chromium died before writing anything
    summary = seen.finish(tmp_path, Redactor([], set()))
    assert summary.failed and "ends early" in (summary.reason or "")
    assert list((tmp_path / "tmp").iterdir()) == [], "the NetLog's folder is gone"
    off = witness.Witness(wanted=False)
    assert off.switches() == [] and off.finish(tmp_path, Redactor([], set())).reason == witness.OFF


def test_netlogs_of_killed_audit_processes_are_swept(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    (tmp_path / f"cpraudit-netlog-{ended.stdout.strip()}-abc").mkdir()
    witness.Witness()  # a new audit
    assert [p.name.split("-")[2] for p in tmp_path.iterdir()] == [str(os.getpid())]
