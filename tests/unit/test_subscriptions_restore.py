"""Restoring subscriptions (`phone/subscriptions.py`) between two real Phones on a fake
network and virtual clock (`phonepair`): Alice subscribes to Bob's "presence", Bob
serves it and keeps every watcher, so what Bob still holds after a restore is seen.

The interop proof against Kamailio is tests/interop/test_subscription_restore.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from phonepair import PhonePair

from parley.phone.events import (
    AccountStateChanged,
    Reachability,
    SubscriptionChanged,
    SubscriptionStatus,
)
from parley.phone.subscriptions import Notice, Subscription, Watcher
from parley.sip.message import Request
from parley.sip.registration import RegState

TEXT = "text/plain"
BOB = "sip:1002@127.0.0.1:5062"


class Presence:
    """Bob's side: serves "presence" and accepts every watcher."""

    def __init__(self, pair: PhonePair) -> None:
        self.watchers: list[Watcher] = []
        pair.b.phone.subscriptions.serve("presence", self._on_subscribe)

    def _on_subscribe(self, watcher: Watcher) -> None:
        self.watchers.append(watcher)
        watcher.accept(b"open", TEXT)

    def live(self) -> list[Watcher]:
        return [w for w in self.watchers if not w.finished]


@pytest.fixture
def pair() -> Iterator[PhonePair]:
    p = PhonePair(a_account={"subscription_expiry": 600})
    try:
        yield p
    finally:
        p.close()


def subscribes(pair: PhonePair) -> list[Request]:
    return pair.network.requests("SUBSCRIBE", src=5061)


def changes(pair: PhonePair) -> list[SubscriptionStatus]:
    return [e.state for e in pair.a.events if isinstance(e, SubscriptionChanged)]


def subscribe(pair: PhonePair, notices: list[Notice]) -> Subscription:
    return pair.do(
        lambda: pair.a.phone.subscriptions.subscribe(
            "alice", BOB, "presence", [TEXT], notices.append
        )
    )


def started(pair: PhonePair) -> tuple[Presence, list[Notice], Request]:
    bob = Presence(pair)
    pair.run(pair.start())
    notices: list[Notice] = []
    subscribe(pair, notices)
    pair.run(pair.until(lambda: bool(notices)))
    [first] = subscribes(pair)
    return bob, notices, first


def test_a_restore_unsubscribes_the_dialog_it_replaces(pair: PhonePair) -> None:
    bob, notices, first = started(pair)
    account = pair.a.phone.accounts["alice"]
    # Unregistered and registered again (Bob, the notifier, kept the subscription).
    pair.run(account.unregister())
    pair.run(account.register())
    pair.run(pair.until(lambda: account.state is RegState.REGISTERED))
    pair.run(pair.until(lambda: len(bob.watchers) == 2 and bob.watchers[0].finished))
    # The old dialog got its Expires: 0, the new one is a new dialog.
    ended = [s for s in subscribes(pair) if s.call_id == first.call_id]
    assert ended[-1].headers.get("Expires") == "0" and ended[-1].to.tag
    new = [s for s in subscribes(pair) if s.call_id != first.call_id]
    assert new and new[0].to.tag is None and new[0].headers.get("Expires") == "600"
    assert bob.live() == [bob.watchers[1]]
    # Bob's last NOTIFY to the old dialog (terminated) is not handed on; the new
    # subscription reports active again, and its NOTIFYs arrive.
    pair.run(pair.until(lambda: len(notices) >= 2))
    assert all(n.state is SubscriptionStatus.ACTIVE for n in notices)
    assert changes(pair) == [SubscriptionStatus.ACTIVE, SubscriptionStatus.ACTIVE]
    pair.do(lambda: bob.watchers[1].notify(b"away", TEXT))
    pair.run(pair.until(lambda: notices[-1].body == b"away"))


def test_restored_after_the_server_was_unreachable(pair: PhonePair) -> None:
    bob, _notices, first = started(pair)
    account = pair.a.phone.accounts["alice"]
    # The keep-alive found the server dead (UDP: nothing else tells), then it answers
    # again and the account registers: the server may have forgotten everything.
    pair.do(
        lambda: pair.a.phone.emit(
            AccountStateChanged(
                account="alice", state=Reachability.UNREACHABLE, status=None, reason=""
            )
        )
    )
    pair.run(account.register())
    pair.run(pair.until(lambda: any(s.call_id != first.call_id for s in subscribes(pair))))
    pair.run(pair.until(lambda: len(bob.live()) == 1 and bob.live()[0] is bob.watchers[-1]))
    assert len(bob.watchers) == 2


def test_a_registration_refresh_restores_nothing(pair: PhonePair) -> None:
    _bob, _notices, first = started(pair)
    account = pair.a.phone.accounts["alice"]
    pair.run(account.register())  # registered → registered
    pair.run(pair.settle(5))
    assert [s.call_id for s in subscribes(pair)] == [first.call_id]


def test_nothing_is_subscribed_once_the_phone_stops(pair: PhonePair) -> None:
    bob, notices, first = started(pair)
    pair.run(pair.a.phone.subscriptions.close_all(timeout=3))
    assert bob.live() == []
    # A feature that follows the account's last state changes asks again: not made.
    late = subscribe(pair, notices)
    pair.run(pair.settle(5))
    assert late.closed
    assert [s.call_id for s in subscribes(pair)] == [first.call_id, first.call_id]
    assert bob.live() == []
