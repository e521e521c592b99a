"""A saved login: `cpraudit login` saves it (0600, outside the reports), `run` reuses it while
it is young enough and proven, logs in again when it is not, and no output holds its secrets; a
system with no scenario (a login only a person can do) says how to log in by hand."""

from __future__ import annotations

import json
import os
import stat
import time
import zipfile
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.config import load
from crawler.model import Target
from crawler.record.evidence import saved_logins
from crawler.testing.login_portal import BROKER, CPR, PASSWORD, PORTAL, USER, LoginPortal

pytestmark = pytest.mark.browser  # every test here starts Chromium

SCENARIO = """
from playwright.sync_api import expect
from crawler.scenario import step
from crawler.testing.login_portal import log_in


def run(page, citizen, system):
    if not system.login_reused:
        log_in(page, citizen)
    with step("Side 1"):
        page.goto("/side/1")
        expect(page.locator("#welcome")).to_have_text("1")
"""


def write_audit(tmp_path: Path, rules: list[str]) -> Path:
    (tmp_path / "selvbetjening.py").write_text(SCENARIO)
    (tmp_path / "secrets.toml").write_text(f'[jens]\nuser = "{USER}"\npassword = "{PASSWORD}"\n')
    path = tmp_path / "audit.toml"
    path.write_text(f"""
[[citizens]]
id = "jens"
cpr = "{CPR}"
secrets_file = "secrets.toml"

[[systems]]
name = "Selvbetjening"
start_url = "http://{PORTAL}/forside"
first_party = ["skat.test"]
scenario = "selvbetjening.py"
logged_in = "#welcome"
reuse_login = "8h"
resolve = {json.dumps(rules)}
crawl = false
""")
    return path


def run(config: Path, out: Path) -> dict:
    assert main(["run", str(config), "--out", str(out), "--history", "none"]) == 0
    return json.loads((out / "selvbetjening" / "findings.json").read_text())


def broker_visits(server) -> int:
    return len(server.received_by(BROKER))


def test_a_saved_login_is_reused_while_young_and_proven_then_made_again(tmp_path, monkeypatch):
    monkeypatch.setenv(saved_logins.STATE_VAR, str(tmp_path / "state"))
    portal = LoginPortal()
    with portal.server() as server:
        config = write_audit(tmp_path, server.resolve_rules())
        assert main(["login", "Selvbetjening", "--config", str(config)]) == 0
        (saved,) = (tmp_path / "state").iterdir()
        assert stat.S_IMODE(saved.stat().st_mode) == 0o600
        token = json.loads(saved.read_text())["cookies"][0]["value"]
        assert token in portal.sessions

        logins = broker_visits(server)
        reused = run(config, tmp_path / "reused")
        assert broker_visits(server) == logins, "the broker was not asked again"
        assert reused["verdict"] == "clean" and reused["setup"]["login_reused"]
        assert [name for name, _ in reused["steps"]] == ["Side 1"]
        assert reused["coverage"]["login"] == "proven"
        for path in (tmp_path / "reused").rglob("*"):
            if path.is_file():
                for data in _contents(path):
                    assert token.encode() not in data, f"the saved session in {path.name}"
                    assert PASSWORD.encode() not in data

        old = time.time() - 9 * 3600
        os.utime(saved, (old, old))
        aged = run(config, tmp_path / "aged")
        assert broker_visits(server) > logins and aged["setup"]["login_reused"] is None
        assert saved.stat().st_mtime > old + 3600, "the new login was saved for the next runs"

        portal.sessions.clear()  # the portal ended every session: the saved one no longer holds
        ended = run(config, tmp_path / "ended")
        assert ended["verdict"] == "clean" and ended["setup"]["login_reused"] is None
        assert any(n.startswith("The saved login no longer held") for n in ended["notes"])
        assert [name for name, _ in ended["steps"]][:1] == ["Log ind"]


def test_login_says_what_is_missing_in_one_line(tmp_path, capsys):
    config = write_audit(tmp_path, ["*.test=127.0.0.1:9"])
    config.write_text(config.read_text().replace('reuse_login = "8h"\n', ""))
    assert main(["login", "Selvbetjening", "--config", str(config)]) == 2
    assert main(["login", "Nowhere", "--config", str(config)]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert errors[0].startswith("error: Selvbetjening has no login to save: give it a scenario")
    assert errors[1].startswith("error: 'Nowhere' is not a system of")


def _contents(path: Path) -> list[bytes]:
    if path.suffix != ".zip":
        return [path.read_bytes()]
    with zipfile.ZipFile(path) as archive:
        return [archive.read(name) for name in archive.namelist()]


def test_a_system_only_a_person_logs_in_to_says_how_when_its_saved_login_is_missing_or_lost(
    tmp_path, monkeypatch
):
    monkeypatch.setenv(saved_logins.STATE_VAR, str(tmp_path / "state"))
    portal = LoginPortal()
    with portal.server() as server:
        config = write_audit(tmp_path, server.resolve_rules())
        config.write_text(config.read_text().replace('scenario = "selvbetjening.py"\n', ""))
        missing = _run_inconclusive(config, tmp_path / "missing")
        saved = Path(audit_target(config).login_state or "")
        saved_logins.save({"cookies": [], "origins": []}, saved, by_hand=time.time())
        lost = _run_inconclusive(config, tmp_path / "lost")

    assert missing["errors"] == [
        "no saved login young enough to reuse (reuse_login), and no scenario to log in: log in "
        "by hand with cpraudit login Selvbetjening --manual"
    ]
    assert lost["errors"][0].startswith("the saved login no longer held (the page ended off")
    assert lost["errors"][0].endswith(
        "log in again by hand with cpraudit login Selvbetjening --manual"
    )
    assert not saved.exists(), "a saved login that no longer holds is forgotten"
    assert missing["coverage"]["pages"] == lost["coverage"]["pages"] == [], "nothing crawled"


def audit_target(config: Path) -> Target:
    audit = load(config)
    return audit.target(audit.system("Selvbetjening"))


def _run_inconclusive(config: Path, out: Path) -> dict:
    assert main(["run", str(config), "--out", str(out), "--history", "none"]) == 2
    return json.loads((out / "selvbetjening" / "findings.json").read_text())
