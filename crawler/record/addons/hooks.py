"""Addons: the recording modes of one audit, each an object whose methods are named after the
events it takes part in. Nothing calls an addon directly: the recorder, the tape and the visit
call a hook by name on every addon that has it, in the order of the list (`defaults`).

The hooks, and who calls them:
- `recording(tape)`: the recorder starts; addons that record keep the tape.
- `context_opened(context)`: the browser context is ready (contain mode routes websockets).
- `patterns()`: the browser-wide interception's extra `Fetch` patterns; `pauses_everything`
  (an attribute) makes it pause every request, not only those that may carry a body.
- `own_request(url)`: a request of the addon's own (the worker gate's question), never recorded;
  `answer_own(event)` answers it.
- `request_paused(event, send, top_level)`: `Fetch.fulfillRequest` parameters to answer a site's
  request locally (it never leaves; recorded as contained), or None; `top_level` the URL of the
  page it is sent under, where known (`Targets.top_level`).
- `wants_response(event)`: pause this request again at its response.
- `response_paused(event, send)`: handle a paused response with `send(method, params)` (a
  DevTools command and its result, `DevToolsError` if refused; a command that only lets the
  request go on, `Fetch.continue*` or `Fetch.fulfillRequest`, is sent without waiting and
  gives `{}`); True if it did.
- `exchange(exchange)`: each recorded exchange, before it is written (redaction comes last).
- `copy_body(source, target)`: how a body too large for the record is copied to its file.
- `page_loaded(page)`: a crawled page has loaded and dwelt (the form probe types here).
- `note()`: a line for the report, or None.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

T = TypeVar("T")


class Addons:
    """The addons of one audit, in order."""

    def __init__(self, addons: Sequence[object]) -> None:
        self.all = tuple(addons)

    def _hooks(self, name: str) -> list[Any]:
        return [hook for addon in self.all if (hook := getattr(addon, name, None)) is not None]

    def call(self, name: str, *args: Any) -> None:
        for hook in self._hooks(name):
            hook(*args)

    def first(self, name: str, *args: Any) -> Any:
        """The first answer that is not None."""
        for hook in self._hooks(name):
            if (answer := hook(*args)) is not None:
                return answer
        return None

    def any(self, name: str, *args: Any) -> bool:
        return any(hook(*args) for hook in self._hooks(name))

    def chain(self, name: str, value: T) -> T:
        """`value` through each addon's hook in turn."""
        for hook in self._hooks(name):
            value = hook(value)
        return value

    def collect(self, name: str) -> list[Any]:
        """Every answer of a hook without arguments that is not None (e.g. each `note()`)."""
        return [answer for hook in self._hooks(name) if (answer := hook()) is not None]

    def first_attribute(self, name: str) -> Any:
        hooks = self._hooks(name)
        return hooks[0] if hooks else None

    def flag(self, name: str) -> bool:
        """Whether any addon sets the attribute `name` (e.g. `pauses_everything`)."""
        return any(getattr(addon, name, False) for addon in self.all)

    def get(self, kind: type[T]) -> T | None:
        return next((a for a in self.all if isinstance(a, kind)), None)
