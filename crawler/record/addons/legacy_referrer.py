"""Legacy referrer mode: audit as a 2015-2020 browser would have sent the `Referer`.

Since 2020-21 browsers default to `strict-origin-when-cross-origin`: a cross-origin request
carries only the page's origin, so a modern audit of a portal with the CPR in its page URLs
does not see the full URL go to the CDN that received it then. In this mode the browser-wide
interception pauses every first-party document at its response and adds
`Referrer-Policy: no-referrer-when-downgrade` (the old default) when the response sets no
policy. A policy the site sets itself — a header, `<meta name="referrer">` or an element's
`referrerpolicy` — is left alone: only the browser's default changes, as it did in 2020-21.
So latent Referer leaks (see rootcause) become observed ones, as findings "header Referer".
"""

from __future__ import annotations

from urllib.parse import urlsplit

from crawler.model import Exchange
from crawler.parties import Parties
from crawler.record.capture.devtools import Send

POLICY = "no-referrer-when-downgrade"
PATTERN = {"urlPattern": "*", "resourceType": "Document", "requestStage": "Response"}
NOTE = (
    f"legacy referrer mode: first-party pages without a referrer policy of their own were given "
    f"`{POLICY}`, the browser default until 2020-21, so their full URL went out in Referer "
    "as it did then"
)


class LegacyReferrer:
    """An addon: first-party documents without a policy of their own get the legacy default."""

    def __init__(self, parties: Parties) -> None:
        self.parties = parties
        self.count = 0

    def patterns(self) -> list[dict]:
        return [PATTERN]

    def exchange(self, exchange: Exchange) -> Exchange:
        return exchange.model_copy(update={"legacy_referrer": True})

    def response_paused(self, event: dict, send: Send) -> bool:
        """Continue a first-party document's response with the legacy policy added."""
        if "responseStatusCode" not in event:
            return False
        headers = self.headers(event["request"]["url"], event.get("responseHeaders") or [])
        if headers is None:
            return False
        # Chromium 156 refuses headers without the status: "both should be provided".
        send(
            "Fetch.continueResponse",
            {
                "requestId": event["requestId"],
                "responseHeaders": headers,
                "responseCode": event["responseStatusCode"],
            },
        )
        return True

    def note(self) -> str:
        return f"{NOTE} ({self.count} document(s))"

    def headers(self, url: str, headers: list[dict]) -> list[dict] | None:
        """Response headers with the legacy policy added, or None to leave the response as it is."""
        host = urlsplit(url).hostname or ""
        if self.parties.classify(host).kind != "first":
            return None
        if any(h["name"].lower() == "referrer-policy" and h["value"].strip() for h in headers):
            return None
        self.count += 1
        return [*headers, {"name": "Referrer-Policy", "value": POLICY}]
