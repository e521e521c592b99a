"""Reports are safe to open: every HTML page the tool writes carries a Content-Security-Policy
that allows its own stylesheet and the folder's images and nothing else, and still renders
as meant when opened from disk."""

from __future__ import annotations

import base64

import pytest
from playwright.sync_api import sync_playwright

from crawler.analyse.compare import compare
from crawler.model import Audited, Finding, SystemResult
from crawler.record.browser.chromium import launch
from crawler.report import write_index, write_system
from crawler.report.diff import write_diff

HOSTILE = '"><script>window.ran = 1</script><img src=x onerror="window.ran = 2">'
PNG = base64.b64decode(  # 1x1, red
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)


@pytest.fixture
def run_folder(tmp_path):
    folder = tmp_path / "tastselv"
    folder.mkdir()
    (folder / "step-01.png").write_bytes(PNG)
    finding = Finding(
        request_url=f"http://t.tracker.test/?cpr=0707614285&x={HOSTILE}",
        host="t.tracker.test",
        method="GET",
        resource_type="image",
        channel="url",
        detail=f"query parameter {HOSTILE}",
        encoding="plain",
        identifier="cpr",
        page_url=HOSTILE,
    )
    result = SystemResult(
        system=f"TastSelv {HOSTILE}",
        verdict="leak",
        requests=1,
        findings=(finding,),
        errors=(HOSTILE,),
        steps=(("Log ind", "step-01.png"),),
    )
    write_system(result, [], folder)
    write_index([Audited(result, "tastselv")], tmp_path, f"run {HOSTILE}")
    write_diff(compare(tmp_path, tmp_path), tmp_path / "diff")
    return tmp_path


def test_every_page_carries_the_policy_and_no_script(run_folder):
    pages = sorted(run_folder.rglob("*.html"))
    assert [p.name for p in pages] == ["diff.html", "index.html", "report.html"]
    for page in pages:
        head = page.read_text().split("</head>")[0]
        policy = head.split('http-equiv="Content-Security-Policy" content="')[1].split('"')[0]
        assert policy.startswith("default-src 'none'; img-src 'self' data:; style-src 'sha256-")
        assert "script" not in policy and "unsafe" not in policy
        assert "<script" not in page.read_text().lower().replace("&lt;script", "")
        assert " style=" not in page.read_text(), "inline style attributes would be refused"


@pytest.mark.browser
def test_pages_render_from_disk_under_the_policy(run_folder):
    with sync_playwright() as pw:
        browser, _ = launch(pw, [])
        page = browser.new_page()
        messages: list[str] = []
        page.on("console", lambda message: messages.append(message.text))
        for html in ("index.html", "diff/diff.html", "tastselv/report.html"):
            page.goto((run_folder / html).as_uri())
            background = page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert background == "rgb(246, 247, 249)", f"{html}: the stylesheet was applied"
            assert page.evaluate("window.ran") is None
        banner = page.evaluate("getComputedStyle(document.querySelector('.banner')).color")
        shot = page.locator("img[src='step-01.png']")
        assert banner == "rgb(255, 255, 255)" and shot.evaluate("img => img.naturalWidth") == 1
        browser.close()
    assert not [m for m in messages if "Content Security Policy" in m], messages
