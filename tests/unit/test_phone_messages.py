"""The phone's messaging (`parley.phone.messages`) between two real Phones on the fake
network and virtual clock of `phonepair.py`: what crosses the wire, what each phone
reports, what lands in the store — and the pure delivery rule."""

from __future__ import annotations

from typing import Any

import pytest
from phonepair import HOST, PhonePair

from parley.phone.events import MessageDelivery, MessageReceived, MessageStatus, TypingChanged
from parley.phone.messages import MessageError, delivery_of
from parley.sip.is_composing import ComposingState, decode
from parley.sip.message import Request, Response
from parley.sip.pager import IS_COMPOSING_TYPE


@pytest.mark.parametrize(
    ("status", "state"),
    [
        (200, MessageDelivery.DELIVERED),  # the phone's own answer, relayed or direct
        (202, MessageDelivery.SENT),  # a store-and-forward server took it
        (204, MessageDelivery.SENT),
        (404, MessageDelivery.FAILED),
        (480, MessageDelivery.FAILED),
        (603, MessageDelivery.FAILED),
    ],
)
def test_the_delivery_rule(status: int, state: MessageDelivery) -> None:
    assert delivery_of(status) is state


def statuses(events: list[object]) -> list[tuple[MessageDelivery, int | None]]:
    return [(e.state, e.status) for e in events if isinstance(e, MessageStatus)]


def received(events: list[object]) -> list[MessageReceived]:
    return [e for e in events if isinstance(e, MessageReceived)]


def typing(events: list[object]) -> list[bool]:
    return [e.active for e in events if isinstance(e, TypingChanged)]


def messages_on_wire(pair: PhonePair, src: int) -> list[Request]:
    return pair.network.requests("MESSAGE", src=src)


def test_a_message_crosses_is_stored_on_both_sides_and_is_delivered(phone_pair: PhonePair) -> None:
    pair = phone_pair
    pair.run(pair.start())
    message_id = pair.run(pair.a.phone.messages.send(pair.b.uri, "Hallo Bob, grüß dich"))
    pair.run(pair.until(lambda: received(pair.b.events)))
    pair.run(pair.until(lambda: len(statuses(pair.a.events)) == 2))
    (wire,) = messages_on_wire(pair, 5061)
    assert wire.body.decode() == "Hallo Bob, grüß dich"
    assert wire.headers.get("Content-Type") == "text/plain;charset=UTF-8"
    assert str(wire.from_.uri) == f"sip:1001@{HOST}:5060"
    (got,) = received(pair.b.events)
    assert (got.sender, got.text, got.account) == (f"sip:1001@{HOST}", wire.body.decode(), "bob")
    assert statuses(pair.a.events) == [
        (MessageDelivery.SENDING, None),
        (MessageDelivery.DELIVERED, 200),
    ]
    ours = pair.a.phone.messages.ctx.store.conversation(pair.b.uri)
    assert [(m.id, m.text, m.state, m.status) for m in ours] == [
        (message_id, "Hallo Bob, grüß dich", "delivered", 200)
    ]
    theirs = pair.b.phone.messages.ctx.store.conversation(f"sip:1001@{HOST}:5060")
    assert [(m.id, m.direction, m.read) for m in theirs] == [(got.message_id, "in", False)]


def test_a_refusal_is_a_failure_with_its_status(phone_pair: PhonePair) -> None:
    pair = phone_pair
    pair.run(pair.start())
    # A number goes to the account's domain: here the registrar, which takes no MESSAGE.
    pair.run(pair.a.phone.messages.send("1002", "anyone?"))
    pair.run(pair.until(lambda: len(statuses(pair.a.events)) == 2))
    assert statuses(pair.a.events)[-1] == (MessageDelivery.FAILED, 405)
    (row,) = pair.a.phone.messages.ctx.store.conversation(f"sip:1002@{HOST}:5060")
    assert (row.state, row.status) == ("failed", 405)


def test_nobody_answering_fails_with_408(phone_pair: PhonePair) -> None:
    pair = phone_pair
    pair.run(pair.start())
    pair.run(pair.a.phone.messages.send(f"sip:1003@{HOST}:5999", "hello?"))
    pair.run(pair.until(lambda: len(statuses(pair.a.events)) == 2, within=64))
    assert statuses(pair.a.events)[-1] == (MessageDelivery.FAILED, 408)


def test_an_empty_message_is_not_sent(phone_pair: PhonePair) -> None:
    pair = phone_pair
    pair.run(pair.start())
    with pytest.raises(MessageError, match="empty"):
        pair.run(pair.a.phone.messages.send(pair.b.uri, "   "))
    assert messages_on_wire(pair, 5061) == []


def test_a_strangers_message_is_refused_with_403(make_phone_pair: object) -> None:
    pair = make_phone_pair(b={"functions": {"allow_direct_calls": False}})  # type: ignore[operator]
    pair.run(pair.start())
    pair.run(pair.a.phone.messages.send(pair.b.uri, "buy now"))
    pair.run(pair.until(lambda: len(statuses(pair.a.events)) == 2))
    assert statuses(pair.a.events)[-1] == (MessageDelivery.FAILED, 403)
    assert received(pair.b.events) == []
    assert pair.b.phone.messages.ctx.store.conversations() == []


