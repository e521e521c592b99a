"""Our own DevTools connection to the browser: a websocket to Chromium's remote-debugging port,
read on a thread of its own, its events handled on a second one.

Why not Playwright's CDP sessions: every message of those passes through Playwright's driver and
Python client, and is handled only when the scenario's thread waits on Playwright. Here a paused
request is answered as soon as it arrives, whatever the scenario is doing, and Playwright's
driver never sees our traffic.

Two threads, so that a handler may wait for an answer (`call`): the reader only parses and routes
(answers to their callers, events and callbacks to the handler's queue, in the order they came);
the handler runs them one at a time, so what it touches needs no lock of its own. Events nobody
reads are dropped before they are parsed: Chromium sends one `Network.dataReceived` per chunk of
every response.
"""

from __future__ import annotations

import itertools
import json
import queue
import socket
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Protocol
from urllib.parse import urlsplit

from websockets.exceptions import WebSocketException
from websockets.sync.client import ClientConnection, connect

Handler = Callable[[str, dict, "str | None"], None]  # an event: method, params, session id
Answer = Callable[[dict], None]  # a command's result, or {"error": {...}}
Idle = Callable[[], None]  # called when no event came for a while

_IGNORED = frozenset(
    {
        "Network.dataReceived",
        "Network.resourceChangedPriority",
        "Network.policyUpdated",
        "Network.eventSourceMessageReceived",
        "Network.responseReceivedEarlyHints",
        "Network.trustTokenOperationDone",
        "Target.targetCreated",
        "Target.targetDestroyed",
        "Runtime.consoleAPICalled",
        "Runtime.executionContextCreated",
        "Runtime.executionContextDestroyed",
        "Runtime.executionContextsCleared",
        "Runtime.exceptionThrown",
        "Runtime.exceptionRevoked",
        "Runtime.inspectRequested",
        "Debugger.scriptParsed",  # in a worker stopped before its first statement (contain)
        "Debugger.scriptFailedToParse",
        "Debugger.resumed",
    }
)
_PREFIX = '{"method":"'
IDLE_SECONDS = 0.25  # how often what has ended is written, whether events come or not


class DevToolsError(Exception):
    """A command DevTools refused, or a connection that is gone."""


