"""`Phone.subscriptions` between two real Phones on a fake network and virtual clock
(`phonepair`): Alice subscribes to Bob's "presence" (a dummy text body), Bob serves it.

What crossed the wire is read from the network log; what each phone reported from its
events (SubscriptionChanged) and the notices handed to the owner."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from phonepair import REGISTRAR_PORT, PhonePair

from parley.net.address import Source
from parley.phone.events import SubscriptionChanged, SubscriptionStatus
from parley.phone.subscriptions import Notice, Subscription, SubscriptionError, Watcher
from parley.sip.message import Request, Response
from parley.sip.registration import RegState

TEXT = "text/plain"


class Presence:
    """Bob's side: serves "presence", accepting (or refusing) every watcher."""

    def __init__(self, pair: PhonePair, refuse: int | None = None) -> None:
        self.watchers: list[Watcher] = []
        self.refuse = refuse
        pair.b.phone.subscriptions.serve("presence", self._on_subscribe)

    def _on_subscribe(self, watcher: Watcher) -> None:
        self.watchers.append(watcher)
        if self.refuse:
            watcher.refuse(self.refuse)
        else:
            watcher.accept(b"open", TEXT)


@pytest.fixture
def pair() -> Iterator[PhonePair]:
    p = PhonePair(a_account={"subscription_expiry": 600})
    try:
        yield p
    finally:
        p.close()


def changes(pair: PhonePair) -> list[tuple[SubscriptionStatus, str]]:
    return [(e.state, e.reason) for e in pair.a.events if isinstance(e, SubscriptionChanged)]


def subscribes(pair: PhonePair) -> list[Request]:
    return pair.network.requests("SUBSCRIBE", src=5061)


def subscribe(pair: PhonePair, notices: list[Notice], target: str = "1002") -> Subscription:
    return pair.do(
        lambda: pair.a.phone.subscriptions.subscribe(
            "alice", target, "presence", [TEXT], notices.append
        )
    )


def test_subscribe_notify_refresh_and_unsubscribe_at_stop(pair: PhonePair) -> None:
    bob = Presence(pair)
    pair.run(pair.start())
    notices: list[Notice] = []
    sub = subscribe(pair, notices, "sip:1002@127.0.0.1:5062")
    pair.run(pair.until(lambda: bool(notices)))
    [first] = subscribes(pair)
    assert first.headers.get("Expires") == "600"
    assert first.headers.get("Event") == "presence"
    # The account's identity and Contact.
    assert first.from_.uri.user == "1001" and "127.0.0.1:5061" in (
        first.headers.get("Contact") or ""
    )
    assert notices[0].body == b"open" and notices[0].content_type == TEXT
    assert notices[0].state is SubscriptionStatus.ACTIVE and notices[0].account == "alice"
    assert changes(pair) == [(SubscriptionStatus.ACTIVE, "")]
    [watcher] = bob.watchers
    assert watcher.subscriber == "sip:1001@127.0.0.1:5060"
    # Bob's presence changes.
    pair.do(lambda: watcher.notify(b"away", TEXT))
    pair.run(pair.until(lambda: len(notices) == 2))
    assert notices[1].body == b"away"
    # Refreshed before expiry (540 s of virtual time).
    pair.run(pair.settle(545))
    assert len(subscribes(pair)) == 2
    assert subscribes(pair)[1].call_id == first.call_id
    assert sub.state is SubscriptionStatus.ACTIVE
    # Stopping Alice unsubscribes: Expires 0, Bob's last NOTIFY, the watcher gone.
    pair.run(pair.a.phone.stop(timeout=3))
    last = subscribes(pair)[-1]
    assert last.headers.get("Expires") == "0" and last.call_id == first.call_id
    assert watcher.finished
    assert changes(pair)[-1] == (SubscriptionStatus.TERMINATED, "timeout")


def test_refused_by_the_watched_phone(pair: PhonePair) -> None:
    Presence(pair, refuse=403)
    pair.run(pair.start())
    notices: list[Notice] = []
    subscribe(pair, notices, "sip:1002@127.0.0.1:5062")
    pair.run(pair.until(lambda: bool(changes(pair))))
    events = [e for e in pair.a.events if isinstance(e, SubscriptionChanged)]
    assert (events[-1].state, events[-1].status) == (SubscriptionStatus.FAILED, 403)
    assert events[-1].uri == "sip:1002@127.0.0.1:5062" and events[-1].package == "presence"


