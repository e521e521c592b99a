"""Owners: audit.toml, then the bundled list, then TrackerDB; a missing database is a note."""

from __future__ import annotations

import pytest

from crawler.model import Owner
from crawler.owners import book_for, trackerdb
from crawler.owners.eea import third_country


def test_each_owner_comes_from_the_first_source_that_knows_it():
    book = book_for((Owner(name="Local Stats ApS", country="DK", domains=("fixture-cdn.test",)),))
    ga = book.owner("region1.google-analytics.com")
    assert (ga.name, ga.country, ga.category, ga.source) == (
        "Google",
        "US",
        "site_analytics",
        "trackerdb",
    )
    cdn = book.owner("cdn.maxcdn.com")
    assert (cdn.name, cdn.source) == ("StackPath, LLC (MaxCDN)", "bundled"), (
        "the bundled list names the company TrackerDB leaves out"
    )
    mine = book.owner("static.fixture-cdn.test")
    assert (mine.name, mine.source) == ("Local Stats ApS", "audit.toml"), "audit.toml wins"
    assert book.owner("unknown-vendor.test") is None
    assert book.database.startswith("Ghostery TrackerDB 0.0.1-fixture (CC-BY-NC-SA-4.0)")


def test_a_tracker_without_a_company_is_named_by_the_tracker_and_a_host_by_its_entry():
    book = book_for()
    ownerless = book.owner("eu.ownerless-cdn.test")
    assert (ownerless.name, ownerless.country, ownerless.category) == (
        "Ownerless CDN",
        None,
        "hosting",
    )
    assert book.owner("pixel.fixture-ads.test").name == "Fixture Inc."
    assert book.owner("other.fixture-ads.test") is None, "the database lists only that host"


def test_one_organisation_is_one_identity_across_sources():
    book = book_for((Owner(name="FIXTURE INC.", domains=("fixture-ads.test",)),))
    assert book.owner("a.fixture-ads.test").key == book.owner("fixture-analytics.test").key


def test_a_missing_database_leaves_owners_unknown_with_one_line_that_names_the_fix(
    monkeypatch, tmp_path
):
    monkeypatch.setenv(trackerdb.ENV_VAR, str(tmp_path / "nowhere"))
    book = book_for()
    assert book.owner("fixture-analytics.test") is None
    assert book.owner("cdn.maxcdn.com").source == "bundled", "the bundled list still answers"
    assert book.database == "" and "\n" not in book.problem
    assert "cannot be read" in book.problem and "cpraudit setup" in book.problem

    monkeypatch.delenv(trackerdb.ENV_VAR)
    monkeypatch.setenv("CPRAUDIT_DATA", str(tmp_path / "no-data"))
    assert "not installed" in book_for().problem and "cpraudit setup" in book_for().problem


def test_a_damaged_database_is_a_note_not_a_crash(monkeypatch, tmp_path):
    (tmp_path / "dist").mkdir()
    (tmp_path / "package.json").write_text('{"version": "1"}')
    (tmp_path / "dist" / "trackerdb.db").write_bytes(b"not a database at all" * 100)
    monkeypatch.setenv(trackerdb.ENV_VAR, str(tmp_path))
    assert "cannot be read" in book_for().problem


def test_the_installed_database_names_real_trackers(monkeypatch):
    monkeypatch.delenv(trackerdb.ENV_VAR)
    if trackerdb.locate() is None:
        pytest.skip("TrackerDB is not installed here (cpraudit setup installs it with npm)")
    book = book_for()
    assert book.problem is None and book.database.startswith("Ghostery TrackerDB 1.")
    ga = book.owner("www.google-analytics.com")
    assert (ga.name, ga.country, ga.category) == ("Google", "US", "site_analytics")
    assert book.owner("siteimproveanalytics.com").country == "DK"


@pytest.mark.parametrize(
    ("country", "outside"),
    [("DK", False), ("no", False), ("GR", False), ("US", True), ("GB", True), ("CH", True)],
)
def test_third_countries_are_those_outside_the_eu_and_eea(country, outside):
    assert third_country(country) is outside
    assert third_country(None) is None
