"""HAR import: a browser's own export of its traffic, turned into the record a live audit writes.

Reads the exports of Chrome/Chromium DevTools ("Save all as HAR"), Firefox DevTools and
Playwright (`record_har_path`, content embedded, attached as files next to the HAR or in a
.zip, or omitted). Each entry becomes an `Exchange` with `source="har"`; each websocket
message becomes a `kind="websocket"` exchange right after its handshake. `bundle.write_exchanges`
writes them as `requests.jsonl`, so `scan-har` runs the same analysis as a live audit.

Choices:
- HTTP/2 pseudo-headers (`:authority`, `:method`, `:path`, `:scheme`) are dropped: they
  restate the method and the URL, and keeping them would report a CPR in the path twice.
- When an entry's headers have no Cookie header but its `request.cookies` list is not
  empty, a Cookie header is rebuilt from that list, so the cookie channel is still searched.
- A body that the HAR leaves out (exported without content, a missing attached file) is
  a capture gap: `body` is None, `body_missing` is set and `body_note` says why, never
  silently an empty body. A third party's request like that keeps the result from being clean.
- What cannot be read is left out as small as it can be: a field that cannot be read (an
  invalid redirectURL, a status of NaN, a header that is no {name, value}, a property nested
  thousands of levels deep) is left out and counted in `dropped`; an entry without a readable
  request URL and method is counted in `unreadable`; the others are still imported. Each has
  a problem line. Nothing is dropped without being counted.
- NaN and Infinity, which Python's own encoder and some exporters write, are read as numbers.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Literal
from urllib.parse import urlencode, urljoin, urlsplit

from pydantic import ValidationError

from crawler.errors import BadInput, not_a_file
from crawler.importers.lenient_json import LEFT_OUT, left_out, loads
from crawler.model import Exchange, Frozen

MAX_PROBLEMS = 20
MAX_UNZIPPED = 2 << 30  # a zipped HAR that claims more is a zip bomb, not an export
_NO_BODY_METHODS = {"GET", "HEAD", "OPTIONS"}
_NO_COOKIES = (
    "no entry has a Cookie or Set-Cookie header: the site set none, or the exporter removed them "
    '(Chrome\'s default "sanitized" export does), so a CPR in a cookie cannot be found in this '
    "file; export with sensitive data to search cookies too"
)
# a websocket message's `type` (any JSON value) -> the direction of its exchange
_DIRECTIONS: dict[object, Literal["sent", "received"]] = {"send": "sent", "receive": "received"}
_TOO_DEEP = "nested too deeply to read (a browser's HAR is a few levels deep)"
_HOW_TO_EXPORT = "export it again from the browser's developer tools (Network tab: Save all as HAR)"
_MIME_TYPES = (  # mime type fragment -> resource type, when the HAR names none
    ("text/html", "document"),
    ("xhtml", "document"),
    ("text/css", "stylesheet"),
    ("javascript", "script"),
    ("ecmascript", "script"),
    ("image/", "image"),
    ("font", "font"),
    ("audio/", "media"),
    ("video/", "media"),
)


class HarImport(Frozen):
    """What a HAR file held, as exchanges, and what of it could not be read."""

    exchanges: tuple[Exchange, ...]
    entries: int = 0  # as the file lists them
    unreadable: int = 0  # entries left out whole
    dropped: int = 0  # fields left out of entries (and of the log) that were read
    problems: tuple[str, ...] = ()
    creator: str = ""
    pages: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


class _Broken(Exception):
    """One line saying which part of an entry could not be read."""


Attached = Callable[[str], "bytes | None"]  # the content of a `_file` name, None if absent


def read_har(path: Path) -> HarImport:
    """The exchanges of a HAR file (or a Playwright .zip HAR); BadInput if it is no HAR at all."""
    log, attached = _open(path)
    listed = found if isinstance(found := log.get("pages"), list) else []
    pages = [page for page in listed if isinstance(page, dict)]
    reader = _Reader({p.get("id"): _page_title(p) for p in pages}, attached)
    for place in left_out({k: v for k, v in log.items() if k != "entries"}, "log"):
        reader.dropped += 1
        reader.problems.append(f"{place}: {_TOO_DEEP}: left out")
    for number, entry in enumerate(log["entries"], 1):
        reader.entry(number, entry)
    creator = _obj(log, "creator")
    notes = () if reader.cookies_seen or not reader.exchanges else (_NO_COOKIES,)
    return HarImport(
        exchanges=tuple(reader.exchanges),
        entries=len(log["entries"]),
        unreadable=reader.unreadable,
        dropped=reader.dropped,
        problems=tuple(reader.problems[:MAX_PROBLEMS]),
        creator=" ".join(str(creator[k]) for k in ("name", "version") if creator.get(k)),
        pages=tuple(t for t in map(_page_title, pages) if t),
        notes=notes,
    )


def unkept_bodies(path: Path) -> list[str]:
    """Every response a HAR lists without the body it had, as "METHOD URL": Playwright leaves
    out, without a word, bodies it could not read back (some 30 MB and more). A HAR that
    cannot be read lists none."""
    try:
        log, _ = _open(path)
    except BadInput:
        return []
    missing = []
    for entry in filter(lambda e: isinstance(e, dict), log["entries"]):
        request, response = _obj(entry, "request"), _obj(entry, "response")
        content, status = _obj(response, "content"), response.get("status")
        if not isinstance(status, int) or not 200 <= status < 600 or 300 <= status < 400:
            continue  # no response, or a redirect
        if (
            status == 204
            or "text" in content
            or content.get("size") == 0
            or request.get("method") == "HEAD"
        ):
            continue
        missing.append(f"{request.get('method')} {request.get('url')}")
    return missing


def documents(path: Path) -> dict[str, tuple[dict[str, str], str]]:
    """URL -> (response headers, HTML) of every HTML document in a HAR that carries response
    bodies (an audit's own network.har): what root cause reads referrer policies from. A HAR
    that cannot be read has none."""
    try:
        log, _ = _open(path)
    except BadInput:
        return {}
    pages = {}
    for entry in log["entries"]:
        if not isinstance(entry, dict):
            continue
        response = _obj(entry, "response")
        content = _obj(response, "content")
        url = _obj(entry, "request").get("url")
        if "html" not in str(content.get("mimeType") or "") or not isinstance(url, str):
            continue
        text = found if isinstance(found := content.get("text"), str) else ""
        if content.get("encoding") == "base64":
            try:
                text = base64.b64decode(text).decode("utf-8", "replace")
            except (binascii.Error, ValueError):
                text = ""
        listed = given if isinstance(given := response.get("headers"), list) else []
        headers = {
            str(h.get("name", "")).lower(): str(h.get("value", ""))
            for h in listed
            if isinstance(h, dict)
        }
        pages[url] = (headers, text)
    return pages


def cookie_values(path: Path) -> list[tuple[str, str]]:
    """(host, value) of every cookie the HAR's requests sent and its responses set (even one
    cleared later): what redaction needs to know of an audit's own network.har."""
    log, _ = _open(path)
    found = []
    for entry in filter(lambda e: isinstance(e, dict), log["entries"]):
        request, response = _obj(entry, "request"), _obj(entry, "response")
        host = _host(request.get("url"))
        listed = _list(request, "cookies") + _list(response, "cookies")
        found += [(host, c.get("value")) for c in listed if isinstance(c, dict)]
        for header in _list(request, "headers") + _list(response, "headers"):
            name = str(header.get("name", "")).lower() if isinstance(header, dict) else ""
            if name in ("cookie", "set-cookie"):
                pairs = str(header.get("value", "")).split(";" if name == "cookie" else "\n")
                found += [(host, p.split(";")[0].partition("=")[2].strip()) for p in pairs]
    return [(host, str(value)) for host, value in found if value]


