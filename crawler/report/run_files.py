"""What a run folder holds beside its systems' folders, written once they are: the index,
summary.json, junit.xml and, when asked, every report as a PDF. Then the folder is sealed."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from crawler.model import Audited
from crawler.report.html import ReportOptions, Title, write_index
from crawler.report.junit import write_junit
from crawler.report.pdf import pages_of, write_pdfs


def write_run_files(
    results: list[Audited],
    run_dir: Path,
    title: Title,
    options: ReportOptions,
    incomplete: bool = False,
    fail_on: Sequence[str] = ("any",),
) -> Path:
    """The index's path; junit.xml fails what `fail_on` fails."""
    index = write_index(results, run_dir, title, incomplete, options)
    write_junit(results, run_dir, fail_on)
    if options.pdf:
        write_pdfs(pages_of(run_dir, results))
    return index
