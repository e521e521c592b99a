"""Where adhoc's start URL ended: a page behind a login redirects to the login form, and an audit
of the login form is no audit of the page asked for. It says so first (terminal, report,
findings.json) and is inconclusive unless the page is the one meant or the audit logged in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.record.visit.start_page import same_page
from crawler.testing.login_portal import BROKER, CPR, PORTAL, LoginPortal

LOGIN_FORM = f"http://{BROKER}/?return=/forside"


def adhoc(server, out: Path, *extra: str) -> tuple[int, dict]:
    code = main(
        [
            "adhoc",
            f"http://{PORTAL}/forside",
            "--cpr",
            CPR,
            "--resolve",
            server.resolve_rules()[0],
            "--depth",
            "0",
            "--dwell",
            "0.2",
            "--out",
            str(out),
            *extra,
        ]
    )
    return code, json.loads((out / "selvbetjening-skat-test" / "findings.json").read_text())


@pytest.mark.browser
def test_a_start_page_redirected_to_a_login_form_is_inconclusive_and_said_first(tmp_path, capsys):
    with LoginPortal().server() as server:
        code, found = adhoc(server, tmp_path / "out")
    summary = capsys.readouterr().out.splitlines()
    verdict = next(i for i, line in enumerate(summary) if line.startswith(PORTAL))

    assert (code, found["verdict"]) == (2, "inconclusive")
    assert found["coverage"]["start"] == {
        "requested": f"http://{PORTAL}/forside",
        "url": LOGIN_FORM,
        "other_host": True,
        "login_form": True,
        "accepted": None,
    }
    assert found["errors"][0].startswith(f"the start page ended on a login form, at {LOGIN_FORM}")
    assert (
        summary[verdict + 1]
        .strip()
        .startswith(f"the start page ended on a login form, {LOGIN_FORM}; inconclusive on 1 page")
    )
    report = (tmp_path / "out" / "selvbetjening-skat-test" / "report.html").read_text()
    heading = report.index("<h1>")
    first_line = report[heading : report.index("</p>", heading)]
    assert f"The start page ended on a login form, {LOGIN_FORM}." in first_line


@pytest.mark.browser
def test_follow_redirect_ok_takes_the_login_form_as_the_page_meant_and_still_says_so(tmp_path):
    with LoginPortal().server() as server:
        code, found = adhoc(server, tmp_path / "out", "--follow-redirect-ok")

    assert (code, found["verdict"], found["errors"]) == (0, "clean", [])
    assert found["coverage"]["start"]["accepted"] == "follow_redirect_ok"
    assert found["notes"][0] == (
        f"The start page ended on {LOGIN_FORM}, taken as the page meant (follow_redirect_ok)."
    )


@pytest.mark.parametrize(
    ("requested", "final", "same"),
    [
        ("http://a.test/side", "https://a.test/side/", True),  # upgraded, a trailing slash
        ("http://a.test/side#top", "http://a.test/side", True),
        ("https://a.test/side", "http://a.test/side", False),  # downgraded
        ("http://a.test/side?cpr=1", "http://a.test/side", False),  # the query is the page
        ("http://a.test/", "http://a.test/da/", False),
        ("http://a.test/", "http://www.a.test/", False),
    ],
)
def test_the_same_page_is_the_same_url_give_or_take_https_a_slash_or_a_fragment(
    requested, final, same
):
    assert same_page(requested, final) is same
