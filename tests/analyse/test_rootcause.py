"""Root cause and latent Referer leaks, recorded in real Chromium from a loopback portal."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crawler.analyse.system import analyse_system
from crawler.model import Citizen, CrawlSettings, Owner, Target
from crawler.record.session import record
from crawler.testing import Response, SiteServer

pytestmark = pytest.mark.browser  # every test here starts Chromium

CPR = "0707614285"
HOST = "www.portal.test"
START = f'<a href="/side?cpr={CPR}">side</a><a href="/strict?cpr={CPR}">strict</a>'
SIDE = """<!doctype html><title>default policy</title>
<link rel="stylesheet" href="http://cdn.cssvendor.test/a.css">
<img referrerpolicy="no-referrer" src="http://pixel.imgvendor.test/p.gif">"""
STRICT = """<!doctype html><meta name="referrer" content="strict-origin"><title>strict</title>
<link rel="stylesheet" href="http://cdn.cssvendor.test/b.css">"""


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    routes = {
        f"{HOST}/": Response(START),
        f"{HOST}/side": Response(SIDE),
        f"{HOST}/strict": Response(STRICT),
        "cdn.cssvendor.test/a.css": Response("a{}", "text/css"),
        "cdn.cssvendor.test/b.css": Response("b{}", "text/css"),
    }
    with SiteServer(routes) as server:
        target = Target(
            system="portal",
            start_url=f"http://{HOST}/",
            first_party=("portal.test",),
            resolve=tuple(server.resolve_rules()),
            crawl=CrawlSettings(depth=1, dwell=0.5),
            owners=(Owner(name="CSS Vendor ApS", country="DK", domains=("cssvendor.test",)),),
        )
        return record(target, Citizen(cpr=CPR), tmp_path_factory.mktemp("rootcause"))


def test_cpr_pages_are_design_findings_with_their_third_parties(recording):
    result, _ = analyse_system(recording, Citizen(cpr=CPR))
    assert result.verdict == "clean", "today's default policy sends only the origin"
    design = {d.page_url: d for d in result.design}
    assert set(design) == {f"http://{HOST}/side?cpr={CPR}", f"http://{HOST}/strict?cpr={CPR}"}
    side = design[f"http://{HOST}/side?cpr={CPR}"]
    assert side.third_parties == ("cssvendor.test", "imgvendor.test") and side.policy == "default"
    assert side.entities == ("CSS Vendor ApS",), (
        "owners from the configuration extend the bundled list"
    )
    assert design[f"http://{HOST}/strict?cpr={CPR}"].policy == "strict-origin"
    assert (recording.out_dir / side.source_file).read_text().startswith("<!doctype html>")


def test_only_requests_guarded_by_nothing_but_the_default_are_latent(recording):
    result, _ = analyse_system(recording, Citizen(cpr=CPR))
    latent = [(l.host, l.page_url.split("?")[0], l.observed) for l in result.latent]
    assert latent == [("cdn.cssvendor.test", f"http://{HOST}/side", False)], (
        "the strict page's stylesheet and the no-referrer image are protected by the page itself"
    )


def test_latent_leaks_fail_the_system_when_configured(recording):
    strict = replace(recording, target=recording.target.model_copy(update={"fail_on_latent": True}))
    result, _ = analyse_system(strict, Citizen(cpr=CPR))
    assert result.verdict == "leak" and result.findings == ()


SPA = f"""<!doctype html><title>app</title><script>
history.pushState({{}}, "", "/borger/{CPR}/oversigt");
new Image().src = "http://pixel.spavendor.test/p.gif";
</script>"""
KONTO = """<!doctype html><meta name="referrer" content="no-referrer"><title>konto</title>
<script>new Image().src = "http://pixel.hashvendor.test/h.gif"</script>"""


def test_pushstate_routes_and_fragments_carrying_the_cpr_are_design_findings(tmp_path):
    routes = {
        f"{HOST}/app": Response(SPA),
        f"{HOST}/konto": Response(KONTO),
    }

    def scenario(page, citizen):
        page.goto(f"http://{HOST}/app")
        page.wait_for_timeout(500)
        page.goto(f"http://{HOST}/konto#cpr={citizen.cpr}")
        page.wait_for_timeout(500)

    with SiteServer(routes) as server:
        target = Target(
            system="spa",
            start_url=f"http://{HOST}/app",
            first_party=("portal.test",),
            resolve=tuple(server.resolve_rules()),
            crawl=None,
        )
        recording = record(target, Citizen(cpr=CPR), tmp_path, scenario)
    result, _ = analyse_system(recording, Citizen(cpr=CPR))
    design = {d.page_url: (d.how, d.third_parties, d.policy) for d in result.design}
    assert design == {
        f"http://{HOST}/borger/{CPR}/oversigt": ("route", ("spavendor.test",), "default"),
        f"http://{HOST}/konto#cpr={CPR}": ("fragment", ("hashvendor.test",), "no-referrer"),
    }, "no document was ever requested with the CPR in its URL"
    assert [(l.host, l.page_url) for l in result.latent] == [
        ("pixel.spavendor.test", f"http://{HOST}/borger/{CPR}/oversigt")
    ], "a route is in the Referer under the old default; a fragment never is"
