"""The local control API: the console's commands and JSON events over a TCP socket on
127.0.0.1, for CRM/CTI programs of the same user (docs/control-api.md).

Who may connect: whoever can read the control file written next to the settings file
(``control.json``, mode 0600: the port and a random token). A client's first line must be
``{"token": "..."}``; anything else closes the connection. Then each line is a console
command (plain text, or ``{"command": "dial 1002"}``); replies and every event come back
as JSON lines, exactly as `parley console --json` prints them.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import secrets
import socket
import socketserver
import threading
from pathlib import Path
from typing import Any

from parley import __version__
from parley.app.application import Application
from parley.cli.console import Console
from parley.phone.events import PhoneEvent

log = logging.getLogger(__name__)

CONTROL_FILE = "control.json"
MAX_LINE = 64 * 1024  # a command line longer than this is refused


class _Session(Console):
    """A console whose output goes to one connection."""

    def __init__(self, app: Application, conn: socket.socket) -> None:
        super().__init__(app, as_json=True)
        self._conn = conn
        self.closed = False

    def _print(self, line: str) -> None:
        if self.closed:
            return
        with self._out:
            try:
                self._conn.sendall(line.encode() + b"\n")
            except OSError:
                self.closed = True

    def handle_line(self, text: str) -> bool:
        """Carry out one command line; False when the client said quit."""
        words = text.split()
        if not words:
            return True
        self.line = text
        try:
            return self._command(words)
        except Exception as exc:  # a bad command never ends the phone or the session
            self.reply(f"error: {exc}")
            return True


class ControlServer:
    """Serves the control API for `app` until `close()`."""

    def __init__(self, app: Application, control_file: Path, port: int = 0) -> None:
        self.app = app
        self.control_file = control_file
        self.token = secrets.token_urlsafe(32)
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                owner._serve(self.connection, self.rfile)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", port), Handler)
        self.port: int = self._server.server_address[1]
        self._write_control_file()
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="control-api", daemon=True
        )
        self._thread.start()

    def _write_control_file(self) -> None:
        self.control_file.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps({"port": self.port, "token": self.token, "version": __version__})
        # Created 0600 from the start: the token is never readable by others, not even
        # for a moment.
        fd = os.open(self.control_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(data)
        os.chmod(self.control_file, 0o600)

    def _serve(self, conn: socket.socket, rfile: Any) -> None:
        first = rfile.readline(MAX_LINE)
        if not self._authorised(first):
            conn.sendall(b'{"event": "error", "text": "wrong or missing token"}\n')
            return
        session = _Session(self.app, conn)
        session.reply(f"parley {__version__}: ready")

        def forward(event: PhoneEvent) -> None:
            session.print_event(event)

        unsubscribe = self.app.subscribe(forward)
        try:
            while not session.closed:
                raw = rfile.readline(MAX_LINE + 1)
                if not raw:
                    break
                if len(raw) > MAX_LINE:
                    session.reply("error: line too long")
                    break
                text = _command_text(raw)
                if text is None:
                    session.reply('error: send a command line or {"command": "..."}')
                    continue
                if not session.handle_line(text):
                    break
        finally:
            unsubscribe()
            session.closed = True

    def _authorised(self, line: bytes) -> bool:
        try:
            token = json.loads(line).get("token", "")
        except (ValueError, AttributeError):
            return False
        return isinstance(token, str) and hmac.compare_digest(token, self.token)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        try:
            self.control_file.unlink()
        except OSError:
            pass


def _command_text(raw: bytes) -> str | None:
    try:
        text = raw.decode().strip()
    except UnicodeDecodeError:
        return None
    if text.startswith("{"):
        try:
            command = json.loads(text).get("command")
        except (ValueError, AttributeError):
            return None
        return command if isinstance(command, str) else None
    return text
