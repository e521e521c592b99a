"""PDF copies of a run's reports, for case files: each HTML page printed by the Chromium the
audits use (`page.pdf`) through the print stylesheet, with every collapsed block opened, so
the PDF holds all the report holds."""

from __future__ import annotations

from pathlib import Path

from crawler import bundle
from crawler.model import Audited

OPEN_EVERY_BLOCK = "document.querySelectorAll('details').forEach(d => d.open = true)"
# Chromium fills in the page's <title> and the page numbers; nothing from the page is inserted.
FOOTER = (
    '<div style="font-size:7pt;color:#666;width:100%;margin:0 12mm;display:flex;'
    'justify-content:space-between"><span class="title"></span>'
    '<span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>'
)


def pages_of(run_dir: Path, results: list[Audited]) -> list[Path]:
    """The run's HTML reports that get a PDF: each audited system's and the index."""
    reports = [run_dir / folder / bundle.REPORT for _, folder in results if folder]
    return [p for p in reports if p.is_file()] + [run_dir / bundle.INDEX]


def write_pdfs(pages: list[Path]) -> list[Path]:
    """report.pdf beside each report.html, index.pdf beside index.html; in one browser."""
    from playwright.sync_api import sync_playwright  # reading reports needs no browser

    from crawler.record.browser.chromium import launch

    written = []
    with sync_playwright() as pw:
        browser, _ = launch(pw)
        try:
            page = browser.new_page()
            for html in pages:
                page.goto(html.resolve().as_uri())
                page.evaluate(OPEN_EVERY_BLOCK)
                pdf = html.with_name(
                    bundle.INDEX_PDF if html.name == bundle.INDEX else bundle.REPORT_PDF
                )
                page.pdf(
                    path=pdf,
                    format="A4",
                    print_background=True,
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=FOOTER,
                    margin={"top": "12mm", "bottom": "16mm", "left": "12mm", "right": "12mm"},
                )
                written.append(pdf)
        finally:
            browser.close()
    return written
