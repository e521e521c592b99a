"""Redaction of the synthetic citizen's session secrets before anything reaches disk.

The password typed into a login form, `Authorization` headers, the first party's cookies and
the session tokens its pages send in headers such as `X-Session` are credentials: evidence
files must be shareable without them. Each secret is masked in every form in which the
detector would find the CPR: as typed, percent-encoded from UTF-8 or Latin-1, JSON- and
HTML-escaped, and under the detector's own precomputed transforms (hex, base64, hashes).
Secrets seen while recording (headers, cookies) are learned as they appear, and the files
written before are redacted again at the end (`record.evidence`).

A URL's user name and password (`scheme://user:password@host`, from a site's link or redirect) are
credentials too: masked in every URL of a text, and learned, with the URLs of every exchange, so
that they are masked wherever a page's script sent its own address on.

A value that carries the citizen's CPR is never masked: it is what the audit looks for, and
masking it could turn a leak into a false "clean"; nor is one that is one of the citizen's
identifiers as the detector finds them (a password that is the birth date, which a CPR split
over two fields leaves alone in one of them). Nor is a secret masked inside the citizen's
identifiers as the detector finds them (`kept`): a test citizen's PIN may be the last digits of
its CPR, and is masked where it stands alone, never where it is a piece of the CPR, nor where it
is the serial number beside the birth date of a CPR split over two fields. Third-party
cookies are kept too, since a cookie is one of the channels through which a CPR can leak.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, AnyStr
from urllib.parse import quote, quote_plus, unquote

import ahocorasick_rs

from crawler.detect.live import CprToThirdParty
from crawler.detect.needles import iter_needles, needles_for
from crawler.detect.split import birth_date_forms
from crawler.model import Citizen, Exchange, InitiatorFrame
from crawler.parties import Parties, registrable_domain

MASK = "[redacted]"
URL_MASK = "redacted"  # for a URL's user:password: brackets there would make it unparsable
SECRET_HEADERS = {"authorization", "proxy-authorization"}
# First-party request headers whose values are session secrets, e.g. X-Session, X-Auth-Token
SESSION_HEADER = re.compile(r"auth|session|token|csrf|xsrf|secret|api-?key|jwt|ticket", re.I)
MIN_LEARNED = 8  # shorter cookie and header values are left alone: masking "da" would mangle
# A password typed into a form (by hand, or found in a HAR) is masked from four characters, a
# PIN's: it is known to be a secret, and never masked inside the citizen's identifiers (`kept`).
MIN_TYPED = 4
_JS_SAFE = "-_.!~*'()"  # what encodeURIComponent leaves as it is; Python's quote() escapes it
USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^/?#@\s\"'<>\\]+)@")  # 2: user:password


def written_forms(secret: str) -> set[str]:
    """The secret as a page or script may write it into a request or a file."""
    forms = {secret, html.escape(secret), json.dumps(secret)[1:-1]}
    forms.add(json.dumps(secret, ensure_ascii=False)[1:-1])
    for charset in ("utf-8", "latin-1"):  # a Latin-1 page posts its forms in Latin-1
        try:
            raw = secret.encode(charset)
        except UnicodeEncodeError:
            continue
        for safe in ("", _JS_SAFE):
            for encoded in (quote(raw, safe=safe), quote_plus(raw, safe=safe)):
                forms |= {encoded, re.sub("%[0-9A-F]{2}", lambda m: m[0].lower(), encoded)}
    return forms


def every_form(secret: str) -> set[str]:
    """`written_forms` and the detector's transforms of each (hex, base64 cores, hashes)."""
    return {n.text for form in written_forms(secret) for n in needles_for("secret", form, "all")}


WINDOW = 4 * 2**20  # bytes of a file or large body masked at a time


