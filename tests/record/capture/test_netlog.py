"""Reading Chromium's NetLog: one wire request per hop that sent its headers, who made it, and
what a log cut short still yields."""

from __future__ import annotations

import json

from crawler.analyse.reconcile import SERVICE_WORKER_UPDATE
from crawler.record.capture.netlog import DEVTOOLS_LOADER, NetLog, annotation

TYPES = [
    "REQUEST_ALIVE",
    "URL_REQUEST_START_JOB",
    "HTTP_TRANSACTION_SEND_REQUEST_HEADERS",
    "HTTP_TRANSACTION_HTTP2_SEND_REQUEST_HEADERS",
    "WEBSOCKET_SENT_FRAME_HEADER",
]
BLINK = annotation("blink_resource_loader")


def event(kind: str, source: int, time: int, **params) -> dict:
    return {
        "type": TYPES.index(kind),
        "source": {"id": source, "type": 1},
        "time": str(time),
        "phase": 1,
        "params": params,
    }


def request(source: int, url: str, time: int, initiator="http://portal.skat.test", **kw):
    yield event("REQUEST_ALIVE", source, time, traffic_annotation=kw.get("note", BLINK), url=url)
    yield event(
        "URL_REQUEST_START_JOB",
        source,
        time,
        url=url,
        method=kw.get("method", "GET"),
        initiator=initiator,
        request_type=kw.get("request_type", "other"),
    )
    if kw.get("sent", True):
        yield event(
            kw.get("headers_event", "HTTP_TRANSACTION_SEND_REQUEST_HEADERS"),
            source,
            time + 1,
            headers=kw.get("headers", ["Host: x", "Cookie: sid=secret"]),
            line="GET / HTTP/1.1\r\n",
        )


def write(path, events: list[dict], complete: bool = True) -> None:
    constants = {
        "logEventTypes": {name: i for i, name in enumerate(TYPES)},
        "timeTickOffset": "1000",
    }
    lines = ['{"constants":' + json.dumps(constants) + ",", '"events": [']
    lines += [json.dumps(e) + "," for e in events]
    if complete:
        lines[-1] = lines[-1].removesuffix(",") + "],"
        lines += ['"polledData": {}', "}"]
    path.write_text("\n".join(lines) + "\n")


def test_requests_hops_websockets_and_who_made_them(tmp_path):
    events = [
        *request(
            1, "http://portal.skat.test/", 10, initiator="not an origin", request_type="main frame"
        ),
        *request(2, "http://t.tracker.test/p?cpr=1", 20),
        event(
            "URL_REQUEST_START_JOB",
            2,
            25,
            url="http://l.tracker.test/l",
            method="GET",
            initiator="http://portal.skat.test",
        ),
        event(
            "HTTP_TRANSACTION_HTTP2_SEND_REQUEST_HEADERS",
            2,
            26,
            headers=[":method: GET", ":path: /l"],
        ),
        *request(3, "http://cached.tracker.test/c.js", 30, sent=False),
        *request(4, "ws://chat.tracker.test/s", 40),
        event("WEBSOCKET_SENT_FRAME_HEADER", 4, 41, opcode=1),
        event("WEBSOCKET_SENT_FRAME_HEADER", 4, 42, opcode=9),  # a ping: no data
        event("WEBSOCKET_SENT_FRAME_HEADER", 4, 43, opcode=2),
        *request(5, "http://t.tracker.test/p?cpr=1", 50, note=DEVTOOLS_LOADER),
        *request(6, "https://update.example/u", 60, initiator="not an origin", sent=False),
    ]
    write(tmp_path / "n.json", events)
    log = NetLog.read(tmp_path / "n.json")
    assert log.complete
    seen = [(r.url, r.hop, r.on_wire, r.frames_sent) for r in log.requests]
    assert seen == [
        ("http://portal.skat.test/", 0, True, 0),
        ("http://t.tracker.test/p?cpr=1", 0, True, 0),
        ("http://l.tracker.test/l", 1, True, 0),
        ("http://cached.tracker.test/c.js", 0, False, 0),
        ("ws://chat.tracker.test/s", 0, True, 2),
        ("http://t.tracker.test/p?cpr=1", 0, True, 0),
        ("https://update.example/u", 0, False, 0),
    ]
    made_by = [r.exchange(1).wire.made_by for r in log.requests]
    assert made_by == ["page", "page", "page", "page", "page", "devtools", "browser"]
    first = log.requests[0].exchange(7)
    assert first.source == "witness" and first.time == 1.01 and first.seq == 7
    assert first.headers == (("Host", "x"), ("Cookie", "sid=secret"))
    assert log.requests[2].headers == ((":method", "GET"), (":path", "/l"))


def test_a_log_cut_short_yields_what_was_written(tmp_path):
    events = [*request(1, "http://a.test/", 10), *request(2, "http://b.test/", 20)]
    write(tmp_path / "n.json", events, complete=False)
    text = (tmp_path / "n.json").read_text()
    (tmp_path / "n.json").write_text(text[: text.rindex('"url"')])  # cut mid-event
    log = NetLog.read(tmp_path / "n.json")
    assert not log.complete
    assert [r.url for r in log.requests] == ["http://a.test/"]


def test_a_log_with_no_constants_is_empty_and_incomplete(tmp_path):
    (tmp_path / "n.json").write_text("")
    log = NetLog.read(tmp_path / "n.json")
    assert log.requests == [] and not log.complete


def test_annotations_hash_as_chromium_logs_them():
    """Seen in Chromium 156's NetLog for a page's image, for Network.loadNetworkResource, and for
    a service worker's update check (which the reconciliation names by its number)."""
    assert BLINK == 101845102
    assert DEVTOOLS_LOADER == 60744935
    assert annotation("service_worker_update_checker") == SERVICE_WORKER_UPDATE == 130931413
