"""Offline messages through Kamailio's msilo, and a long message over UDP.

A MESSAGE to a user who is not registered is kept by msilo (202 Accepted) and sent when
that user next REGISTERs. Parley, sending, shows it as SENT (a server took it), not
delivered. The Parley of the recipient, started later, gets it at its REGISTER: stored
at the time it was written (msilo's Date header), and the text intact although msilo
drops the charset parameter (its MESSAGE says plain `text/plain`; Parley reads text
without a charset as UTF-8, RFC 3428 §9). What msilo sends is looked at on the wire
with the rig's small SIP client.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from interop.app_rig import WAIT, Recorder, aor, start_parley, stopped_after
from parley.app import Application
from parley.phone.events import MessageDelivery, MessageReceived
from peers.common import LOOPBACK, wait_until
from peers.kamailio import Kamailio, running_kamailio
from peers.presence_rig import SipUser

pytestmark = pytest.mark.interop

USERS = {u: f"pass{u}" for u in ("1001", "1002", "1003", "1004", "1005")}
TEXT = "Grüße aus Köln 👋 — ½ Maß Bier? ✓\nzweite Zeile"


@pytest.fixture(scope="module")
def kam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    with running_kamailio(tmp_path_factory.mktemp("kamailio"), USERS, presence=True) as k:
        yield k  # presence: with msilo


@pytest.fixture(scope="module")
def parley(
    kam: Kamailio, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Application, Recorder]]:
    data = tmp_path_factory.mktemp("p1001")
    with stopped_after(start_parley(kam, "1001", USERS["1001"], data)) as started:
        yield started


def test_a_message_to_someone_offline_is_sent_then_delivered_at_their_register(
    parley: tuple[Application, Recorder], kam: Kamailio, tmp_path: Path
) -> None:
    app, events = parley
    written = time.time()
    message_id = app.messages.send("1002", TEXT).result(WAIT)
    final = events.final_status(message_id)
    # msilo took it: SENT with its 202, not delivered
    assert (final.state, final.status) == (MessageDelivery.SENT, 202), final
    (row,) = [m for m in app.messages.conversation(aor(kam, "1002")) if m.id == message_id]
    assert (row.state, row.status) == ("sent", 202)
    assert any(m.get("username") == "1002" for m in kam.stored_messages())

    time.sleep(3.0)  # so that "when it was written" and "when it arrived" differ
    started = time.time()
    other, seen = start_parley(kam, "1002", USERS["1002"], tmp_path / "p1002")
    try:
        got: MessageReceived = seen.wait(lambda e: isinstance(e, MessageReceived))
        assert got.text == TEXT  # umlauts, emoji and the line break through msilo
        assert got.sender == aor(kam, "1001")
        # the time it was written (msilo's Date, whole seconds), not the time it came
        assert written - 1 <= got.at <= written + 2 < started
        (stored,) = other.messages.conversation(aor(kam, "1001"))
        assert (stored.direction, stored.text, stored.at) == ("in", TEXT, got.at)
        assert not stored.read
        # delivered and gone from the silo
        assert wait_until(
            lambda: not any(m.get("username") == "1002" for m in kam.stored_messages()),
            timeout=WAIT,
        )
    finally:
        other.stop()


def test_what_msilo_sends_has_no_charset_and_a_date(
    parley: tuple[Application, Recorder], kam: Kamailio
) -> None:
    """The rig's client as the offline recipient: the wire form Parley has to read."""
    app, events = parley
    message_id = app.messages.send("1003", TEXT).result(WAIT)
    assert events.final_status(message_id).status == 202
    with SipUser(kam, "1003", USERS["1003"]) as bob:
        bob.register()
        got = bob.wait_request("MESSAGE", timeout=WAIT)
    assert got.header("Content-Type").lower() == "text/plain"  # the charset is gone
    assert got.header("Date").endswith("GMT")
    assert got.body == TEXT  # the bytes are still UTF-8
    assert f"sip:1001@{LOOPBACK}" in got.header("From")


def test_a_long_message_from_a_udp_account_goes_over_tcp(
    parley: tuple[Application, Recorder], kam: Kamailio
) -> None:
    """RFC 3261 §18.1.1: 5 KB of text is more than 1300 bytes, so Parley (a UDP account)
    sends it over TCP to Kamailio's port; Kamailio relays it to the registered phone,
    here the rig's client, whose copy shows Parley's Via with TCP. A short one stays on
    UDP. The text arrives whole, and Parley shows the phone's 200 as delivered."""
    app, events = parley
    text = ("Lorem ipsum dolor sit ämet, " * 200)[:5000]
    with SipUser(kam, "1005", USERS["1005"]) as phone:
        phone.register()
        short_id = app.messages.send("1005", "kurz").result(WAIT)
        short = phone.wait_request("MESSAGE", lambda m: m.body == "kurz", timeout=WAIT)
        long_id = app.messages.send("1005", text).result(WAIT)
        got = phone.wait_request("MESSAGE", lambda m: len(m.body) > 1000, timeout=WAIT)
        assert events.final_status(short_id).state is MessageDelivery.DELIVERED
        final = events.final_status(long_id)
    assert got.body == text
    assert (final.state, final.status) == (MessageDelivery.DELIVERED, 200)
    ours = [v for v in got.header_values("Via") if "127.0.0.1:" in v][-1]
    assert ours.startswith("SIP/2.0/TCP "), got.header_values("Via")
    short_via = short.header_values("Via")[-1]
    assert short_via.startswith("SIP/2.0/UDP "), short.header_values("Via")


def test_a_long_message_between_two_parleys_on_udp_accounts(
    parley: tuple[Application, Recorder], kam: Kamailio, tmp_path: Path
) -> None:
    """5 KB of text between two Parleys on UDP accounts: over TCP to Kamailio, which
    relays it over UDP (one 5 KB datagram: fine on loopback) to the other."""
    app, events = parley
    other, seen = start_parley(kam, "1004", USERS["1004"], tmp_path / "p1004")
    try:
        text = ("Lorem ipsum dolor sit ämet, " * 200)[:5000]
        message_id = app.messages.send("1004", text).result(WAIT)
        final = events.final_status(message_id)
        got: MessageReceived = seen.wait(lambda e: isinstance(e, MessageReceived))
        assert got.text == text
        assert (final.state, final.status) == (MessageDelivery.DELIVERED, 200)
    finally:
        other.stop()
