"""The browser-wide `Fetch` interception: what the requests' own events cannot give.

Each target's `Network` events report its requests (`network`), but not:
- what a page sends as it is left: keepalive fetches, beacons and images go out from the
  browser once the document is gone, reported by no target (nor by Playwright);
- request bodies without copying them into every session's events (blobs, FormData files and
  large uploads come whole in a pause: read once, here);
- a request before it leaves, which contain mode must see to answer it locally.
So the kinds that can carry a body are paused here (every kind in contain mode), and each
pause is answered on our own connection's thread at once. A pause is joined to the request's
`Network` events by DevTools' network id; one that no target reported is written on its own at
the end, with the headers the pause shows: Chromium's cookies among them, but not its partitioned
cookies (the recorder reads those from the store, `cookies`), nor what its network stack adds
later (Accept-Encoding, Sec-Fetch-*).

The recording modes are addons (`crawler.record.addons`), called here through their hooks:
contain mode answers CPR-carrying third-party requests and gates workers' websockets; legacy
referrer mode edits first-party documents' responses.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass

from crawler.model import without_fragment
from crawler.record.addons.hooks import Addons
from crawler.record.capture.connection import DevTools, DevToolsError
from crawler.record.capture.devtools import parts_left_out, request_body
from crawler.record.capture.targets import Targets

# What is paused outside contain mode: every kind of request but those that never carry a body
# (images, scripts, stylesheets, fonts and media, two thirds of a page's requests; their events
# report them).
# Chromium 156 takes no other names in a filter; what it files as none of these (prefetches,
# worker scripts, favicons) is "Other". Fetch and XHR stay paused for the keepalive fetches a
# page sends as it is left: Chromium files those as "XHR", and cannot tell fetch, XHR and
# EventSource apart when it pauses (a filter on any one of them pauses all three).
PAUSED_KINDS: tuple[str, ...] = (
    "Document",
    "XHR",
    "Fetch",
    "EventSource",
    "Ping",
    "CSPViolationReport",
    "Other",
)
_GO_ON = frozenset(
    {"Fetch.continueRequest", "Fetch.continueResponse", "Fetch.fulfillRequest", "Fetch.failRequest"}
)
BROWSER_OWN = ("chrome-extension:", "chrome:", "chrome-untrusted:", "devtools:")


@dataclass
class Paused:
    """A request as the interception paused it."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    request: dict  # as DevTools sent it: its body is decoded only when it is claimed
    resource_type: str
    step: str | None
    time: float
    network_id: str | None
    top_level: str | None = None  # the page it is sent under, where known (`Targets.top_level`)
    contained: bool = False
    claimed: bool = False
    partial: bool = False  # a part of the body was left out (see `take_body`)

    def take_body(self) -> bytes | None:
        """The body, once: the pause keeps no copy afterwards. `partial` says whether DevTools
        left a part of it out."""
        body, self.partial = request_body(self.request), parts_left_out(self.request)
        self.request = {k: v for k, v in self.request.items() if not k.startswith("postData")}
        return body


