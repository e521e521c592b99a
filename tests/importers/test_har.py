"""HAR import: Playwright's own HARs recorded here against a loopback portal, hand-written
Chrome and Firefox exports, and broken files that must fail with one line that says what to do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from crawler.bundle import read_exchanges, write_exchanges
from crawler.detect.detector import detect
from crawler.errors import BadInput
from crawler.importers.har import HarImport, read_har
from crawler.model import Citizen, Exchange
from crawler.parties import Parties
from crawler.record.browser.chromium import launch
from crawler.testing import Response, SiteServer
from crawler.testing.portals import CPR

DATA = Path(__file__).parents[1] / "data"
EXPORT_AGAIN = "export it again from the browser's developer tools (Network tab: Save all as HAR)"
PAGE = f"http://portal.skat.test/side?cpr={CPR}"
SIDE = f"""<!doctype html><meta name="referrer" content="unsafe-url"><title>Min side</title>
<img src="http://pixel.imgtracker.test/p.gif?x=1">
<script>
fetch("http://api.fetchvendor.test/collect", \
{{method: "POST", mode: "no-cors", body: "cpr={CPR}"}});
const ws = new WebSocket("ws://chat.wsvendor.test/socket");
ws.onopen = () => ws.send("hej {CPR}");
ws.onmessage = () => window.echoed = true;
</script>"""


def summary(exchanges) -> list[tuple]:
    """What a test compares: everything but the times, which no test can know in advance."""
    return [
        (
            e.seq,
            e.kind,
            e.method,
            e.url,
            e.direction,
            e.body,
            e.body_note,
            e.resource_type,
            e.header("referer"),
            e.page_url,
            e.status,
            e.source,
        )
        for e in exchanges
    ]


# -- Playwright's HAR, recorded here ---------------------------------------------------------
def record_har(tmp_path: Path, content: str, name: str = "x.har") -> Path:
    """Visit PAGE with Playwright recording a HAR, and return the HAR once the context flushed
    it."""
    har = tmp_path / "har" / name
    with SiteServer({"portal.skat.test/side": Response(SIDE)}) as server, sync_playwright() as pw:
        browser, _ = launch(pw, server.resolve_rules())
        try:
            context = browser.new_context(record_har_path=har, record_har_content=content)
            page = context.new_page()
            page.goto(PAGE)
            page.wait_for_function("window.echoed === true")
            context.close()
        finally:
            browser.close()
        assert [r.body for r in server.received_by("chat.wsvendor.test") if r.method == "WS"] == [
            f"hej {CPR}".encode()
        ], "the page must really have sent the frame"
    return har


def by_url(har: HarImport) -> list[tuple]:
    """The exchanges in a stable order (image and fetch may leave in either order), after
    checking that seq counts from 1 in file order and that frames follow their handshake."""
    assert [e.seq for e in har.exchanges] == list(range(1, len(har.exchanges) + 1))
    for before, frame in zip(har.exchanges, har.exchanges[1:], strict=False):
        if frame.kind == "websocket":
            assert before.url == frame.url
    return sorted(summary(har.exchanges), key=lambda row: (row[3], row[1], row[4] or ""))


def expected(post_body, post_note, frames, ws_note=None) -> list[tuple]:
    """Seq is left out: by_url checked it; the rest must match exactly."""
    rows = [
        (
            "request",
            "POST",
            "http://api.fetchvendor.test/collect",
            None,
            post_body,
            post_note,
            "fetch",
            PAGE,
            PAGE,
            200,
            "har",
        ),
        *[
            (
                "websocket",
                "WS",
                "ws://chat.wsvendor.test/socket",
                d,
                f"hej {CPR}".encode(),
                None,
                "websocket",
                None,
                PAGE,
                None,
                "har",
            )
            for d in frames
        ],
        (
            "request",
            "GET",
            "ws://chat.wsvendor.test/socket",
            None,
            None,
            ws_note,
            "websocket",
            None,
            PAGE,
            101,
            "har",
        ),
        (
            "request",
            "GET",
            "http://pixel.imgtracker.test/p.gif?x=1",
            None,
            None,
            None,
            "image",
            PAGE,
            PAGE,
            200,
            "har",
        ),
        ("request", "GET", PAGE, None, None, None, "document", None, PAGE, 200, "har"),
    ]
    return sorted(rows, key=lambda row: (row[2], row[0], row[3] or ""))


def without_seq(rows):
    return [row[1:] for row in rows]


@pytest.mark.browser
def test_playwright_har_with_embedded_content(tmp_path):
    har = read_har(record_har(tmp_path, "embed"))
    assert (har.unreadable, har.problems) == (0, ())
    assert har.creator.startswith("Playwright 1.") and har.pages == ("Min side",)
    assert without_seq(by_url(har)) == expected(f"cpr={CPR}".encode(), None, ["received", "sent"])


@pytest.mark.parametrize("name", ["x.har", "x.zip"])
@pytest.mark.browser
def test_playwright_har_with_attached_files(tmp_path, name):
    path = record_har(tmp_path, "attach", name)
    if name == "x.har":
        assert sorted(p.suffix for p in path.parent.iterdir()) == [
            ".har",
            ".html",
            ".jsonl",
            ".txt",
            ".txt",
        ]
    har = read_har(path)
    assert (har.unreadable, har.problems) == (0, ())
    assert without_seq(by_url(har)) == expected(f"cpr={CPR}".encode(), None, ["received", "sent"])


@pytest.mark.browser
def test_playwright_har_without_content_says_what_is_missing(tmp_path):
    har = read_har(record_har(tmp_path, "omit"))
    assert (har.unreadable, har.problems) == (0, ())
    assert without_seq(by_url(har)) == expected(
        None,
        f"body not in the HAR ({len('cpr=' + CPR)} bytes sent): export it with content",
        [],
        "websocket frames not in the HAR: export it with content",
    )


@pytest.mark.browser
def test_attached_files_that_were_not_copied_are_capture_gaps(tmp_path):
    path = record_har(tmp_path, "attach")
    for file in path.parent.iterdir():
        if file != path:
            file.unlink()
    har = read_har(path)
    post = next(e for e in har.exchanges if e.method == "POST")
    assert post.body is None
    assert post.body_note.startswith("body in ") and post.body_note.endswith(
        ".txt, which is not next to the HAR: copy the HAR with its files"
    )
    assert (har.unreadable, har.dropped, len(har.problems)) == (0, 1, 1), "the entry is kept"
    assert har.problems[0].startswith("entry 4: websocket messages in ")
    assert har.problems[0].endswith(".jsonl, which is not next to the HAR: left out")
    assert [e.kind for e in har.exchanges] == ["request"] * 4


# -- hand-written browser exports -------------------------------------------------------------
CHROME_PAGE = f"https://www.tastselv.test/borger/oversigt?cpr={CPR}"
T0 = 1772442900.0  # 2026-03-02T09:15:00Z


def test_chrome_devtools_export():
    har = read_har(DATA / "chrome.har")
    assert (har.unreadable, har.problems) == (0, ())
    assert har.creator == "WebInspector 537.36" and har.pages == (CHROME_PAGE,)
    dl = "https%3A%2F%2Fwww.tastselv.test%2Fborger%2Foversigt%3Fcpr%3D" + CPR
    ws = "wss://chat.wsvendor.test/socket"
    assert summary(har.exchanges) == [
        (
            1,
            "request",
            "GET",
            CHROME_PAGE,
            None,
            None,
            None,
            "document",
            None,
            CHROME_PAGE,
            200,
            "har",
        ),
        (
            2,
            "request",
            "GET",
            f"https://stats.analytics.test/collect?v=1&dl={dl}",
            None,
            None,
            None,
            "image",
            "https://www.tastselv.test/",
            CHROME_PAGE,
            204,
            "har",
        ),
        (
            3,
            "request",
            "POST",
            "https://forms.formvendor.test/submit",
            None,
            f"cpr={CPR}&navn=Test+Borger".encode(),
            None,
            "xhr",
            "https://www.tastselv.test/",
            CHROME_PAGE,
            200,
            "har",
        ),
        (
            4,
            "request",
            "POST",
            "https://beacon.beaconvendor.test/b",
            None,
            json.dumps({"page": f"/borger/oversigt?cpr={CPR}"}, separators=(",", ":")).encode(),
            None,
            "ping",
            None,
            CHROME_PAGE,
            204,
            "har",
        ),
        (5, "request", "GET", ws, None, None, None, "websocket", None, CHROME_PAGE, 101, "har"),
        (
            6,
            "websocket",
            "WS",
            ws,
            "sent",
            f'{{"cpr":"{CPR}"}}'.encode(),
            None,
            "websocket",
            None,
            CHROME_PAGE,
            None,
            "har",
        ),
        (
            7,
            "websocket",
            "WS",
            ws,
            "received",
            b"\x00\x01ok",
            None,
            "websocket",
            None,
            CHROME_PAGE,
            None,
            "har",
        ),
        (
            8,
            "request",
            "GET",
            f"https://ads.blocked.test/px.js?cpr={CPR}",
            None,
            None,
            None,
            "script",
            "https://www.tastselv.test/",
            CHROME_PAGE,
            None,
            "har",
        ),
        (
            9,
            "request",
            "GET",
            "https://cdn.maxcdn.test/r?u=1",
            None,
            None,
            None,
            "stylesheet",
            CHROME_PAGE,
            CHROME_PAGE,
            302,
            "har",
        ),
        (
            10,
            "request",
            "GET",
            "https://cdn.maxcdn.test/final.css",
            None,
            None,
            None,
            "stylesheet",
            CHROME_PAGE,
            CHROME_PAGE,
            200,
            "har",
        ),
    ]
    ex = har.exchanges
    assert ex[0].headers == (
        ("accept", "text/html,application/xhtml+xml"),
        ("cookie", "session=abc123; lang=da"),
        ("user-agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0 Safari/537.36"),
    ), "HTTP/2 pseudo-headers are dropped, the rest kept in order"
    assert [e.time for e in ex] == [
        T0 + 0.123,
        T0 + 0.4,
        T0 + 0.5,
        T0 + 0.6,
        T0 + 1.0,
        T0 + 1.5,
        T0 + 1.75,
        T0 + 1.1,
        T0 + 1.2,
        T0 + 1.25,
    ]
    assert ex[7].failure == "net::ERR_BLOCKED_BY_CLIENT"
    assert (
        ex[9].redirected_from == "https://cdn.maxcdn.test/r?u=1" and ex[8].redirected_from is None
    )
    assert har.notes == (), "it has cookies"


def test_a_sanitized_export_says_that_cookies_could_not_be_searched(tmp_path):
    """Chrome's default export ("sanitized") drops Cookie and Set-Cookie headers without a trace."""
    log = json.loads((DATA / "chrome.har").read_text())
    for entry in log["log"]["entries"]:
        entry["request"]["headers"] = [
            h for h in entry["request"]["headers"] if h["name"].lower() != "cookie"
        ]
        entry["request"]["cookies"] = []
        response = entry.get("response", {})
        response["headers"] = [
            h for h in response.get("headers", []) if h["name"].lower() != "set-cookie"
        ]
        response["cookies"] = []
    (tmp_path / "sanitized.har").write_text(json.dumps(log))
    har = read_har(tmp_path / "sanitized.har")
    assert len(har.notes) == 1 and "cannot be found in this file" in har.notes[0]
    assert len(har.exchanges) == len(read_har(DATA / "chrome.har").exchanges), (
        "everything else is read as before"
    )


