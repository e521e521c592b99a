"""One system end to end in one process: record in Chromium, then analyse the written record."""

from __future__ import annotations

import pytest

from crawler import bundle
from crawler.model import Citizen, CrawlSettings, Target
from crawler.run.audit import audit_system
from crawler.scenario import step
from crawler.testing import Response, SiteServer

pytestmark = pytest.mark.browser  # every test here starts Chromium

CPR = "0707614285"
PAGE = f"""<!doctype html><meta name="referrer" content="unsafe-url"><h1 id="welcome">Velkommen</h1>
<img src="http://pixel.tracker.test/p.gif?u={CPR}">"""


def test_a_scenario_and_its_crawl_are_recorded_analysed_and_attributed_to_steps(tmp_path):
    def scenario(page, citizen):
        with step("Min side"):
            page.goto(f"http://portal.skat.test/side?cpr={citizen.cpr}")

    with SiteServer({"portal.skat.test/side": Response(PAGE)}) as server:
        target = Target(
            system="Portal",
            start_url="http://portal.skat.test/",
            first_party=("skat.test",),
            resolve=tuple(server.resolve_rules()),
            crawl=CrawlSettings(depth=0, dwell=0.5),
        )
        result, exchanges = audit_system(target, Citizen(cpr=CPR), tmp_path / "portal", scenario)

    assert result.verdict == "leak" and {f.host for f in result.findings} == {"pixel.tracker.test"}
    assert {f.step for f in result.findings} == {"Min side", None}, "the crawl is outside any step"
    assert result.steps == (("Min side", bundle.step_screenshot(1)),)
    assert (tmp_path / "portal" / bundle.step_screenshot(1)).is_file()
    recorded, unreadable = bundle.read_exchanges(tmp_path / "portal" / bundle.REQUESTS)
    seen_by_the_browser = [e.url for e in exchanges if e.source != "witness"]
    assert unreadable == 0 and [e.url for e in recorded] == seen_by_the_browser
    assert result.requests == len(exchanges) and result.pages[0].endswith(f"/side?cpr={CPR}")
