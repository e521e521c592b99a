"""What scenarios import (`step`) and how the runner loads them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from crawler.errors import BadInput
from crawler.model import Target
from crawler.record.visit.scenarios import ScenarioError, load_scenario, play
from crawler.scenario import System, listening, step


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
    (tmp_path / "folder.py").mkdir()
    with pytest.raises(BadInput, match=r"^scenario folder.py: a folder, not a file; give a \.py"):
        load_scenario("folder.py", tmp_path)
    (tmp_path / "empty.py").write_text("x = 1\n")
    with pytest.raises(BadInput, match=r"^scenario empty.py has no function run\(page, citizen\)"):
        load_scenario("empty.py", tmp_path)


def test_a_scenario_gets_the_system_when_it_asks_for_it(tmp_path):
    target = Target(
        system="MinSide (consent: decline)",
        variant_of="MinSide",
        start_url="http://minside.test.skat.test/",
        first_party=("skat.test",),
        params={"afdeling": "borger"},
        environment="test",
        consent="decline",
    )
    system = System.of(target, login_reused=True)
    seen = []
    play(lambda page, citizen: seen.append((page, citizen)), "page", "citizen", system)
    play(lambda page, citizen, system: seen.append(system), "page", "citizen", system)
    play(lambda page, citizen, system=None: seen.append(system), "page", "citizen", system)
    assert seen == [("page", "citizen"), system, system]
    assert (system.name, system.base_url, system.params["afdeling"]) == (
        "MinSide",
        "http://minside.test.skat.test/",
        "borger",
    )
    assert (system.environment, system.consent, system.login_reused) == ("test", "decline", True)


def test_a_helper_module_beside_the_scenario_imports(tmp_path):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "portal_common_x1.py").write_text("def login(): return 'logged in'\n")
    (folder / "portal.py").write_text(
        "from portal_common_x1 import login\ndef run(page, citizen): return login()\n"
    )
    assert load_scenario("scenarios/portal.py", tmp_path)(None, None) == "logged in"
    assert str(folder) not in sys.path, "only while it loads"


def test_a_scenario_that_does_not_load_says_why_in_one_line_with_its_traceback(tmp_path):
    (tmp_path / "broken.py").write_text("import os\nfrom nowhere_module_x2 import login\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario("broken.py", tmp_path)
    assert str(err.value).startswith(
        "scenario broken.py cannot be loaded (ModuleNotFoundError: No module named "
        "'nowhere_module_x2'); fix it"
    )
    assert "\n" not in str(err.value)
    assert 'broken.py", line 2, in <module>' in err.value.traceback


def test_the_bundled_scenarios_use_only_the_public_names_of_crawler_scenario():
    """What scenario authors may import is `crawler.scenario.__all__`; the scenarios we ship are
    written against it alone, as theirs will be."""
    import ast

    from crawler import scenario

    root = Path(scenario.__file__).parent.parent
    files = [*root.glob("scenarios/*.py"), *root.glob("crawler/**/scenarios/*.py")]
    assert len(files) >= 5
    for file in files:
        for node in ast.walk(ast.parse(file.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "crawler.scenario":
                used = {alias.name for alias in node.names}
                assert used <= set(scenario.__all__), f"{file}: {used - set(scenario.__all__)}"