FIREFOX_PAGE = CHROME_PAGE


def test_firefox_devtools_export():
    har = read_har(DATA / "firefox.har")
    assert (har.unreadable, har.problems) == (0, ())
    assert har.creator == "Firefox 128.0" and har.pages == ("TastSelv – Oversigt",)
    ws = "wss://chat.wsvendor.test/socket"
    assert summary(har.exchanges) == [
        (
            1,
            "request",
            "GET",
            FIREFOX_PAGE,
            None,
            None,
            None,
            "document",
            None,
            FIREFOX_PAGE,
            200,
            "har",
        ),
        (
            2,
            "request",
            "GET",
            "https://cdn.maxcdn.test/lib.js",
            None,
            None,
            None,
            "script",
            FIREFOX_PAGE,
            FIREFOX_PAGE,
            200,
            "har",
        ),
        (
            3,
            "request",
            "POST",
            "https://stats.analytics.test/collect",
            None,
            b"dl=https%3A%2F%2Fwww.tastselv.test%2Fborger%2Foversigt%3Fcpr%3D" + CPR.encode(),
            None,
            "other",
            "https://www.tastselv.test/",
            FIREFOX_PAGE,
            204,
            "har",
        ),
        (
            4,
            "request",
            "POST",
            "https://api.fetchvendor.test/v1",
            None,
            f'{{"cpr":"{CPR}"}}'.encode(),
            None,
            "other",
            None,
            FIREFOX_PAGE,
            200,
            "har",
        ),
        (
            5,
            "request",
            "POST",
            "https://upload.uploadvendor.test/big",
            None,
            None,
            "body not in the HAR (Request body not included): export it with content",
            "other",
            None,
            FIREFOX_PAGE,
            None,
            "har",
        ),
        (
            6,
            "request",
            "GET",
            ws,
            None,
            None,
            "websocket frames not in the HAR: export it with content",
            "websocket",
            None,
            FIREFOX_PAGE,
            101,
            "har",
        ),
    ]
    ex = har.exchanges
    assert ex[0].headers[-1] == ("Cookie", "session=abc123"), "a Cookie header is kept, not doubled"
    assert ex[3].headers == (
        ("Content-Type", "application/json"),
        ("Origin", "https://www.tastselv.test"),
        ("Cookie", f"_ga=GA1.2.{CPR}"),
    ), "cookies listed only in request.cookies are searched too"
    assert [e.time for e in ex] == [T0 + 0.25, T0 + 0.5, T0 + 0.75, T0 + 1.0, T0 + 1.25, T0 + 1.5]


