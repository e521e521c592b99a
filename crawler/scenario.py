"""What scenario scripts import: `step()` labels the phases of a scripted visit.

A scenario is a plain function `run(page, citizen)` written with Playwright's sync API, so
code recorded with `playwright codegen --target python-pytest` pastes in with few edits.
Every request the recorder sees is attributed to the step during which it was sent.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Iterator

_step_listener: ContextVar[Callable[[str | None], None] | None] = ContextVar("step_listener", default=None)


@contextmanager
def step(name: str) -> Iterator[None]:
    """Label what the scenario does now, e.g. `with step("Årsopgørelse"): ...`."""
    listener = _step_listener.get()
    if listener:
        listener(name)
    yield  # on an exception the step stays current: the failure belongs to it
    if listener:
        listener(None)


@contextmanager
def listening(listener: Callable[[str | None], None]) -> Iterator[None]:
    """Used by the runner: `step()` calls the listener with the name on entry, None on a normal exit."""
    token = _step_listener.set(listener)
    try:
        yield
    finally:
        _step_listener.reset(token)
