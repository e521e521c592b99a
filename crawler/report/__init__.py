"""Reports: findings.json and report.html per system; index.html, summary.json and junit.xml per
run; in English or Danish, and as PDF when asked."""

from crawler.report.html import DEFAULT_REPORT, ReportOptions, Title, write_index, write_system
from crawler.report.junit import write_junit
from crawler.report.run_files import write_run_files

__all__ = [
    "DEFAULT_REPORT",
    "ReportOptions",
    "Title",
    "write_index",
    "write_junit",
    "write_run_files",
    "write_system",
]
