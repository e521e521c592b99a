"""What scenario scripts import: `step()` labels the phases of a scripted visit.

A scenario is a plain function `run(page, citizen)` or `run(page, citizen, system)` written
with Playwright's sync API, so code recorded with `playwright codegen --target python-pytest`
(or `cpraudit codegen`) pastes in with few edits. Every request the recorder sees is attributed
to the step during which it was sent. A step marked `login=True` is what re-establishes a
session lost during the crawl.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.errors import BadInput, first_line
from crawler.model import Target

Scenario = Callable[..., None]  # run(page, citizen) or run(page, citizen, system)


@dataclass(frozen=True)
class System:
    """What a scenario learns of the system it audits, as its third argument: the URLs of the
    environment chosen with `--env`, the system's `params`, the consent state, and whether a
    saved login was reused (then the scenario skips its login steps)."""

    name: str
    start_url: str
    base_url: str
    params: Mapping[str, Any] = field(default_factory=dict)
    environment: str | None = None
    consent: str | None = None
    login_reused: bool = False

    @classmethod
    def of(cls, target: Target, login_reused: bool = False) -> System:
        return cls(
            name=target.variant_of or target.system,
            start_url=target.start_url,
            base_url=target.base_url or target.start_url,
            params=dict(target.params),
            environment=target.environment,
            consent=target.consent,
            login_reused=login_reused,
        )


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


StepListener = Callable[[str | None, bool], None]  # (name on entry, None on exit; login)

_step_listener: ContextVar[StepListener | None] = ContextVar("step_listener", default=None)


@contextmanager
def step(name: str, login: bool = False) -> Iterator[None]:
    """Label what the scenario does now, e.g. `with step("Årsopgørelse"): ...`. Mark the steps
    that log in with `login=True`: if the session is lost during the crawl, cpraudit runs the
    scenario again up to the end of those steps to log in again."""
    listener = _step_listener.get()
    if listener:
        listener(name, login)
    yield  # on an exception the step stays current: the failure belongs to it
    if listener:
        listener(None, login)


@contextmanager
def listening(listener: StepListener) -> Iterator[None]:
    """Used by the recorder: `step()` calls the listener with the name on entry, None on a
    normal exit, and whether the step logs in."""
    token = _step_listener.set(listener)
    try:
        yield
    finally:
        _step_listener.reset(token)


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
            f"scenario {file}: no such file; give a .py file with a run(page, citizen) function"
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
