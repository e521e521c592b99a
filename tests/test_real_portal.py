"""A portal as Danish portals are, audited by one audit.toml: login through a broker over https
with a one-time code, a consent banner driven by autoconsent in two consent states, a route of
a single-page app carrying the CPR, a confirm dialog, a test and a production environment."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.record.browser.trust import CERTUTIL
from crawler.testing.minside.portal import ACCOUNTS, CPR, MinSide, write_audit

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DECLINE, ACCEPT = "MinSide (consent: decline)", "MinSide (consent: accept)"


@pytest.fixture(scope="module")
def minside(tmp_path_factory):
    folder = tmp_path_factory.mktemp("minside")
    portal = MinSide(folder / "ca")
    with portal.running() as rules:
        yield portal, write_audit(folder, rules, portal.ca.ca_file)


def run(config: Path, out: Path, *args: str) -> tuple[int, dict, dict]:
    code = main(["run", str(config), "--out", str(out), "--history", "none", *args])
    summary = json.loads((out / "summary.json").read_text())
    results = {
        s["system"]: json.loads((out / s["report"]).with_name("findings.json").read_text())
        for s in summary["systems"]
    }
    return code, results, {s["system"]: s for s in summary["systems"]}


def receivers(result: dict) -> set[str]:
    return {f["domain"] for f in result["findings"]}


def test_the_test_environment_in_both_consent_states(minside, tmp_path):
    portal, config = minside
    code, results, summary = run(config, tmp_path / "out", "--env", "test", "--jobs", "2")
    assert code == 1
    declined, accepted = results[DECLINE], results[ACCEPT]

    # the right findings per state; the chat got the CPR despite declined consent
    assert receivers(declined) == {"supportchat.test"}
    assert receivers(accepted) == {"supportchat.test", "analytics.test"}
    assert summary[DECLINE]["despite_declined_consent"]
    assert not summary[ACCEPT]["despite_declined_consent"]
    table = declined["consent_table"]
    assert table == accepted["consent_table"] and table["states"] == ["decline", "accept"]
    rows = {row["domain"]: set(row["received"]) for row in table["rows"]}
    assert rows == {"analytics.test": {"accept"}, "supportchat.test": {"decline", "accept"}}
    index = (tmp_path / "out" / "index.html").read_text()
    assert "MinSide: consent states side by side" in index and "despite declined consent" in index

    for result, state in ((declined, "decline"), (accepted, "accept")):
        # the banner was found by autoconsent's rule, photographed, and the choice made
        consent = result["consent"]
        assert consent["state"] == state and consent["problem"] is None
        assert consent["actions"][0]["platform"] == "Cookie Information Banner"
        photo = consent["actions"][0]["screenshot"]
        assert photo, [e for e in result["errors"] + result["notes"] if "photographed" in e]
        assert (tmp_path / "out" / _folder(state) / photo).is_file()
        # the broker's password and one-time code, proven on every page; the test environment
        assert result["coverage"]["login"] == "proven"
        assert [s[0] for s in result["steps"]] == ["Log ind", "Engangskode", "Kontaktoplysninger"]
        setup = result["setup"]
        assert (setup["environment"], setup["certificate_checks"]) == ("test", "off")
        assert setup["base_url"] == "http://minside.test.skat.test/"
        assert setup["insecure_pages"] == [], (
            "treat_as_secure gave the test portal a secure context"
        )
        pages = [p["url"] for p in result["coverage"]["pages"] if p["logged_in"]]
        assert pages and all(p.startswith("http://minside.test.skat.test/app/") for p in pages)
        # the confirm dialog, accepted, in its step
        assert [(d["type"], d["step"], d["action"]) for d in result["dialogs"]] == [
            ("confirm", "Kontaktoplysninger", "accept")
        ]
        # the single-page app's route with the CPR is a design finding
        assert any(f"/app/borger/{CPR}/" in d["page_url"] for d in result["design"])
        assert summary[result["system"]]["coverage"].endswith(
            f"; consent {state.rstrip('e')}ed; environment test"
        ), "what the verdict covers names the consent state and the environment"

    secrets = [ACCOUNTS["test"].password, ACCOUNTS["test"].totp]
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            for data in _contents(path):
                assert not any(s.encode() in data for s in secrets), f"a secret in {path.name}"
    assert any(p.startswith("/app") for p in portal.served)


@pytest.mark.skipif(
    shutil.which(CERTUTIL) is None,
    reason="ca_file needs certutil (Debian: apt-get install libnss3-tools; make setup does)",
)
def test_production_trusts_the_test_ca_and_says_its_pages_were_insecure(minside, tmp_path):
    _, config = minside
    code, results, _ = run(config, tmp_path / "out", "--system", DECLINE)
    assert code == 1 and set(results) == {DECLINE}
    result = results[DECLINE]
    assert receivers(result) == {"supportchat.test"}
    setup = result["setup"]
    assert (setup["environment"], setup["certificate_checks"]) == (None, "test CA")
    assert setup["test_ca"].startswith("CN=cpraudit test CA")
    assert setup["insecure_pages"] and all(
        p.startswith("http://minside.skat.test/") for p in setup["insecure_pages"]
    )
    assert result["coverage"]["login"] == "proven", "production's account, from secrets.toml"


def _folder(state: str) -> str:
    return f"minside-consent-{state}"


def _contents(path: Path) -> list[bytes]:
    if path.suffix != ".zip":
        return [path.read_bytes()]
    with zipfile.ZipFile(path) as archive:
        return [archive.read(name) for name in archive.namelist()]