def _list(parent: dict, key: str) -> list:
    value = parent.get(key)
    return value if isinstance(value, list) else []


def _host(url: object) -> str:
    try:
        return (urlsplit(url).hostname or "") if isinstance(url, str) else ""
    except ValueError:
        return ""


# -- the file -------------------------------------------------------------------------------
def _open(path: Path) -> tuple[dict, Attached]:
    fix = "give the path of a .har file exported from the browser"
    try:
        if not path.is_file():
            raise BadInput(f"{path}: {not_a_file(path)}; {fix}")
        if zipfile.is_zipfile(path):
            return _open_zip(path)
        raw = path.read_bytes()
    except OSError as exc:  # a name too long, no permission, ...
        raise BadInput(f"{path}: cannot read it ({exc.strerror or exc}); {fix}") from None
    folder = path.parent

    def attached(name: str) -> bytes | None:
        file = folder / name
        return file.read_bytes() if file.is_file() else None

    return _parse(path, raw), attached


def _open_zip(path: Path) -> tuple[dict, Attached]:
    """Playwright writes `record_har_path="x.zip"` as the HAR plus its attached files."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            hars = [n for n in names if n.endswith(".har")]
            if len(hars) != 1:
                raise BadInput(
                    f"{path}: a zip with {len(hars)} .har files; "
                    "give a zip with exactly one, or the .har itself"
                )
            if sum(item.file_size for item in archive.infolist()) > MAX_UNZIPPED:
                raise BadInput(
                    f"{path}: unpacks to more than {MAX_UNZIPPED >> 30} GiB; "
                    "give the .har and its files unpacked"
                )
            files = {n: archive.read(n) for n in names}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError) as exc:
        raise BadInput(f"{path}: a damaged zip ({exc}); {_HOW_TO_EXPORT}") from None
    return _parse(path, files[hars[0]]), files.get


def _parse(path: Path, raw: bytes) -> dict:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path}: not UTF-8 text (byte {exc.start}); {_HOW_TO_EXPORT}") from None
    try:
        data = loads(text)
    except json.JSONDecodeError as exc:
        if _cut_short(text):
            raise BadInput(
                f"{path}: the file ends early, at byte {len(raw)}: was it cut while saving? "
                f"{_HOW_TO_EXPORT[0].upper()}{_HOW_TO_EXPORT[1:]}"
            ) from None
        raise BadInput(
            f"{path}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            f"a HAR is JSON: {_HOW_TO_EXPORT}"
        ) from None
    except ValueError as exc:
        raise BadInput(f"{path}: not JSON ({exc}); a HAR is JSON: {_HOW_TO_EXPORT}") from None
    log = data.get("log") if isinstance(data, dict) else None
    if not isinstance(log, dict) or not isinstance(log.get("entries"), list):
        deep = f", and parts of it are {_TOO_DEEP}" if left_out(data) else ""
        raise BadInput(f"{path}: JSON but not a HAR (no log.entries list{deep}); {_HOW_TO_EXPORT}")
    return log


def _cut_short(text: str) -> bool:
    """A JSON object that stops inside a string or with brackets still open: a cut file,
    not some other file (an HTML login page saved instead of the HAR starts with "<")."""
    if not text.lstrip().startswith("{"):
        return False
    rest = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
    opened = rest.count("{") + rest.count("[")
    return rest.count('"') % 2 == 1 or opened > rest.count("}") + rest.count("]")


def _page_title(page: dict) -> str:
    title = page.get("title")
    return title if isinstance(title, str) and title else str(page.get("id") or "")


def _parses(url: str) -> bool:
    """Whether Python can take the URL apart: Chromium never sends one it cannot, a HAR may
    hold anything."""
    try:
        _ = urlsplit(url).hostname
    except ValueError:
        return False
    return True


def _is_url(text: str | None) -> bool:
    return text is not None and text.startswith(("http://", "https://"))


# -- the entries ------------------------------------------------------------------------------
def _get(obj: dict, key: str, kind: type | tuple, where: str, default=None):
    """obj[key] if it is of `kind`; `default` if absent (or _Broken when no default is given)."""
    value = obj.get(key)
    if value is LEFT_OUT:
        raise _Broken(f"{where}{key} {_TOO_DEEP}")
    if value is None:
        if default is None:
            raise _Broken(f"{where}{key} missing")
        return default
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _Broken(
            f"{where}{key} is {type(value).__name__}, not {getattr(kind, '__name__', 'a number')}"
        )
    return value


class _Reader:
    """Turns entries into exchanges in file order, remembering what later entries refer to:
    the document each frame shows (for page and frame URLs) and pending redirects."""

    def __init__(self, pages: dict, attached: Attached) -> None:
        self.pages = pages
        self.attached = attached
        self.exchanges: list[Exchange] = []
        self.unreadable = 0
        self.dropped = 0
        self.problems: list[str] = []
        self.left_out: list[str] = []  # what the entry being read leaves out, until it is kept
        self.frame_documents: dict[str, str] = {}  # _frameref -> URL of its latest document
        self.main_frames: dict[str, str] = {}  # pageref -> _frameref of its first document
        self.first_documents: dict[
            str, str
        ] = {}  # pageref -> its first document, without _frameref
        self.redirects: dict[str, str] = {}  # target URL -> URL that redirected there
        self.cookies_seen = False  # any Cookie or Set-Cookie in the file

    def problem(self, number: int, text: str) -> None:
        """An entry that cannot be read at all."""
        self.unreadable += 1
        self.problems.append(f"entry {number}: {text}")

    def drop(self, text: str) -> None:
        """A part of the entry being read that cannot be read: left out, the entry kept."""
        self.left_out.append(text)

    def entry(self, number: int, entry: object) -> None:
        if entry is LEFT_OUT:
            return self.problem(number, _TOO_DEEP)
        self.left_out = []
        try:
            if not isinstance(entry, dict):
                deep = f", {_TOO_DEEP}" if left_out(entry) else ""
                raise _Broken(f"is {type(entry).__name__}, not an object{deep}")
            self.left_out += [f"{place} {_TOO_DEEP}" for place in left_out(entry)]
            request = self.request(entry)
            self.exchanges.append(request)
            if request.resource_type == "websocket" or "_webSocketMessages" in entry:
                self.messages(entry, request)
        except (_Broken, ValidationError) as exc:
            return self.problem(number, _one_line(exc))
        self.dropped += len(self.left_out)
        self.problems += [f"entry {number}: {text}: left out" for text in self.left_out]

    def optional(self, obj: dict, key: str, kind: type | tuple, where: str, default=None):
        """obj[key] if it is of `kind`; `default` if absent or left out (a value of another
        kind is said to be left out)."""
        value = obj.get(key)
        if value is None or value is LEFT_OUT:
            return default
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            name = getattr(kind, "__name__", "a number")
            self.drop(f"{where}{key} is {type(value).__name__}, not {name}")
            return default
        return value

    def request(self, entry: dict) -> Exchange:
        request = _get(entry, "request", dict, "")
        response = _obj(entry, "response")
        url = _get(request, "url", str, "request.")
        if not url:
            raise _Broken("request.url missing")
        if not _parses(url):
            raise _Broken("request.url is not a valid URL")
        method = _get(request, "method", str, "request.")
        headers = _headers(request, self.drop)
        self.cookies_seen = self.cookies_seen or _has_cookies(headers, response)
        try:
            body, note = self.body(request, method)
        except _Broken as exc:
            self.drop(str(exc))
            body, note = None, "the body could not be read from the HAR"
        kind = _resource_type(entry, response, url)
        frame_url, page_url = self.place(
            entry, kind, url, dict((k.lower(), v) for k, v in reversed(headers))
        )
        status = self.optional(response, "status", (int, float), "response.", 0)
        if not math.isfinite(status):
            self.drop(f"response.status is {json.dumps(status)}, not a number")
            status = 0
        redirected_from = self.redirects.pop(url, None)
        target = response.get("redirectURL")
        if 300 <= status < 400 and isinstance(target, str) and target:
            if _parses(target):
                self.redirects[urljoin(url, target)] = url
            else:
                self.drop("response.redirectURL is not a valid URL")
        failure = response.get("_error") or response.get("_failureText")
        return Exchange(
            seq=len(self.exchanges) + 1,
            method=method,
            url=url,
            headers=headers,
            body=body,
            body_note=note or self.frames_note(entry, response, kind),
            body_missing=body is None and note is not None,
            resource_type=kind,
            page_url=page_url,
            frame_url=frame_url,
            time=_time(entry.get("startedDateTime")),
            status=int(status) if status > 0 else None,
            failure=failure if isinstance(failure, str) else None,
            redirected_from=redirected_from,
            source="har",
        )

    def body(self, request: dict, method: str) -> tuple[bytes | None, str | None]:
        """(body, note): the bytes sent, or None and why they are not in the HAR."""
        post = _get(request, "postData", dict, "request.", {})
        size = given if isinstance(given := request.get("bodySize"), int) else -1
        if name := post.get("_file"):
            if not isinstance(name, str) or Path(name).name != name:
                raise _Broken("request.postData._file is not a file name")
            found = self.attached(name)
            return (
                (found, None)
                if found is not None
                else (
                    None,
                    f"body in {name}, which is not next to the HAR: copy the HAR with its files",
                )
            )
        text = _get(post, "text", str, "request.postData.", "")
        if text:
            if post.get("encoding") == "base64":
                return _base64(text, "request.postData.text"), None
            return text.encode("utf-8"), None
        if params := _get(post, "params", list, "request.postData.", []):
            return _form(params).encode("ascii"), None
        comment = post.get("comment") if isinstance(post.get("comment"), str) else ""
        if (
            size > 0 or comment
        ):  # Firefox says "Request body not included"; Playwright's omit mode, a size
            return (
                None,
                f"body not in the HAR ({comment or f'{size} bytes sent'}): export it with content",
            )
        if size < 0 and method not in _NO_BODY_METHODS:
            return None, "the HAR does not say whether a body was sent"
        return (b"" if post else None), None

    def place(
        self, entry: dict, kind: str, url: str, headers: dict
    ) -> tuple[str | None, str | None]:
        """(frame URL, page URL). The page is its title when that is a URL (Chrome); else the
        document its main frame shows at the time (Playwright names frames in `_frameref`);
        else the page's first document (Firefox); else the Referer, which is often cut to
        the origin."""
        frame = given if isinstance(given := entry.get("_frameref"), str) else None
        pageref = given if isinstance(given := entry.get("pageref"), str) else None
        if kind == "document" and frame:
            self.frame_documents[frame] = url
            if pageref:
                self.main_frames.setdefault(pageref, frame)
        elif kind == "document" and pageref:
            self.first_documents.setdefault(pageref, url)
        title = self.pages.get(pageref)
        main = None
        if pageref:  # only named pages and frames are in the maps
            main_frame = self.main_frames.get(pageref)
            main = (
                self.frame_documents.get(main_frame) if main_frame else None
            ) or self.first_documents.get(pageref)
        document = self.frame_documents.get(frame) if frame else None
        return document, title if _is_url(title) else main or headers.get("referer")

    def frames_note(self, entry: dict, response: dict, kind: str) -> str | None:
        listed = "_webSocketMessages" in entry or _obj(response, "content").get("_file")
        if (
            kind == "websocket" and not listed
        ):  # Firefox never exports them; Playwright's omit mode drops them
            return "websocket frames not in the HAR: export it with content"
        return None

    def messages(self, entry: dict, handshake: Exchange) -> None:
        """Websocket messages: `_webSocketMessages` (Chrome, Playwright embed) or the .jsonl
        file that Playwright's attach mode names in response.content._file."""
        listed = entry.get("_webSocketMessages")
        name = _obj(_obj(entry, "response"), "content").get("_file")
        if listed is None and isinstance(name, str):
            raw = self.attached(name) if Path(name).name == name else None
            if raw is None:
                return self.drop(f"websocket messages in {name}, which is not next to the HAR")
            listed = [
                _json_or_text(line)
                for line in raw.decode("utf-8", "replace").splitlines()
                if line.strip()
            ]
        if not isinstance(listed, list):
            return None if listed in (None, LEFT_OUT) else self.drop("_webSocketMessages")
        for index, message in enumerate(listed, 1):
            try:
                if message is not LEFT_OUT:
                    self.exchanges.append(_frame(message, handshake, len(self.exchanges) + 1))
            except (_Broken, ValidationError) as exc:
                self.drop(f"websocket message {index}: {_one_line(exc)}")