@dataclass(frozen=True)
class _Matchers:
    """What is masked now, published at once: the capture's thread masks while the scenario's
    learns (a password typed by hand)."""

    text: ahocorasick_rs.AhoCorasick | None = None
    data: ahocorasick_rs.BytesAhoCorasick | None = None
    longest: int = 1  # bytes of the longest form


@dataclass(frozen=True)
class _Kept:
    """Texts no mask may cut into (the citizen's identifiers, each form the detector finds),
    found with every overlapping match; and the CPR's serial number, which a text holding the
    birth date keeps too (a CPR split over two fields, `crawler.detect.split`)."""

    texts: frozenset[str]
    text: ahocorasick_rs.AhoCorasick
    data: ahocorasick_rs.BytesAhoCorasick
    longest: int  # bytes of the longest
    dates: frozenset[str]  # the birth date's forms
    serial: str

    @classmethod
    def of(cls, citizen: Citizen) -> _Kept:
        found = sorted({n.text for n in iter_needles(citizen)})
        raw = [t.encode() for t in found]
        return cls(
            frozenset(found),
            ahocorasick_rs.AhoCorasick(found),
            ahocorasick_rs.BytesAhoCorasick(raw),
            max(map(len, raw)),
            frozenset(birth_date_forms(citizen.cpr)),
            citizen.cpr[6:],
        )

    def spare(
        self, value: AnyStr, matches: list[tuple[int, int, int]], before: AnyStr | None = None
    ) -> list[tuple[int, int, int]]:
        """The matches of secrets in `value` that may be masked. A whole text keeps the serial
        where it holds the birth date standing alone; a window of a stream (`before`: the bytes
        just before it, where a kept text may begin) only its kept texts."""
        if not matches:
            return matches
        find = self.text if isinstance(value, str) else self.data
        whole = value if before is None else before + value
        found = [(s, e) for _, s, e in find.find_matches_as_indexes(whole, overlapping=True)]
        shift = len(whole) - len(value)
        spared = _outside(matches, [(s - shift, e - shift) for s, e in found])
        if before is None and self._date_alone(whole, found):
            spared = [m for m in spared if _str(value[m[1] : m[2]]) != self.serial]
        return spared

    def _date_alone(self, text: AnyStr, found: list[tuple[int, int]]) -> bool:
        """Whether `text` holds a form of the birth date outside the CPR's (a field of its own)."""
        return any(_str(text[s:e]) in self.dates and not _inside((s, e), found) for s, e in found)


