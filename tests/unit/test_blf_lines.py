"""`phone.blf.Blf` on its own: NOTIFY bodies in, BlfChanged out, with fake subscriptions
(what a line subscribes, closes and re-subscribes is recorded). The rules: a partial
document on top of the last one, a version gap subscribes again, a stale one is
ignored, a new subscription dialog starts afresh, an empty body is idle, a bad body
changes nothing, a failed subscription is unknown."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from parley.phone.blf import Blf, BlfContext, BlfError
from parley.phone.events import BlfChanged, BlfState, PhoneEvent, SubscriptionChanged
from parley.phone.events import SubscriptionStatus as S
from parley.phone.subscriptions import Notice
from parley.settings.model import AccountSettings, Settings

ENTITY = "sip:1003@pbx"


@dataclass
class Machine:
    call_id: str


@dataclass
class FakeSub:
    account: str
    target: str
    on_notify: Callable[[Notice], None]
    machine: Machine
    closed: bool = False
    state: S | None = None

    @property
    def uri(self) -> str:
        return f"sip:{self.target}@pbx"

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeSubscriptions:
    subs: list[FakeSub] = field(default_factory=list)

    def subscribe(self, account: str, target: str, package: str, accept: Any, on_notify: Any):
        assert package == "dialog" and "application/dialog-info+xml" in accept
        sub = FakeSub(account, target, on_notify, Machine(f"sub-{len(self.subs)}"))
        self.subs.append(sub)
        return sub

    def serve(self, package: str, on_subscribe: Any) -> None:
        pass


@dataclass
class FakeAccount:
    name: str
    settings: AccountSettings


class Rig:
    def __init__(self, lines: list[str]) -> None:
        acct = AccountSettings(
            name="office", domain="pbx", username="1001", use_blf=True, blf_extensions=lines
        )
        self.settings = Settings(accounts=[acct])
        self.accounts = {"office": FakeAccount("office", acct)}
        self.subscriptions = FakeSubscriptions()
        self.events: list[PhoneEvent] = []
        self.blf = Blf(
            BlfContext(
                emit=self.events.append,
                settings=lambda: self.settings,
                accounts=lambda: self.accounts,  # type: ignore[arg-type,return-value]
                subscriptions=self.subscriptions,  # type: ignore[arg-type]
                dial=None,  # type: ignore[arg-type]
                calls=lambda: [],
            )
        )
        self.blf.sync()

    def notify(self, body: str, sub: int = -1, notifier: str = ENTITY, state: S = S.ACTIVE) -> None:
        s = self.subscriptions.subs[sub]
        s.on_notify(
            Notice(
                "dialog",
                "application/dialog-info+xml",
                body.encode(),
                state,
                "",
                notifier,
                s.uri,
                "office",
            )
        )

    def states(self) -> list[BlfState]:
        return [e.state for e in self.events if isinstance(e, BlfChanged)]


def doc(version: int, dialogs: str = "", state: str = "full") -> str:
    return (
        f'<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="{version}" '
        f'state="{state}" entity="{ENTITY}">{dialogs}</dialog-info>'
    )


EARLY = (
    '<dialog id="a" call-id="c1" local-tag="lt" remote-tag="rt" direction="recipient">'
    '<state>early</state><remote><identity display="Anna">sip:1002@pbx</identity></remote>'
    "</dialog>"
)
CONFIRMED = EARLY.replace("early", "confirmed")
GONE = EARLY.replace("early", "terminated")


def test_ringing_with_the_caller_then_busy_through_partial_documents() -> None:
    rig = Rig(["1003"])
    assert [(s.account, s.target) for s in rig.subscriptions.subs] == [("office", "1003")]
    assert rig.blf.lines()[0].state is BlfState.UNKNOWN
    rig.notify("")  # nobody published: idle
    rig.notify(doc(1, EARLY))
    ringing = rig.events[-1]
    assert isinstance(ringing, BlfChanged) and ringing.uri == "1003"
    assert ringing.state is BlfState.RINGING and ringing.caller == '"Anna" <sip:1002@pbx>'
    assert (ringing.call_id, ringing.local_tag, ringing.remote_tag) == ("c1", "lt", "rt")
    rig.notify(doc(2, CONFIRMED, "partial"))
    rig.notify(doc(2, GONE, "partial"))  # stale: the same version again
    rig.notify(doc(3, GONE, "partial"))
    assert rig.states() == [BlfState.IDLE, BlfState.RINGING, BlfState.BUSY, BlfState.IDLE]
    assert rig.blf.lines() == [rig.events[-1]]


def test_a_version_gap_subscribes_again_and_the_new_dialog_starts_afresh() -> None:
    async def run() -> None:
        rig = Rig(["1003"])
        rig.notify(doc(5, EARLY))
        rig.notify(doc(7, CONFIRMED, "partial"))  # 6 was lost
        await asyncio.sleep(0)  # after the NOTIFY was answered
        first, second = rig.subscriptions.subs
        assert first.closed and not second.closed and second.target == "1003"
        # The old subscription's end does not blank the line's new one.
        first.state = S.TERMINATED
        rig.blf.observe(
            SubscriptionChanged(first.uri, "dialog", S.TERMINATED, "timeout", None, "office")
        )
        rig.notify(doc(0))  # the new dialog counts from 0 again
        assert rig.states() == [BlfState.RINGING, BlfState.IDLE]
        rig.notify(doc(1, CONFIRMED, "partial"))
        assert rig.states()[-1] is BlfState.BUSY

    asyncio.run(run())


def test_bad_bodies_change_nothing_and_a_failed_subscription_is_unknown() -> None:
    rig = Rig(["1003"])
    rig.notify(doc(1, EARLY))
    rig.notify("<presence/>")
    rig.notify('<!DOCTYPE x [<!ENTITY a "b">]><dialog-info/>')
    assert rig.states() == [BlfState.RINGING]
    sub = rig.subscriptions.subs[0]
    sub.state = S.FAILED
    rig.blf.observe(
        SubscriptionChanged(uri=sub.uri, package="dialog", state=S.FAILED, account="office")
    )
    assert rig.states() == [BlfState.RINGING, BlfState.UNKNOWN]
    assert rig.blf.lines()[0].call_id == ""


def test_forked_notifiers_show_the_most_urgent() -> None:
    rig = Rig(["1003"])
    rig.notify(doc(1, CONFIRMED), notifier="sip:a@pbx")
    rig.notify(doc(1, EARLY.replace('id="a"', 'id="b"')), notifier="sip:b@pbx")
    rig.notify(doc(2), notifier="sip:a@pbx")
    assert rig.states() == [BlfState.BUSY, BlfState.RINGING]


def test_lines_follow_the_settings_and_watch_adds_one() -> None:
    rig = Rig(["1003", "sip:1004@other"])
    assert [e.uri for e in rig.blf.lines()] == ["1003", "sip:1004@other"]
    rig.blf.watch("1005")
    assert rig.blf.watch("1005").uri == "1005"  # once
    assert [s.target for s in rig.subscriptions.subs] == ["1003", "sip:1004@other", "1005"]
    rig.settings = rig.settings.model_copy(deep=True)
    rig.settings.accounts[0].blf_extensions = ["sip:1004@other", "1003"]
    rig.blf.sync()
    assert [e.uri for e in rig.blf.lines()] == ["sip:1004@other", "1003", "1005"]
    rig.settings.accounts[0].use_blf = False
    rig.blf.sync()
    assert [e.uri for e in rig.blf.lines()] == ["1005"]
    assert [s.closed for s in rig.subscriptions.subs] == [True, True, False]
    with pytest.raises(BlfError):
        rig.blf.watch("")
