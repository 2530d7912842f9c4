"""Instant messages against real peers on 127.0.0.1, through a real Kamailio (which
relays MESSAGE to registered users with digest auth, as any request): Parley ↔ baresip
and Parley ↔ linphonec both ways, a message to nobody (404, failed with the reason), a
stranger's MESSAGE sent straight to Parley (403), an INVITE with a text body (415), and
the console's `message` and
`messages` commands driven as a user's script would.

The peers (Kamailio, baresip as 1002, linphonec as 1003, Parley as 1001) start once for
the module. What is checked is what the far side shows (baresip's and linphonec's own
output, with the text), what Parley reports (events) and what its store holds.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from message_rig import MessagingBaresip
from parley_console import ParleyConsole, write_config

from interop.app_rig import WAIT, Recorder, aor, start_parley, stopped_after
from parley.app import Application
from parley.phone.events import (
    CallStateChanged,
    MessageDelivery,
    MessageReceived,
    TypingChanged,
)
from peers.common import LOOPBACK, free_port, wait_until
from peers.kamailio import Kamailio, running_kamailio
from peers.linphone import Linphone
from peers.presence_rig import SipUser

pytestmark = pytest.mark.interop

USERS = {u: f"pass{u}" for u in ("1001", "1002", "1003", "1004", "1005")}


# ------------------------------------------------------------------ the peers, once


@pytest.fixture(scope="module")
def kam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    with running_kamailio(tmp_path_factory.mktemp("kamailio"), USERS) as k:
        yield k


@pytest.fixture(scope="module")
def baresip(kam: Kamailio, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MessagingBaresip]:
    far = MessagingBaresip(
        tmp_path_factory.mktemp("baresip"),
        sip_port=free_port("both"),
        user="1002",
        password=USERS["1002"],
        registrar=f"{LOOPBACK}:{kam.udp_port}",
        target=aor(kam, "1001"),
    )
    far.start()
    try:
        yield far
    finally:
        far.stop()


@pytest.fixture(scope="module")
def linphone(kam: Kamailio, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Linphone]:
    lp = Linphone(
        tmp_path_factory.mktemp("linphone"),
        sip_port=free_port("both"),
        user="1003",
        password=USERS["1003"],
        registrar=f"{LOOPBACK}:{kam.udp_port}",
    )
    lp.start()
    try:
        yield lp
    finally:
        lp.stop()


@pytest.fixture(scope="module")
def parley(
    kam: Kamailio, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Application, Recorder]]:
    data = tmp_path_factory.mktemp("parley-data")
    with stopped_after(start_parley(kam, "1001", USERS["1001"], data)) as started:
        yield started


# ------------------------------------------------------------------ baresip


def test_parley_to_baresip_is_delivered_and_shown_there(
    parley: tuple[Application, Recorder], baresip: MessagingBaresip, kam: Kamailio
) -> None:
    app, events = parley
    text = "Grüße von Parley ✓ — 50% sicher"
    message_id = app.messages.send("1002", text).result(WAIT)
    final = events.final_status(message_id)
    assert (final.state, final.status) == (MessageDelivery.DELIVERED, 200)
    # baresip shows each message it takes as 'PEER: "TEXT"' (its stdio UI, in its log)
    shown = f'{aor(kam, "1001")}: "{text}"'
    assert wait_until(lambda: shown in baresip.log_text(), timeout=WAIT), baresip.log_tail()
    (row,) = [m for m in app.messages.conversation(aor(kam, "1002")) if m.id == message_id]
    assert (row.direction, row.text, row.state, row.status) == ("out", text, "delivered", 200)


def test_baresip_to_parley_is_reported_and_stored(
    parley: tuple[Application, Recorder], baresip: MessagingBaresip, kam: Kamailio
) -> None:
    app, events = parley
    baresip.send_message("hello Parley, baresip here")
    got: MessageReceived = events.wait(
        lambda e: isinstance(e, MessageReceived) and "baresip here" in e.text
    )
    assert got.sender == aor(kam, "1002") and got.account == "office"
    stored = app.messages.conversation(aor(kam, "1002"))
    assert any(m.id == got.message_id and m.direction == "in" for m in stored)
    info = next(c for c in app.messages.conversations() if c.peer == aor(kam, "1002"))
    assert info.unread >= 1 and info.last_text == "hello Parley, baresip here"


# ------------------------------------------------------------------ linphonec


def test_parley_to_linphone_is_delivered_and_shown_there(
    parley: tuple[Application, Recorder], linphone: Linphone
) -> None:
    app, events = parley
    mark = linphone.mark()
    message_id = app.messages.send("1003", "Hallo linphone, hier Parley").result(WAIT)
    final = events.final_status(message_id)
    assert (final.state, final.status) == (MessageDelivery.DELIVERED, 200)  # linphone's 200
    line = linphone.wait_output(r"Message received from (\S+): (.*)", timeout=WAIT, since=mark)
    assert "sip:1001@" in line.group(1)
    assert line.group(2).strip() == "Hallo linphone, hier Parley"


def test_linphone_to_parley_is_reported_and_stored(
    parley: tuple[Application, Recorder], linphone: Linphone, kam: Kamailio
) -> None:
    app, events = parley
    linphone.command(f"chat {aor(kam, '1001')} Grüße aus linphone")
    got: MessageReceived = events.wait(
        lambda e: isinstance(e, MessageReceived) and "linphone" in e.text
    )
    assert got.sender == aor(kam, "1003")
    assert got.text == "Grüße aus linphone"
    assert app.messages.search("GRÜSSE AUS")[0].id == got.message_id


# ------------------------------------------------------------------ failures and strangers


def test_a_message_to_nobody_fails_with_the_reason(
    parley: tuple[Application, Recorder], kam: Kamailio
) -> None:
    app, events = parley
    message_id = app.messages.send("1009", "is anybody there?").result(WAIT)
    final = events.final_status(message_id)
    assert (final.state, final.status, final.reason) == (
        MessageDelivery.FAILED,
        404,
        "Not Found",
    )
    (row,) = [m for m in app.messages.conversation(aor(kam, "1009")) if m.id == message_id]
    assert (row.state, row.status, row.reason) == ("failed", 404, "Not Found")


def test_a_strangers_message_straight_to_parley_is_refused(
    parley: tuple[Application, Recorder],
) -> None:
    app, events = parley
    port = app.settings.accounts[0].local_port
    body = b"buy cheap minutes"
    request = (
        f"MESSAGE sip:1001@{LOOPBACK}:{port} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {LOOPBACK}:{{me}};branch=z9hG4bK-stranger1\r\n"
        "Max-Forwards: 70\r\n"
        f"From: <sip:spam@{LOOPBACK}>;tag=s1\r\n"
        f"To: <sip:1001@{LOOPBACK}:{port}>\r\n"
        "Call-ID: stranger-1\r\n"
        "CSeq: 1 MESSAGE\r\n"
        "Content-Type: text/plain\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((LOOPBACK, 0))
        sock.settimeout(WAIT)
        data = request.replace("{me}", str(sock.getsockname()[1])).encode() + body
        sock.sendto(data, (LOOPBACK, port))
        answer = sock.recv(65536).decode()
    assert answer.startswith("SIP/2.0 403"), answer
    time.sleep(0.5)
    assert not any(isinstance(e, MessageReceived) and "cheap" in e.text for e in events.events)
    assert app.messages.search("cheap minutes") == []


def test_an_invite_with_a_text_body_gets_415(
    parley: tuple[Application, Recorder], kam: Kamailio
) -> None:
    """text/plain is for MESSAGE: an INVITE carrying it, relayed by the account's
    server, is refused with 415 (Accept naming the INVITE's own types), not taken as a
    call without an offer."""
    app, events = parley
    with SipUser(kam, "1004", USERS["1004"]) as caller:
        answer = caller.request(
            "INVITE",
            caller.uri_of("1001"),
            body="hello",
            content_type="text/plain",
            headers=[f"Contact: <sip:1004@{LOOPBACK}:{caller.port}>"],
            timeout=WAIT,
        )
    assert answer.status == 415, answer
    accept = answer.header("Accept")
    assert "application/sdp" in accept and "text/plain" not in accept
    assert app.list_calls() == []
    assert not any(isinstance(e, CallStateChanged) for e in events.events)


# ------------------------------------------------------------------ two Parleys: typing


def test_typing_and_a_message_between_two_parleys_through_the_proxy(
    parley: tuple[Application, Recorder], kam: Kamailio, tmp_path: Path
) -> None:
    app, _ = parley
    other, seen = start_parley(kam, "1005", USERS["1005"], tmp_path / "other")
    try:
        app.messages.typing("1005", True).result(WAIT)
        on = seen.wait(lambda e: isinstance(e, TypingChanged) and e.active)
        assert on.sender == aor(kam, "1001")
        app.messages.typing("1005", False).result(WAIT)
        seen.wait(lambda e: isinstance(e, TypingChanged) and not e.active)
        app.messages.typing("1005", True).result(WAIT)
        assert wait_until(
            lambda: (
                [e.active for e in seen.events if isinstance(e, TypingChanged)]
                == [True, False, True]
            ),
            timeout=WAIT,
        )
        app.messages.send("1005", "fertig getippt").result(WAIT)
        got = seen.wait(lambda e: isinstance(e, MessageReceived))
        assert got.text == "fertig getippt" and got.sender == aor(kam, "1001")
        # the message ends the typing on the other side, without an "idle" from us
        assert wait_until(
            lambda: (
                [e.active for e in seen.events if isinstance(e, TypingChanged)]
                == [True, False, True, False]
            ),
            timeout=WAIT,
        )
    finally:
        other.stop()


# ------------------------------------------------------------------ the console


def test_console_message_and_messages_commands(
    kam: Kamailio,
    baresip: MessagingBaresip,
    linphone: Linphone,
    tmp_path: Path,
) -> None:
    config = write_config(
        tmp_path / "console.toml",
        [
            {
                "name": "office",
                "domain": f"{LOOPBACK}:{kam.udp_port}",
                "username": "1004",
                "password": USERS["1004"],
                "codecs": ["pcmu"],
            }
        ],
    )
    console = ParleyConsole(config, log_dir=tmp_path)
    try:
        console.wait_state("registered")
        # the rest of the line is the text, inner spaces and all
        console.send("message 1002 two  spaces,   three and a tab\there")
        status = console.wait_for(
            lambda e: e.get("event") == "message status" and e.get("state") != "sending"
        )
        assert (status["state"], status["status"]) == ("delivered", 200)
        assert "delivered" in status["text"]
        shown = f'{aor(kam, "1004")}: "two  spaces,   three and a tab\there"'
        assert wait_until(lambda: shown in baresip.log_text(), timeout=WAIT)

        console.send("message 1009 hello?")
        failed = console.wait_for(
            lambda e: e.get("event") == "message status" and e.get("state") == "failed"
        )
        assert failed["status"] == 404 and "unknown recipient" in failed["text"]

        linphone.command(f"chat {aor(kam, '1004')} ping from linphone")
        got = console.wait_for(lambda e: e.get("event") == "message")
        assert got["from"] == aor(kam, "1003")
        assert got["text"] == "ping from linphone"

        console.send("messages")
        listing = console.wait_for(
            lambda e: e.get("event") == "reply" and aor(kam, "1003") in e.get("text", "")
        )
        assert re.search(r": 1 unread — .* < ping from linphone", listing["text"])
        console.send(f"messages {aor(kam, '1002')}")
        line = console.wait_for(
            lambda e: (
                e.get("event") == "reply"
                and re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d > two", e.get("text", "")) is not None
            )
        )
        assert line["text"].endswith("three and a tab\there [delivered 200]"), line
    finally:
        assert console.quit() == 0
