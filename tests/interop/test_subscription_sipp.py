"""Subscriptions (RFC 6665) of a real Phone against SIPp playing the notifier.

The Phone runs in this process, registered at Kamailio (so its account has an address),
and subscribes to a dummy package ("presence" with a text body) at a SIPp notifier
directly. The scenarios check what must be on the wire (the SUBSCRIBE after a 423 asks
for Min-Expires; the unsubscribe has Expires: 0 in the dialog); the tests check what the
Phone reported (SubscriptionChanged events, the NOTIFY bodies handed to the owner) and
read SIPp's message trace for the rest:

- a NOTIFY before the 200 to the SUBSCRIBE is taken, and the dialog it made is the one
  the unsubscribe goes in;
- terminated;reason=deactivated: a new SUBSCRIBE (a new Call-ID) goes out at once;
- 423 with Min-Expires: the SUBSCRIBE again with that expiry;
- 489: failed with the status;
- 401: answered with the account's credentials (SIPp checks the digest).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from phone_rig import office_settings, registered, started_phone, until

from parley.phone.events import (
    PhoneEvent,
    SubscriptionChanged,
    SubscriptionStatus,
)
from parley.phone.phone import Phone
from parley.phone.subscriptions import Notice, Subscription
from peers.common import free_port
from peers.kamailio import Kamailio
from peers.sipp import SCENARIOS, Sipp, header, received

pytestmark = [pytest.mark.interop, pytest.mark.asyncio]

TEXT = "text/plain"


@dataclass
class Rig:
    phone: Phone
    tmp: Path
    events: list[PhoneEvent]
    notices: list[Notice] = field(default_factory=list)
    sipps: list[Sipp] = field(default_factory=list)

    def notifier(self, scenario: str, calls: int = 1) -> Sipp:
        sipp = Sipp(
            SCENARIOS / scenario,
            local_port=free_port("udp"),
            media_port=free_port("udp"),
            calls=calls,
            workdir=self.tmp,
        )
        self.sipps.append(sipp)
        return sipp.start()

    def subscribe(self, sipp: Sipp) -> Subscription:
        return self.phone.subscriptions.subscribe(
            "office",
            f"sip:alice@127.0.0.1:{sipp.local_port}",
            "presence",
            [TEXT],
            self.notices.append,
        )

    def changes(self) -> list[SubscriptionChanged]:
        return [e for e in self.events if isinstance(e, SubscriptionChanged)]

    async def changed(
        self, state: SubscriptionStatus, count: int = 1, timeout: float = 30.0
    ) -> list[SubscriptionChanged]:
        await until(lambda: len([c for c in self.changes() if c.state is state]) >= count, timeout)
        return [c for c in self.changes() if c.state is state]


@asynccontextmanager
async def registered_phone(
    kamailio: Kamailio, tmp_path: Path, expiry: int = 600
) -> AsyncIterator[Rig]:
    settings = office_settings(
        f"127.0.0.1:{kamailio.udp_port}", codecs=["pcmu"], subscription_expiry=expiry
    )
    sipps: list[Sipp] = []  # the notifiers, stopped after the phone
    try:
        async with started_phone(settings, "pass1001") as (phone, events):
            await until(registered(events))
            yield Rig(phone, tmp_path, events, sipps=sipps)
    finally:
        for sipp in sipps:
            sipp.stop()


async def finish(sipp: Sipp, timeout: float = 30.0) -> None:
    code = await asyncio.to_thread(sipp.wait, timeout)
    assert code == 0, f"SIPp exit {code}\n{sipp.errors()}\n{sipp.messages()[-4000:]}"


def unique(messages: list[str]) -> list[str]:
    """Without UDP retransmissions (same Call-ID and CSeq)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for m in messages:
        key = (header(m, "Call-ID"), header(m, "CSeq"))
        if key not in seen:
            seen.add(key)
            out.append(m)
    return out


