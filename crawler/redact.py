"""Redaction of the synthetic citizen's session secrets before anything reaches disk.

The password typed into a login form, `Authorization` headers and the first party's session
cookies are credentials: evidence files must be shareable without them. Third-party cookies
are kept, since a cookie is one of the channels through which a CPR can leak.
"""

from __future__ import annotations

from urllib.parse import quote, quote_plus

from crawler.model import Exchange
from crawler.parties import registrable_domain

MASK = "[redacted]"
SECRET_HEADERS = {"authorization", "proxy-authorization"}


class Redactor:
    def __init__(self, secrets: list[str], first_party: set[str]) -> None:
        forms = {form for s in secrets if s for form in (s, quote(s, safe=""), quote_plus(s))}
        self.secrets = sorted(forms, key=len, reverse=True)
        self.first_party = first_party

    def text(self, value: str) -> str:
        for secret in self.secrets:
            value = value.replace(secret, MASK)
        return value

    def exchange(self, exchange: Exchange) -> Exchange:
        first = registrable_domain(exchange.host) in self.first_party
        headers = tuple((name, self._header(name, value, first)) for name, value in exchange.headers)
        body = exchange.body
        if body is not None and self.secrets:
            for secret in self.secrets:
                body = body.replace(secret.encode(), MASK.encode())
        return exchange.model_copy(update={"url": self.text(exchange.url), "headers": headers, "body": body})

    def _header(self, name: str, value: str, first_party: bool) -> str:
        lower = name.lower()
        if lower in SECRET_HEADERS:
            return MASK
        if lower == "cookie" and first_party:
            return "; ".join(f"{c.split('=', 1)[0].strip()}={MASK}" for c in value.split(";") if c.strip())
        return self.text(value)
