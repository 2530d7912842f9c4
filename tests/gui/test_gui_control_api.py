"""The local control API served by the desktop app: the real app process (offscreen)
registered at Kamailio with `automation.control_api` on; a test client reads
control.json beside the settings file, authenticates, dials baresip (1002, which
answers) and follows the call's events, lists the calls, answers a call baresip makes;
a wrong token is refused."""

from __future__ import annotations

import json
import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gui_rig import PASSWORDS
from test_link_handover import App

from peers.baresip import Baresip
from peers.common import free_port, wait_until
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop


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


@pytest.fixture
def far(kamailio: Kamailio, tmp_path: Path) -> Iterator[Baresip]:
    phone = Baresip(
        tmp_path / "baresip",
        sip_port=free_port("both"),
        user="1002",
        password=PASSWORDS["1002"],
        registrar=f"127.0.0.1:{kamailio.udp_port}",
        codecs=["PCMU/8000/1"],
        auto_answer=True,
    )
    phone.start(timeout=30)
    try:
        yield phone
    finally:
        phone.stop()


def connect(control_file: Path) -> Client:
    assert wait_until(control_file.exists, timeout=20), "no control.json"
    info = json.loads(control_file.read_text())
    client = Client(info["port"])
    client.send({"token": info["token"]})
    hello = client.read()
    assert hello is not None and "ready" in hello["text"], hello
    return client


def test_a_client_drives_the_desktop_app(kamailio: Kamailio, far: Baresip, tmp_path: Path) -> None:
    app = App(tmp_path / "app", kamailio, control_api=True)
    control_file = app.work / "control.json"
    try:
        app.wait_registered()
        st = control_file.stat()
        assert stat.S_IMODE(st.st_mode) == 0o600 and st.st_uid == os.getuid()
        client = connect(control_file)
        try:
            client.send("accounts")
            reply = client.until(lambda e: e["event"] == "reply")
            assert reply["text"] == "Office: registered", reply
            client.send({"command": "dial 1002"})
            connected = client.until(lambda e: e["event"] == "call" and e["state"] == "connected")
            assert "1002" in connected["remote"], connected
            far.wait_call_state("CALL_ESTABLISHED", timeout=30)
            client.send("calls")
            listed = client.until(lambda e: e["event"] == "reply" and "call" in e["text"])
            assert "outgoing" in listed["text"] and "connected" in listed["text"], listed
            client.send("hangup")
            client.until(lambda e: e["event"] == "call" and e["state"] == "ended")
            far.wait_call_state("CALL_CLOSED", timeout=30)

            # A call from baresip: the client sees it ring and answers it.
            mark = len(far.events())
            far.dial(f"sip:1001@127.0.0.1:{kamailio.udp_port}")
            client.until(lambda e: e["event"] == "call" and e["state"] == "incoming")
            client.send("answer")
            client.until(lambda e: e["event"] == "call" and e["state"] == "connected")
            far.wait_call_state("CALL_ESTABLISHED", timeout=30, since=mark)
            client.send("hangup")
            client.until(lambda e: e["event"] == "call" and e["state"] == "ended")
            client.send("quit")
            assert None in [client.read() for _ in range(5)]
        finally:
            client.close()
    finally:
        app.stop()
    assert not control_file.exists()  # removed when the app ends


def test_a_wrong_token_is_refused_by_the_desktop_app(kamailio: Kamailio, tmp_path: Path) -> None:
    app = App(tmp_path / "app", kamailio, control_api=True)
    control_file = app.work / "control.json"
    try:
        app.wait_registered()
        assert wait_until(control_file.exists, timeout=20)
        info = json.loads(control_file.read_text())
        for first in ({"token": "guess"}, "dial 1002", {"token": info["token"][:-1]}):
            client = Client(info["port"])
            try:
                client.send(first)
                answer = client.read()
                assert answer == {"event": "error", "text": "wrong or missing token"}, answer
                assert client.read() is None
            finally:
                client.close()
    finally:
        app.stop()


def test_no_control_api_unless_switched_on(kamailio: Kamailio, tmp_path: Path) -> None:
    app = App(tmp_path / "app", kamailio)
    try:
        app.wait_registered()
        assert not (app.work / "control.json").exists()
    finally:
        app.stop()
