"""Reports use the templates an earlier run compiled, kept in cpraudit's data folder: the same
pages as templates compiled afresh, and a damaged or unwritable folder costs only the compiling."""

from __future__ import annotations

import jinja2
import pytest

from crawler import npm
from crawler.model import SystemResult
from crawler.report import ReportOptions, html, write_system

RESULT = SystemResult(system="TastSelv", verdict="clean", requests=3)


@pytest.fixture
def report(tmp_path, monkeypatch):
    """Writes a report with the data folder given, as a new run would; its page, and how many
    templates were compiled for it."""
    compiled: list[str] = []
    compile_ = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return compile_(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)

    def write(data, lang="en") -> tuple[str, int]:
        monkeypatch.setenv(npm.DATA_VAR, str(data))
        html.environment.cache_clear()
        compiled.clear()
        out = tmp_path / f"out-{len(list(tmp_path.glob('out-*')))}"
        write_system(RESULT, [], out, ReportOptions(lang=lang))
        return (out / "report.html").read_text(), len(compiled)

    yield write
    html.environment.cache_clear()


def test_a_second_run_compiles_no_template_and_writes_the_same_report(report, tmp_path):
    first, compiled = report(tmp_path / "data")
    assert compiled > 5
    again, compiled_again = report(tmp_path / "data")
    assert (again, compiled_again) == (first, 0)
    assert report(tmp_path / "data", "da")[1] == 0  # one compiled template serves both languages


def test_a_damaged_cache_is_compiled_again_and_mended(report, tmp_path):
    first, compiled = report(tmp_path / "data")
    for file in (tmp_path / "data" / "cache" / "templates").iterdir():
        file.write_bytes(b"\x00garbage")
    assert report(tmp_path / "data") == (first, compiled)
    assert report(tmp_path / "data") == (first, 0)


def test_a_data_folder_that_cannot_be_written_still_gives_the_report(report, tmp_path):
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("a file where the data folder would be")
    first, compiled = report(not_a_folder)
    assert "TastSelv" in first and compiled > 5


def test_a_folder_others_could_write_to_is_not_used(report, tmp_path):
    """Compiled templates are code: read only from a folder no other user can write to."""
    first, _ = report(tmp_path / "data")
    (tmp_path / "data" / "cache" / "templates").chmod(0o777)
    again, compiled = report(tmp_path / "data")
    assert again == first and compiled > 5
