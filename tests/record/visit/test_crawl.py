"""The safe crawl: links in inline SVG, links that are files, the deny list on URLs and texts,
and what it says about the links it did not visit."""

from __future__ import annotations

import pytest

from crawler.model import DEFAULT_DENY, Citizen, CrawlSettings, Target
from crawler.record.visit.links import Link, LinkRules
from crawler.report.coverage import statement
from crawler.run.audit import audit_system
from crawler.testing import Response, SiteServer

SITE = "www.borger.test"
CPR = "0707614285"
PIXEL = '<img src="http://pixel.tracker.test/p.gif?side={}">'


def audit(routes: dict, tmp_path, depth: int = 1):
    with SiteServer(routes) as server:
        target = Target(
            system="borger",
            start_url=f"http://{SITE}/",
            first_party=("borger.test",),
            resolve=tuple(server.resolve_rules()),
            crawl=CrawlSettings(depth=depth, dwell=0.2),
        )
        result, exchanges = audit_system(target, Citizen(cpr=CPR), tmp_path)
    return result, exchanges, server


@pytest.mark.browser
def test_links_inside_inline_svg_are_followed(tmp_path):
    start = f"""<!doctype html><p>Kort</p>{PIXEL.format("start")}
<svg width="200" height="40"><a href="/region/nord"><text x="5" y="20">Nord</text></a></svg>
<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="200" height="40">
<a xlink:href="/region/syd"><text x="5" y="20">Syd</text></a></svg>"""
    routes = {
        f"{SITE}/": Response(start),
        f"{SITE}/region/nord": Response(PIXEL.format("nord")),
        f"{SITE}/region/syd": Response(PIXEL.format("syd")),
    }
    result, _, server = audit(routes, tmp_path)
    assert result.verdict == "clean" and result.errors == ()
    assert {r.route for r in server.received_by(SITE)} >= {
        f"{SITE}/region/nord",
        f"{SITE}/region/syd",
    }
    assert set(result.pages) == {
        f"http://{SITE}/",
        f"http://{SITE}/region/nord",
        f"http://{SITE}/region/syd",
    }


@pytest.mark.browser
def test_a_file_link_is_a_recorded_request_not_a_page_and_not_an_error(tmp_path):
    start = f"""<!doctype html>{PIXEL.format("start")}
<a href="/dokumenter/aarsopgoerelse.pdf">Hent årsopgørelsen</a>
<a href="/dokumenter/vejledning.pdf">Vejledning</a>
<a href="/efter">Efter</a>"""
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    attachment = (("Content-Disposition", 'attachment; filename="aarsopgoerelse.pdf"'),)
    routes = {
        f"{SITE}/": Response(start),
        f"{SITE}/dokumenter/aarsopgoerelse.pdf": Response(
            pdf, "application/pdf", headers=attachment
        ),
        f"{SITE}/dokumenter/vejledning.pdf": Response(pdf, "application/pdf"),
        f"{SITE}/efter": Response(PIXEL.format("efter")),
    }
    result, exchanges, _ = audit(routes, tmp_path)
    files = [
        f"http://{SITE}/dokumenter/aarsopgoerelse.pdf",
        f"http://{SITE}/dokumenter/vejledning.pdf",
    ]
    assert result.verdict == "clean" and result.errors == (), "a download is no failure"
    assert sorted(result.coverage.downloads) == files
    assert not set(files) & set(result.pages), "a file is not a page"
    assert f"http://{SITE}/efter" in result.pages, "the crawl goes on after the file"
    recorded = {e.url for e in exchanges}
    assert set(files) <= recorded, "each file's request is recorded like any other"
    assert all(url.startswith("http") for url in recorded), "Chromium's PDF viewer is not the site"
    assert not [h for h in result.hosts if not h.host.endswith(".test")]
    assert statement(result) == "no leak found on 2 pages without login; 2 files downloaded"


def test_the_deny_list_matches_logout_links_by_url_and_by_text():
    rules = LinkRules({"skat.test"}, DEFAULT_DENY)
    logouts = [
        "/logaf",
        "/log_out",
        "/logoff",
        "/LogOff.aspx",
        "/signout",
        "/session/end",
        "/exit",
        "/afslut",
        "/fjern",
        "/cancel-account",
        "/udlogning",
        "/logout",
        "/log-ud",
    ]
    for path in logouts:
        assert rules.refusal(Link(f"http://www.skat.test{path}")) == "denied", path
    for text in ["Log af", "Log ud", "Log out", "Sign out", "Afslut", "Udlogning", "LOG AF"]:
        assert rules.refusal(Link("http://www.skat.test/x7", text)) == "denied", text
    for path, text in [
        ("/borger/oversigt", "Oversigt"),
        ("/katalog-aftale", "Katalog"),
        ("/aarsopgoerelse", "Årsopgørelse"),
        ("/blog/afsnit", "Blog"),
    ]:
        assert rules.refusal(Link(f"http://www.skat.test{path}", text)) is None, path
    assert rules.refusal(Link("http://elsewhere.test/logout")) == "off-site"


def test_a_users_own_deny_patterns_still_work_on_urls_and_texts():
    rules = LinkRules({"skat.test"}, [r"/admin\b", "nulstil"])
    assert rules.refusal(Link("http://www.skat.test/admin/brugere")) == "denied"
    assert rules.refusal(Link("http://www.skat.test/x", "Nulstil kodeord")) == "denied"
    assert rules.refusal(Link("http://www.skat.test/logaf")) is None, "a list given replaces ours"
