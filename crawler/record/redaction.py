"""Redaction of the synthetic citizen's session secrets before anything reaches disk.

The password typed into a login form, `Authorization` headers and the first party's session
cookies are credentials: evidence files must be shareable without them. Third-party cookies
are kept, since a cookie is one of the channels through which a CPR can leak.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from urllib.parse import quote, quote_plus

from crawler.model import Citizen, Exchange
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
        headers = tuple(
            (name, self._header(name, value, first)) for name, value in exchange.headers
        )
        body = exchange.body
        if body is not None and self.secrets:
            for secret in self.secrets:
                body = body.replace(secret.encode(), MASK.encode())
        return exchange.model_copy(
            update={"url": self.text(exchange.url), "headers": headers, "body": body}
        )

    def _header(self, name: str, value: str, first_party: bool) -> str:
        lower = name.lower()
        if lower in SECRET_HEADERS:
            return MASK
        if lower == "cookie" and first_party:
            return "; ".join(
                f"{c.split('=', 1)[0].strip()}={MASK}" for c in value.split(";") if c.strip()
            )
        return self.text(value)

    def with_secrets(self, values: list[str]) -> Redactor:
        """A redactor that also masks `values` (e.g. the portal's session cookie values).
        Values under 8 characters are left alone: masking "da" or "1" would mangle the
        evidence, and session tokens are far longer."""
        return Redactor(self.secrets + [v for v in values if len(v) >= 8], self.first_party)

    def data(self, data: bytes) -> bytes:
        for secret in self.secrets:
            data = data.replace(secret.encode(), MASK.encode())
        return data

    def file(self, path: Path) -> None:
        """Mask secrets in a file written by someone else: a HAR, or each entry of a trace zip."""
        if not path.is_file():
            return
        if path.suffix != ".zip":
            path.write_bytes(self.data(path.read_bytes()))
            return
        clean = path.with_suffix(".tmp")
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(clean, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                content = src.read(item)
                dst.writestr(
                    item,
                    content
                    if item.filename.endswith((".png", ".jpeg", ".jpg"))
                    else self.data(content),
                )
        clean.replace(path)


def for_citizen(citizen: Citizen, first_party: set[str]) -> Redactor:
    """The citizen's credentials, except a login name that is the CPR itself: that stays
    visible, as it is what the audit looks for."""
    secrets = [v.get_secret_value() for v in citizen.credentials.values()]
    return Redactor(
        [s for s in secrets if citizen.cpr not in "".join(ch for ch in s if ch.isdigit())],
        first_party,
    )
