"""`cpraudit scan-har` on damaged exports: what can be read is searched, and what could not be
read is named, in the report and in one line on stderr."""

from __future__ import annotations

import json
from pathlib import Path

from crawler import bundle
from crawler.cli import main
from crawler.testing.portals import CPR

DATA = Path(__file__).parents[1] / "data"
LEAKS = {"stats.analytics.test", "ads.blocked.test", "cdn.maxcdn.test", "chat.wsvendor.test"}


DEEP = "[" * 5000 + "]" * 5000


def damaged(tmp_path: Path) -> Path:
    """Chrome's export with a field of four entries damaged as real files
    are, and one entry that cannot be read at all; NaN and Infinity as json.dumps writes them."""
    data = json.loads((DATA / "chrome.har").read_text())
    entries = data["log"]["entries"]
    entries[0]["_initiator"] = {"stack": "DEEP"}  # a property nested 5,000 levels deep
    entries[2]["response"]["status"] = float("nan")
    entries[3]["response"]["status"] = float("inf")
    entries[6]["response"] |= {"status": 302, "redirectURL": "http://[::zz]/"}
    entries.insert(5, {"request": {"method": "GET", "url": "http://[::zz]/"}})
    path = tmp_path / "damaged.har"
    path.write_text(json.dumps(data).replace('"DEEP"', DEEP))
    return path


def test_a_damaged_har_is_searched_where_it_can_be_read_and_says_what_could_not(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["scan-har", str(damaged(tmp_path)), "--cpr", CPR, "--out", str(out)])
    found = json.loads((out / "damaged-har" / bundle.FINDINGS).read_text())
    assert (code, found["verdict"]) == (1, "leak"), "the readable part holds a leak"
    assert {f["host"] for f in found["findings"]} >= LEAKS
    assert found["errors"] == [
        "1 of 9 HAR entries could not be read and 4 part(s) of entries could not be read and "
        "were left out, so the file was not fully searched",
        "entry 1: _initiator.stack[0][0][0] nested too deeply to read (a browser's HAR is "
        "a few levels deep): left out",
        "entry 3: response.status is NaN, not a number: left out",
        "entry 4: response.status is Infinity, not a number: left out",
        "entry 6: request.url is not a valid URL",
        "entry 8: response.redirectURL is not a valid URL: left out",
    ]
    report = (out / "damaged-har" / bundle.REPORT).read_text()
    assert "entry 6: request.url is not a valid URL" in report
    assert capsys.readouterr().err == ""


def test_a_damaged_har_without_a_leak_is_inconclusive_with_its_reason_on_stderr(tmp_path, capsys):
    def entry(url: str, status: str) -> str:
        request = f'{{"method": "GET", "url": "{url}"}}'
        return f'{{"request": {request}, "response": {{"status": {status}}}}}'

    entries = [entry("https://www.skat.test/", "Infinity"), entry("http://[::zz]/", "200")]
    path = tmp_path / "damaged.har"
    path.write_text('{"log": {"entries": [' + ", ".join(entries) + "]}}")
    code = main(["scan-har", str(path), "--cpr", CPR, "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1
    assert err == (
        "inconclusive: 1 of 2 HAR entries could not be read and 1 part(s) of entries could not "
        "be read and were left out, so the file was not fully searched; entry 1: "
        "response.status is Infinity, not a number: left out; entry 2: request.url is not a "
        "valid URL\n"
    )
