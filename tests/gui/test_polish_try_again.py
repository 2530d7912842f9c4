"""The wizard's "Try again" after "no answer", with nothing changed, makes a real new
attempt: the server comes up between the tries (a UDP socket on the port that was
closed), the new REGISTER (a new CSeq, not a retransmission of the first) reaches it,
and its 200 OK registers the account."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from typing import Any

import pytest

from parley.app import Application
from parley.gui import wizard as wizard_module
from parley.gui.wizard import AccountWizard
from peers.common import free_port

pytestmark = pytest.mark.interop
WAIT_MS = 30_000


def header(message: str, name: str) -> str:
    found = re.search(rf"^{name}:\s*(.*?)\r$", message, re.MULTILINE | re.IGNORECASE)
    assert found, (name, message)
    return found.group(1)


def ok_for(register: str) -> bytes:
    """A 200 OK to `register` granting its binding for an hour."""
    lines = [
        "SIP/2.0 200 OK",
        *(f"Via: {v}" for v in re.findall(r"^Via:\s*(.*?)\r$", register, re.MULTILINE)),
        f"From: {header(register, 'From')}",
        f"To: {header(register, 'To')};tag=up",
        f"Call-ID: {header(register, 'Call-ID')}",
        f"CSeq: {header(register, 'CSeq')}",
        f"Contact: {header(register, 'Contact')};expires=3600",
        "Content-Length: 0",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_try_again_after_no_answer_registers_anew_at_a_server_come_up_since(
    qtbot: Any, make_app: Callable[..., Application], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wizard_module, "FIRST_ANSWER_MS", 1_500)  # give up on try one soon
    app = make_app()
    app.start().result(20)
    wizard = AccountWizard(app, first_start=True)
    qtbot.addWidget(wizard)
    wizard.show()
    port = free_port()  # nothing listens here yet
    wizard.domain.setText(f"127.0.0.1:{port}")
    wizard.username.setText("1001")
    wizard.password.setText("pass1001")
    wizard.register_button.click()
    qtbot.waitUntil(lambda: wizard.register_button.isEnabled(), timeout=WAIT_MS)
    assert wizard.status.text().startswith(f"No answer from 127.0.0.1:{port} over UDP.")
    assert wizard.register_button.text() == "Try again"

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:  # the PBX comes up
        server.bind(("127.0.0.1", port))
        server.settimeout(0.2)
        wizard.register_button.click()  # nothing changed
        fresh: list[tuple[str, Any]] = []

        def new_register_arrived() -> bool:
            try:
                data, peer = server.recvfrom(65535)
            except TimeoutError:
                return False
            text = data.decode()
            # The first try's REGISTER had CSeq 1; its retransmissions keep it.
            if text.startswith("REGISTER ") and int(header(text, "CSeq").split()[0]) > 1:
                fresh.append((text, peer))
            return bool(fresh)

        qtbot.waitUntil(new_register_arrived, timeout=WAIT_MS)
        register, peer = fresh[0]
        server.sendto(ok_for(register), peer)
        qtbot.waitUntil(lambda: wizard.finish_button.isVisible(), timeout=WAIT_MS)
    assert wizard.status.text() == "Registered. The account is ready."
    assert [a.state for a in app.accounts()] == ["registered"]
