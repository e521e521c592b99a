"""`cpraudit codegen`: Playwright's recorder in cpraudit's own headed Chromium (under Xvfb
here), and a scenario skeleton that audits the portal as recorded."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from crawler.cli import main
from crawler.model import Citizen, CrawlSettings, LoginCheck, Target
from crawler.record.authoring.codegen import record_code, skeleton
from crawler.record.visit.scenarios import load_scenario
from crawler.run.audit import audit_system
from crawler.testing.login_portal import CPR, PASSWORD, PORTAL, USER, LoginPortal

CITIZEN = Citizen(cpr=CPR, credentials={"user": SecretStr(USER), "password": SecretStr(PASSWORD)})


@pytest.mark.browser
def test_what_a_person_does_in_the_recorder_becomes_a_scenario_that_audits(display, tmp_path):
    def person(page):
        page.get_by_label("Bruger-id").fill(USER)
        page.get_by_label("Adgangskode").fill(PASSWORD)
        page.get_by_role("button", name="Log ind").click()
        page.locator("#welcome").wait_for()
        page.get_by_role("link", name="Side 2").click()
        page.wait_for_timeout(800)  # the recorder writes its file as actions come in

    with LoginPortal().server() as server:
        target = Target(
            system="Selvbetjening",
            start_url=f"http://{PORTAL}/",
            first_party=("skat.test",),
            resolve=tuple(server.resolve_rules()),
            crawl=CrawlSettings(depth=0, dwell=0.2),
            logged_in=LoginCheck(selector="#welcome"),
        )
        code = skeleton(record_code(target, person), target, CITIZEN)
        scenario = tmp_path / "selvbetjening.py"
        scenario.write_text(code)
        result, _ = audit_system(
            target, CITIZEN, tmp_path / "out", load_scenario(str(scenario), tmp_path)
        )

    assert PASSWORD not in code and f'"{USER}"' not in code, "typed secrets are replaced"
    assert 'fill(citizen.secret("user"))' in code and 'fill(citizen.secret("password"))' in code
    assert 'page.goto("/")' in code, "relative to the base URL of any environment"
    assert 'with step("Log ind", login=True):' in code and "def run(page, citizen, system):" in code
    assert 'expect(page.locator("#welcome").first).to_be_visible()' in code
    assert '#   logged_in = "#welcome"' in code
    assert result.verdict == "clean" and result.coverage.login == "proven", result.errors
    assert [p.url.rsplit("/", 1)[-1] for p in result.coverage.pages][-1] == "2"


def test_codegen_refuses_to_overwrite_and_names_unknown_systems(tmp_path, capsys):
    config = tmp_path / "audit.toml"
    config.write_text(
        '[[citizens]]\nid = "jens"\ncpr = "0707614285"\n\n[[systems]]\nname = "Portal"\n'
        'start_url = "http://portal.test/"\nfirst_party = ["portal.test"]\n'
    )
    (tmp_path / "portal.py").write_text("# mine\n")
    assert (
        main(["codegen", "Portal", "--config", str(config), "--out", str(tmp_path / "portal.py")])
        == 2
    )
    assert main(["codegen", "Nowhere", "--config", str(config)]) == 2
    assert main(["codegen", "http://portal.test/", "--resolve", "portal.test"]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert errors[0].endswith(
        "portal.py exists; give a new file with --out (nothing is overwritten)"
    )
    assert errors[1].startswith("error: 'Nowhere' is not a system of")
    assert "is not PATTERN=ADDRESS" in errors[2]
    assert (tmp_path / "portal.py").read_text() == "# mine\n"
