"""What scenarios import (`step`) and how the runner loads them."""

from __future__ import annotations

import pytest

from crawler.errors import BadInput
from crawler.scenario import listening, load_scenario, step


def test_steps_are_announced_on_entry_and_closed_on_a_normal_exit_with_their_login_mark():
    heard: list[tuple[str | None, bool]] = []
    with listening(lambda name, login: heard.append((name, login))):
        with step("Log ind", login=True):
            pass
        with step("Årsopgørelse"):
            pass
    assert heard == [("Log ind", True), (None, True), ("Årsopgørelse", False), (None, False)]


def test_a_failing_step_stays_current_so_the_failure_belongs_to_it():
    heard: list[str | None] = []
    with (
        pytest.raises(RuntimeError),
        listening(lambda name, login: heard.append(name)),
        step("Log ind"),
    ):
        raise RuntimeError("no login")
    assert heard == ["Log ind"]


def test_step_outside_an_audit_does_nothing():
    with step("alone"):
        pass  # a scenario run by hand, without the runner, still works


def test_load_scenario_finds_run_or_a_named_function(tmp_path):
    (tmp_path / "portal.py").write_text(
        "def run(page, citizen): return 'run'\ndef other(page, citizen): return 'other'\n"
    )
    assert load_scenario("portal.py", tmp_path)(None, None) == "run"
    assert load_scenario("portal.py:other", tmp_path)(None, None) == "other"


def test_load_scenario_errors_name_the_file_and_the_fix(tmp_path):
    with pytest.raises(BadInput, match=r"^scenario nowhere.py: no such file; give a \.py file"):
        load_scenario("nowhere.py", tmp_path)
    (tmp_path / "empty.py").write_text("x = 1\n")
    with pytest.raises(BadInput, match=r"^scenario empty.py has no function run\(page, citizen\)"):
        load_scenario("empty.py", tmp_path)
