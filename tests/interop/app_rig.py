"""Parleys run as Applications against a real PBX: started on one account ("office",
UDP) and registered, their events recorded from the start. Shared by the issue #9
peer tests (messages, MWI, BLF) and the GUI's chat tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from parley.app import Application
from parley.media.engine import AudioConfig
from parley.phone.events import (
    AccountStateChanged,
    MessageDelivery,
    MessageStatus,
    PhoneEvent,
)
from parley.settings import AccountSettings, Settings
from peers.common import LOOPBACK, free_port
from peers.kamailio import Kamailio

WAIT = 20.0


class Recorder:
    """An Application's events (they arrive on its engine thread)."""

    def __init__(self, timeout: float = WAIT) -> None:
        self.events: list[PhoneEvent] = []
        self.cond = threading.Condition()
        self.timeout = timeout

    def __call__(self, event: PhoneEvent) -> None:
        with self.cond:
            self.events.append(event)
            self.cond.notify_all()

    def wait(
        self, match: Callable[[PhoneEvent], bool], timeout: float | None = None, since: int = 0
    ) -> Any:
        """The first event from index `since` on that `match`es (waiting for it)."""

        def found() -> PhoneEvent | None:
            return next((e for e in self.events[since:] if match(e)), None)

        with self.cond:
            self.cond.wait_for(lambda: found() is not None, timeout or self.timeout)
            event = found()
        assert event is not None, f"no matching event; got {self.events[since:]}"
        return event

    def mark(self) -> int:
        """Where the events recorded from now on start (for `wait(since=)`)."""
        with self.cond:
            return len(self.events)

    def final_status(self, message_id: int) -> MessageStatus:
        return self.wait(  # type: ignore[no-any-return]
            lambda e: (
                isinstance(e, MessageStatus)
                and e.message_id == message_id
                and e.state is not MessageDelivery.SENDING
            )
        )


def aor(kam: Kamailio, user: str) -> str:
    return f"sip:{user}@{LOOPBACK}:{kam.udp_port}"


def office_account(domain: str, user: str, **extra: Any) -> AccountSettings:
    """The account "office" of `user` at `domain` over UDP (PCMU, a free local port)."""
    extra.setdefault("local_port", free_port("udp"))
    return AccountSettings(
        name="office",
        domain=domain,
        username=user,
        transport="udp",
        codecs=["pcmu"],
        **extra,
    )


def start_app(
    settings: Settings, password: str, data: Path, timeout: float = WAIT
) -> tuple[Application, Recorder]:
    """A started Application with these settings (its one account "office"), once that
    account is registered, its events recorded from the start."""
    app = Application(
        settings=settings,
        passwords={"office": password},
        use_keyring=False,
        data_dir=data,
        bind_host=LOOPBACK,
        audio=AudioConfig(),
    )
    events = Recorder(timeout)
    app.subscribe(events)
    try:
        app.start().result(timeout)
        events.wait(lambda e: isinstance(e, AccountStateChanged) and e.state == "registered")
    except BaseException:
        app.stop()
        raise
    return app, events


@contextmanager
def stopped_after(
    started: tuple[Application, Recorder],
) -> Iterator[tuple[Application, Recorder]]:
    """`started` (from start_app or start_parley), its Application stopped after."""
    try:
        yield started
    finally:
        started[0].stop()


def start_parley(
    kam: Kamailio, user: str, password: str, data: Path, **account: Any
) -> tuple[Application, Recorder]:
    """A started Application registered as `user` at `kam` (UDP), its events recorded
    from the start."""
    office = office_account(f"{LOOPBACK}:{kam.udp_port}", user, **account)
    return start_app(Settings(accounts=[office]), password, data)
