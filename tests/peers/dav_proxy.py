"""A recording proxy in front of a CardDAV server (Radicale) on 127.0.0.1, in a thread
of the test process: every request the client sends is kept (`requests`, with its
method, path, headers and body) before it goes on, so a test sees exactly what a sync
asked for.

With `bearer` (a set of access tokens, e.g. an OAuth stand-in's `issued_access`) it
plays Google's CardDAV endpoint: a request must carry `Authorization: Bearer <token>`
with one of those tokens (else 401 with a Bearer challenge), and is passed on with the
Basic credentials of `login`, as Radicale only knows Basic.

    with DavProxy(radicale.root, login=("anna", "s3cret"), bearer=oauth.issued_access) as p:
        p.url("/")               # where the client goes
        p.reports()              # the REPORT bodies Radicale was asked
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

import httpx

from peers.common import LOOPBACK, free_port
from peers.http_standin import Recorded

_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


class DavProxy:
    def __init__(
        self,
        upstream: str,
        *,
        login: tuple[str, str],
        bearer: Collection[str] | None = None,
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self.login = login
        self.bearer = bearer
        self.port = free_port("tcp")
        self.requests: list[Recorded] = []
        self.refused = 0  # requests answered 401 for a bad or missing bearer token
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def url(self, path: str = "") -> str:
        return f"http://{LOOPBACK}:{self.port}{path}"

    def clear(self) -> None:
        with self.lock:
            self.requests.clear()
            self.refused = 0

    def reports(self) -> list[str]:
        """The bodies of the REPORTs passed on (sync-collection, addressbook-multiget)."""
        with self.lock:
            return [r.body.decode() for r in self.requests if r.method == "REPORT"]

    def _forward(self, request: Recorded) -> tuple[int, dict[str, str], bytes]:
        if self.bearer is not None:
            auth = request.headers.get("authorization", "")
            token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else ""
            if not token or token not in self.bearer:
                with self.lock:
                    self.refused += 1
                return (
                    401,
                    {"WWW-Authenticate": 'Bearer realm="https://www.google.com/"'},
                    b"",
                )
        headers = {
            k: v
            for k, v in request.headers.items()
            if k not in ("host", "authorization", "accept-encoding") and k not in _HOP
        }
        with httpx.Client(auth=self.login, trust_env=False, timeout=30.0) as client:
            answer = client.request(
                request.method, self.upstream + request.path, content=request.body, headers=headers
            )
        back = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP}
        if "location" in {k.lower() for k in back}:
            key = next(k for k in back if k.lower() == "location")
            back[key] = back[key].replace(self.upstream, self.url())
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

            do_GET = do_PUT = do_DELETE = do_PROPFIND = do_REPORT = do_OPTIONS = _serve

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
