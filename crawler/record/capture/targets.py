"""Every target of the browser, each with a DevTools session of ours set up before it runs:
pages (popups too), out-of-process iframes, dedicated, shared and service workers.

Auto-attach holds each new target at its start until we have enabled the `Network` domain in
it (bodies left out: the interception has them, see `interception`), async stacks for
initiators, and auto-attach to its own iframes and workers; then we release it. So no target's
first request is sent before our session can see it. In contain mode a worker is also made to
stop before its first statement, where it runs the worker gate (`addons.worker_gate`) before
its own code.

Shared and service workers are held by the browser, not by a page, and Playwright may release
one before our set-up reaches it. A worker has its target before it fetches its script, and
events are handled in order, so our set-up is sent before the interception lets its script go
on. Chromium cannot confirm it sooner: a worker answers only once it runs, which waits for its
script. Under heavy load a worker may so run before our set-up reaches it, and its first
requests escape this session; the network witness then names them as a capture gap, and the
system is inconclusive, never clean.

Each target knows the page it belongs to, so that each request is recorded with its page: a
page's URL as Chromium last reported it (`Target.targetInfoChanged`, the URL Playwright shows
as `page.url`), an iframe's or dedicated worker's page from its parent; shared and service
workers have none.
"""

from __future__ import annotations

from dataclasses import dataclass

from crawler.model import BODY_LIMIT
from crawler.record.capture.connection import DevTools, DevToolsError

CHILDREN = [{"type": "iframe"}, {"type": "worker"}]  # what a page or worker auto-attaches
WORKERS = ("worker", "shared_worker", "service_worker")
_BEFORE_SCRIPT = {"instrumentation": "beforeScriptExecution"}
# Response bodies Chromium keeps for us to read for the HAR: none larger than the record keeps
# in its JSON, and at most this much in a target at once (read as each response finishes).
_BUFFER = {"maxResourceBufferSize": BODY_LIMIT, "maxTotalBufferSize": 4 * BODY_LIMIT}


@dataclass
class Target:
    session: str
    kind: str  # page, iframe, worker, shared_worker, service_worker
    url: str
    target_id: str
    parent: Target | None = None
    ready: bool = False  # Chromium confirmed our set-up

    @property
    def page(self) -> Target | None:
        """The page this target belongs to: itself, its parent's, or none (a shared or service
        worker and what it owns)."""
        if self.kind == "page":
            return self
        return self.parent.page if self.parent else None


class Targets:
    """The sessions of one browser, by session id; sets up each as it attaches."""

    def __init__(self, devtools: DevTools, before_workers: str | None = None) -> None:
        """`before_workers`: a script each worker runs before its own code (contain mode's
        gate), wherever its script comes from (blob: and data: URLs too)."""
        self.devtools = devtools
        self._before_workers = before_workers
        self.by_session: dict[str, Target] = {}
        self._by_id: dict[str, Target] = {}
        self._frames: dict[str, Target | None] = {}  # frames that are no target: whose they are

    def attached(self, params: dict, parent_session: str | None) -> None:
        info, session = params["targetInfo"], params["sessionId"]
        parent = self.by_session.get(parent_session or "")
        target = Target(session, info["type"], info.get("url", ""), info["targetId"], parent)
        self.by_session[session] = self._by_id[target.target_id] = target
        self._set_up(target)

    def detached(self, session: str) -> Target | None:
        target = self.by_session.pop(session, None)
        if target:
            self._by_id.pop(target.target_id, None)
        return target

    def info_changed(self, info: dict) -> None:
        if target := self._by_id.get(info.get("targetId", "")):
            target.url = info.get("url", target.url)

    def top_level(self, frame_id: str | None, url: str, resource_type: str) -> str | None:
        """The URL of the page a request of frame `frame_id` is sent under, as cookies see it
        (their partitions, SameSite): its page's, or its own where it loads a page's document.
        None where no page holds the frame (a shared or service worker's request)."""
        if not frame_id:
            return None
        target = self._by_id.get(frame_id)
        if target is not None and target.kind == "page" and resource_type == "Document":
            return url  # a page's navigation: the document it loads is the top level
        owner = target or self._holding(frame_id)
        page = owner.page if owner else None
        return page.url if page else None

    def _holding(self, frame_id: str) -> Target | None:
        """The page or out-of-process iframe whose frame tree holds a frame that is no target
        of ours (a same-site iframe): asked of Chromium once per frame."""
        if frame_id not in self._frames:
            self._frames[frame_id] = next(
                (t for t in list(self._by_id.values()) if frame_id in self._frame_ids(t)), None
            )
        return self._frames[frame_id]

    def _frame_ids(self, target: Target) -> set[str]:
        if target.kind not in ("page", "iframe"):
            return set()
        try:
            tree = self.devtools.call("Page.getFrameTree", {}, target.session)["frameTree"]
        except (DevToolsError, KeyError):
            return set()
        found, todo = set(), [tree]
        while todo:
            node = todo.pop()
            found.add(node.get("frame", {}).get("id", ""))
            todo += node.get("childFrames", [])
        return found

    def pages(self) -> list[Target]:
        return [t for t in list(self.by_session.values()) if t.kind == "page"]

    def pages_ready(self) -> bool:
        """Whether at least one page is attached and every page's set-up is confirmed."""
        pages = self.pages()
        return bool(pages) and all(t.ready for t in pages)

    def _set_up(self, target: Target) -> None:
        post, session = self.devtools.post, target.session
        post("Network.enable", {"maxPostDataSize": 1, **_BUFFER}, session)
        post("Runtime.enable", {}, session)  # async stacks need it
        post("Runtime.setAsyncCallStackDepth", {"maxDepth": 32}, session)
        if self._before_workers and target.kind in WORKERS:  # stop before its first statement
            post("Debugger.enable", {}, session)
            post("Debugger.setInstrumentationBreakpoint", _BEFORE_SCRIPT, session)
        post(
            "Target.setAutoAttach",
            {
                "autoAttach": True,
                "waitForDebuggerOnStart": True,
                "flatten": self.devtools.flat,
                "filter": CHILDREN,
            },
            session,
        )
        post("Runtime.runIfWaitingForDebugger", {}, session, lambda answer: self._ready(target))

    def paused(self, session: str | None) -> None:
        """A worker stopped before its first statement: the script first, then the worker."""
        if self._before_workers and session in self.by_session:
            self.devtools.post("Runtime.evaluate", {"expression": self._before_workers}, session)
            self.devtools.post("Debugger.disable", {}, session)  # and so it runs on

    def _ready(self, target: Target) -> None:
        """Commands run in order: the last one's answer confirms the whole set-up."""
        target.ready = True
