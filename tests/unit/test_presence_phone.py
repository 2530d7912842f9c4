"""`Phone.presence` between two real Phones on the phone pair's fake network and virtual
clock: Alice watches Bob straight (no presence server: Bob answers the SUBSCRIBE
himself), Bob changes his state, goes invisible, is on the phone, rejects calls while
busy; Alice publishes to a presence server beside the registrar. What is checked is what
crossed the wire (bodies of NOTIFY and PUBLISH, the answer to an INVITE) and the events
each phone reported."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from phonepair import PhonePair
from test_phone_pair import registered
from test_publications_phone import PresenceServer

from parley.history.model import CallType, classify
from parley.phone.events import (
    CallNote,
    CallPhase,
    CallStateChanged,
    PresenceChanged,
    PublicationChanged,
    SubscriptionStatus,
)
from parley.sip.message import Request
from parley.sip.pidf import CONTENT_TYPE, PresenceState, parse

BOB = "sip:1002@127.0.0.1:5062"


def pair_with(**kw: object) -> PhonePair:
    a_account = {"subscribe_presence": True, **(kw.pop("a_account", {}) or {})}  # type: ignore[dict-item]
    return PhonePair(a_account=a_account, **kw)  # type: ignore[arg-type]


@pytest.fixture
def pair() -> Iterator[PhonePair]:
    p = pair_with()
    try:
        yield p
    finally:
        p.close()


def seen(pair: PhonePair, uri: str = BOB) -> list[tuple[PresenceState, str]]:
    return [
        (e.state, e.note)
        for e in pair.a.events
        if isinstance(e, PresenceChanged) and not e.own and e.uri == uri
    ]


def notifies_from_bob(pair: PhonePair) -> list[Request]:
    return [r for r in pair.network.requests("NOTIFY", src=5062) if r.body]


def test_watch_a_phone_directly_and_see_each_state(pair: PhonePair) -> None:
    async def scenario() -> None:
        await registered(pair)
        pair.a.phone.presence.watch(BOB)
        await pair.until(lambda: seen(pair) == [(PresenceState.ONLINE, "")])
        # Bob answered the SUBSCRIBE himself with his PIDF.
        [first] = notifies_from_bob(pair)
        assert first.headers.get("Content-Type") == CONTENT_TYPE
        assert parse(first.body).state is PresenceState.ONLINE
        for state in (PresenceState.BUSY, PresenceState.LUNCH, PresenceState.BRB):
            pair.b.phone.presence.set_state(state, f"note {state}")
            await pair.until(lambda s=state: seen(pair)[-1] == (s, f"note {s}"))  # type: ignore[misc]
        # Invisible: Alice sees offline; Bob's own event says invisible.
        pair.b.phone.presence.set_state(PresenceState.INVISIBLE)
        await pair.until(lambda: seen(pair)[-1][0] is PresenceState.OFFLINE)
        body = notifies_from_bob(pair)[-1].body.decode()
        assert "<basic>closed</basic>" in body and "rpid:" not in body.split("</tuple>")[1]
        own = [e for e in pair.b.events if isinstance(e, PresenceChanged) and e.own]
        assert own[-1].state is PresenceState.INVISIBLE
        # An unchanged state is not told again.
        count = len(seen(pair))
        pair.b.phone.presence.set_state(PresenceState.OFFLINE)
        await pair.settle(1)
        assert len(seen(pair)) == count
        # Unwatching unsubscribes (Expires: 0).
        pair.a.phone.presence.unwatch(BOB)
        await pair.settle(1)
        last = pair.network.requests("SUBSCRIBE", src=5061)[-1]
        assert last.headers.get("Expires") == "0"
        assert BOB not in pair.a.phone.presence.watched()

    pair.run(scenario())


def test_a_malformed_pidf_is_refused_and_the_last_state_kept(
    pair: PhonePair, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        await registered(pair)
        pair.b.phone.presence.set_state(PresenceState.AWAY, "out")
        pair.a.phone.presence.watch(BOB)
        await pair.until(lambda: seen(pair) == [(PresenceState.AWAY, "out")])
        [watcher] = pair.b.phone.presence._watchers
        with caplog.at_level(logging.WARNING, logger="parley.phone.presence"):
            watcher.notify(b"<presence><tuple", CONTENT_TYPE)
            await pair.until(lambda: "refused" in caplog.text)
            watcher.notify(b'<!DOCTYPE x [<!ENTITY a "b">]><presence/>', CONTENT_TYPE)
            await pair.settle(1)
        assert seen(pair) == [(PresenceState.AWAY, "out")]
        assert pair.a.phone.presence.watched()[BOB].state is PresenceState.AWAY
        # Still working afterwards.
        pair.b.phone.presence.set_state(PresenceState.ONLINE)
        await pair.until(lambda: seen(pair)[-1] == (PresenceState.ONLINE, ""))

    pair.run(scenario())


def test_on_the_phone_during_a_call_and_the_chosen_state_after() -> None:
    pair = pair_with(b={"functions": {"presence": "away", "presence_note": "desk"}})
    try:

        async def scenario() -> None:
            await registered(pair)
            pair.a.phone.presence.watch(BOB)
            await pair.until(lambda: seen(pair) == [(PresenceState.AWAY, "desk")])
            call = await pair.a.phone.dial(pair.b.uri)
            await pair.until(lambda: CallPhase.INCOMING in pair.b.phases())
            pair.b.only_call().answer()
            await pair.until(lambda: seen(pair)[-1][0] is PresenceState.ON_THE_PHONE)
            call.hangup()
            await pair.until(lambda: seen(pair)[-1] == (PresenceState.AWAY, "desk"))
            assert [s for s, _ in seen(pair)] == [
                PresenceState.AWAY,
                PresenceState.ON_THE_PHONE,
                PresenceState.AWAY,
            ]

        pair.run(scenario())
    finally:
        pair.close()


def test_calls_are_rejected_while_busy_and_not_otherwise() -> None:
    pair = pair_with(
        b={"functions": {"presence": "busy", "auto_reject_presence": ["busy", "lunch"]}}
    )
    try:

        async def scenario() -> None:
            await registered(pair)
            await pair.a.phone.dial(pair.b.uri)
            await pair.until(lambda: bool(pair.network.responses(486, "INVITE", src=5062)))
            ended = [e for e in pair.b.events if isinstance(e, CallStateChanged)]
            assert CallPhase.INCOMING not in pair.b.phases()  # it never rang
            assert ended and ended[-1].note is CallNote.AUTO_REJECTED
            assert classify("incoming", False, 486, note=ended[-1].note) is (
                CallType.REJECTED_INCOMING
            )
            # Declined (603) as reject_with says, online: rings.
            settings = pair.b.phone.settings.model_copy(deep=True)
            settings.functions.reject_with = "decline"
            pair.b.phone.apply_settings(settings)
            pair.b.phone.presence.set_state(PresenceState.LUNCH)
            await pair.a.phone.dial(pair.b.uri)
            await pair.until(lambda: bool(pair.network.responses(603, "INVITE", src=5062)))
            pair.b.phone.presence.set_state(PresenceState.ONLINE)
            await pair.a.phone.dial(pair.b.uri)
            await pair.until(lambda: CallPhase.INCOMING in pair.b.phases())

        pair.run(scenario())
    finally:
        pair.close()


def test_published_modified_and_removed_at_stop() -> None:
    pair = pair_with(a_account={"publish_presence": True})
    server = PresenceServer(pair)
    try:

        async def scenario() -> None:
            await registered(pair)
            await pair.until(lambda: server.count == 1)
            first = server.received[-1]
            doc = parse(first.body)
            assert doc.state is PresenceState.ONLINE and doc.entity.startswith("sip:1001@")
            tuple_id = doc.tuples[0].id
            pair.a.phone.presence.set_state(PresenceState.INVISIBLE, "hidden")
            await pair.until(lambda: server.count == 2)
            modified = server.received[-1]
            assert modified.headers.get("SIP-If-Match") == "tag1"
            doc = parse(modified.body)
            assert (doc.state, doc.tuples[0].id) == (PresenceState.OFFLINE, tuple_id)
            await pair.a.phone.stop(timeout=2)
            assert server.received[-1].headers.get("Expires") == "0"

        pair.run(scenario())
    finally:
        pair.close()


def test_no_presence_server_489_is_a_publication_event_and_publishing_stops() -> None:
    pair = pair_with(a_account={"publish_presence": True})
    server = PresenceServer(pair, refuse=489)
    try:

        async def scenario() -> None:
            await registered(pair)
            await pair.until(lambda: any(isinstance(e, PublicationChanged) for e in pair.a.events))
            (event,) = [e for e in pair.a.events if isinstance(e, PublicationChanged)]
            assert (event.state, event.status, event.package) == (
                SubscriptionStatus.FAILED,
                489,
                "presence",
            )
            pair.a.phone.presence.set_state(PresenceState.BUSY)
            await pair.settle(5)
            assert len(server.received) == 1  # no PUBLISH again
            # Bob subscribes to Alice straight: she answers herself.
            pair.b.phone.settings.accounts[0].subscribe_presence = True
            pair.b.phone.presence.watch("sip:1001@127.0.0.1:5061")
            await pair.until(
                lambda: any(
                    isinstance(e, PresenceChanged) and e.state is PresenceState.BUSY
                    for e in pair.b.events
                )
            )

        pair.run(scenario())
    finally:
        pair.close()
