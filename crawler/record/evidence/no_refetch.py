"""The trace sends nothing the page did not: an addon that keeps Playwright from fetching a
response body again from the site.

Playwright's trace keeps every response body, read through its driver. Where Chromium kept no
body (a prefetch, an image that is no image) but the response announced one (`Content-Length`),
Playwright fetches the URL again (`Network.loadNetworkResource`), cookies and all: a copy of
the page's request, CPR included, sent by the audit to the third party. Chromium pauses no such
request, so it cannot be stopped on its way.

Playwright asks for it only for GET responses of a few kinds (images, scripts, stylesheets,
fonts, media; manifests and text tracks, which this leaves alone) and prefetches, and only when
the response states a length. So those responses are paused as they arrive and continued
without `Content-Length`: the page gets the same body (the length is for the network layer,
which has read it); the trace then holds no body where Chromium kept none, rather than a second
answer from the site. A partial response (media's 206, `Content-Range`) is left as it is.
"""

from __future__ import annotations

from crawler.record.capture.devtools import Send

# The kinds Playwright fetches again, as Chromium's `Fetch` filter names them; manifests and
# text tracks are "Other" there, which would pause every worker script and favicon too.
REFETCHED = ("Image", "Script", "Stylesheet", "Font", "Media")


class NoRefetch:
    """An addon: responses Playwright would fetch again go on without their length."""

    def patterns(self) -> list[dict]:
        return [
            {"urlPattern": "*", "resourceType": kind, "requestStage": "Response"}
            for kind in REFETCHED
        ]

    @staticmethod
    def wants_response(event: dict) -> bool:
        """A prefetch (any kind) is paused again at its response."""
        return event["request"]["method"] == "GET" and _prefetch(event["request"])

    def response_paused(self, event: dict, send: Send) -> bool:
        request, headers = event["request"], event.get("responseHeaders") or []
        refetched = event.get("resourceType") in REFETCHED or _prefetch(request)
        status = event.get("responseStatusCode", 0)
        names = {h["name"].lower() for h in headers}
        if (
            request["method"] != "GET"
            or not refetched
            or status != 200
            or "content-length" not in names
            or "content-range" in names
        ):
            return False
        kept = [h for h in headers if h["name"].lower() != "content-length"]
        # Chromium 156 refuses headers without the status: "both should be provided".
        send(
            "Fetch.continueResponse",
            {"requestId": event["requestId"], "responseCode": status, "responseHeaders": kept},
        )
        return True


def _prefetch(request: dict) -> bool:
    headers = request.get("headers") or {}
    purpose = next((v for k, v in headers.items() if k.lower() == "sec-purpose"), "")
    return purpose.startswith("prefetch")