class Redactor:
    """Masks known secrets in texts, bytes and exchanges; learns more while recording. As an
    addon, the last: every exchange and kept body is masked as it is written."""

    def __init__(
        self,
        secrets: Iterable[str],
        first_party: set[str],
        carries_cpr: Callable[[str], bool] = lambda value: False,
        citizen: Citizen | None = None,
    ) -> None:
        """`citizen`: whose identifiers a mask never cuts into (`_Kept`)."""
        self.first_party = first_party
        self._carries_cpr = carries_cpr
        self._kept = _Kept.of(citizen) if citizen else None
        self._known: set[str] = set()
        self._forms: set[str] = set()
        self._raw: set[bytes] = set()  # the forms as bytes, and the secrets in Latin-1
        self._learning = threading.Lock()
        self._match = _Matchers()
        self.learn(secrets, minimum=1)

    def learn(self, values: Iterable[str], minimum: int = MIN_LEARNED) -> None:
        """Mask `values` from now on, except short ones and those that carry the CPR."""
        values = list(values)
        with self._learning:
            new = {v for v in values if len(v) >= minimum and v not in self._known}
            new = {v for v in new if MASK not in v}
            self._known |= new
            secrets = [v for v in new if not self._carries_cpr(v) and not self._identifies(v)]
            forms = {form for v in secrets for form in every_form(v)} - self._forms
            if not forms:
                return
            self._forms |= forms
            self._raw |= {f.encode() for f in forms} | set(filter(None, map(_latin1, secrets)))
            kind = ahocorasick_rs.MatchKind.LeftmostLongest
            self._match = _Matchers(
                ahocorasick_rs.AhoCorasick(list(self._forms), matchkind=kind),
                ahocorasick_rs.BytesAhoCorasick(list(self._raw), matchkind=kind),
                max(map(len, self._raw)),
            )

    def _identifies(self, value: str) -> bool:
        """Whether `value` is one of the kept texts itself (a password that is the birth date):
        masked, it would hide a CPR split over two fields."""
        return self._kept is not None and value in self._kept.texts

    def learn_userinfo(self, text: str) -> None:
        """Learn the user name and password of every URL in `text`."""
        found = []
        for match in USERINFO.finditer(text):
            if match[2] == URL_MASK:
                continue
            userinfo = unquote(match[2])
            found += [match[2], userinfo, userinfo.partition(":")[2]]
        if found:
            self.learn(found)

    def text(self, value: str) -> str:
        if not value:
            return value
        if "@" in value:  # first, so that no learned form is masked inside a URL's host part
            value = USERINFO.sub(self._userinfo, value)
        if (text := self._match.text) is None:
            return value
        matches = text.find_matches_as_indexes(value)
        if self._kept:
            matches = self._kept.spare(value, matches)
        return _masked(value, matches, MASK)

    def _userinfo(self, match: re.Match[str]) -> str:
        """A URL's user:password masked as a URL can still be parsed (no brackets there)."""
        return match[0] if self._carries_cpr(match[2]) else f"{match[1]}{URL_MASK}@"

    def texts(self, values: Iterable[str]) -> list[str]:
        return [self.text(v) for v in values]

    def data(self, data: bytes) -> bytes:
        if (matcher := self._match.data) is None or not data:
            return data
        return _masked(data, self._data_matches(matcher, data), MASK.encode())

    def _data_matches(
        self, matcher: ahocorasick_rs.BytesAhoCorasick, data: bytes, before: bytes | None = None
    ) -> list[tuple[int, int, int]]:
        """The secrets in `data` that may be masked (`before`: a stream's bytes before it)."""
        matches = matcher.find_matches_as_indexes(data)
        return self._kept.spare(data, matches, before) if self._kept else matches

    def copy(self, source: IO[bytes], target: IO[bytes], window: int = WINDOW) -> None:
        """`data` for a stream, a window at a time: the last bytes of each window, where a
        secret, or a kept text around it, may go on in the next, are masked with the next; the
        bytes before it, where a kept text may begin, are looked at again."""
        match = self._match  # one set of secrets for the whole stream
        margin = self._kept.longest - 1 if self._kept else 0
        keep = match.longest - 1 + margin
        before = carry = b""
        while True:
            chunk = source.read(window)
            data = carry + chunk
            cut = max(0, len(data) - keep) if chunk else len(data)
            matches = self._data_matches(match.data, data, before) if match.data else []
            done = [m for m in matches if m[1] < cut]  # each lies whole in `data`, as do kept texts
            cut = max([cut] + [end for _, _, end in done[-1:]])
            target.write(_masked(data[:cut], done, MASK.encode()))
            if not chunk:
                return
            if margin:
                before = (before + data[max(0, cut - margin) : cut])[-margin:]
            carry = data[cut:]

    def copy_body(self, source: IO[bytes], target: IO[bytes]) -> None:
        self.copy(source, target)

    def exchange(self, exchange: Exchange) -> Exchange:
        """The exchange with every secret masked; its credential headers learned first."""
        first = registrable_domain(exchange.host) in self.first_party
        self.learn(self._credentials(exchange.headers, first))
        texts = ("url", "page_url", "frame_url", "redirected_from", "failure", "body_note")
        for url in [getattr(exchange, k) or "" for k in texts] + [
            f.url for f in exchange.initiator
        ]:
            self.learn_userinfo(url)
        update: dict[str, object] = {k: self.text(v) for k in texts if (v := getattr(exchange, k))}
        update["initiator"] = tuple(self._frame(f) for f in exchange.initiator)
        update["headers"] = tuple((n, self._header(n, v, first)) for n, v in exchange.headers)
        update["body"] = exchange.body and self.data(exchange.body)
        return exchange.model_copy(update=update)

    def _credentials(self, headers: Iterable[tuple[str, str]], first_party: bool) -> list[str]:
        found: list[str] = []
        for name, value in headers:
            lower = name.lower()
            if lower in SECRET_HEADERS:
                found += _authorization(value)
            elif first_party and lower == "cookie":
                found += [c.partition("=")[2].strip() for c in value.split(";")]
            elif first_party and SESSION_HEADER.search(lower) and not lower.startswith(":"):
                found.append(value)
        return found

    def _header(self, name: str, value: str, first_party: bool) -> str:
        lower = name.lower()
        if lower in SECRET_HEADERS and not self._carries_cpr(value):
            return MASK
        if lower == "cookie" and first_party:
            return "; ".join(self._cookie(c.strip()) for c in value.split(";") if c.strip())
        return self.text(value)

    def _cookie(self, pair: str) -> str:
        """A first-party cookie masked, unless its value carries the CPR: a first-party name
        can be a third party's (a CNAME), and its cookies a leak."""
        name, _, value = pair.partition("=")
        return pair if self._carries_cpr(value) else f"{name.strip()}={MASK}"

    def _frame(self, frame: InitiatorFrame) -> InitiatorFrame:
        return frame.model_copy(update={"url": self.text(frame.url)})