def _obj(parent: dict, key: str) -> dict:
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def _json_or_text(line: str) -> object:
    try:
        return json.loads(line)
    except ValueError:
        return line


def _headers(request: dict, drop: Callable[[str], None]) -> tuple[tuple[str, str], ...]:
    """The request's headers; one that cannot be read is left out (`drop` says which)."""
    listed = request.get("headers")
    if listed is not None and listed is not LEFT_OUT and not isinstance(listed, list):
        drop(f"request.headers is {type(listed).__name__}, not a list")
    headers = []
    for index, header in enumerate(listed if isinstance(listed, list) else []):
        if header is LEFT_OUT:
            continue  # said where it was found
        if (
            not isinstance(header, dict)
            or not isinstance(header.get("name"), str)
            or not isinstance(header.get("value"), str)
        ):
            drop(f"request.headers[{index}] is not {{name, value}} text")
            continue
        if not header["name"].startswith(":"):
            headers.append((header["name"], header["value"]))
    cookies = request.get("cookies")
    if cookies is not None and cookies is not LEFT_OUT and not isinstance(cookies, list):
        drop(f"request.cookies is {type(cookies).__name__}, not a list")
    cookies = cookies if isinstance(cookies, list) else []
    if cookies and not any(name.lower() == "cookie" for name, _ in headers):
        pairs = [
            f"{c['name']}={c.get('value', '')}"
            for c in cookies
            if isinstance(c, dict) and c.get("name")
        ]
        headers.append(("Cookie", "; ".join(pairs)))
    return tuple(headers)


