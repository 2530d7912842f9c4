"""A tiny HTTP server on 127.0.0.1 in a thread of the test process: the base of the
stand-ins for services that cannot be run here (Microsoft's and Google's OAuth endpoints,
Microsoft Graph). Each request is recorded (`requests`) so a test sees what was sent.

    with MyStandIn() as server:        # bound to 127.0.0.1:free_port("tcp")
        server.url("/path")            # http://127.0.0.1:PORT/path
        server.requests                # [Recorded(method, path, headers, body), ...]
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

from peers.common import LOOPBACK, free_port


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str  # with the query, as sent
    headers: dict[str, str]  # lower-case names
    body: bytes


@dataclass
class Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] | None = None
    content_type: str = "application/json; charset=utf-8"


class StandIn:
    """Subclasses answer in `handle(request) -> Answer` (called under `self.lock`)."""

    def __init__(self) -> None:
        self.port = free_port("tcp")
        self.requests: list[Recorded] = []
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def url(self, path: str = "") -> str:
        return f"http://{LOOPBACK}:{self.port}{path}"

    def handle(self, request: Recorded) -> Answer:
        raise NotImplementedError

    def start(self) -> Self:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Recorded(
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                with owner.lock:
                    owner.requests.append(request)
                    answer = owner.handle(request)
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                for name, value in (answer.headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(answer.body)

            do_GET = do_POST = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the recorded requests are the log

        self._server = ThreadingHTTPServer((LOOPBACK, self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