def _authorization(value: str) -> list[str]:
    """An Authorization value, its token, and for Basic the password inside it."""
    scheme, _, token = value.strip().partition(" ")
    found = [value, token.strip()]
    if scheme.lower() == "basic":
        try:
            found.append(base64.b64decode(token, validate=True).decode().partition(":")[2])
        except (binascii.Error, ValueError):
            pass
    return found


def _latin1(secret: str) -> bytes | None:
    """The secret as a Latin-1 page sends it raw (in a multipart form, say)."""
    try:
        return secret.encode("latin-1")
    except UnicodeEncodeError:
        return None


def _outside(
    matches: list[tuple[int, int, int]], kept: list[tuple[int, int]]
) -> list[tuple[int, int, int]]:
    """The matches that cut into no kept text: a secret that is a piece of one (a PIN of the
    CPR's last digits) stays where it is; one that holds one whole (a password with the birth
    date in it) is masked, the kept text with it."""
    return [
        m
        for m in matches
        if not any(s < m[2] and m[1] < e and (s < m[1] or m[2] < e) for s, e in kept)
    ]


def _inside(span: tuple[int, int], others: list[tuple[int, int]]) -> bool:
    """Whether a longer one of `others` holds `span` (the birth date inside the CPR)."""
    s, e = span
    return any(a <= s and e <= b and b - a > e - s for a, b in others)


def _str(piece: str | bytes) -> str:
    return piece if isinstance(piece, str) else piece.decode("latin-1")


def _masked(value: AnyStr, matches: list[tuple[int, int, int]], mask: AnyStr) -> AnyStr:
    pieces: list[AnyStr] = []
    at = 0
    for _, start, end in matches:
        pieces += [value[at:start], mask]
        at = end
    pieces.append(value[at:])
    return value[:0].join(pieces)


def for_citizen(citizen: Citizen, first_party: set[str]) -> Redactor:
    """The citizen's credentials (a login name that is the CPR itself stays visible: it is
    what the audit looks for), and what it learns while recording."""
    check = CprToThirdParty(citizen.cpr, Parties(sorted(first_party)))
    secrets = [v.get_secret_value() for v in citizen.credentials.values()]
    return Redactor(
        secrets,
        first_party,
        lambda value: check.carries("http://x.invalid/", body=value),
        citizen=citizen,
    )