def _has_cookies(headers: tuple[tuple[str, str], ...], response: dict) -> bool:
    if any(name.lower() == "cookie" for name, _ in headers) or response.get("cookies"):
        return True
    listed = given if isinstance(given := response.get("headers"), list) else []
    return any(
        isinstance(h, dict) and str(h.get("name", "")).lower() == "set-cookie" for h in listed
    )


def _form(params: list) -> str:
    """postData.params without text (a form the exporter parsed): form-encoded again."""
    pairs = []
    for index, param in enumerate(params):
        if not isinstance(param, dict) or not isinstance(param.get("name"), str):
            raise _Broken(f"request.postData.params[{index}] has no name")
        value = param.get("value", "")
        if value is LEFT_OUT:
            continue  # said where it was found
        pairs.append((param["name"], value if isinstance(value, str) else json.dumps(value)))
    return urlencode(pairs)


def _resource_type(entry: dict, response: dict, url: str) -> str:
    named = entry.get("_resourceType")
    if isinstance(named, str) and named:
        return named.lower()
    if url.startswith(("ws://", "wss://")):
        return "websocket"
    mime = str(_obj(response, "content").get("mimeType") or "").lower()
    return next((kind for fragment, kind in _MIME_TYPES if fragment in mime), "other")


def _frame(message: object, handshake: Exchange, seq: int) -> Exchange:
    if not isinstance(message, dict):
        raise _Broken(f"is {type(message).__name__}, not an object")
    direction = _DIRECTIONS.get(message.get("type"))
    if direction is None:
        raise _Broken(f"type is {message.get('type')!r}, not 'send' or 'receive'")
    data = _get(message, "data", str, "", "")
    body = _base64(data, "data") if message.get("opcode") == 2 else data.encode("utf-8")
    when = message.get("time")
    when = float(when) if isinstance(when, (int, float)) and 1e9 < when < 1e14 else handshake.time
    return Exchange(
        seq=seq,
        kind="websocket",
        method="WS",
        url=handshake.url,
        direction=direction,
        body=body,
        resource_type="websocket",
        page_url=handshake.page_url,
        frame_url=handshake.frame_url,
        time=when / 1000 if when > 1e11 else when,  # Playwright writes milliseconds, Chrome seconds
        source="har",
    )


def _base64(text: str, where: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _Broken(f"{where} is marked base64 but is not") from None


def _time(value: object) -> float:
    """startedDateTime (ISO 8601) as epoch seconds; 0.0 when absent or unreadable (a time
    is context, not evidence: an entry is not dropped for it)."""
    try:
        return datetime.fromisoformat(value).timestamp() if isinstance(value, str) else 0.0
    except ValueError:
        return 0.0


def _one_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        return f"{'.'.join(map(str, error['loc']))}: {error['msg']}"
    return str(exc)
