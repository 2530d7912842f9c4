"""The recordings facade (`app.recordings`) on two real Applications calling each other
through a real Kamailio: the default folder is the data folder's 'recordings', {name}
comes from the contacts store, `active` follows the events, and the futures say what
happened."""

from __future__ import annotations

import threading
import wave
from pathlib import Path
from typing import Any

import pytest

from parley.app import Application
from parley.app.context import AppError
from parley.contacts.model import Contact, NumberType, PhoneNumber
from parley.media.engine import AudioConfig
from parley.phone.events import CallStateChanged, PhoneEvent, RecordingChanged
from parley.settings.model import AccountSettings, Settings
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop

WAIT = 15.0


def make(tmp: Path, user: str, kam: Kamailio, **functions: Any) -> Application:
    acct = AccountSettings(
        name=f"acct{user}",
        domain=f"{kam.host}:{kam.udp_port}",
        username=user,
        transport="udp",
        codecs=["pcmu"],
    )
    settings = Settings(accounts=[acct], functions=functions)
    return Application(
        settings=settings,
        passwords={acct.name: f"pass{user}"},
        use_keyring=False,
        data_dir=tmp / f"data{user}",
        bind_host="127.0.0.1",
        audio=AudioConfig(),
        auto_answer=user == "1002",
    )


def test_record_button_through_the_facade(kamailio: Kamailio, tmp_path: Path) -> None:
    a = make(tmp_path, "1001", kamailio, recording_name="{name}_{number}_{recording_part}")
    b = make(tmp_path, "1002", kamailio)
    events: list[PhoneEvent] = []
    cond = threading.Condition()

    def on_event(event: PhoneEvent) -> None:
        with cond:
            events.append(event)
            cond.notify_all()

    def wait_for(kind: type, count: int, **match: Any) -> list[Any]:
        def found() -> list[Any]:
            return [
                e
                for e in events
                if isinstance(e, kind) and all(getattr(e, k) == v for k, v in match.items())
            ]

        with cond:
            cond.wait_for(lambda: len(found()) >= count, WAIT)
            assert len(found()) >= count, events
            return found()

    a.contacts.add(Contact(display_name="Bee", numbers=(PhoneNumber("1002", NumberType.OTHER),)))
    a.subscribe(on_event)
    try:
        b.start().result(WAIT)
        a.start().result(WAIT)
        for app in (a, b):
            deadline = threading.Event()
            for _ in range(100):
                if app.accounts()[0].state == "registered":
                    break
                deadline.wait(0.1)
        call = a.dial("1002").result(WAIT)
        wait_for(CallStateChanged, 1, call=call.id, state="connected")
        assert not a.recordings.active(call.id)
        path = a.recordings.set(call, True).result(WAIT)
        assert path == str(tmp_path / "data1001" / "recordings" / "Bee_1002_1.wav")
        wait_for(RecordingChanged, 1, state="started")
        assert a.recordings.active(call.id) and a.recordings.file(call.id) == path
        threading.Event().wait(1.0)
        assert a.recordings.set(call.id, False).result(WAIT) is None
        stopped = wait_for(RecordingChanged, 1, state="stopped")
        assert stopped[0].file == path and not a.recordings.active(call.id)
        with wave.open(path, "rb") as w:
            assert w.getnframes() / w.getframerate() == pytest.approx(1.0, abs=0.3)
        second = a.recordings.set(call, True).result(WAIT)
        assert second is not None and second.endswith("Bee_1002_2.wav")
        a.hangup(call).result(WAIT)
        wait_for(RecordingChanged, 2, state="stopped")
        assert not a.recordings.active(call.id)
        with pytest.raises(AppError, match="has ended"):
            a.recordings.set(call, True).result(WAIT)
    finally:
        a.stop()
        b.stop()
