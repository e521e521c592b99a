"""Recorder: every request, redirect hop and websocket frame of the browser, to disk, from a
DevTools connection of our own; Playwright only drives the scenario.

How the parts fit:
- `connection`: our websocket to Chromium's debugging port, handled on a thread of its own (or
  `relayed` through Playwright's driver, where no port can be reached);
- `targets`: auto-attach to every page, iframe and worker, each set up before it runs;
- `network`: each request from its target's `Network` events (headers as sent, initiator,
  redirects as hops, what the browser blocked), written as it ends;
- `interception`: the browser-wide `Fetch` pauses, for bodies, what pages send as they are
  left, and the addons that act on a request before it leaves (contain mode) or on a response
  (legacy referrer, the worker gate);
- `sockets`: every target's websockets.
Each exchange goes to the tape (`tape`), which writes it to `requests.jsonl` and flushes it:
analysis reads the file afterwards, and a crash mid-audit loses nothing already seen. Each
request also goes to network.har (`evidence.har`), with the response body the target kept.
"""

from __future__ import annotations

import time
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Error, Page

from crawler import diagnostics
from crawler.record.addons.hooks import Addons
from crawler.record.capture import cookies
from crawler.record.capture.connection import DevTools, DevToolsError, SocketDevTools
from crawler.record.capture.devtools import PARTS_LEFT_OUT
from crawler.record.capture.interception import BROWSER_OWN, Interception, Paused
from crawler.record.capture.network import Requests
from crawler.record.capture.relayed import RelayedDevTools
from crawler.record.capture.sockets import Sockets
from crawler.record.capture.tape import Tape
from crawler.record.capture.targets import Targets
from crawler.record.evidence.har import HarWriter

# Events of the browser's own session (the relayed connection subscribes to each by name)
_BROWSER_EVENTS = ("Fetch.requestPaused", "Target.targetInfoChanged", "Target.detachedFromTarget")
_ALONE = (
    "seen only by the browser-wide interception: headers as it paused them, with its cookies "
    "and the partitioned ones the pause leaves out, read from the browser's cookie store as the "
    "recording ended (of every partition where the page it was sent under is not known), but "
    "without those the network stack adds; page taken from Referer"
)


