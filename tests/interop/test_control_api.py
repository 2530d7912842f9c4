"""The local control API against real peers: a console with `--control`, registered at
Kamailio; a test client reads control.json, authenticates, dials baresip (which
answers) and receives the call's events over the socket. A wrong token is refused,
and the control file is readable by its owner only."""

from __future__ import annotations

import json
import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from parley_console import ParleyConsole, write_config

from peers.baresip import Baresip
from peers.common import free_port, wait_until
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop

PASSWORDS = {"1001": "pass1001", "1002": "pass1002"}


class Client:
    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.file = self.sock.makefile("rb")

    def send(self, data: dict[str, Any] | str) -> None:
        line = json.dumps(data) if isinstance(data, dict) else data
        self.sock.sendall(line.encode() + b"\n")

    def read(self) -> dict[str, Any] | None:
        raw = self.file.readline()
        return json.loads(raw) if raw else None

    def until(self, match: Any, limit: int = 500) -> dict[str, Any]:
        seen = []
        for _ in range(limit):
            event = self.read()
            if event is None:
                break
            seen.append(event)
            if match(event):
                return event
        raise AssertionError(f"no matching event; got {seen}")

    def close(self) -> None:
        self.file.close()
        self.sock.close()


@pytest.fixture(scope="module")
def kam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    port = free_port("both")
    server = Kamailio(
        tmp_path_factory.mktemp("control") / "kamailio",
        PASSWORDS,
        udp_port=port,
        tcp_port=port,
        tls_port=free_port("tcp"),
    )
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def world(
    kam: Kamailio, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ParleyConsole, Path, Baresip]]:
    tmp = tmp_path_factory.mktemp("control-world")
    account = {
        "name": "office",
        "domain": f"{kam.host}:{kam.udp_port}",
        "username": "1001",
        "password": PASSWORDS["1001"],
        "transport": "udp",
    }
    config = write_config(tmp / "parley.toml", [account])
    log_dir = tmp / "console"
    log_dir.mkdir()
    console = ParleyConsole(config, log_dir=log_dir, extra=["--control"])
    far = Baresip(
        tmp / "baresip",
        sip_port=free_port("both"),
        user="1002",
        password=PASSWORDS["1002"],
        registrar=f"{kam.host}:{kam.udp_port}",
        codecs=["PCMU/8000/1"],
        auto_answer=True,
    )
    try:
        console.wait_state("registered", timeout=30)
        far.start(timeout=30)
        yield console, tmp / "control.json", far
    finally:
        far.stop()
        console.quit()


def test_a_client_dials_and_follows_the_call(world: tuple[ParleyConsole, Path, Baresip]) -> None:
    console, control_file, far = world
    assert wait_until(control_file.exists, timeout=10)
    info = json.loads(control_file.read_text())
    client = Client(info["port"])
    try:
        client.send({"token": info["token"]})
        hello = client.read()
        assert hello is not None and "ready" in hello["text"], hello
        client.send("accounts")
        reply = client.until(lambda e: e["event"] == "reply")
        assert "office: registered" in reply["text"], reply
        client.send({"command": "dial 1002"})
        connected = client.until(lambda e: e["event"] == "call" and e["state"] == "connected")
        assert "1002" in connected["remote"], connected
        far.wait_call_state("CALL_ESTABLISHED", timeout=30)
        client.send("hangup")
        client.until(lambda e: e["event"] == "call" and e["state"] == "ended")
        client.send("quit")  # ends this session only: the server closes the connection
        late = [client.read() for _ in range(5)]
        assert None in late, late
    finally:
        client.close()
    # The console itself still runs and answers.
    console.send("accounts")
    assert console.wait_for(lambda e: e.get("event") == "reply", 10)


def test_a_wrong_token_is_refused(world: tuple[ParleyConsole, Path, Baresip]) -> None:
    _, control_file, _ = world
    info = json.loads(control_file.read_text())
    for first in ({"token": "guess"}, "dial 1002", {"token": 12}):
        client = Client(info["port"])
        try:
            client.send(first)
            answer = client.read()
            assert answer == {"event": "error", "text": "wrong or missing token"}, answer
            assert client.read() is None  # and the connection is closed
        finally:
            client.close()


def test_the_control_file_is_the_owners_alone(world: tuple[ParleyConsole, Path, Baresip]) -> None:
    _, control_file, _ = world
    st = control_file.stat()
    assert stat.S_IMODE(st.st_mode) == 0o600
    assert st.st_uid == os.getuid()
