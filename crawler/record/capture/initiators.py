"""Initiators: which script (or which element of the HTML) sent each request, and what loaded it.

DevTools' `Network.requestWillBeSent` names the initiator of every request: the parser with
the document position of an `<img>` or `<link>`, or a script's call stack with its async
parents (setTimeout, a script inserted by another script, ...). Our session in each target
(`targets`) enables `Network` and async stacks before the target runs, so each request's
initiator comes in the same event as the request itself.

Async stacks need V8's async stack tracking, which `Runtime.setAsyncCallStackDepth` switches
on once the Runtime domain is enabled in that session (not the Debugger domain: it sent an
event for every script parsed and could pause on a `debugger;` statement).
"""

from __future__ import annotations

from dataclasses import dataclass

from crawler.model import InitiatorFrame


@dataclass(frozen=True)
class Initiator:
    type: str
    frames: tuple[InitiatorFrame, ...] = ()


def from_event(initiator: dict) -> Initiator:
    """DevTools' `Network.Initiator` as our frames: the stack top first, async parents after."""
    kind = initiator.get("type", "other")
    frames: list[InitiatorFrame] = []
    stack, cause = initiator.get("stack"), None
    while stack:
        for i, f in enumerate(stack.get("callFrames", [])):
            frames.append(
                InitiatorFrame(
                    url=f.get("url", ""),
                    line=f.get("lineNumber", -1) + 1,
                    column=f.get("columnNumber", -1) + 1,
                    function=f.get("functionName", ""),
                    cause=cause if i == 0 else None,
                )
            )
        cause, stack = (stack.get("parent") or {}).get("description"), stack.get("parent")
    if not frames and initiator.get("url"):  # parser: the element's place in the document
        frames.append(
            InitiatorFrame(
                url=initiator["url"],
                line=int(initiator.get("lineNumber", -1)) + 1,
                column=int(initiator.get("columnNumber", -1)) + 1,
            )
        )
    return Initiator(kind, tuple(frames))
