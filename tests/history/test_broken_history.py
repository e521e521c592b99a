"""A history that cannot be recorded into: found before anything is audited, and said in one line
with the file left as it is; one that breaks during the run costs no report."""

from __future__ import annotations

import json

import pytest

from crawler.cli import main
from crawler.testing.holes import CPR, PORTAL
from crawler.testing.never_left import never_left

GARBAGE = b"SQLite format 3\x00" + b"\xff" * 4000  # a header, then nothing a database holds


def config(tmp_path, server_rule: str = "*.test=127.0.0.1:9", scenario: bool = False) -> str:
    path = tmp_path / "audit.toml"
    path.write_text(
        f"""
[[citizens]]
id = "jens"
cpr = "{CPR}"

[[systems]]
name = "Orb"
start_url = "http://{PORTAL}/orb"
first_party = ["skat.test"]
login = false
resolve = ["{server_rule}"]
crawl = {{ depth = 0, dwell = 0.5 }}
{'scenario = "breaks_history.py"' if scenario else ""}
params = {{ history = "{tmp_path / "history.sqlite"}" }}
"""
    )
    return str(path)


def test_a_damaged_history_is_refused_before_anything_is_audited(tmp_path, capsys):
    history = tmp_path / "history.sqlite"
    history.write_bytes(GARBAGE)
    out = tmp_path / "out"
    code = main(["run", config(tmp_path), "--out", str(out), "--history", str(history)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert str(history) in err and "--history" in err
    assert history.read_bytes() == GARBAGE, "left exactly as it was"
    assert not list(out.rglob("findings.json")), "nothing was audited"


BREAKS_HISTORY = """
def run(page, citizen, system):
    page.goto(system.start_url)
    with open(system.params["history"], "wb") as history:
        history.write(b"SQLite format 3\\x00" + b"\\xff" * 4000)
"""


@pytest.mark.browser
def test_a_history_that_breaks_during_the_run_costs_no_report(tmp_path, capsys):
    (tmp_path / "breaks_history.py").write_text(BREAKS_HISTORY)
    with never_left() as server:
        path = config(tmp_path, server.resolve_rules()[0], scenario=True)
        out = tmp_path / "out"
        code = main(["run", path, "--out", str(out), "--history", str(tmp_path / "history.sqlite")])
    err = capsys.readouterr().err
    assert code == 1, "the leak found stands"
    assert "error: the history was not recorded" in err
    assert json.loads((out / "orb" / "findings.json").read_text())["verdict"] == "leak"
    assert (out / "orb" / "report.html").is_file() and (out / "index.html").is_file()
    assert main(["verify", str(out)]) == 0