def test_nobody_serves_the_package_489(pair: PhonePair) -> None:
    pair.run(pair.start())
    # (every phone serves "presence" itself: phone/presence.py)
    pair.do(
        lambda: pair.a.phone.subscriptions.subscribe(
            "alice", "sip:1002@127.0.0.1:5062", "x-nobody", [TEXT], print
        )
    )
    pair.run(pair.until(lambda: bool(changes(pair))))
    assert changes(pair) == [(SubscriptionStatus.FAILED, "bad event")]
    assert pair.network.responses(489, "SUBSCRIBE", src=5062)


def test_a_number_is_subscribed_on_the_account_domain(pair: PhonePair) -> None:
    pair.run(pair.start())
    subscribe(pair, [], "1002")
    pair.run(pair.settle(0.5))
    [sent] = subscribes(pair)
    assert str(sent.uri) == f"sip:1002@127.0.0.1:{REGISTRAR_PORT}"
    with pytest.raises(SubscriptionError):
        pair.a.phone.subscriptions.subscribe("nobody", "1002", "presence", [TEXT], print)


def test_waits_for_the_registration_and_is_restored_after_a_new_one() -> None:
    pair = PhonePair(a_account={"register_on_startup": False})
    try:
        Presence(pair)
        pair.run(pair.start())
        notices: list[Notice] = []
        subscribe(pair, notices, "sip:1002@127.0.0.1:5062")
        pair.run(pair.settle(1))
        assert subscribes(pair) == []  # no address of its own yet
        account = pair.a.phone.accounts["alice"]
        pair.run(account.register())
        pair.run(pair.until(lambda: bool(notices)))
        [first] = subscribes(pair)
        # The registrar goes away: the refresh fails, the account is not registered...
        registrar = pair.registrar
        pair.network.detach(registrar.where)
        pair.run(pair.until(lambda: account.state is RegState.FAILED, within=4000))
        assert len(subscribes(pair)) == 1 or subscribes(pair)[-1].call_id == first.call_id
        # ...and comes back: registered again, the subscription is made anew.
        pair.network.attach(registrar.where, registrar._receive)
        pair.run(pair.until(lambda: account.state is RegState.REGISTERED, within=4000))
        pair.run(pair.until(lambda: subscribes(pair)[-1].call_id != first.call_id))
        again = subscribes(pair)[-1]
        assert again.to.tag is None  # a new dialog
        pair.run(pair.until(lambda: len(notices) >= 2))
    finally:
        pair.close()


def test_unsolicited_notify_is_taken_only_from_where_the_owner_says(pair: PhonePair) -> None:
    pair.run(pair.start())
    account = pair.a.phone.accounts["alice"]
    seen: list[Notice] = []

    def from_our_server(notice: Notice, source: Source) -> bool:
        seen.append(notice)
        server = account.server
        return server is not None and (source.host, source.port) == (server.host, server.port)

    pair.do(
        lambda: pair.a.phone.subscriptions.unsolicited(
            "message-summary", ["application/simple-message-summary"], from_our_server
        )
    )

    def unsolicited(src_port: int, call_id: str, ctype: str) -> None:
        body = b"Messages-Waiting: yes\r\n"
        raw = (
            f"NOTIFY sip:1001@127.0.0.1:5061 SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{src_port};branch=z9hG4bK{call_id}\r\n"
            f"From: <sip:vm@127.0.0.1>;tag=v{call_id}\r\n"
            f"To: <sip:1001@127.0.0.1>\r\n"
            f"Call-ID: {call_id}\r\nCSeq: 1 NOTIFY\r\nMax-Forwards: 70\r\n"
            f"Event: message-summary\r\nSubscription-State: active\r\n"
            f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        pair.do(lambda: pair.network.send(raw, ("127.0.0.1", src_port), ("127.0.0.1", 5061)))
        pair.run(pair.settle(0.2))

    unsolicited(REGISTRAR_PORT, "mwi1", "application/simple-message-summary")  # the server
    unsolicited(5099, "mwi2", "application/simple-message-summary")  # a stranger
    unsolicited(REGISTRAR_PORT, "mwi3", "text/html")  # not a type we take
    answers = {
        p.message.call_id: p.message.status
        for p in pair.network.between(src=5061)
        if isinstance(p.message, Response) and p.message.cseq.method == "NOTIFY"
    }
    assert answers == {"mwi1": 200, "mwi2": 403, "mwi3": 415}
    assert seen[0].body == b"Messages-Waiting: yes\r\n"
    assert seen[0].notifier == "sip:vm@127.0.0.1" and seen[0].account == "alice"
