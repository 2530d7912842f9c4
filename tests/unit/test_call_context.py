"""`parley.phone.call.Call` needs no `Phone`: two calls, each given only a `CallContext`
(fake media engine, recorded events and ringer hooks), talk through two real SIP
drivers on 127.0.0.1 — dial, ring, answer, hang up — and the context is all they touch.

Waiting uses futures with a generous safety timeout; no test measures time.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from parley.net.driver import SipDriver
from parley.phone.account import Account
from parley.phone.call import Call
from parley.phone.context import CallContext
from parley.phone.events import CallPhase, CallStateChanged, PhoneEvent
from parley.phone.outgoing import DialError, OutgoingCalls, account_for, target_uri
from parley.settings.model import AccountSettings, Settings
from parley.sip.core import UserAgentCore
from parley.sip.ids import IdSource
from parley.sip.invite_usage import register_invite_usage
from parley.sip.message import Request
from parley.sip.transaction_server import ServerTransaction

WAIT = 10.0  # safety net only


class FakeCallMedia:
    def __init__(self, log: list[str], name: str, sample_rate: int) -> None:
        self.log = log
        self.name = name
        self.port = type("P", (), {"sample_rate": sample_rate})()

    def connect(self, *, speak: bool = True, listen: bool = True) -> None:
        self.log.append(f"connect {self.name} speak={speak} listen={listen}")

    def disconnect(self) -> None:
        self.log.append(f"disconnect {self.name}")

    def close(self) -> None:
        self.log.append(f"close {self.name}")

    def record(self, path: Path) -> None:
        self.log.append(f"record {path.name}")


class FakeMedia:
    """What a call asks of the media engine, in order."""

    def __init__(self) -> None:
        self.log: list[str] = []

    def add_call(self, port: Any, name: str) -> FakeCallMedia:
        self.log.append(f"add {name}")
        return FakeCallMedia(self.log, name, port.sample_rate)

    def play_tone(self, kind: str, owner: object) -> None:
        self.log.append(f"tone {kind}")

    def stop_tone(self, owner: object = None) -> None:
        self.log.append("stop tone")

    def dtmf_feedback(self, digit: str) -> None:
        self.log.append(f"key {digit}")

    def hold_music(self, media: Any, mode: str, path: Any = None) -> None:
        if mode != "off":
            self.log.append(f"music {mode}")


class Side:
    """One user agent: a driver on 127.0.0.1, an account, and the context its calls get."""

    def __init__(self, name: str, driver: SipDriver, port: int) -> None:
        self.name = name
        self.driver = driver
        self.port = port
        self.settings = Settings()
        self.events: list[PhoneEvent] = []
        self.hooks: list[tuple[str, int]] = []
        self.media = FakeMedia()
        self.account = Account(
            AccountSettings(name=name, domain=f"127.0.0.1:{port}", username=name),
            "",
            driver,
            self.events.append,
        )
        self.account.registration.set_local_address("127.0.0.1", port)
        self.changed = asyncio.Event()
        self.ctx = CallContext(
            emit=self._emit,
            media=lambda: self.media,  # type: ignore[arg-type,return-value]
            driver=driver,
            settings=lambda: self.settings,
            bind_host=lambda: "127.0.0.1",
            record_dir=None,
            ringing=self._hook("ringing"),
            silence=self._hook("silence"),
            ended=self._hook("ended"),
        )

    def _emit(self, event: PhoneEvent) -> None:
        self.events.append(event)
        self.changed.set()

    def _hook(self, name: str) -> Callable[[Call], None]:
        return lambda call: self.hooks.append((name, call.id))

    def phases(self) -> list[CallPhase]:
        return [e.state for e in self.events if isinstance(e, CallStateChanged)]

    async def until(self, phase: CallPhase) -> None:
        async with asyncio.timeout(WAIT):
            while phase not in self.phases():
                self.changed.clear()
                await self.changed.wait()


async def side(name: str) -> Side:
    core = UserAgentCore(None, user_agent="Parley/test", ids=IdSource(random.Random(name)))
    register_invite_usage(core)
    driver = SipDriver(core)
    await driver.start()
    _host, port = await driver.transport.listen_udp("127.0.0.1", 0)
    return Side(name, driver, port)


def take_calls(bob: Side) -> asyncio.Future[Call]:
    """Bob's core hands a new INVITE to a `Call` made with bob's context, which rings."""
    incoming: asyncio.Future[Call] = asyncio.get_running_loop().create_future()

    async def take(tx: ServerTransaction, request: Request) -> None:
        call = await Call.incoming(bob.ctx, bob.account, request, tx)
        call.ring()
        incoming.set_result(call)

    def on_invite(tx: ServerTransaction, request: Request, now: float) -> None:
        tasks.add(asyncio.ensure_future(take(tx, request)))

    tasks: set[asyncio.Future[None]] = set()
    bob.driver.core.on_request("INVITE", on_invite)
    return incoming


@pytest.mark.asyncio
async def test_two_calls_with_only_a_context_dial_ring_answer_and_hang_up() -> None:
    alice, bob = await side("alice"), await side("bob")
    incoming = take_calls(bob)
    started: list[Call] = []
    outgoing = OutgoingCalls(alice.ctx, lambda: {"alice": alice.account}, started.append)
    try:
        with pytest.raises(DialError, match="no server yet"):
            await outgoing.dial(f"sip:bob@127.0.0.1:{bob.port}")  # not registered
        # A running phone's core has heard the time (its REGISTER exchange); see
        # `test_an_idle_core_does_not_time_out_a_new_call_at_once` for the idle case.
        alice.driver.core.handle_timer(alice.driver.now)
        call = await Call.outgoing(
            alice.ctx, alice.account, target_uri(f"sip:bob@127.0.0.1:{bob.port}", alice.account)
        )
        async with asyncio.timeout(WAIT):
            answered = await incoming
        await alice.until(CallPhase.RINGING)
        assert ("ringing", answered.id) in bob.hooks  # the ringer heard of it through the context
        assert "tone ringback" in alice.media.log

        answered.answer()
        await alice.until(CallPhase.CONNECTED)
        await bob.until(CallPhase.CONNECTED)
        assert ("silence", answered.id) in bob.hooks  # answering stops its ringing
        assert f"connect call {call.id} speak=True listen=True" in alice.media.log
        assert f"connect call {answered.id} speak=True listen=True" in bob.media.log

        call.hangup()
        await alice.until(CallPhase.ENDED)
        await bob.until(CallPhase.ENDED)
        assert ("ended", call.id) in alice.hooks and ("ended", answered.id) in bob.hooks
        assert f"close call {call.id}" in alice.media.log
        assert started == []  # the refused dial never reached the phone
    finally:
        await alice.driver.close()
        await bob.driver.close()


# A core's clock is the time of its latest input. Commands from the phone (dial, hold)
# bring their own time, or a call quiet for a minute would arm its timers a minute late.
@pytest.mark.asyncio
async def test_an_idle_core_does_not_time_out_a_new_call_at_once() -> None:
    alice, bob = await side("alice"), await side("bob")
    take_calls(bob)
    try:
        await Call.outgoing(
            alice.ctx, alice.account, target_uri(f"sip:bob@127.0.0.1:{bob.port}", alice.account)
        )
        async with asyncio.timeout(WAIT):
            while CallPhase.RINGING not in alice.phases():
                assert CallPhase.ENDED not in alice.phases(), alice.events[-1]
                alice.changed.clear()
                await alice.changed.wait()
    finally:
        await alice.driver.close()
        await bob.driver.close()


@pytest.mark.asyncio
async def test_hold_after_a_quiet_minute_keeps_the_call() -> None:
    alice, bob = await side("alice"), await side("bob")
    incoming = take_calls(bob)
    try:
        alice.driver.core.handle_timer(alice.driver.now)
        call = await Call.outgoing(
            alice.ctx, alice.account, target_uri(f"sip:bob@127.0.0.1:{bob.port}", alice.account)
        )
        async with asyncio.timeout(WAIT):
            answered = await incoming
        answered.answer()
        await alice.until(CallPhase.CONNECTED)
        # The core's latest input as it is after 40 s of a call without SIP messages
        # (RTP does not pass the core); without waiting 40 s.
        alice.driver.core.handle_timer(alice.driver.now - 40)
        call.hold()
        await bob.until(CallPhase.HELD)  # bob sees the hold: the re-INVITE was answered
        assert CallPhase.ENDED not in alice.phases(), alice.events[-1]
        call.hangup()
        await alice.until(CallPhase.ENDED)
    finally:
        await alice.driver.close()
        await bob.driver.close()


def test_target_uri_and_account_choice() -> None:
    settings = AccountSettings(name="office", domain="pbx.example.com", username="1001")
    office: Account = SimpleNamespace(settings=settings)  # type: ignore[assignment]
    assert str(target_uri("030 123-45", office)) == "sip:03012345@pbx.example.com"
    assert str(target_uri("sip:anna@192.0.2.1:5080", office)) == "sip:anna@192.0.2.1:5080"
    with pytest.raises(DialError, match="nothing to dial"):
        target_uri("  ", office)
    with pytest.raises(DialError, match="no account to call from"):
        account_for({}, None)
    with pytest.raises(DialError, match="no account named 'home'"):
        account_for({"office": office}, "home")
