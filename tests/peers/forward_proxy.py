"""A recording forward HTTP proxy on 127.0.0.1, in a thread of the test process: what an
HTTP client configured with `proxy=` talks to. Every request arrives in absolute form
(`GET http://127.0.0.1:PORT/path HTTP/1.1`); it is kept (`requests`, its `path` the
absolute URL) and passed on to that origin, whose answer goes back. Only origins on
127.0.0.1 are served (anything else: 502), so a test never reaches out; there is no
CONNECT (the peers here speak plain http).

    with ForwardProxy() as proxy:
        client = httpx.Client(proxy=proxy.url(), trust_env=False)
        ...
        proxy.urls()             # the absolute URLs the client asked for, in order
"""

from __future__ import annotations

import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

import httpx

from peers.common import LOOPBACK, free_port
from peers.http_standin import Recorded

_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "transfer-encoding",
    "content-length",
    "content-encoding",
    "te",
    "upgrade",
}


class ForwardProxy:
    def __init__(self) -> None:
        self.port = free_port("tcp")
        self.requests: list[Recorded] = []
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def urls(self) -> list[str]:
        with self.lock:
            return [r.path for r in self.requests]

    def _forward(self, request: Recorded) -> tuple[int, dict[str, str], bytes]:
        target = urllib.parse.urlsplit(request.path)
        if target.scheme != "http" or target.hostname != LOOPBACK:
            return 502, {}, b"this test proxy only serves http://127.0.0.1 origins"
        headers = {k: v for k, v in request.headers.items() if k != "host" and k not in _HOP}
        try:
            with httpx.Client(trust_env=False, follow_redirects=False, timeout=30.0) as client:
                answer = client.request(
                    request.method, request.path, content=request.body, headers=headers
                )
        except httpx.HTTPError as exc:
            return 502, {}, f"origin unreachable: {exc}".encode()
        back = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP}
        return answer.status_code, back, answer.content

    def start(self) -> Self:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Recorded(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                with owner.lock:
                    owner.requests.append(request)
                status, headers, content = owner._forward(request)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_DELETE = do_PROPFIND = do_REPORT = _serve
            do_OPTIONS = do_HEAD = do_PATCH = _serve

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