def test_imported_record_runs_through_the_same_detector(tmp_path):
    har = read_har(DATA / "chrome.har")
    write_exchanges(har.exchanges, tmp_path / "requests.jsonl")
    exchanges, unreadable = read_exchanges(tmp_path / "requests.jsonl")
    assert unreadable == 0 and tuple(exchanges) == har.exchanges
    found = detect(exchanges, Citizen(cpr=CPR), Parties(["tastselv.test"]))
    third = {
        (f.host, f.channel, f.detail)
        for f in found.findings
        if f.party != "first" and not f.secondary
    }
    assert third == {
        ("stats.analytics.test", "url", "query parameter dl"),
        ("forms.formvendor.test", "body", "body field cpr"),
        ("beacon.beaconvendor.test", "body", "body JSON page"),
        ("chat.wsvendor.test", "websocket", "websocket frame (sent)"),
        ("ads.blocked.test", "url", "query parameter cpr"),
        ("cdn.maxcdn.test", "header", "header referer"),
    }


# -- broken input -----------------------------------------------------------------------------
def test_missing_file(tmp_path):
    path = tmp_path / "nope.har"
    with pytest.raises(BadInput) as err:
        read_har(path)
    assert (
        str(err.value)
        == f"{path}: no such file; give the path of a .har file exported from the browser"
    )