class Interception:
    def __init__(
        self,
        devtools: DevTools,
        addons: Addons,
        step: Callable[[], str | None],
        targets: Targets,
    ) -> None:
        self.devtools, self.addons, self._step, self._targets = devtools, addons, step, targets
        self._by_network_id: dict[str, list[Paused]] = defaultdict(list)
        self._anonymous: dict[tuple[str, str], deque[Paused]] = defaultdict(deque)

    def start(self) -> None:
        self.devtools.call("Fetch.enable", {"patterns": patterns(self.addons)})

    def stop(self) -> None:
        try:
            self.devtools.call("Fetch.disable")
        except DevToolsError:
            pass

    def paused(self, event: dict) -> None:
        """Whatever happens here, the paused request goes on (or is answered): a page never
        waits for good on an addon that failed, and the failure is reported."""
        try:
            self._paused(event)
        except Exception:
            self._go_on(event)
            raise

    def _paused(self, event: dict) -> None:
        if "responseStatusCode" in event or "responseErrorReason" in event:
            return self._response(event)
        url = event["request"]["url"]
        if self.addons.any("own_request", url):  # an addon's question: it answers
            return self._fulfil(self.addons.first("answer_own", event))
        if url.startswith(BROWSER_OWN):
            return self._continue(event)  # Chromium's own pages: not the site's
        seen = self._keep(event)
        top = self._targets.top_level(event.get("frameId"), url, event.get("resourceType", ""))
        seen.top_level = top
        if answer := self.addons.first("request_paused", event, self._send, top):
            # answered here, it never leaves the machine; it is recorded with the headers the
            # addon found it would have carried (contain mode: its cookies)
            seen.contained = True
            seen.headers = tuple(event["request"].get("headers", {}).items())
            return self._fulfil(answer)
        self._continue(event)

    def claim(self, network_id: str, method: str, url: str) -> Paused | None:
        """The pause of a request the `Network` events reported (each redirect hop its own)."""
        url = without_fragment(url)
        for item in self._by_network_id.get(network_id, ()):
            if not item.claimed and without_fragment(item.url) == url:
                item.claimed = True
                return item
        queue = self._anonymous.get((method, url))
        while queue:
            if not (item := queue.popleft()).claimed:
                item.claimed = True
                return item
        return None

    def unclaimed(self) -> list[Paused]:
        """What no target reported: what pages sent as they were left, in the order paused."""
        seen = {id(p): p for group in self._by_network_id.values() for p in group}
        seen |= {id(p): p for queue in self._anonymous.values() for p in queue}
        return sorted((p for p in seen.values() if not p.claimed), key=lambda p: p.time)

    def _keep(self, event: dict) -> Paused:
        """The entry for a paused request. Chromium pauses some requests twice (a font's
        interception job restarts): one request on the wire, one network id, one entry."""
        req, network_id = event["request"], event.get("networkId")
        for again in self._by_network_id.get(network_id or "", ()):
            if again.url == req["url"] and not event.get("redirectedRequestId"):
                return again
        item = Paused(
            req["method"],
            req["url"],
            tuple(req.get("headers", {}).items()),
            req,
            event.get("resourceType", "Other").lower(),
            self._step(),
            time.time(),
            network_id,
        )
        if network_id:
            self._by_network_id[network_id].append(item)
        else:
            self._anonymous[(item.method, without_fragment(item.url))].append(item)
        return item

    def _continued(self, event: dict) -> dict:
        """Continue a request; paused again at its response where an addon wants it."""
        params: dict = {"requestId": event["requestId"]}
        if self.addons.any("wants_response", event):
            params["interceptResponse"] = True
        return params

    def _continue(self, event: dict) -> None:
        self.devtools.post("Fetch.continueRequest", self._continued(event))

    def _fulfil(self, answer: dict) -> None:
        self.devtools.post("Fetch.fulfillRequest", answer)

    def _response(self, event: dict) -> None:
        """A paused response goes to the addons; one none of them handles goes on unchanged."""
        try:
            if self.addons.any("response_paused", event, self._send):
                return
        except DevToolsError:
            pass  # never leave a document paused: continued unchanged below
        self._go_on(event)

    def _go_on(self, event: dict) -> None:
        answered = "responseStatusCode" in event
        method = "Fetch.continueResponse" if answered else "Fetch.continueRequest"
        self.devtools.post(method, {"requestId": event["requestId"]})

    def _send(self, method: str, params: dict) -> dict:
        """For the addons: a command whose result they read is awaited; one that only lets a
        paused request go on is sent without waiting, so that the next pause is not held up."""
        if method in _GO_ON:
            self.devtools.post(method, params)
            return {}
        return self.devtools.call(method, params)


def patterns(addons: Addons) -> list[dict]:
    """An addon that must see every request before it leaves (contain mode) pauses them all;
    recording needs the kinds above; addons add theirs (legacy referrer: documents' responses)."""
    kinds = (
        [{"urlPattern": "*"}]
        if addons.flag("pauses_everything")
        else [{"urlPattern": "*", "resourceType": kind} for kind in PAUSED_KINDS]
    )
    return kinds + [p for found in addons.collect("patterns") for p in found]