def inject(pair: PhonePair, body: bytes, content_type: str, extra: str = "", n: int = 1) -> None:
    """A MESSAGE to Bob from a phone on :5070 (direct calls are allowed in the pair)."""
    raw = (
        f"MESSAGE sip:1002@{HOST}:5062 SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {HOST}:5070;branch=z9hG4bK-inj{n}\r\n"
        "Max-Forwards: 70\r\n"
        f'From: "Carol" <sip:1003@{HOST}:5060>;tag=c{n}\r\n'
        f"To: <sip:1002@{HOST}:5060>\r\n"
        f"Call-ID: inj{n}@{HOST}\r\n"
        "CSeq: 1 MESSAGE\r\n"
        f"Content-Type: {content_type}\r\n{extra}"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body

    async def send() -> None:
        pair.network.send(raw, (HOST, 5070), (HOST, 5062))
        await pair.settle()

    pair.run(send())


def answers_to_injected(pair: PhonePair) -> list[int]:
    return [
        p.message.status
        for p in pair.network.between(src=5062, dst=5070)
        if isinstance(p.message, Response)
    ]


def test_offline_messages_keep_their_date_and_odd_bodies_are_answered(
    phone_pair: PhonePair,
) -> None:
    pair = phone_pair
    pair.run(pair.start())
    inject(pair, b"stored for you", "text/plain", "Date: Sat, 13 Nov 2010 23:29:00 GMT\r\n")
    (got,) = received(pair.b.events)
    assert got.at == 1289690940.0 and got.sender_name == "Carol"
    (row,) = pair.b.phone.messages.ctx.store.conversation(f"sip:1003@{HOST}")
    assert row.at == 1289690940.0
    inject(pair, b"<b>x</b>", "text/html", n=2)
    inject(pair, b"caf\xe9", "text/plain;charset=utf-8", n=3)
    inject(pair, b"<isComposing><state>sleepy", IS_COMPOSING_TYPE, n=4)
    assert answers_to_injected(pair) == [200, 415, 200, 400]
    assert [m.text for m in received(pair.b.events)] == ["stored for you", "caf\ufffd"]


def test_their_typing_shows_and_expires_after_its_refresh(phone_pair: PhonePair) -> None:
    pair = phone_pair
    pair.run(pair.start())
    active = (
        b"<isComposing xmlns='urn:ietf:params:xml:ns:im-iscomposing'>"
        b"<state>active</state><refresh>60</refresh></isComposing>"
    )
    inject(pair, active, IS_COMPOSING_TYPE)
    assert typing(pair.b.events) == [True]
    pair.run(pair.settle(58))
    assert typing(pair.b.events) == [True]
    pair.run(pair.settle(3))
    assert typing(pair.b.events) == [True, False]
    # active again, then their message ends it at once
    inject(pair, active, IS_COMPOSING_TYPE, n=2)
    inject(pair, b"done typing", "text/plain", n=3)
    assert typing(pair.b.events) == [True, False, True, False]
    assert [e.sender for e in pair.b.events if isinstance(e, TypingChanged)][-1] == (
        f"sip:1003@{HOST}"
    )


def composing_sent(pair: PhonePair) -> list[ComposingState]:
    return [
        decode(m.body).state
        for m in messages_on_wire(pair, 5061)
        if m.headers.get("Content-Type") == IS_COMPOSING_TYPE
    ]


def test_our_typing_reaches_the_other_phone_and_goes_idle_after_15_s(phone_pair: PhonePair) -> None:
    pair = phone_pair
    pair.run(pair.start())
    for _ in range(5):  # keystrokes within a few seconds: one "active"
        pair.do(lambda: pair.a.phone.messages.typing(pair.b.uri, True))
        pair.run(pair.settle(0.5))
    pair.run(pair.until(lambda: typing(pair.b.events) == [True]))
    assert composing_sent(pair) == [ComposingState.ACTIVE]
    pair.run(pair.until(lambda: typing(pair.b.events) == [True, False], within=20))
    assert composing_sent(pair) == [ComposingState.ACTIVE, ComposingState.IDLE]


def test_sending_ends_our_typing_without_an_idle_document(phone_pair: PhonePair) -> None:
    pair = phone_pair
    pair.run(pair.start())
    pair.do(lambda: pair.a.phone.messages.typing(pair.b.uri, True))
    pair.run(pair.until(lambda: typing(pair.b.events) == [True]))
    pair.run(pair.a.phone.messages.send(pair.b.uri, "here it is"))
    pair.run(pair.until(lambda: typing(pair.b.events) == [True, False]))
    pair.run(pair.settle(20))
    assert composing_sent(pair) == [ComposingState.ACTIVE]


def test_typing_notification_off_sends_and_shows_nothing(make_phone_pair: object) -> None:
    pair = make_phone_pair(  # type: ignore[operator]
        a_account={"typing_notification": False}, b_account={"typing_notification": False}
    )
    pair.run(pair.start())
    pair.do(lambda: pair.a.phone.messages.typing(pair.b.uri, True))
    pair.run(pair.settle(1))
    assert composing_sent(pair) == []
    active = b"<isComposing><state>active</state></isComposing>"
    inject(pair, active, IS_COMPOSING_TYPE)
    assert answers_to_injected(pair) == [200]
    assert typing(pair.b.events) == []


def test_message_is_in_allow_of_the_register(phone_pair: PhonePair) -> None:
    pair = phone_pair
    pair.run(pair.start())
    pair.run(pair.settle(1))
    register = pair.network.requests("REGISTER", src=5061)[0]
    assert "MESSAGE" in (register.headers.get("Allow") or "")


def test_a_message_with_a_to_tag_but_no_dialog_is_taken(phone_pair: PhonePair) -> None:
    """PBXs send MESSAGEs with a To tag (inside a call, or out of habit): without a
    dialog that takes them they are handled like any other."""
    pair = phone_pair
    pair.run(pair.start())
    raw = (
        f"MESSAGE sip:1002@{HOST}:5062 SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {HOST}:5070;branch=z9hG4bK-tagged\r\n"
        "Max-Forwards: 70\r\n"
        f"From: <sip:1003@{HOST}:5060>;tag=c9\r\n"
        f"To: <sip:1002@{HOST}:5060>;tag=nodialog\r\n"
        f"Call-ID: tagged@{HOST}\r\n"
        "CSeq: 5 MESSAGE\r\n"
        "Content-Type: text/plain\r\n"
        "Content-Length: 6\r\n\r\nhi you"
    ).encode()

    async def send() -> None:
        pair.network.send(raw, (HOST, 5070), (HOST, 5062))
        await pair.settle()

    pair.run(send())
    assert answers_to_injected(pair) == [200]
    assert [m.text for m in received(pair.b.events)] == ["hi you"]


def test_an_outbound_proxy_gets_the_message_with_a_route(make_phone_pair: object) -> None:
    # Bob's phone stands in for the proxy: the MESSAGE must reach it, not the recipient.
    pair = make_phone_pair(  # type: ignore[operator]
        a_account={"outbound_proxy": f"{HOST}:5062", "register_on_startup": False}
    )
    pair.run(pair.start())
    pair.run(pair.a.phone.messages.send(f"sip:1003@{HOST}:5999", "via the proxy"))
    pair.run(pair.until(lambda: len(statuses(pair.a.events)) == 2))
    (sent,) = [p for p in pair.network.between(src=5061) if isinstance(p.message, Request)]
    assert sent.dst == (HOST, 5062)
    assert sent.message.headers.get("Route") == f"<sip:{HOST}:5062;lr>"
    assert str(sent.message.uri) == f"sip:1003@{HOST}:5999"


def test_a_message_too_long_for_the_far_end_is_not_sent(phone_pair: PhonePair) -> None:
    pair = phone_pair
    pair.run(pair.start())
    with pytest.raises(MessageError, match="too long"):
        pair.run(pair.a.phone.messages.send(pair.b.uri, "ü" * 40000))
    assert messages_on_wire(pair, 5061) == []


def test_a_long_message_tries_tcp_then_goes_over_udp(phone_pair: PhonePair) -> None:
    """RFC 3261 §18.1.1: over 1300 bytes a UDP account's MESSAGE goes over TCP; the
    fake network has no TCP (as a server without it), so it goes over UDP after all."""
    pair = phone_pair
    pair.run(pair.start())
    transport = pair.a.phone.messages.ctx.driver.transport
    tried: list[tuple[str, str]] = []
    send = transport.send

    async def recorded(message: Any, dest: Any, **kw: Any) -> Any:
        if isinstance(message, Request) and message.method == "MESSAGE":
            tried.append((dest.transport, message.headers.get("Via", "")[:11]))
        return await send(message, dest, **kw)

    transport.send = recorded
    pair.run(pair.a.phone.messages.send(pair.b.uri, "short"))
    pair.run(pair.until(lambda: len(received(pair.b.events)) == 1))
    assert tried == [("udp", "SIP/2.0/UDP")]
    text = "Lang. " * 400  # 2400 bytes
    pair.run(pair.a.phone.messages.send(pair.b.uri, text))
    pair.run(pair.until(lambda: len(received(pair.b.events)) == 2))
    pair.run(pair.until(lambda: len(statuses(pair.a.events)) == 4))
    assert received(pair.b.events)[1].text == text
    assert statuses(pair.a.events)[-1] == (MessageDelivery.DELIVERED, 200)
    assert tried[1:] == [("tcp", "SIP/2.0/TCP"), ("udp", "SIP/2.0/UDP")]
    wire = messages_on_wire(pair, 5061)[-1]
    assert wire.headers.get("Via", "").startswith("SIP/2.0/UDP ")