class Recorder:
    """Attach to a browser before the audit's first page opens; `close()` before the context
    closes. `endpoint` is the browser's DevTools websocket (`browser.debugging`), if it has one
    we may use; `har` where network.har goes, if it is to be written."""

    def __init__(
        self,
        tape: Tape,
        browser: Browser,
        context: BrowserContext,
        addons: Addons | None = None,
        endpoint: str | None = None,
        har: Path | None = None,
    ) -> None:
        self.tape, self.addons = tape, addons or Addons([])
        self._closed = False
        self._context = context
        self._last_event = time.monotonic()
        tape.stop = self.close_pages
        self.addons.call("recording", tape)
        self.har = HarWriter(har, browser.version) if har else None
        self.devtools: DevTools = (
            SocketDevTools(endpoint, self._on_event, self._idle)
            if endpoint
            else RelayedDevTools(browser, self._on_event, _BROWSER_EVENTS)
        )
        self.targets = Targets(self.devtools, self.addons.first_attribute("worker_script"))
        self.interception = Interception(
            self.devtools, self.addons, lambda: tape.step, self.targets
        )
        self.requests = Requests(
            self.devtools, self.targets, self.interception, tape, self.har, self._not_the_sites
        )
        self.sockets = Sockets(tape, self.har)
        try:
            self.addons.call("context_opened", context)
            self.devtools.call("Target.setDiscoverTargets", {"discover": True})
            self.interception.start()
            self.devtools.attach_everything()
        except BaseException:
            self.devtools.close()
            raise

    def ready(self, page: Page, seconds: float = 10) -> bool:
        """Wait (pumping Playwright's events) until our session in every page is set up, before
        the first navigation; whether it is (if not, some first requests may lack their
        initiator)."""
        deadline = time.monotonic() + seconds
        while not self.targets.pages_ready():
            if time.monotonic() > deadline:
                return False
            page.wait_for_timeout(10)
        return True

    def close_pages(self, why: str) -> None:
        """End the visit: nothing more can be kept (the tape could not write). Closing the pages
        fails whatever the scenario waits for. The tape writes on the capture's thread, where
        Playwright may not be called: there our own connection closes them."""
        if isinstance(self.devtools, SocketDevTools):
            for target in self.targets.pages():
                self.devtools.post("Target.closeTarget", {"targetId": target.target_id})
            return
        for page in self._context.pages:
            try:
                page.close(reason=why)
            except Error:
                pass

    def quiet(self, seconds: float) -> bool:
        """Whether the browser has reported nothing for `seconds`."""
        return time.monotonic() - self._last_event >= seconds

    def failures(self) -> list[str]:
        """What went wrong while recording, a sentence each: the record or the HAR may lack
        something."""
        failed = [diagnostics.CAPTURE_FAILED(error=f) for f in self.devtools.failures]
        return failed + ([self.har.problem] if self.har and self.har.problem else [])

    def close(self) -> None:
        """Stop pausing; write what is still in flight and what only the interception saw;
        close the tape and the HAR. On the capture's thread, after every event received."""
        self.devtools.run(self._finish)
        self.devtools.close()

    def _finish(self) -> None:
        self.interception.stop()
        self._closed = True
        self.requests.close()
        alone = self.interception.unclaimed()
        store = self._cookie_store() if alone else []
        for item in alone:
            self._write_alone(item, store)
        self.tape.close()
        if self.har:
            self.har.close()

    # -- events, on the connection's thread -------------------------------------------
    def _on_event(self, method: str, params: dict, session: str | None) -> None:
        self._last_event = time.monotonic()
        if self._closed:
            return
        if handle := _NETWORK.get(method):
            return handle(self.requests, params)
        if method == "Network.requestWillBeSent":
            self.requests.will_be_sent(params, session)
        elif method.startswith("Network.webSocket"):
            if target := self.targets.by_session.get(session or ""):
                self.sockets.on_event(method, params, target)
        elif method == "Fetch.requestPaused":
            self.interception.paused(params)
        elif method == "Target.attachedToTarget":
            self.targets.attached(params, session)
        elif method == "Target.detachedFromTarget":
            if target := self.targets.detached(params.get("sessionId", "")):
                self.requests.target_gone(target)
        elif method == "Target.targetInfoChanged":
            self.targets.info_changed(params.get("targetInfo", {}))
        elif method == "Debugger.paused":
            self.targets.paused(session)

    def _idle(self) -> None:
        if not self._closed:
            self.requests.sweep()

    def _not_the_sites(self, url: str) -> bool:
        """An addon's own question (answered in the browser), or a page of Chromium's own
        (its PDF viewer is an extension): neither leaves the browser, neither is the site's."""
        return url.startswith(BROWSER_OWN) or self.addons.any("own_request", url)

    def _cookie_store(self) -> list[dict]:
        """The browser's cookies, for the partitioned ones the pauses left out; if they cannot
        be read, the record says it may lack some."""
        try:
            return cookies.in_store(self.devtools.call)
        except DevToolsError as exc:
            self.devtools.failures.append(
                f"the partitioned cookies of what pages sent as they were left were not read: {exc}"
            )
            return []

    def _write_alone(self, item: Paused, store: list[dict]) -> None:
        """A request no target reported (sent as a page was left): as the pause saw it, with
        the partitioned cookies it left out (a contained one already has them)."""
        headers = item.headers
        if not item.contained:
            navigation = cookies.is_navigation(item.resource_type, item.method)
            top = cookies.top_sites(item.top_level)
            headers = tuple(
                cookies.as_sent(item.url, dict(headers), store, top, navigation).items()
            )
        body = item.take_body()
        exchange = self.tape.write(
            contained=item.contained,
            kind="request",
            method=item.method,
            url=item.url,
            headers=headers,
            body=body,
            body_missing=item.partial,
            resource_type=item.resource_type,
            source="interception",
            page_url=dict(item.headers).get("Referer"),
            step=item.step,
            time=item.time,
            body_note=f"{_ALONE}; {PARTS_LEFT_OUT}" if item.partial else _ALONE,
        )
        if self.har and exchange is not None:
            self.har.add(exchange, None, None)


_NETWORK = {
    "Network.requestWillBeSentExtraInfo": Requests.extra_info,
    "Network.responseReceived": Requests.response_received,
    "Network.responseReceivedExtraInfo": Requests.response_extra_info,
    "Network.requestServedFromCache": Requests.served_from_cache,
    "Network.loadingFinished": Requests.finished,
    "Network.loadingFailed": Requests.failed,
}


__all__ = ["DevToolsError", "Recorder"]
