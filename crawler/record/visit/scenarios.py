"""A scenario file loaded and played: the file named in audit.toml (`path.py` or
`path.py:function`), called with the arguments it takes."""

from __future__ import annotations

import importlib.util
import inspect
import sys
import traceback
from pathlib import Path
from typing import Any

from crawler.errors import BadInput, first_line, not_a_file
from crawler.scenario import Scenario, System


def takes_system(scenario: Scenario) -> bool:
    """Whether the scenario is `run(page, citizen, system)` rather than `run(page, citizen)`."""
    try:
        signature = inspect.signature(scenario)
    except (TypeError, ValueError):  # a builtin or an odd callable: call it the old way
        return False
    try:
        signature.bind(None, None, None)
    except TypeError:
        return False
    return True


def play(scenario: Scenario, page: Any, citizen: Any, system: System) -> None:
    """Run a scenario with the arguments it takes."""
    if takes_system(scenario):
        scenario(page, citizen, system)
    else:
        scenario(page, citizen)


class ScenarioError(BadInput):
    """A scenario file that would not load (a syntax error, a failing import): one line, and
    the traceback for the report."""

    def __init__(self, line: str, trace: str) -> None:
        super().__init__(line)
        self.traceback = trace


def load_scenario(ref: str, base: Path) -> Scenario:
    """`path/to/file.py` or `path/to/file.py:function` (default `run`), relative to `base`.
    The file's folder is on the import path while it loads, so a helper module beside it
    (`from minside_common import login`) imports."""
    file, _, name = ref.partition(":")
    path = (base / file).resolve()
    if not path.is_file():
        raise BadInput(
            f"scenario {file}: {not_a_file(path)}; give a .py file with a run(page, citizen) "
            "function"
        )
    spec = importlib.util.spec_from_file_location(f"cpraudit_scenario_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise BadInput(
            f"scenario {file}: not a Python file; "
            "give a .py file with a run(page, citizen) function"
        )
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # a syntax error, a failing import: the file's fault, named
        raise ScenarioError(
            f"scenario {file} cannot be loaded ({type(exc).__name__}: {first_line(exc)}); fix it",
            traceback.format_exc(),
        ) from None
    finally:
        sys.path.remove(str(path.parent))
    function = getattr(module, name or "run", None)
    if not callable(function):
        raise BadInput(
            f"scenario {file} has no function {name or 'run'}(page, citizen): define one"
        )
    return function
