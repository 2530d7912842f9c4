"""A SIP tap: a UDP relay on 127.0.0.1 between one client and a server that keeps every
message passing through it, so that a test sees what went on the wire.

The client uses the tap as its outbound proxy: each datagram from it goes on to the
server from the tap's second socket, and each datagram the server sends to that socket
(its answers: with rport they go to the source of the request) comes back to the client.
Requests the server sends straight to the client's Contact (NOTIFYs) pass by the tap.

::

    with SipTap(("127.0.0.1", kam.udp_port)) as tap:
        account.outbound_proxy = f"127.0.0.1:{tap.port}"
        ...
        [sub] = tap.requests("SUBSCRIBE")
        sub.header("From"), sub.header("Authorization")
"""

from __future__ import annotations

import selectors
import socket
import threading
from dataclasses import dataclass

from peers.common import LOOPBACK

__all__ = ["SipTap", "Tapped"]


@dataclass(frozen=True)
class Tapped:
    """One message seen: `outgoing` from the client to the server."""

    outgoing: bool
    data: bytes

    @property
    def start_line(self) -> str:
        return self.data.split(b"\r\n", 1)[0].decode("utf-8", "replace")

    @property
    def method(self) -> str:
        """The request's method ("" for a response)."""
        first = self.start_line
        return "" if first.startswith("SIP/2.0") else first.split(" ", 1)[0]

    def header(self, name: str) -> str:
        """The first value of header `name` ("" when absent)."""
        head = self.data.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
        for line in head.split("\r\n")[1:]:
            key, _, value = line.partition(":")
            if key.strip().lower() == name.lower():
                return value.strip()
        return ""


class SipTap:
    """The relay (a thread of this process; `close` stops it)."""

    def __init__(self, server: tuple[str, int]) -> None:
        self.server = server
        self._front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._front.bind((LOOPBACK, 0))
        self._back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._back.bind((LOOPBACK, 0))
        self.port: int = self._front.getsockname()[1]
        # Where the server sees the client (with rport, the address it learns).
        self.back_port: int = self._back.getsockname()[1]
        self._client: tuple[str, int] | None = None
        self._lock = threading.Lock()
        self._seen: list[Tapped] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sip-tap", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with selectors.DefaultSelector() as sel:
            sel.register(self._front, selectors.EVENT_READ)
            sel.register(self._back, selectors.EVENT_READ)
            while not self._stop.is_set():
                for key, _ in sel.select(0.2):
                    sock = key.fileobj
                    assert isinstance(sock, socket.socket)
                    try:
                        data, source = sock.recvfrom(65535)
                    except OSError:
                        continue
                    if sock is self._front:
                        self._client = source
                        self._keep(Tapped(True, data))
                        self._back.sendto(data, self.server)
                    elif self._client is not None:
                        self._keep(Tapped(False, data))
                        self._front.sendto(data, self._client)

    def _keep(self, message: Tapped) -> None:
        if message.data.strip():  # not a keep-alive
            with self._lock:
                self._seen.append(message)

    def seen(self) -> list[Tapped]:
        with self._lock:
            return list(self._seen)

    def requests(self, method: str) -> list[Tapped]:
        """The requests of `method` the client sent through the tap."""
        return [m for m in self.seen() if m.outgoing and m.method == method.upper()]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2.0)
        self._front.close()
        self._back.close()

    def __enter__(self) -> SipTap:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
