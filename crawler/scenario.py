"""What scenario scripts import: `step()` labels the phases of a scripted visit.

A scenario is a plain function `run(page, citizen)` written with Playwright's sync API, so
code recorded with `playwright codegen --target python-pytest` pastes in with few edits.
Every request the recorder sees is attributed to the step during which it was sent. A step
marked `login=True` is what re-establishes a session lost during the crawl.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from crawler.errors import BadInput, first_line

Scenario = Callable[[Any, Any], None]  # run(page, citizen)
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


def load_scenario(ref: str, base: Path) -> Scenario:
    """`path/to/file.py` or `path/to/file.py:function` (default `run`), relative to `base`."""
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
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # a syntax error, a failing import: the file's fault, named
        raise BadInput(
            f"scenario {file} cannot be loaded ({type(exc).__name__}: {first_line(exc)}); fix it"
        ) from None
    function = getattr(module, name or "run", None)
    if not callable(function):
        raise BadInput(
            f"scenario {file} has no function {name or 'run'}(page, citizen): define one"
        )
    return function
