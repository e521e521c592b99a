"""Initiators: which script (or which element of the HTML) sent each request, and what loaded it.

DevTools' `Network.requestWillBeSent` names the initiator of every request: the parser with
the document position of an `<img>` or `<link>`, or a script's call stack with its async
parents (setTimeout, a script inserted by another script, ...). Those events exist per target
(page, out-of-process iframe, worker), not browser-wide, and a target's first requests are
gone before a late listener attaches. The browser session is told of every new page, attaches
a second, non-flat session of our own to it (Playwright drops messages of flat sessions it did
not create) and enables `Network` there while Playwright still holds the page for its own
set-up. Each page's iframes and workers are auto-attached through that session and held until
they are set up, so their first requests are never missed.

Caveat: pages are not held for us (releasing a held page by detaching left about one in four
paused for good in Chromium 156). The audit's own page is waited for (`wait_ready`) before its
first navigation; a popup whose first requests beat our set-up has them recorded without an
initiator; the exchange then has `initiator_type` None, never a wrong one.

Shared and service workers are targets of the browser, not of a page, and Playwright reports
neither their websockets nor (for shared workers) their requests. A second browser session
auto-attaches to those two kinds only, holding each at its start until the same set-up is done
in it; the Network events of their websockets go to `on_worker_event`. Playwright may run a
held service worker before our set-up reaches it, so the recorder also keeps a new worker's
script request paused while its URL is in `setting_up`: a worker has its target before it
fetches its script, and handles our set-up before it runs the script.

Async stacks need V8's async stack tracking, which `Runtime.setAsyncCallStackDepth` switches
on once the Runtime domain is enabled (as Playwright's own sessions have it). Not the Debugger
domain: it sent an event for every script parsed and could pause on a `debugger;` statement.
For other pages Playwright opens itself this is done at the page's first request (its
navigation), not on the blank page while Playwright sets it up.

Matching an event to Playwright's request is by (method, URL, order), as the recorder's
interception claim does: Playwright does not expose DevTools request ids.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Browser, Error

from crawler.model import InitiatorFrame, without_fragment

Route = tuple[str, ...]  # session ids from the browser session inward
WorkerEvent = Callable[[str, dict, str], None]  # (method, params, the worker's script URL)
WORKERS = ("service_worker", "shared_worker")  # browser-level targets no page session sees
_ASYNC_STACKS: tuple[tuple[str, dict[str, object]], ...] = (
    ("Runtime.enable", {}),
    ("Runtime.setAsyncCallStackDepth", {"maxDepth": 32}),
)


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


class Initiators:
    """Collects initiators for every request of the browser; `claim()` hands them to the
    recorder."""

    def __init__(
        self,
        browser: Browser,
        on_worker_event: WorkerEvent | None = None,
        on_worker_ready: Callable[[str], None] | None = None,
    ) -> None:
        self._cdp = browser.new_browser_cdp_session()
        self._ids = itertools.count(1)
        self._ours: set[str] = set()  # targets we attached to ourselves (their attach is echoed)
        self._later: set[Route] = set()  # pages whose async stacks wait for their first request
        self._found: dict[tuple[str, str], deque[Initiator]] = defaultdict(deque)
        self._requests: dict[tuple[Route, str], tuple[str, str]] = {}  # DevTools id -> key
        self._preflight_failed: dict[tuple[str, str], int] = defaultdict(int)
        self._pages: dict[str, Route] = {}  # target id -> our session in that page
        self._awaited: dict[int, Route] = {}  # the last set-up command sent to each target
        self._ready: set[Route] = set()  # targets whose set-up Chromium has confirmed
        self._workers: dict[Route, str] = {}  # shared and service workers (and theirs): URL
        self._on_worker_event, self._on_worker_ready = on_worker_event, on_worker_ready
        self.setting_up: set[str] = set()  # script URLs of workers our set-up has not reached
        self._cdp.on("Target.attachedToTarget", self._on_page)
        self._cdp.on(
            "Target.receivedMessageFromTarget",
            lambda e: self._on_message((e["sessionId"],), e["message"]),
        )
        # Not waitForDebuggerOnStart: releasing a page by detaching that session left about one
        # new page in four paused for good in Chromium 156. Playwright holds each new page until
        # its own set-up is done, and ours is done by then in practice (see the module's caveat).
        self._cdp.send(
            "Target.setAutoAttach",
            {"autoAttach": True, "waitForDebuggerOnStart": False, "flatten": True},
        )
        self._holder = browser.new_browser_cdp_session()
        self._holder.on("Target.attachedToTarget", self._on_worker)
        self._holder.send(
            "Target.setAutoAttach",
            {
                "autoAttach": True,
                "waitForDebuggerOnStart": True,
                "flatten": True,
                "filter": [{"type": kind} for kind in WORKERS],
            },
        )

    def wait_ready(self, target_id: str, pump: Callable[[], None], seconds: float = 10) -> bool:
        """Wait (pumping Playwright's events) until our session in the page `target_id` is set
        up, async stacks included, so that its first requests have their initiators; whether
        it is. For a page about to navigate: under load the set-up could lose that race."""
        deadline = time.monotonic() + seconds
        while (route := self._pages.get(target_id)) is None or route not in self._ready:
            if time.monotonic() > deadline:
                return False
            pump()
        if route in self._later:  # set up now, not at the first request: no race at all
            self._later.discard(route)
            self._ready.discard(route)
            for name, args in _ASYNC_STACKS:
                self._post(route, name, args)
            self._awaited[self._post(route, "Runtime.runIfWaitingForDebugger")] = route
            return self.wait_ready(target_id, pump, max(0.0, deadline - time.monotonic()))
        return True

    def claim(self, method: str, url: str) -> Initiator | None:
        queue = self._found.get((method, without_fragment(url)))
        return queue.popleft() if queue else None

    def claim_preflight_failed(self, method: str, url: str) -> bool:
        """Whether a request failed because its CORS preflight did: then only the preflight
        left the browser (Playwright reports such a request failed, like any other)."""
        key = (method, without_fragment(url))
        if self._preflight_failed.get(key, 0) > 0:
            self._preflight_failed[key] -= 1
            return True
        return False

    def close(self) -> None:
        for session in (self._holder, self._cdp):
            try:
                session.send(
                    "Target.setAutoAttach",
                    {"autoAttach": False, "waitForDebuggerOnStart": False, "flatten": True},
                )
                session.detach()
            except Error:
                pass

    # -- attaching ----------------------------------------------------------------------
    def _on_page(self, event: dict) -> None:
        info, flat = event["targetInfo"], event["sessionId"]
        if info["targetId"] in self._ours:
            return
        try:
            if info["type"] == "page":
                self._ours.add(info["targetId"])
                session = self._cdp.send(
                    "Target.attachToTarget", {"targetId": info["targetId"], "flatten": False}
                )
                route = (session["sessionId"],)
                self._pages[info["targetId"]] = route
                self._setup(route, stacks_now=bool(info.get("openerId")))
        except Error:
            pass  # the page closed meanwhile
        finally:
            self._send_quietly(
                "Target.detachFromTarget", {"sessionId": flat}
            )  # lets the target run

    def _on_worker(self, event: dict) -> None:
        """A shared or service worker, held at its start by the holder session until our own
        session in it is set up and runs it."""
        info, flat, url = event["targetInfo"], event["sessionId"], event["targetInfo"]["url"]
        ours = info["targetId"] in self._ours
        if not ours:  # before any call: the script's request may be paused meanwhile
            self.setting_up.add(url)
        try:
            if not ours:
                self._ours.add(info["targetId"])
                session = self._cdp.send(
                    "Target.attachToTarget", {"targetId": info["targetId"], "flatten": False}
                )
                route = (session["sessionId"],)
                self._workers[route] = url
                self._setup(route, stacks_now=True)
        except Error:
            pass  # the worker ended meanwhile
        finally:
            try:
                self._holder.send("Target.detachFromTarget", {"sessionId": flat})
            except Error:
                pass
            if not ours:
                self.setting_up.discard(url)
                if self._on_worker_ready:
                    self._on_worker_ready(url)

    def _setup(self, route: Route, stacks_now: bool) -> None:
        # Bodies come from Playwright and the interception: without this limit Chromium would
        # copy every request body into our events too (a 50 MB upload: 67 MB of base64, twice).
        self._post(route, "Network.enable", {"maxPostDataSize": 1})
        self._post(
            route,
            "Target.setAutoAttach",
            {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": False},
        )
        for method, params in _ASYNC_STACKS if stacks_now else ():
            self._post(route, method, params)
        if not stacks_now:
            self._later.add(route)
        self._awaited[self._post(route, "Runtime.runIfWaitingForDebugger")] = route

    # -- messages from our sessions ------------------------------------------------------
    def _on_message(self, route: Route, raw: str) -> None:
        message = json.loads(raw)
        method, params = message.get("method") or "", message.get("params") or {}
        if not method and message.get("id") in self._awaited:  # commands run in order
            self._ready.add(self._awaited.pop(message["id"]))
        elif method == "Target.receivedMessageFromTarget":
            self._on_message(route + (params["sessionId"],), params["message"])
        elif method == "Target.attachedToTarget":  # an iframe or worker of one of our targets
            child = route + (params["sessionId"],)
            if route in self._workers:
                self._workers[child] = params.get("targetInfo", {}).get("url", "")
            self._setup(child, stacks_now=True)
        elif method.startswith("Network.webSocket") and route in self._workers:
            if self._on_worker_event:
                self._on_worker_event(method, params, self._workers[route])
        elif method == "Network.requestWillBeSent":
            if route in self._later:
                self._later.discard(route)
                for name, args in _ASYNC_STACKS:
                    self._post(route, name, args)
            request = params["request"]
            key = (request["method"], without_fragment(request["url"]))
            self._found[key].append(from_event(params.get("initiator") or {}))
            self._requests[(route, params.get("requestId", ""))] = key
        elif method == "Network.loadingFailed":
            failed = self._requests.pop((route, params.get("requestId", "")), None)
            cors = (params.get("corsErrorStatus") or {}).get("corsError", "")
            if failed and cors.startswith("Preflight"):
                self._preflight_failed[failed] += 1
        elif method == "Network.loadingFinished":
            self._requests.pop((route, params.get("requestId", "")), ("", ""))

    def _post(self, route: Route, method: str, params: dict | None = None) -> int:
        """Send `method` to the target at `route`; its id, as in the answer."""
        number = next(self._ids)
        message = json.dumps({"id": number, "method": method, "params": params or {}})
        for session in reversed(route[1:]):
            message = json.dumps(
                {
                    "id": next(self._ids),
                    "method": "Target.sendMessageToTarget",
                    "params": {"sessionId": session, "message": message},
                }
            )
        self._send_quietly(
            "Target.sendMessageToTarget", {"sessionId": route[0], "message": message}
        )
        return number

    def _send_quietly(self, method: str, params: dict) -> None:
        try:
            self._cdp.send(method, params)
        except Error:
            pass  # the target is gone, and its requests with it
