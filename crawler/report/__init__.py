"""Reports: findings.json and report.html per system; index.html, summary.json and junit.xml per
run."""

from crawler.report.html import write_index, write_system
from crawler.report.junit import write_junit

__all__ = ["write_index", "write_junit", "write_system"]
