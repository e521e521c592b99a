"""DevTools relayed through Playwright's driver, for a browser whose debugging port we cannot
reach: one on a remote Playwright server (`--browser-endpoint`), or one started by someone who
did not open a port for us.

The same commands and events as our own connection (`connection`), slower: each message passes
Playwright's driver and is handled only when the scenario waits on Playwright. Playwright drops
the messages of flat sessions it did not create, so each target gets a nested session of ours
(`Target.sendMessageToTarget`), attached when auto-attach reports it; the flat session that
reported it is then detached, which lets a held worker run. Pages are not held at their start:
releasing a held page by detaching left about one in four paused for good in Chromium 156.
Shared and service workers are held by a second browser session until ours is set up.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable

from playwright.sync_api import Browser, CDPSession, Error

from crawler.errors import first_line
from crawler.record.capture.connection import Answer, DevToolsError, Handler, guarded

Route = tuple[str, ...]  # our nested session ids, from the browser's session inward


class RelayedDevTools:
    flat = False

    def __init__(self, browser: Browser, on_event: Handler, events: tuple[str, ...]) -> None:
        self.failures: list[str] = []
        self._root = browser.new_browser_cdp_session()
        self._holder: CDPSession | None = None
        self._browser, self._on_event = browser, on_event
        self._ids = itertools.count(1)
        self._routes: dict[str, Route] = {}
        self._answers: dict[int, Answer] = {}
        self._ours: set[str] = set()  # targets we attached to (their attach is echoed)
        for name in events:
            self._root.on(name, lambda params, name=name: self._deliver(name, params, None))
        self._root.on("Target.receivedMessageFromTarget", self._nested)
        self._root.on("Target.attachedToTarget", lambda e: self._attached(e, self._root))

    def post(
        self,
        method: str,
        params: dict | None = None,
        session: str | None = None,
        answer: Answer | None = None,
    ) -> None:
        if session is None:
            try:
                message = {"result": self._root.send(method, params or {})}
            except Error as exc:
                message = {"error": {"message": first_line(exc)}}
            if answer:
                answer(message)
            return
        number = next(self._ids)
        route = self._routes.get(session)
        if route is None:  # the target is gone
            if answer:
                answer({"error": {"message": "no such session"}})
            return
        if answer:
            self._answers[number] = answer
        text = json.dumps({"id": number, "method": method, "params": params or {}})
        for inner in reversed(route[1:]):
            wrap = {"sessionId": inner, "message": text}
            text = json.dumps(
                {"id": next(self._ids), "method": "Target.sendMessageToTarget", "params": wrap}
            )
        try:
            self._root.send("Target.sendMessageToTarget", {"sessionId": route[0], "message": text})
        except Error:
            if answer := self._answers.pop(number, None):
                answer({"error": {"message": "the target is gone"}})

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        if session is not None:
            raise DevToolsError("a nested session takes posts only")
        try:
            return self._root.send(method, params or {})
        except Error as exc:
            raise DevToolsError(first_line(exc)) from None

    def run(self, task: Callable[[], None]) -> None:
        """Events are handled as Playwright delivers them, on this thread: at once."""
        task()

    def attach_everything(self) -> None:
        self.call(
            "Target.setAutoAttach",
            {"autoAttach": True, "waitForDebuggerOnStart": False, "flatten": True},
        )
        self._holder = holder = self._browser.new_browser_cdp_session()
        holder.on("Target.attachedToTarget", lambda e: self._attached(e, holder))
        holder.send(
            "Target.setAutoAttach",
            {
                "autoAttach": True,
                "waitForDebuggerOnStart": True,
                "flatten": True,
                "filter": [{"type": "shared_worker"}, {"type": "service_worker"}],
            },
        )

    def close(self) -> None:
        for session in filter(None, (self._holder, self._root)):
            try:
                session.send(
                    "Target.setAutoAttach",
                    {"autoAttach": False, "waitForDebuggerOnStart": False, "flatten": True},
                )
                session.detach()
            except Error:
                pass

    # -- from Playwright's dispatcher ------------------------------------------------
    def _attached(self, event: dict, reporter: CDPSession) -> None:
        """A target auto-attach reported (flat): attach a nested session of ours, hand it on,
        then detach the flat one, which releases a held worker."""
        info = event["targetInfo"]
        if info["targetId"] in self._ours:
            return  # the echo of our own nested session
        try:
            if (info["type"] == "page") != (reporter is self._holder):
                self._ours.add(info["targetId"])
                nested = self.call("Target.attachToTarget", {"targetId": info["targetId"]})
                self._routes[nested["sessionId"]] = (nested["sessionId"],)
                attached = {"sessionId": nested["sessionId"], "targetInfo": info}
                self._deliver("Target.attachedToTarget", attached, None)
        except DevToolsError:
            pass  # it closed meanwhile
        finally:
            try:
                reporter.send("Target.detachFromTarget", {"sessionId": event["sessionId"]})
            except Error:
                pass

    def _nested(self, event: dict) -> None:
        self._message(event["sessionId"], event["message"])

    def _message(self, session: str, raw: str) -> None:
        message = json.loads(raw)
        if "id" in message:
            if answer := self._answers.pop(message["id"], None):
                answer(message)
            return
        method, params = message.get("method", ""), message.get("params", {})
        if method == "Target.receivedMessageFromTarget":
            return self._message(params["sessionId"], params["message"])
        if method == "Target.attachedToTarget":
            self._routes[params["sessionId"]] = self._routes.get(session, (session,)) + (
                params["sessionId"],
            )
        elif method == "Target.detachedFromTarget":
            self._routes.pop(params.get("sessionId", ""), None)
        self._deliver(method, params, session)

    def _deliver(self, method: str, params: dict, session: str | None) -> None:
        guarded(lambda: self._on_event(method, params, session), self.failures)