class DevTools(Protocol):
    """What the capture needs of a DevTools connection, ours or one through Playwright."""

    flat: bool  # sessions of targets attached to the browser's, or nested in their parents'
    failures: list[str]  # what went wrong while handling events: the record is incomplete

    def post(
        self,
        method: str,
        params: dict | None = None,
        session: str | None = None,
        answer: Answer | None = None,
    ) -> None:
        """Send a command without waiting; `answer` gets its result on the handler's thread."""

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send a command and wait for its result (DevToolsError if refused)."""

    def attach_everything(self) -> None:
        """Auto-attach to every page, shared and service worker, each held until set up."""

    def run(self, task: Callable[[], None]) -> None:
        """Run `task` where events are handled, after those already received."""

    def close(self) -> None: ...


class SocketDevTools:
    """A websocket of our own to Chromium's DevTools endpoint (`ws://127.0.0.1:PORT/...`)."""

    flat = True

    def __init__(self, url: str, on_event: Handler, on_idle: Idle | None = None) -> None:
        self._socket = open_socket(url)
        self._on_event, self._on_idle = on_event, on_idle or (lambda: None)
        self.failures: list[str] = []  # what went wrong in a handler: the record is incomplete
        self._ids = itertools.count(1)
        self._waiting: dict[int, Answer | _Waiter] = {}
        self._queue: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._closed = threading.Event()
        self._reader = threading.Thread(target=self._read, name="devtools-reader", daemon=True)
        self._handler = threading.Thread(target=self._handle, name="devtools-handler", daemon=True)
        self._reader.start()
        self._handler.start()

    def post(
        self,
        method: str,
        params: dict | None = None,
        session: str | None = None,
        answer: Answer | None = None,
    ) -> None:
        number = next(self._ids)
        if answer is not None:
            self._waiting[number] = answer
        self._send(number, method, params, session)

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        number, waiter = next(self._ids), _Waiter()
        self._waiting[number] = waiter
        self._send(number, method, params, session)
        return waiter.result(self._closed)

    def attach_everything(self) -> None:
        self.call(
            "Target.setAutoAttach",
            {
                "autoAttach": True,
                "waitForDebuggerOnStart": True,
                "flatten": True,
                "filter": [{"type": t} for t in ("page", "shared_worker", "service_worker")],
            },
        )

    def close(self) -> None:
        """Stop reading; what is queued is handled first."""
        self._socket.close()
        self._reader.join(timeout=10)
        self._handler.join(timeout=10)

    def run(self, task: Callable[[], None]) -> None:
        """Run `task` on the handler's thread, after what is queued (so it sees it handled)."""
        done = threading.Event()

        def then_done() -> None:
            try:
                task()
            finally:  # also when it failed: the failure is kept, and nobody waits for good
                done.set()

        self._queue.put(then_done)
        while not done.wait(timeout=0.1):
            if not self._handler.is_alive():  # the browser went away: nobody else will
                if not done.is_set():
                    task()
                return

    # -- the two threads -------------------------------------------------------------
    def _send(self, number: int, method: str, params: dict | None, session: str | None) -> None:
        message: dict = {"id": number, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        try:
            self._socket.send(json.dumps(message))
        except (WebSocketException, OSError) as exc:
            self._fail(number, str(exc) or "the DevTools connection is closed")

    def _fail(self, number: int, text: str) -> None:
        self._answer(self._waiting.pop(number, None), {"error": {"message": text}})

    def _answer(self, waiting: Answer | _Waiter | None, message: dict) -> None:
        if isinstance(waiting, _Waiter):
            waiting.give(message)
        elif waiting is not None:
            self._queue.put(partial(waiting, message))

    def _read(self) -> None:
        try:
            for raw in self._socket:
                if _ignored(raw):
                    continue
                message = json.loads(raw)
                if "id" in message:
                    self._answer(self._waiting.pop(message["id"], None), message)
                else:
                    event = (message.get("method", ""), message.get("params", {}))
                    self._queue.put(partial(self._on_event, *event, message.get("sessionId")))
        except (WebSocketException, OSError):
            pass  # the browser closed
        finally:
            self._closed.set()
            for number in list(self._waiting):
                self._fail(number, "the DevTools connection is closed")
            self._queue.put(None)

    def _handle(self) -> None:
        """Events in order; the idle work (writing what has ended) when none came for a while,
        and as often while they keep coming (a websocket that never falls silent)."""
        idle = time.monotonic()
        while True:
            try:
                work = self._queue.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                work = self._on_idle
            self._guarded(work or self._on_idle)
            if work is None:
                return
            if work is self._on_idle:
                idle = time.monotonic()
            elif time.monotonic() - idle > IDLE_SECONDS:
                self._guarded(self._on_idle)
                idle = time.monotonic()

    def _guarded(self, work: Callable[[], None]) -> None:
        guarded(work, self.failures)


def guarded(work: Callable[[], None], failures: list[str]) -> None:
    """Handle an event: a target that went away meanwhile is no failure; anything else is kept
    in `failures`, never a silent hole (the recorder reports it as an error)."""
    try:
        work()
    except DevToolsError:
        pass
    except Exception as exc:
        failures.append(f"{type(exc).__name__}: {exc}")


def _ignored(raw: str | bytes) -> bool:
    """An event nobody reads, told by its method's name before the message is parsed."""
    if not isinstance(raw, str) or not raw.startswith(_PREFIX):
        return False
    return raw[len(_PREFIX) : raw.find('"', len(_PREFIX))] in _IGNORED


class _Waiter:
    def __init__(self) -> None:
        self._done = threading.Event()
        self._message: dict = {}

    def give(self, message: dict) -> None:
        self._message = message
        self._done.set()

    def result(self, closed: threading.Event, seconds: float = 30) -> dict:
        if not self._done.wait(seconds) and not closed.is_set():
            raise DevToolsError("DevTools did not answer")
        return result_of(self._message)


def open_socket(url: str, seconds: float = 10) -> ClientConnection:
    """A websocket to Chromium on loopback, straight: no proxy from the environment, no
    compression, no size limit (a paused 50 MB upload is one message)."""
    address = urlsplit(url)
    sock = socket.create_connection((address.hostname, address.port), timeout=seconds)
    connection = connect(
        url, sock=sock, max_size=None, compression=None, ping_interval=None, open_timeout=seconds
    )
    sock.settimeout(None)
    connection.__enter__()  # closed by `close()`, as `with` would
    return connection


def result_of(message: dict) -> dict:
    """A command's result, or DevToolsError with DevTools' own words."""
    if "error" in message:
        raise DevToolsError(message["error"].get("message", "refused"))
    if "result" not in message:
        raise DevToolsError("the DevTools connection is closed")
    return message["result"]
