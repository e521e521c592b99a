"""diff.html: the comparison of two audits as a page, static and escaped like the reports."""

from __future__ import annotations

from pathlib import Path

from crawler import bundle
from crawler.analyse.compare import Comparison
from crawler.model import Language
from crawler.report.html import render


def write_diff(comparison: Comparison, out_dir: Path, lang: Language = "en") -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / bundle.DIFF
    path.write_text(render("diff.html", lang, c=comparison), encoding="utf-8")
    return path
