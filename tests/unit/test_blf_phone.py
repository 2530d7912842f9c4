"""`Phone.blf` between two real Phones on a fake network and virtual clock (`phonepair`):
Alice watches Bob's line (use_blf), Bob's own BLF serves "dialog" for his calls.

Both sides are Parley's: Alice's lamp follows what Bob's notifier put on the wire
(dialog-info bodies read from the network log), and settings changes add and remove
lines without a restart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from phonepair import PhonePair

from parley.phone.blf import BlfError
from parley.phone.events import BlfChanged, BlfState
from parley.phone.pickup import PickupError
from parley.sip import dialog_info

BOB = "sip:1002@127.0.0.1:5062"


@pytest.fixture
def pair() -> Iterator[PhonePair]:
    p = PhonePair(a_account={"use_blf": True, "blf_extensions": [BOB]})
    try:
        yield p
    finally:
        p.close()


def lamps(pair: PhonePair) -> list[tuple[str, BlfState]]:
    return [(e.uri, e.state) for e in pair.a.events if isinstance(e, BlfChanged)]


def last(pair: PhonePair) -> BlfChanged:
    return [e for e in pair.a.events if isinstance(e, BlfChanged)][-1]


def bob_bodies(pair: PhonePair) -> list[dialog_info.DialogInfo]:
    return [dialog_info.parse(n.body) for n in pair.network.requests("NOTIFY", src=5062) if n.body]


def test_bobs_calls_show_on_alices_lamp(pair: PhonePair) -> None:
    pair.run(pair.start())
    pair.run(pair.until(lambda: bool(lamps(pair)) and last(pair).state is BlfState.IDLE))
    [subscribe] = pair.network.requests("SUBSCRIBE", src=5061)
    assert subscribe.headers.get("Event") == "dialog"
    assert "application/dialog-info+xml" in (subscribe.headers.get("Accept") or "")
    assert pair.a.phone.blf.lines()[0].uri == BOB
    # Alice calls Bob: Bob's line rings, with Alice as the caller.
    call = pair.run(pair.a.phone.dial(pair.b.uri))
    pair.run(pair.until(lambda: last(pair).state is BlfState.RINGING))
    ringing = last(pair)
    assert "1001" in ringing.caller and ringing.call_id == call.session.call_id
    assert ringing.remote_tag == call.session.local_tag  # the caller's tag
    assert ringing.local_tag  # Bob's tag: what a pickup with Replaces needs
    doc = bob_bodies(pair)[-1]
    assert doc.entity.startswith("sip:1002@") and doc.dialogs[0].direction is (
        dialog_info.Direction.RECIPIENT
    )
    # Bob answers: busy; he holds: held; Alice hangs up: idle.
    pair.do(pair.b.only_call().answer)
    pair.run(pair.until(lambda: last(pair).state is BlfState.BUSY))
    pair.do(pair.b.only_call().hold)
    pair.run(pair.until(lambda: last(pair).state is BlfState.HELD))
    pair.do(call.hangup)
    pair.run(pair.until(lambda: last(pair).state is BlfState.IDLE))
    states = [s for _u, s in lamps(pair)]
    assert states[-4:] == [BlfState.RINGING, BlfState.BUSY, BlfState.HELD, BlfState.IDLE]
    versions = [d.version for d in bob_bodies(pair)]
    assert versions == sorted(versions) and len(set(versions)) == len(versions)


def test_settings_add_and_remove_lines_without_restart(pair: PhonePair) -> None:
    pair.run(pair.start())
    pair.run(pair.until(lambda: bool(lamps(pair))))
    new = pair.a.phone.settings.model_copy(deep=True)
    new.accounts[0].blf_extensions = [BOB, "1003"]
    pair.do(lambda: pair.a.phone.apply_settings(new))
    assert [e.uri for e in pair.a.phone.blf.lines()] == [BOB, "1003"]
    pair.run(pair.settle(1))
    assert {str(s.uri) for s in pair.network.requests("SUBSCRIBE", src=5061)} >= {
        BOB,
        "sip:1003@127.0.0.1:5060",
    }
    off = new.model_copy(deep=True)
    off.accounts[0].use_blf = False
    pair.do(lambda: pair.a.phone.apply_settings(off))
    assert pair.a.phone.blf.lines() == []
    pair.run(pair.settle(1))
    unsubscribes = [
        s for s in pair.network.requests("SUBSCRIBE", src=5061) if s.headers.get("Expires") == "0"
    ]
    assert {str(s.uri) for s in unsubscribes} >= {BOB}


def test_failed_subscription_is_unknown_and_watch_adds_a_line(pair: PhonePair) -> None:
    pair.run(pair.start())
    # The registrar is no notifier: a line there fails → unknown.
    line = pair.do(lambda: pair.a.phone.blf.watch("1009"))
    assert line.state is BlfState.UNKNOWN and line.account == "alice"
    pair.run(pair.until(lambda: any(u == "1009" for u, _s in lamps(pair))))
    assert dict(lamps(pair))["1009"] is BlfState.UNKNOWN
    assert [e.uri for e in pair.a.phone.blf.lines()] == [BOB, "1009"]
    with pytest.raises(BlfError):
        pair.do(lambda: pair.a.phone.blf.watch(" "))


def test_pickup_needs_a_ringing_line_or_dials_the_prefix(pair: PhonePair) -> None:
    pair.run(pair.start())
    pair.run(pair.until(lambda: bool(lamps(pair)) and last(pair).state is BlfState.IDLE))
    with pytest.raises(PickupError):
        pair.run(pair.a.phone.blf.pickup(BOB))
    new = pair.a.phone.settings.model_copy(deep=True)
    new.accounts[0].pickup_prefix = "*8"
    pair.do(lambda: pair.a.phone.apply_settings(new))
    pair.a.phone.accounts["alice"].settings = new.accounts[0]
    call = pair.run(pair.a.phone.blf.pickup(BOB))
    assert str(call.session.invite_request.uri).startswith("sip:*81002@")  # type: ignore[union-attr]


def test_our_line_is_served_only_to_trusted_watchers() -> None:
    pair = PhonePair(
        a_account={"use_blf": True, "blf_extensions": [BOB]},
        b={"functions": {"allow_direct_calls": False}},
    )
    try:
        pair.run(pair.start())
        pair.run(pair.until(lambda: bool(pair.network.responses(403, "SUBSCRIBE", src=5062))))
        pair.run(pair.settle(1))
        assert lamps(pair) == [(BOB, BlfState.UNKNOWN)]
        assert not pair.network.requests("NOTIFY", src=5062)
    finally:
        pair.close()
