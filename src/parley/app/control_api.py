"""The local control API's server: JSON lines over TCP on 127.0.0.1 for CRM/CTI programs
of the same user (docs/control-api.md). Both front-ends serve it — the console with its
own commands, the desktop app with a small dispatcher — so the protocol lives here and
the commands are given by the front-end as a session factory.

Who may connect: whoever can read the control file written next to the settings file
(``control.json``, mode 0600: the port and a random token). A client's first line must be
``{"token": "..."}``; anything else closes the connection. Then each line is a command
(plain text, or ``{"command": "dial 1002"}``); replies and every event come back as JSON
lines.
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
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from parley import __version__
from parley.app.application import Application
from parley.phone.events import PhoneEvent

log = logging.getLogger(__name__)

CONTROL_FILE = "control.json"
MAX_LINE = 64 * 1024  # a command line longer than this is refused
REFUSED = b'{"event": "error", "text": "wrong or missing token"}\n'


class ControlSession(Protocol):
    """One authenticated connection's commands, made by the front-end."""

    def handle_line(self, text: str) -> bool:
        """Carry out one command line; False when the client said quit."""

    def print_event(self, event: PhoneEvent) -> None:
        """Send one phone event to the client (called on the engine thread)."""

    def reply(self, text: str) -> None:
        """Send a reply line to the client."""


class LineSink:
    """Writes JSON lines to one connection, from any thread; `closed` once it failed."""

    def __init__(self, conn: socket.socket) -> None:
        self._conn = conn
        self._lock = threading.Lock()
        self.closed = False

    def send(self, line: str) -> None:
        if self.closed:
            return
        with self._lock:
            try:
                self._conn.sendall(line.encode() + b"\n")
            except OSError:
                self.closed = True

    def send_json(self, data: dict[str, Any]) -> None:
        self.send(json.dumps(data, ensure_ascii=False, default=str))


SessionFactory = Callable[[LineSink], ControlSession]


def event_fields(app: Application, event: PhoneEvent) -> dict[str, Any]:
    """An event as its JSON object, with the contact's name and source on call events
    when a contact source knows the number (as the console prints it, without `text`)."""
    data = event.to_dict()
    if data["event"] == "call" and data.get("remote"):
        match = app.caller(str(data["remote"]))
        if match is not None:
            data["name"], data["source"] = match.contact.name, match.source_id
    return data


class ControlServer:
    """Serves the control API for `app` until `close()`; `make_session` gives each
    authenticated connection its command dispatcher."""

    def __init__(
        self,
        app: Application,
        control_file: Path,
        make_session: SessionFactory,
        port: int = 0,
    ) -> None:
        self.app = app
        self.control_file = control_file
        self.token = secrets.token_urlsafe(32)
        self._make_session = make_session
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
            conn.sendall(REFUSED)
            return
        sink = LineSink(conn)
        session = self._make_session(sink)
        session.reply(f"parley {__version__}: ready")
        unsubscribe = self.app.subscribe(session.print_event)
        try:
            while not sink.closed:
                raw = rfile.readline(MAX_LINE + 1)
                if not raw:
                    break
                if len(raw) > MAX_LINE:
                    session.reply("error: line too long")
                    break
                text = command_text(raw)
                if text is None:
                    session.reply('error: send a command line or {"command": "..."}')
                    continue
                if not text.split():
                    continue
                try:
                    if not session.handle_line(text):
                        break
                except Exception as exc:  # a bad command never ends the phone or the session
                    session.reply(f"error: {exc}")
        finally:
            unsubscribe()
            sink.closed = True

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


def command_text(raw: bytes) -> str | None:
    """The command of one client line: plain text or ``{"command": "..."}``."""
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