@pytest.mark.parametrize("cut", [1, 2, 17, 400, 1000, 2345, 5000, -20, -2])
def test_truncated_file_says_it_was_cut(tmp_path, cut):
    raw = (DATA / "chrome.har").read_bytes()
    path = tmp_path / "cut.har"
    path.write_bytes(raw[:cut])
    with pytest.raises(BadInput) as err:
        read_har(path)
    size = len(raw[:cut])
    assert str(err.value) == (
        f"{path}: the file ends early, at byte {size}: was it cut while saving? E{EXPORT_AGAIN[1:]}"
    )


def test_not_json_says_where(tmp_path):
    path = tmp_path / "login.har"
    path.write_text("<!doctype html>\n<title>Log ind</title>\n")
    with pytest.raises(BadInput) as err:
        read_har(path)
    assert (
        str(err.value)
        == f"{path}: not JSON (line 1, column 1: Expecting value); a HAR is JSON: {EXPORT_AGAIN}"
    )
    path.write_text(
        '{"log": {"entries": [\n  {"request": {"url": "http://a.test/"}}\n  {"request": {}}]}}'
    )
    with pytest.raises(BadInput) as err:
        read_har(path)
    assert str(err.value) == (
        f"{path}: not JSON (line 3, column 3: Expecting ',' delimiter); "
        f"a HAR is JSON: {EXPORT_AGAIN}"
    )


