"""The control API's server (parley.app.control_api) with a stand-in session: the
token, the two command forms, bad and long lines, a failing command, events to every
authenticated client, and the control file's mode — over a real socket on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from parley.app.application import Application
from parley.app.control_api import MAX_LINE, ControlServer, LineSink, command_text
from parley.phone.events import PhoneEvent


class FakeApp:
    def __init__(self) -> None:
        self.subscribers: list[Callable[[PhoneEvent], None]] = []

    def subscribe(self, callback: Callable[[PhoneEvent], None]) -> Callable[[], None]:
        self.subscribers.append(callback)
        return lambda: self.subscribers.remove(callback)


class EchoSession:
    """Replies with what it got; 'boom' raises; 'quit' ends."""

    def __init__(self, sink: LineSink) -> None:
        self.sink = sink

    def reply(self, text: str) -> None:
        self.sink.send_json({"event": "reply", "text": text})

    def print_event(self, event: PhoneEvent) -> None:
        self.sink.send_json(event.to_dict())

    def handle_line(self, text: str) -> bool:
        if text == "boom":
            raise ValueError("no such thing")
        if text == "quit":
            return False
        self.reply(f"got {text}")
        return True


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[ControlServer, FakeApp]]:
    app = FakeApp()
    server = ControlServer(cast(Application, app), tmp_path / "control.json", EchoSession)
    try:
        yield server, app
    finally:
        server.close()


def connect(server: ControlServer) -> tuple[socket.socket, Any]:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    return sock, sock.makefile("rb")


def read(f: Any) -> dict[str, Any] | None:
    raw = f.readline()
    return json.loads(raw) if raw else None


def login(server: ControlServer) -> tuple[socket.socket, Any]:
    sock, f = connect(server)
    sock.sendall(json.dumps({"token": server.token}).encode() + b"\n")
    hello = read(f)
    assert hello is not None and hello["text"].endswith(": ready"), hello
    return sock, f


def test_the_control_file_has_port_and_token_for_the_owner_only(
    served: tuple[ControlServer, FakeApp], tmp_path: Path
) -> None:
    server, _ = served
    info = json.loads((tmp_path / "control.json").read_text())
    assert (info["port"], info["token"]) == (server.port, server.token)
    assert stat.S_IMODE((tmp_path / "control.json").stat().st_mode) == 0o600
    server.close()
    assert not (tmp_path / "control.json").exists()


@pytest.mark.parametrize("first", [b'{"token": "x"}\n', b"calls\n", b"{\n", b'{"token": 5}\n'])
def test_no_token_no_session(served: tuple[ControlServer, FakeApp], first: bytes) -> None:
    server, app = served
    sock, f = connect(server)
    with sock:
        sock.sendall(first)
        assert read(f) == {"event": "error", "text": "wrong or missing token"}
        assert read(f) is None
    assert app.subscribers == []


def test_commands_errors_and_events(served: tuple[ControlServer, FakeApp]) -> None:
    server, app = served
    sock, f = login(server)
    with sock:
        sock.sendall(b"calls\n")
        assert read(f) == {"event": "reply", "text": "got calls"}
        sock.sendall(b'{"command": "dial 1002"}\n')
        assert read(f) == {"event": "reply", "text": "got dial 1002"}
        sock.sendall(b'{"command": 7}\n')
        assert "send a command line" in (read(f) or {})["text"]
        sock.sendall(b"boom\n")  # a failing command: an error, the session goes on
        assert read(f) == {"event": "reply", "text": "error: no such thing"}
        sock.sendall(b"\n")  # blank lines are skipped
        assert len(app.subscribers) == 1
        app.subscribers[0](PhoneEvent())
        assert read(f) == {"event": "event"}
        sock.sendall(b"quit\n")
        assert read(f) is None
    assert app.subscribers == []  # the session's subscription ends with it


def test_a_line_too_long_ends_the_session(served: tuple[ControlServer, FakeApp]) -> None:
    server, _ = served
    sock, f = login(server)
    with sock:
        sock.sendall(b"x" * (MAX_LINE + 10) + b"\n")
        assert read(f) == {"event": "reply", "text": "error: line too long"}
        assert read(f) is None


def test_command_text() -> None:
    assert command_text(b"dial 1002\r\n") == "dial 1002"
    assert command_text(b'{"command": "hangup"}') == "hangup"
    assert command_text(b"\xff\xfe") is None
    assert command_text(b"{not json") is None
    assert command_text(b"[1]") == "[1]"  # plain text: the session says what is wrong
