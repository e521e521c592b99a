"""The coverage statement: what a verdict covers, in one line and in the report's own block."""

from __future__ import annotations

import json

from crawler.model import Coverage, LinkNotVisited, PageVisit, SessionLoss, SystemResult
from crawler.report.coverage import statement
from crawler.report.html import Title, write_index, write_system

PORTAL = "http://portal.skat.test"


def result(verdict="clean", **coverage) -> SystemResult:
    return SystemResult(
        system="TastSelv", verdict=verdict, requests=40, coverage=Coverage(**coverage)
    )


def pages(*paths, logged_in=True):
    return tuple(PageVisit(url=f"{PORTAL}{p}", logged_in=logged_in) for p in paths)


def test_a_clean_verdict_says_on_how_many_pages_and_what_was_left_out():
    visits = pages(*(f"/side/{n}" for n in range(14))) + pages("/side/1")  # a page seen twice
    left = tuple(LinkNotVisited(url=f"{PORTAL}/x/{n}", reason="page bound") for n in range(3))
    r = result(login="proven", login_check="selector '#welcome'", pages=visits, not_visited=left)
    assert statement(r) == (
        "no leak found on 14 pages after login; 3 links not visited: page bound reached"
    )


def test_pages_found_logged_out_do_not_count_and_reasons_are_counted():
    visits = pages("/a", "/b") + pages("/login", logged_in=False)
    left = (
        LinkNotVisited(url=f"{PORTAL}/c", reason="session lost"),
        LinkNotVisited(url=f"{PORTAL}/d", reason="session lost"),
        LinkNotVisited(url=f"{PORTAL}/logaf", reason="denied", text="Log af"),
    )
    loss = SessionLoss(
        page_url=f"{PORTAL}/c", final_url=f"{PORTAL}/login", time=0, problem="x", recovered=False
    )
    r = result(
        "inconclusive",
        login="lost",
        login_check="x",
        pages=visits,
        not_visited=left,
        session_losses=(loss,),
    )
    assert statement(r) == (
        "inconclusive on 2 pages, login lost; session lost once, not re-established; "
        "3 links not visited: session lost: 2, excluded (deny rule): 1"
    )


def test_public_pages_and_an_audit_that_left_no_account():
    assert statement(result(login="none", pages=pages("/"), downloads=("f.pdf",))) == (
        "no leak found on 1 page without login; 1 file downloaded"
    )
    assert statement(result("inconclusive")) == (
        "inconclusive; coverage unknown: the audit left no account of it"
    )


def test_report_and_index_show_the_coverage_with_the_verdict_escaped(tmp_path):
    hostile = '<script>alert("x")</script>'
    r = result(
        login="proven",
        login_check="selector '#welcome'",
        steps=("Log ind",),
        pages=(PageVisit(url=f"{PORTAL}/a", requested=f"{PORTAL}/old", logged_in=True),),
        not_visited=(LinkNotVisited(url=f"{PORTAL}/{hostile}", reason="denied", text=hostile),),
    )
    line = "no leak found on 1 page after login; 1 link not visited: excluded (deny rule)"
    html = write_system(r, [], tmp_path / "tastselv").read_text()
    banner = html.split("</header>")[0]
    assert f"<dt>Covers</dt><dd>{line}</dd>" in banner, "on the first screen, with the verdict"
    assert "redirected from <code>http://portal.skat.test/old</code>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    index = write_index([(r, "tastselv")], tmp_path, Title("run", "audit.toml")).read_text()
    assert line in index
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["systems"][0]["coverage"] == line
    findings = json.loads((tmp_path / "tastselv" / "findings.json").read_text())
    assert findings["coverage"]["not_visited"][0]["reason"] == "denied"
