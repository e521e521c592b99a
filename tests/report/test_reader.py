"""The demo's reports as a reader sees them, in Chromium at 1366x768: the verdict and who got
the CPR on the first screen, one card per leak with its requests folded away, the data-flow
picture with an edge for each page and receiver, Danish throughout, and the PDFs of a case
file. One demo run (`cpraudit demo --lang da --pdf`) serves every test."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright
from pypdf import PdfReader

from crawler.cli import main
from crawler.record.browser.chromium import launch
from tests.report.test_i18n import danish, english_left, english_pieces

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SYSTEMS = {
    "tastselv": "LÆK",
    "skattekontoen": "LÆK",
    "forskud": "INTET LÆK FUNDET",
    "letløn": "UAFKLARET",
}
FOLD = 768  # px: what a 1366x768 screen shows before any scrolling
# The page's words, not its data: no code (URLs, headers), no file names, nothing marked as a
# quotation (page text, an exception's words: translate="no").
WORDS = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll("code, #evidence li, [translate=no]").forEach(e => e.remove());
  return body.textContent;
}"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reader") / "demo"
    assert main(["demo", "--out", str(out), "--lang", "da", "--pdf"]) == 0
    return out


@pytest.fixture(scope="module")
def page():
    with sync_playwright() as pw:
        browser, _ = launch(pw)
        yield browser.new_page(viewport={"width": 1366, "height": FOLD})
        browser.close()


def findings(demo: Path, folder: str) -> dict:
    return json.loads((demo / folder / "findings.json").read_text("utf-8"))


def bottom(page: Page, selector: str) -> float:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box["y"] + box["height"]


@pytest.mark.parametrize("folder", SYSTEMS)
def test_the_first_screen_holds_the_verdict_and_who_received_the_cpr(demo, page, folder):
    page.goto((demo / folder / "report.html").as_uri())
    found = findings(demo, folder)
    assert page.locator("header.banner h1").inner_text().endswith(f": {SYSTEMS[folder]}")
    assert "dækker" in page.locator("header.banner").inner_text().lower(), "with its coverage"
    assert bottom(page, "header.banner") < FOLD
    receivers = {t["organisation"] for t in found["third_parties"] if t["cpr_requests"]}
    rows = page.locator("#receivers table.summary tr:has(td)")
    assert {r.locator("td strong").first.inner_text() for r in rows.all()} == receivers
    assert bottom(page, "#receivers") <= FOLD, "the whole table, without scrolling"


@pytest.mark.parametrize("folder", ["tastselv", "skattekontoen"])
def test_one_card_per_leak_with_its_requests_folded_and_the_cpr_marked_in_each(demo, page, folder):
    page.goto((demo / folder / "report.html").as_uri())
    per_leak = Counter(f["fingerprint"] for f in findings(demo, folder)["findings"])
    cards = page.locator("#findings article.card").all()
    assert len(cards) == len(per_leak) < len(findings(demo, folder)["findings"])
    for card in cards:
        fingerprint = next(fp for fp in per_leak if fp in card.inner_text())
        details = card.locator("details")
        assert (
            details.evaluate("d => d.open") is False and not card.locator("mark").first.is_visible()
        )
        assert card.locator("table.occurrences tr:has(td)").count() == per_leak[fingerprint]
        assert card.locator("mark").count() == per_leak[fingerprint], "once per request"
    assert all(not d.evaluate("d => d.open") for d in page.locator("details").all()), (
        "first-party uses and latent leaks are folded too"
    )


@pytest.mark.parametrize("folder", ["tastselv", "skattekontoen"])
def test_the_picture_has_an_edge_for_each_page_and_receiver_of_the_cpr(demo, page, folder):
    page.goto((demo / folder / "report.html").as_uri())
    found = findings(demo, folder)
    flows = {(f["page_url"] or "", f["entity"]) for f in found["findings"]}
    edges = page.locator("svg.flow path.edge.leak").all()
    drawn = [(e.get_attribute("data-from"), e.get_attribute("data-to")) for e in edges]
    assert sorted(drawn) == sorted(flows), "one edge per page and receiver, none twice"
    assert {to for _, to in drawn} == {t["organisation"] for t in found["third_parties"]}


def test_a_clean_picture_shows_who_was_on_the_page_without_a_leak_edge(demo, page):
    page.goto((demo / "forskud" / "report.html").as_uri())
    edges = page.locator("svg.flow path.edge")
    assert edges.count() >= 1 and page.locator("svg.flow path.edge.leak").count() == 0


@pytest.mark.parametrize("name", [*(f"{s}/report.html" for s in SYSTEMS), "index.html"])
def test_the_danish_pages_show_no_english_message(demo, page, name):
    page.goto((demo / name).as_uri())
    assert page.locator("html").get_attribute("lang") == "da"
    assert not english_left(page.evaluate(WORDS), english_pieces(danish()))


def test_the_index_lists_every_system_by_supplier(demo, page):
    page.goto((demo / "index.html").as_uri())
    text = page.locator("table.summary").inner_text()
    for system in ("TastSelv", "Skattekontoen", "Forskud", "LetLøn", "Eksport", "PSRM"):
        assert system in text
    assert page.locator("tr.supplier").count() == 6, "the six suppliers of Table 1"
    assert "Demo CDN LLC (stands in for MaxCDN) (US)" in text, "who received the CPR"
    assert bottom(page, "tr:has(a[href='tastselv/report.html'])") <= FOLD * 2


@pytest.mark.parametrize(
    "name, pages",
    [("tastselv/report.pdf", (5, 30)), ("forskud/report.pdf", (2, 12)), ("index.pdf", (1, 4))],
)
def test_the_pdfs_of_a_case_file(demo, name, pages):
    pdf = PdfReader(demo / name)
    low, high = pages
    assert low <= len(pdf.pages) <= high
    first = pdf.pages[0].extract_text()
    if name != "index.pdf":
        assert SYSTEMS[name.split("/")[0]] in first and "Hvem modtog CPR-nummeret" in first
        starts = [p.extract_text().lstrip().split("\n")[0] for p in pdf.pages]
        assert "Fund: CPR-nummeret sendt til tredjeparter" in starts, "a section, a new page"
    sealed = json.loads((demo / "manifest.json").read_text())["files"]
    assert name in sealed and main(["verify", str(demo)]) == 0
