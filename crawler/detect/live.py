"""The detector asked about one request while it is still in the browser: whether it carries
the citizen's CPR to a third party. Contain mode answers such a request locally, the progress
line counts them, and redaction never masks a value that carries the CPR."""

from __future__ import annotations

from urllib.parse import urlsplit

from crawler.detect.detector import detect
from crawler.model import Citizen, Exchange, Finding
from crawler.parties import Parties


class CprToThirdParty:
    """Whether one request (or websocket frame the page sends) carries the citizen's CPR to a
    third party, decided by the detector itself while the request is still in the browser."""

    def __init__(self, cpr: str, parties: Parties) -> None:
        self.citizen = Citizen(cpr=cpr)  # the CPR alone: what is contained, and fewer needles
        self.parties = parties

    def third_party(self, url: str) -> bool:
        host = urlsplit(url).hostname or ""
        return bool(host) and self.parties.classify(host).kind == "third"

    def carries(
        self,
        url: str,
        headers: dict[str, str] | None = None,
        body: str | bytes | None = None,
        frame: bool = False,
    ) -> bool:
        """Whether a request (or a websocket frame the page sends) holds the CPR anywhere."""
        return bool(self._found(_exchange(url, headers, body, frame)))

    def __call__(self, url: str, headers: dict[str, str], body: bytes | None) -> bool:
        """Whether a request carries the CPR to a third party (the progress line asks it of
        every request written: one exchange built for both questions)."""
        exchange = _exchange(url, headers, body)
        return self._to_third(exchange) and bool(self._found(exchange))

    def to_third_party(
        self, url: str, headers: dict[str, str] | None = None, body: bytes | None = None
    ) -> bool:
        """Whether a request goes to a third party as the report judges its receiver: by its
        host, a first-party name by its CNAME chain, a first-party endpoint by the tracker
        protocol it speaks."""
        return self._to_third(_exchange(url, headers, body))

    def _to_third(self, exchange: Exchange) -> bool:
        return self.parties.receiver(exchange).kind == "third"

    def _found(self, exchange: Exchange) -> tuple[Finding, ...]:
        return detect([exchange], self.citizen, self.parties).findings


def _exchange(
    url: str, headers: dict[str, str] | None, body: str | bytes | None, frame: bool = False
) -> Exchange:
    return Exchange(
        seq=0,
        kind="websocket" if frame else "request",
        url=url,
        headers=tuple((headers or {}).items()),
        direction="sent" if frame else None,
        body=body.encode("utf-8") if isinstance(body, str) else body,
    )