@pytest.mark.parametrize(
    "text",
    [
        '{"log": {"version": "1.2", "pages": []}}',
        '{"entries": []}',
        "[1, 2]",
        '{"log": {"entries": {}}}',
    ],
)
def test_json_that_is_not_a_har(tmp_path, text):
    path = tmp_path / "other.json"
    path.write_text(text)
    with pytest.raises(BadInput) as err:
        read_har(path)
    assert str(err.value) == f"{path}: JSON but not a HAR (no log.entries list); {EXPORT_AGAIN}"


def test_broken_entries_are_counted_broken_fields_left_out_and_the_rest_read(tmp_path):
    data = json.loads((DATA / "chrome.har").read_text())
    entries = data["log"]["entries"]
    del entries[1]["request"]["url"]
    entries[3]["request"]["headers"] = {"content-type": "text/plain"}
    entries[4]["_webSocketMessages"].append({"type": "ping", "opcode": 9, "data": ""})
    entries[6]["request"]["method"] = 7
    entries.append("not an entry")
    path = tmp_path / "broken.har"
    path.write_text(json.dumps(data))
    har = read_har(path)
    assert har.problems == (
        "entry 2: request.url missing",
        "entry 4: request.headers is dict, not a list: left out",
        "entry 5: websocket message 3: type is 'ping', not 'send' or 'receive': left out",
        "entry 7: request.method is int, not str",
        "entry 9: is str, not an object",
    )
    assert (har.entries, har.unreadable, har.dropped) == (9, 3, 2)
    assert [(e.seq, e.url, e.direction) for e in har.exchanges] == [
        (1, CHROME_PAGE, None),
        (2, "https://forms.formvendor.test/submit", None),
        (3, "https://beacon.beaconvendor.test/b", None),
        (4, "wss://chat.wsvendor.test/socket", None),
        (5, "wss://chat.wsvendor.test/socket", "sent"),
        (6, "wss://chat.wsvendor.test/socket", "received"),
        (7, f"https://ads.blocked.test/px.js?cpr={CPR}", None),
        (8, "https://cdn.maxcdn.test/final.css", None),
    ]


def test_problem_lines_are_capped_but_every_broken_entry_counted(tmp_path):
    path = tmp_path / "many.har"
    path.write_text(
        json.dumps(
            {
                "log": {
                    "entries": [{"request": {"method": "GET"}}] * 25
                    + [{"request": {"method": "GET", "url": "http://a.test/"}}]
                }
            }
        )
    )
    har = read_har(path)
    assert har.unreadable == 25 and len(har.problems) == 20
    assert har.problems[19] == "entry 20: request.url missing"
    assert [e.url for e in har.exchanges] == ["http://a.test/"]


def test_attached_file_names_cannot_leave_the_folder(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not evidence")
    (tmp_path / "har").mkdir()
    path = tmp_path / "har" / "x.har"
    post = {"mimeType": "text/plain", "text": "", "_file": "../secret.txt"}
    path.write_text(
        json.dumps(
            {
                "log": {
                    "entries": [
                        {"request": {"method": "POST", "url": "http://a.test/", "postData": post}}
                    ]
                }
            }
        )
    )
    har = read_har(path)
    assert [(e.url, e.body) for e in har.exchanges] == [("http://a.test/", None)]
    assert har.problems == ("entry 1: request.postData._file is not a file name: left out",)


def test_write_requests_is_the_recorders_format(tmp_path):
    har = read_har(DATA / "firefox.har")
    out = tmp_path / "run" / "requests.jsonl"
    write_exchanges(har.exchanges, out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [Exchange.model_validate_json(line) for line in lines] == list(har.exchanges)
    assert (
        json.loads(lines[3])["body"] == "eyJjcHIiOiIwNzA3NjE0Mjg1In0="
    )  # base64, as the recorder writes bytes
