"""One Parley per user and data folder: a second `parley sip:...` hands its link to the
running one (which dials it) and exits. A local socket (QLocalServer) named after the
data folder, so test instances with their own folders never meet."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

TIMEOUT_MS = 2000


def server_name(data_dir: Path) -> str:
    """The socket's name: the user and the data folder, hashed (names must be short)."""
    key = f"{os.getuid() if hasattr(os, 'getuid') else ''}:{data_dir.resolve()}"
    return "parley-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def hand_over(name: str, link: str) -> bool:
    """Give `link` to the Parley already running under `name`; False when none runs."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(TIMEOUT_MS):
        return False
    socket.write(f"dial {link}\n".encode())
    socket.flush()
    ok = socket.waitForReadyRead(TIMEOUT_MS) and bytes(socket.readAll().data()).startswith(b"ok")
    socket.disconnectFromServer()
    return ok


class InstanceServer(QObject):
    """Listens for links from later `parley LINK` starts; `on_link(link)` dials them."""

    def __init__(self, name: str, on_link: Callable[[str], None]) -> None:
        super().__init__()
        self._on_link = on_link
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not self.server.listen(name):
            # A stale socket of a crashed Parley: remove it and listen again.
            QLocalServer.removeServer(name)
            self.server.listen(name)
        self.server.newConnection.connect(self._accept)

    @property
    def listening(self) -> bool:
        return self.server.isListening()

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))

    def _read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            return
        line = bytes(socket.readLine().data()).decode(errors="replace").strip()
        command, _, link = line.partition(" ")
        if command == "dial" and link:
            socket.write(b"ok\n")
            socket.flush()
            self._on_link(link)
        else:
            socket.write(b"error\n")
        socket.disconnectFromServer()

    def close(self) -> None:
        self.server.close()
