"""What scenario scripts import: `step()` labels the phases of a scripted visit, and `System`
is what a scenario learns of the system it audits.

A scenario is a plain function `run(page, citizen)` or `run(page, citizen, system)` written
with Playwright's sync API, so code recorded with `playwright codegen --target python-pytest`
(or `cpraudit codegen`) pastes in with few edits. Every request the recorder sees is attributed
to the step during which it was sent. A step marked `login=True` is what re-establishes a
session lost during the crawl.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from crawler.model import Target

__all__ = ["Scenario", "System", "step"]

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
    """For the visit, not for scenarios: `step()` calls the listener with the name on entry,
    None on a normal exit, and whether the step logs in."""
    token = _step_listener.set(listener)
    try:
        yield
    finally:
        _step_listener.reset(token)
