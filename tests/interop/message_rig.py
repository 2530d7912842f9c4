"""For the instant-message tests: Parleys (Applications) started on a Kamailio account
with their events recorded, and a baresip that sends messages."""

from __future__ import annotations

import threading
from collections.abc import Callable
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
from peers.baresip import Baresip
from peers.common import LOOPBACK, free_port
from peers.kamailio import Kamailio

WAIT = 20.0


class Recorder:
    """An Application's events (they arrive on its engine thread)."""

    def __init__(self) -> None:
        self.events: list[PhoneEvent] = []
        self.cond = threading.Condition()

    def __call__(self, event: PhoneEvent) -> None:
        with self.cond:
            self.events.append(event)
            self.cond.notify_all()

    def wait(self, match: Callable[[PhoneEvent], bool], timeout: float = WAIT) -> Any:
        def found() -> PhoneEvent | None:
            return next((e for e in self.events if match(e)), None)

        with self.cond:
            self.cond.wait_for(lambda: found() is not None, timeout)
            event = found()
        assert event is not None, f"no matching event; got {self.events}"
        return event

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


def start_parley(
    kam: Kamailio, user: str, password: str, data: Path, **account: Any
) -> tuple[Application, Recorder]:
    """A started Application registered as `user` at `kam` (UDP), its events recorded
    from the start."""
    settings = Settings(
        accounts=[
            AccountSettings(
                name="office",
                domain=f"{LOOPBACK}:{kam.udp_port}",
                username=user,
                transport="udp",
                codecs=["pcmu"],
                local_port=free_port("udp"),
                **account,
            )
        ]
    )
    app = Application(
        settings=settings,
        passwords={"office": password},
        use_keyring=False,
        data_dir=data,
        bind_host=LOOPBACK,
        audio=AudioConfig(),
    )
    events = Recorder()
    app.subscribe(events)
    try:
        app.start().result(WAIT)
        events.wait(lambda e: isinstance(e, AccountStateChanged) and e.state == "registered")
    except BaseException:
        app.stop()
        raise
    return app, events


class MessagingBaresip(Baresip):
    """baresip with its `contact` module: its `message` command sends to the one
    contact of its contacts file, `target`. What it receives its stdio UI shows as
    'PEER: "TEXT"' in its log."""

    def __init__(self, *args: Any, target: str, **kw: Any) -> None:
        kw.setdefault("extra_config", ["module contact.so", "module stdio.so"])
        kw.setdefault("keep_stdin", True)
        super().__init__(*args, **kw)
        self.target = target

    def _write_files(self) -> None:
        super()._write_files()
        (self.workdir / "contacts").write_text(f'"Parley" <{self.target}>\n')

    def send_message(self, text: str) -> None:
        self.command("message", text)