async def test_notify_before_the_200_and_unsubscribe(kamailio: Kamailio, tmp_path: Path) -> None:
    async with registered_phone(kamailio, tmp_path) as rig:
        sipp = rig.notifier("subscribe_notify_first.xml")
        sub = rig.subscribe(sipp)
        [active] = await rig.changed(SubscriptionStatus.ACTIVE)
        assert (active.uri, active.package, active.account) == (
            f"sip:alice@127.0.0.1:{sipp.local_port}",
            "presence",
            "office",
        )
        await until(lambda: bool(rig.notices))
        [notice] = rig.notices
        assert (notice.content_type, notice.body.strip(), notice.state) == (
            TEXT,
            b"open",
            SubscriptionStatus.ACTIVE,
        )
        assert notice.notifier == f"sip:alice@127.0.0.1:{sipp.local_port}"
        # Our SUBSCRIBE said what it is and wants.
        [first] = unique(received(sipp, "SUBSCRIBE "))
        assert header(first, "Event") == "presence"
        assert header(first, "Accept") == TEXT
        assert header(first, "Expires") == "600"
        assert "presence" in header(first, "Allow-Events")
        await asyncio.sleep(0.5)  # SIPp sends its 200 after our answer to the NOTIFY
        sub.close()
        await asyncio.wait_for(sub.wait_closed(), 15)
        await finish(sipp)  # the scenario checked Expires: 0 on the unsubscribe
        first, unsubscribe = unique(received(sipp, "SUBSCRIBE "))
        notify_from = next(
            m for m in sipp.messages().split("message sent")[1:] if "NOTIFY sip:" in m
        )
        sipp_tag = re.search(r"^From:.*;tag=(\S+)", notify_from, re.MULTILINE)
        assert sipp_tag is not None
        # In the dialog the NOTIFY made: its tag is the To tag of the unsubscribe.
        assert f"tag={sipp_tag.group(1)}" in header(unsubscribe, "To")
        assert header(unsubscribe, "Call-ID") == header(first, "Call-ID")
        assert rig.changes()[-1].state is SubscriptionStatus.TERMINATED
        assert rig.changes()[-1].reason == "timeout"


async def test_deactivated_is_subscribed_again_at_once(kamailio: Kamailio, tmp_path: Path) -> None:
    async with registered_phone(kamailio, tmp_path) as rig:
        sipp = rig.notifier("subscribe_deactivated.xml", calls=2)
        rig.subscribe(sipp)
        await finish(sipp)  # two whole subscriptions: SUBSCRIBE, NOTIFY, deactivated
        subscribes = unique(received(sipp, "SUBSCRIBE "))
        assert len(subscribes) >= 2, sipp.messages()
        first, second = subscribes[:2]
        assert header(first, "Call-ID") != header(second, "Call-ID")  # a new dialog
        assert "tag=" not in header(second, "To")
        # The second came after the first was deactivated (SIPp's order of messages).
        log = sipp.messages()
        assert log.index("reason=deactivated") < log.index(header(second, "Call-ID"))
        states = [(c.state, c.reason) for c in rig.changes()][:4]
        assert states == [
            (SubscriptionStatus.ACTIVE, ""),
            (SubscriptionStatus.TERMINATED, "deactivated"),
            (SubscriptionStatus.ACTIVE, ""),
            (SubscriptionStatus.TERMINATED, "deactivated"),
        ]
        bodies = [(n.state, n.reason, n.body.strip()) for n in rig.notices][:4]
        assert bodies == [
            (SubscriptionStatus.ACTIVE, "", b"call 1"),
            (SubscriptionStatus.TERMINATED, "deactivated", b""),
            (SubscriptionStatus.ACTIVE, "", b"call 2"),
            (SubscriptionStatus.TERMINATED, "deactivated", b""),
        ]


async def test_423_is_retried_with_min_expires(kamailio: Kamailio, tmp_path: Path) -> None:
    async with registered_phone(kamailio, tmp_path, expiry=60) as rig:
        sipp = rig.notifier("subscribe_423.xml")
        sub = rig.subscribe(sipp)
        await rig.changed(SubscriptionStatus.ACTIVE)
        sub.close()
        await asyncio.wait_for(sub.wait_closed(), 15)
        await finish(sipp)
        asked = [header(m, "Expires") for m in unique(received(sipp, "SUBSCRIBE "))]
        assert asked == ["60", "3600", "0"]


async def test_489_fails_with_the_status(kamailio: Kamailio, tmp_path: Path) -> None:
    async with registered_phone(kamailio, tmp_path) as rig:
        sipp = rig.notifier("subscribe_489.xml")
        rig.subscribe(sipp)
        [failed] = await rig.changed(SubscriptionStatus.FAILED)
        assert failed.status == 489
        await finish(sipp)
        assert rig.notices == []


async def test_digest_challenge_is_answered_with_the_account_credentials(
    kamailio: Kamailio, tmp_path: Path
) -> None:
    async with registered_phone(kamailio, tmp_path) as rig:
        sipp = rig.notifier("subscribe_401.xml")
        sub = rig.subscribe(sipp)
        await rig.changed(SubscriptionStatus.ACTIVE)  # SIPp checked the digest answer
        sub.close()
        await asyncio.wait_for(sub.wait_closed(), 15)
        await finish(sipp)
        first, again, _unsubscribe = unique(received(sipp, "SUBSCRIBE "))
        assert header(again, "Call-ID") == header(first, "Call-ID")
        assert 'username="1001"' in header(again, "Authorization")
