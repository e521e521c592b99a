"""`cpraudit diff` on real runs of a loopback portal: a release that adds a leak fails, one that
removes a leak passes, an unchanged one passes, an incomplete one proves nothing; the page is
static and shows hostile names as text."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from crawler.cli import main
from crawler.record.browser.chromium import launch
from crawler.testing import Response, SiteServer

CPR = "0707614285"
PIXEL = f'<img src="http://pixel.tracker.test/p.gif?dl={CPR}">'
HOSTILE = "<script>alert(1)</script>"
NEW_LEAK = (  # a parameter named like markup: the page must show it as text
    '<script>new Image().src = "http://beacon.newvendor.test/b?'
    f'{HOSTILE.replace("<", "%3C").replace(">", "%3E")}={CPR}"</script>'
)


def audit(tmp_path: Path, server: SiteServer, name: str, extra: str = "") -> Path:
    """A run of TastSelv (the pixel, plus `extra`) and Forskud (the same pixel)."""
    config = f'[[citizens]]\nid = "jens"\ncpr = "{CPR}"\n'
    for system, page in (("TastSelv", PIXEL + extra), ("Forskud", PIXEL)):
        host = f"{system.lower()}.skat.test"
        server.routes[f"{host}/"] = Response(f"<!doctype html><h1>{system}</h1>{page}")
        config += f"""
[[systems]]
name = "{system}"
start_url = "http://{host}/"
first_party = ["skat.test"]
resolve = ["{server.resolve_rules()[0]}"]
crawl = {{ depth = 0, dwell = 0.5, max_pages = 1 }}
"""
    (tmp_path / f"{name}.toml").write_text(config)
    out = tmp_path / name
    assert (
        main(["run", str(tmp_path / f"{name}.toml"), "--out", str(out), "--history", "none"]) == 1
    )
    return out


def diff(tmp_path: Path, a: Path, b: Path, capsys) -> tuple[int, str]:
    code = main(["diff", str(a), str(b), "--out", str(tmp_path / "diffs" / f"{a.name}-{b.name}")])
    return code, capsys.readouterr().out


@pytest.mark.browser
def test_a_new_leak_in_b_fails_a_removed_one_passes(tmp_path, capsys):
    with SiteServer({}) as server:
        before = audit(tmp_path, server, "before")
        after = audit(tmp_path, server, "after", NEW_LEAK)

    code, out = diff(tmp_path, before, after, capsys)
    assert code == 1
    added = [line for line in out.splitlines() if "+ only in B" in line]
    assert len(added) == 1 and "newvendor.test" in added[0] and HOSTILE in added[0]
    assert "1 leak(s) only in B, 0 only in A, 2 in both" in out

    code, out = diff(tmp_path, after, before, capsys)
    assert code == 0 and "0 leak(s) only in B, 1 only in A, 2 in both" in out
    assert diff(tmp_path, after, after, capsys)[0] == 0, "identical runs"

    # two systems, of one run or of two: compared without their names
    code, out = diff(tmp_path, after / "forskud", after / "tastselv", capsys)
    assert code == 1 and "0 only in A, 1 in both" in out
    assert diff(tmp_path, before / "tastselv", before / "forskud", capsys)[0] == 0

    page = tmp_path / "diffs" / "before-after" / "diff.html"
    shown, dialogs = read_in_chromium(page)
    assert dialogs == [] and HOSTILE in shown, "the markup is text on the page, never run"
    html = page.read_text("utf-8")
    assert HOSTILE not in html and "&lt;script&gt;" in html
    assert "Content-Security-Policy" in html


@pytest.mark.browser
def test_an_inconclusive_or_missing_system_in_b_proves_nothing(tmp_path, capsys):
    with SiteServer({}) as server:
        before = audit(tmp_path, server, "before")
    broken = tmp_path / "broken"
    shutil.copytree(before, broken)
    findings = broken / "tastselv" / "findings.json"
    data = json.loads(findings.read_text())
    data |= {"verdict": "inconclusive", "findings": [], "errors": ["the browser died"]}
    findings.write_text(json.dumps(data))
    code, out = diff(tmp_path, before, broken, capsys)
    assert code == 2 and "TastSelv: B's audit was inconclusive (the browser died)" in out

    summary = broken / "summary.json"
    data = json.loads(summary.read_text())
    data["systems"] = [s for s in data["systems"] if s["system"] != "TastSelv"]
    summary.write_text(json.dumps(data))
    code, out = diff(tmp_path, before, broken, capsys)
    assert code == 2 and "TastSelv: audited in A but not in B" in out


def read_in_chromium(page: Path) -> tuple[str, list[str]]:
    """The page's visible text and any dialogs a script opened, as a reader's browser shows it."""
    with sync_playwright() as p:
        browser, _ = launch(p, [])
        tab = browser.new_page()
        dialogs: list[str] = []
        tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        tab.goto(page.as_uri())
        text = tab.inner_text("body")
        browser.close()
    return text, dialogs


@pytest.mark.parametrize(
    "a, b, problem",
    [
        ("run", "run/tastselv", "give two run folders or two system folders"),
        ("run", "nowhere", "neither a run folder"),
    ],
)
def test_bad_input_is_one_line(tmp_path, capsys, a, b, problem):
    run = tmp_path / "run"
    (run / "tastselv").mkdir(parents=True)
    (run / "summary.json").write_text('{"incomplete": false, "systems": []}')
    (run / "tastselv" / "findings.json").write_text(
        '{"system": "TastSelv", "verdict": "clean", "requests": 3}'
    )
    assert main(["diff", str(tmp_path / a), str(tmp_path / b)]) == 2
    err = capsys.readouterr().err
    assert problem in err and err.count("\n") == 1


def test_the_page_is_never_written_inside_a_compared_folder(tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    (run / "summary.json").write_text('{"incomplete": false, "systems": []}')
    assert main(["diff", str(run), str(run), "--out", str(run / "cmp")]) == 2
    assert "inside" in capsys.readouterr().err and not (run / "cmp").exists()


def test_a_hostile_request_url_is_text_on_the_page(tmp_path, capsys):
    """A HAR can carry any URL at all; the page shows it escaped, and the terminal safely."""
    har = json.loads((Path(__file__).parents[1] / "data" / "chrome.har").read_text())
    url = f'https://evil.test/x?"><script>alert(2)</script>\x1b[31m={CPR}'
    entry = json.loads(json.dumps(har["log"]["entries"][1]))
    entry["request"] |= {"url": url, "headers": [], "queryString": []}
    sides = {}
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "export.har").write_text(json.dumps(har))
        args = ["scan-har", str(tmp_path / name / "export.har"), "--cpr", CPR]
        assert main([*args, "--out", str(tmp_path / f"run-{name}")]) == 1
        har["log"]["entries"].append(entry)
        sides[name] = tmp_path / f"run-{name}"
    capsys.readouterr()
    code, out = diff(tmp_path, sides["a"], sides["b"], capsys)
    assert code == 1 and "evil.test" in out and "\x1b" not in out
    html = (tmp_path / "diffs" / "run-a-run-b" / "diff.html").read_text("utf-8")
    assert "<script>alert(2)" not in html and "&lt;script&gt;alert(2)&lt;/script&gt;" in html
