"""Loopback sites for tests and the demo: many invented hosts served from one local port.

Chromium is pointed at the server with host-resolver rules (`MAP *.test 127.0.0.1:PORT`),
so a first party and its third parties are real, separate origins to the browser while
no packet leaves the machine. The server remembers what every host received, so a test
can check what a third party was actually sent, not only what the browser reported.
"""

from __future__ import annotations

import base64
import hashlib
import ssl
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


@dataclass(frozen=True)
class Received:
    """A request (or websocket frame) as it arrived at the server."""

    host: str
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def route(self) -> str:
        return self.host + urlsplit(self.path).path


@dataclass(frozen=True)
class Response:
    body: bytes | str = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()


Handler = Callable[[Received], Response]


@dataclass
class SiteServer:
    """Serves `routes` ("host/path" -> Response or handler) on 127.0.0.1; unknown routes get
    `fallback`. Websocket upgrades on any route echo each text frame back. With `tls` (see
    `crawler.testing.tls`) it serves https."""

    routes: dict[str, Response | Handler]
    fallback: Response | Handler = Response(b"ok", "text/plain")
    received: list[Received] = field(default_factory=list)
    tls: ssl.SSLContext | None = None
    bind_port: int = 0  # 0: the system chooses a free one

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.bind_port), _make_handler(self))
        self._httpd.daemon_threads = True
        if self.tls:  # each connection's handshake happens in its handler's thread
            self._httpd.socket = self.tls.wrap_socket(
                self._httpd.socket, server_side=True, do_handshake_on_connect=False
            )
            # a browser refusing the certificate is what some tests are about, not an error
            self._httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    def resolve_rules(self, pattern: str = "*.test") -> list[str]:
        """`--resolve` values that send `pattern` hosts to this server."""
        return [f"{pattern}=127.0.0.1:{self.port}"]

    def url(self, host: str, path: str = "/") -> str:
        return f"{'https' if self.tls else 'http'}://{host}{path}"

    def record(self, item: Received) -> None:
        with self._lock:
            self.received.append(item)

    def received_by(self, host_suffix: str) -> list[Received]:
        with self._lock:
            return [
                r
                for r in self.received
                if r.host == host_suffix or r.host.endswith("." + host_suffix)
            ]

    def start(self) -> SiteServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def respond(self, req: Received) -> Response:
        route = self.routes.get(req.route, self.fallback)
        return route(req) if callable(route) else route


def _make_handler(server: SiteServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # tests read `received`, not stderr
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            host = (self.headers.get("Host") or "").split(":")[0].lower()
            req = Received(
                host, self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
            )
            server.record(req)
            if self.headers.get("Upgrade", "").lower() == "websocket":
                return self._websocket(req)
            resp = server.respond(req)
            payload = resp.body.encode() if isinstance(resp.body, str) else resp.body
            self.send_response(resp.status)
            self.send_header("Content-Type", resp.content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Cache-Control", "no-store")
            for name, value in resp.headers:
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_HEAD = do_OPTIONS = do_DELETE = _serve

        def _websocket(self, req: Received) -> None:
            key = self.headers["Sec-WebSocket-Key"]
            accept = base64.b64encode(hashlib.sha1((key + _WS_GUID).encode()).digest()).decode()
            self.send_response(101)
            self.send_header("Upgrade", "websocket")
            self.send_header("Connection", "Upgrade")
            self.send_header("Sec-WebSocket-Accept", accept)
            self.end_headers()
            self.close_connection = True
            while (frame := _read_frame(self.rfile)) is not None:
                opcode, data = frame
                if opcode == 8:
                    break
                server.record(Received(req.host, "WS", req.path, {}, data))
                if opcode in (1, 2):
                    self.wfile.write(_frame(opcode, data))
                    self.wfile.flush()

    return _Handler


def _read_frame(stream) -> tuple[int, bytes] | None:
    head = stream.read(2)
    if len(head) < 2:
        return None
    opcode, length = head[0] & 0x0F, head[1] & 0x7F
    if length == 126:
        length = struct.unpack(">H", stream.read(2))[0]
    elif length == 127:
        length = struct.unpack(">Q", stream.read(8))[0]
    mask = stream.read(4) if head[1] & 0x80 else b"\0\0\0\0"
    data = bytes(b ^ mask[i % 4] for i, b in enumerate(stream.read(length)))
    return opcode, data


def _frame(opcode: int, data: bytes) -> bytes:
    if len(data) < 126:
        return bytes([0x80 | opcode, len(data)]) + data
    if len(data) < 65536:
        return bytes([0x80 | opcode, 126]) + struct.pack(">H", len(data)) + data
    return bytes([0x80 | opcode, 127]) + struct.pack(">Q", len(data)) + data
