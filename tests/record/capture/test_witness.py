"""The witness's NetLog never outlives its audit: read and removed (and with the audit's private
temporary folder, however the audit ends: `tests/record/browser/test_scratch.py`)."""

from __future__ import annotations

import tempfile

import pytest

from crawler import bundle
from crawler.model import Citizen, CrawlSettings, Target
from crawler.record.addons.redaction import Redactor
from crawler.record.capture import witness
from crawler.record.session import record
from crawler.testing import Response, SiteServer


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


@pytest.mark.browser
def test_the_witness_keeps_no_session_secret_and_no_netlog(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    secret = "s3ss10n-7f3a9c21"
    page = Response(
        "<img src='/logo.png'><img src='http://px.tracker.test/p.gif'>",
        headers=(("Set-Cookie", f"sid={secret}; Path=/"),),
    )
    with SiteServer({"portal.skat.test/": page}) as server:
        target = Target(
            system="portal",
            start_url="http://portal.skat.test/",
            first_party=("skat.test",),
            resolve=tuple(server.resolve_rules()),
            crawl=CrawlSettings(depth=0, dwell=0.5),
        )
        rec = record(target, Citizen(cpr="0707614285"), tmp_path / "out")
    assert any(r.headers.get("cookie") == f"sid={secret}" for r in server.received)
    wire = (rec.out_dir / bundle.WIRE).read_text()
    assert "portal.skat.test/logo.png" in wire and secret not in wire
    assert rec.witness and rec.witness.ran and not rec.witness.failed
    assert list((tmp_path / "tmp").iterdir()) == [], "no NetLog is left behind"
