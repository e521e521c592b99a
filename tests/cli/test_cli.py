"""`cpraudit adhoc` end to end: real Chromium, loopback portal, every channel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.testing import Response, SiteServer
from crawler.testing.portals import CPR, EXPECTED, PORTAL, adhoc


@pytest.mark.browser
def test_adhoc_finds_the_cpr_in_every_channel(leaky_portal, tmp_path):
    code, found = adhoc(leaky_portal, tmp_path)
    assert code == 1 and found["verdict"] == "leak"
    channels = {}
    for f in found["findings"]:
        channels.setdefault(f["host"], set()).add(f["channel"])
    assert set(channels) == set(EXPECTED), "exactly the planted third parties, nothing CPR-free"
    for host, channel in EXPECTED.items():
        assert channel in channels[host], (
            f"{host}: expected a finding in {channel}, got {channels[host]}"
        )
    referer = next(f for f in found["findings"] if f["host"] == "cdn.cdnvendor.test")
    assert referer["detail"].lower() == "header referer" and referer["page_url"].endswith(
        f"/side?cpr={CPR}"
    )
    assert any(f["host"] == PORTAL for f in found["first_party"]), "first-party CPR kept as context"
    assert (tmp_path / "out" / "index.html").is_file() and (
        tmp_path / "out" / "junit.xml"
    ).is_file()
    sealed = json.loads((tmp_path / "out" / "manifest.json").read_text())["files"]
    evidence = {"network.har", "trace.zip", "requests.jsonl", "report.html", "findings.json"}
    assert {f"{PORTAL.replace('.', '-')}/{name}" for name in evidence} <= set(sealed)
    assert any("/pages/page-" in name for name in sealed), "the CPR pages' HTML too"
    assert main(["verify", str(tmp_path / "out")]) == 0


@pytest.mark.browser
def test_adhoc_is_clean_when_only_the_first_party_sees_the_cpr(clean_portal, tmp_path, capsys):
    code, found = adhoc(clean_portal, tmp_path)
    assert (code, found["verdict"], found["findings"]) == (0, "clean", [])
    assert found["first_party"], "the first-party API call with the CPR is reported as context"
    assert {h["host"] for h in found["hosts"]} == {
        "pixel.imgtracker.test",
        "collect.cleanvendor.test",
    }
    share = (
        100
        * found["detect_seconds"]
        / (found["finished"] - found["started"] + found["detect_seconds"])
    )
    assert 0 < share < 50, "the detector's time is measured, and recording dominates"
    assert f"{share:.1f} % of the systems' audit time" in capsys.readouterr().out
    report = (tmp_path / "out" / PORTAL.replace(".", "-") / "report.html").read_text()
    assert f"{share:.1f} % of the audit's wall time" in report


@pytest.mark.browser
def test_unreachable_start_page_is_inconclusive_not_clean(tmp_path):
    out = tmp_path / "out"
    code = main(
        [
            "adhoc",
            "http://nowhere.test/",
            "--cpr",
            CPR,
            "--resolve",
            "*.test=127.0.0.1:9",
            "--dwell",
            "0",
            "--out",
            str(out),
        ]
    )
    found = json.loads((out / "nowhere-test" / "findings.json").read_text())
    assert code == 2 and found["verdict"] == "inconclusive"
    assert "did not load" in found["errors"][0]


@pytest.mark.parametrize(
    "args, message",
    [
        (["adhoc", "http://x.test/", "--cpr", "12345"], "10 digits"),
        (["adhoc", "http://x.test/", "--cpr", "3213991234"], "date"),
        (["adhoc", "ftp://x.test/", "--cpr", CPR], "not an http(s) URL"),
        (["adhoc", "http://x.test/", "--cpr", CPR, "--resolve", "nonsense"], "PATTERN=ADDRESS"),
        (["adhoc", "http://x.test/", "--cpr", CPR, "--max-pages", "0"], "--max-pages 0: input"),
        (["adhoc", "http://x.test/", "--cpr", CPR, "--depth", "-1"], "--depth -1: input"),
        (
            ["adhoc", "http://x.test/", "--cpr", CPR, "--out", "/proc/cpraudit"],
            "choose a writable folder",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1, err


def test_scan_har_reports_leaks_from_a_devtools_export(tmp_path):
    out = tmp_path / "out"
    har = Path(__file__).parents[1] / "data" / "chrome.har"
    code = main(["scan-har", str(har), "--cpr", CPR, "--out", str(out)])
    found = json.loads((out / "chrome-har" / "findings.json").read_text())
    assert code == 1 and found["verdict"] == "leak"
    assert {f["channel"] for f in found["findings"]} >= {"url", "websocket"}


def test_scan_har_counts_unreadable_entries_and_is_not_clean(tmp_path):
    bad = tmp_path / "partly.har"
    bad.write_text(
        json.dumps(
            {
                "log": {
                    "version": "1.2",
                    "creator": {"name": "x", "version": "1"},
                    "entries": [
                        {
                            "startedDateTime": "2026-01-01T00:00:00Z",
                            "request": {
                                "method": "GET",
                                "url": "http://www.skat.test/",
                                "headers": [],
                            },
                            "response": {"status": 200},
                        },
                        {"request": {"method": "GET"}},
                    ],
                }
            }
        )
    )
    code = main(["scan-har", str(bad), "--cpr", CPR, "--out", str(tmp_path / "out")])
    found = json.loads((tmp_path / "out" / "partly-har" / "findings.json").read_text())
    assert code == 2 and found["verdict"] == "inconclusive"
    assert found["errors"][0].startswith("1 of 2 HAR entries could not be read")
    assert any(
        "a CPR in a cookie cannot be found in this file" in note for note in found["notes"]
    ), "a file without any cookie says so in the report"


def test_scan_har_bad_file_is_one_line(tmp_path, capsys):
    broken = tmp_path / "cut.har"
    broken.write_text('{"log": {"entries": [{"request": {"url": "http://a')
    assert main(["scan-har", str(broken), "--cpr", CPR]) == 2
    err = capsys.readouterr().err.strip()
    assert "ends early" in err and len(err.splitlines()) == 1


@pytest.mark.browser
def test_adhoc_bounds_can_be_raised_past_30_pages_and_say_what_they_left_out(tmp_path):
    links = "".join(f'<a href="/side/{n}">Side {n}</a>' for n in range(1, 34))
    routes = {f"{PORTAL}/": Response(links)} | {
        f"{PORTAL}/side/{n}": Response(f"<p>Side {n}</p>") for n in range(1, 34)
    }
    with SiteServer(routes) as server:
        common = ["--dwell", "0", "--resolve", server.resolve_rules()[0]]
        raised = run_adhoc(
            tmp_path / "raised", *common, "--max-pages", "34", "--max-seconds", "120"
        )
        default = run_adhoc(tmp_path / "default", *common)
    assert len(raised["pages"]) == 34 and raised["coverage"]["not_visited"] == []
    assert len(default["pages"]) == 30
    assert {link["reason"] for link in default["coverage"]["not_visited"]} == {"page bound"}
    assert default["coverage"]["bounds"] == ["page bound: 30 pages visited"]
    index = (tmp_path / "default" / "index.html").read_text()
    line = "no leak found on 30 pages without login; 4 links not visited: page bound reached"
    assert line in index


def run_adhoc(out: Path, *args: str) -> dict:
    assert main(["adhoc", f"http://{PORTAL}/", "--cpr", CPR, "--out", str(out), *args]) == 0
    return json.loads((out / PORTAL.replace(".", "-") / "findings.json").read_text())
