"""Acceptances are part of judging a run, not of the history: an accepted leak in force does not
fail `run` (with or without a history) or `adhoc`, and every output says it is accepted."""

from __future__ import annotations

import json

import pytest

from crawler.cli import main
from crawler.testing.holes import CPR, PORTAL, audit
from crawler.testing.never_left import never_left

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server():
    with never_left() as running:
        yield running


def accepted(fingerprint: str, expires: str = "2099-03-31") -> str:
    return f"""
[[accepted]]
system = "Orb"
fingerprint = "{fingerprint}"
reason = "vendor removed in release 24.3, case SKAT-2026-117"
expires = {expires}
"""


def test_an_accepted_leak_does_not_fail_a_run_without_a_history(server, tmp_path, capsys):
    config = tmp_path / "audit.toml"
    system = f"""
[[citizens]]
id = "jens"
cpr = "{CPR}"

[[systems]]
name = "Orb"
start_url = "http://{PORTAL}/orb"
first_party = ["skat.test"]
login = false
resolve = ["{server.resolve_rules()[0]}"]
crawl = {{ depth = 0, dwell = 1.0 }}
"""
    config.write_text(system)
    assert main(["run", str(config), "--out", str(tmp_path / "a"), "--history", "none"]) == 1
    found = json.loads((tmp_path / "a" / "orb" / "findings.json").read_text())
    fingerprints = {f["fingerprint"] for f in found["findings"]}
    config.write_text(system + "".join(accepted(fp) for fp in fingerprints))
    capsys.readouterr()
    assert main(["run", str(config), "--out", str(tmp_path / "b"), "--history", "none"]) == 0
    assert "LEAK, accepted until 2099-03-31" in capsys.readouterr().out
    summary = json.loads((tmp_path / "b" / "summary.json").read_text())
    [orb] = summary["systems"]
    assert (orb["verdict"], orb["unaccepted_findings"], orb["accepted_until"]) == (
        "leak",
        0,
        "2099-03-31",
    )
    report = (tmp_path / "b" / "orb" / "report.html").read_text()
    assert "No unaccepted leak" in report
    config.write_text(system + "".join(accepted(fp, "2020-01-31") for fp in fingerprints))
    assert main(["run", str(config), "--out", str(tmp_path / "c"), "--history", "none"]) == 1


def test_adhoc_takes_acceptances_from_a_file(server, tmp_path):
    code, found = audit(server, tmp_path / "a", "orb")
    assert code == 1
    file = tmp_path / "accepted.toml"
    file.write_text(
        "".join(accepted(f["fingerprint"]) for f in found["findings"]).replace(
            'system = "Orb"', f'system = "{PORTAL}"'
        )
    )
    code, found = audit(server, tmp_path / "b", "orb", "--accepted", str(file))
    assert code == 0 and found["acceptances"]
