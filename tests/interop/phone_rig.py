"""A Phone running in this process on one account ("office", user 1001, UDP, a free
local port), its events kept in a list: the rig of the subscription, MWI and PUBLISH
tests against SIPp and Kamailio."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from parley.media.engine import AudioConfig
from parley.phone.events import AccountStateChanged, PhoneEvent
from parley.phone.phone import Phone
from parley.settings.model import Settings
from parley.sip.registration import RegState
from peers.common import free_port


def office_settings(domain: str, *, sip: dict[str, Any] | None = None, **account: Any) -> Settings:
    """Settings with the one account "office" of 1001 at `domain` (more of the account's
    fields in `account`; `sip`: the settings' sip section)."""
    office = {
        "name": "office",
        "domain": domain,
        "username": "1001",
        "transport": "udp",
        "local_port": free_port("udp"),
        **account,
    }
    return Settings.model_validate({"accounts": [office], **({"sip": sip} if sip else {})})


async def until(check: Callable[[], bool], timeout: float = 30.0) -> None:
    """Wait (polling) until `check()` holds."""

    async def poll() -> None:
        while not check():
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), timeout)


def registered(events: list[PhoneEvent]) -> Callable[[], bool]:
    return lambda: any(
        isinstance(e, AccountStateChanged) and e.state is RegState.REGISTERED for e in events
    )


@asynccontextmanager
async def started_phone(
    settings: Settings, password: str
) -> AsyncIterator[tuple[Phone, list[PhoneEvent]]]:
    """A started Phone with these settings (its account "office"), stopped after; its
    events from the start."""
    events: list[PhoneEvent] = []
    phone = Phone(
        settings, {"office": password}, events.append, bind_host="127.0.0.1", audio=AudioConfig()
    )
    await phone.start()
    try:
        yield phone, events
    finally:
        await phone.stop(timeout=5)
