"""Two Applications (1001 and 1002) registered at a real Kamailio call each other; both
histories must tell each call the right way: successful outgoing / accepted incoming,
rejected outgoing / rejected incoming, unsuccessful outgoing / missed, and a failed call
to a number nobody has.

Both run in this process, each with its own engine thread, null audio and its own
stores. Durations are checked for consistency with what the test itself measured (at
least the time the call was held open, at most the time the test waited in all), never
against a fixed wall-clock figure.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from parley.app import AccountInfo, Application, HistoryAdded
from parley.history import CallType, HistoryEntry
from parley.media.engine import AudioConfig
from parley.phone.events import AccountStateChanged, CallStateChanged, PhoneEvent
from parley.settings import AccountSettings, Settings
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop

WAIT = 20.0
PASSWORDS = {"1001": "pass1001", "1002": "pass1002"}


class Recorder:
    """Collects an Application's events (they arrive on its engine thread)."""

    def __init__(self) -> None:
        self.events: list[PhoneEvent] = []
        self.cond = threading.Condition()

    def __call__(self, event: PhoneEvent) -> None:
        with self.cond:
            self.events.append(event)
            self.cond.notify_all()

    def mark(self) -> int:
        with self.cond:
            return len(self.events)

    def wait(self, match: Callable[[PhoneEvent], bool], since: int = 0) -> Any:
        def found() -> PhoneEvent | None:
            return next((e for e in self.events[since:] if match(e)), None)

        with self.cond:
            self.cond.wait_for(lambda: found() is not None, WAIT)
            event = found()
        assert event is not None, f"no matching event; got {self.events[since:]}"
        return event

    def call_state(self, state: str, since: int = 0) -> CallStateChanged:
        return self.wait(  # type: ignore[no-any-return]
            lambda e: isinstance(e, CallStateChanged) and e.state == state, since
        )

    def history(self, since: int = 0) -> HistoryAdded:
        return self.wait(lambda e: isinstance(e, HistoryAdded), since)  # type: ignore[no-any-return]


def make_app(kam: Kamailio, tmp_path: Path, user: str, auto_answer: bool) -> Application:
    settings = Settings(
        accounts=[
            AccountSettings(
                name="office",
                domain=f"127.0.0.1:{kam.udp_port}",
                username=user,
                transport="udp",
                codecs=["pcmu"],
            )
        ]
    )
    settings.functions.auto_answer = auto_answer
    return Application(
        settings=settings,
        passwords={"office": PASSWORDS[user]},
        use_keyring=False,
        data_dir=tmp_path / f"data-{user}",
        bind_host="127.0.0.1",
        audio=AudioConfig(),
    )


@pytest.fixture
def phones(
    kamailio: Kamailio, tmp_path: Path
) -> Iterator[tuple[Application, Recorder, Application, Recorder]]:
    started: list[Application] = []
    out: list[Any] = []
    try:
        for user, auto in (("1001", False), ("1002", True)):
            app = make_app(kamailio, tmp_path, user, auto)
            started.append(app)
            events = Recorder()
            app.subscribe(events)
            app.start().result(WAIT)
            events.wait(lambda e: isinstance(e, AccountStateChanged) and e.state == "registered")
            out += [app, events]
        assert kamailio.lookup("1002"), "1002 did not register"
        yield tuple(out)
    finally:
        for app in started:
            app.stop()


def entry(app: Application, added: HistoryAdded) -> HistoryEntry:
    found = app.history.get(added.entry_id)
    assert found is not None
    return found


def set_auto_answer(app: Application, on: bool) -> None:
    new = app.settings.model_copy(deep=True)
    new.functions.auto_answer = on
    app.update_settings(new).result(WAIT)


def test_history_of_calls_through_kamailio(
    phones: tuple[Application, Recorder, Application, Recorder],
) -> None:
    a, a_events, b, b_events = phones
    [office] = a.accounts()
    assert isinstance(office, AccountInfo)
    assert (office.name, office.state, office.status, office.enabled) == (
        "office",
        "registered",
        200,
        True,
    )

    # 1. A calls B, B answers by itself, A hangs up after a while.
    dialled_at = time.monotonic()
    info = a.dial("1002").result(WAIT)
    assert info.direction == "outgoing" and info.number == "1002"
    a_events.call_state("connected")
    b_events.call_state("connected")
    held_from = time.monotonic()
    time.sleep(1.0)
    assert [c.state for c in a.list_calls()] == ["connected"]
    assert a.call_stats(info).result(WAIT)["call"] == info.id
    held_for = time.monotonic() - held_from
    a.hangup(info).result(WAIT)
    out = entry(a, a_events.history())
    inc = entry(b, b_events.history())
    waited = time.monotonic() - dialled_at
    assert (out.type, out.number, out.account, out.direction.value) == (
        CallType.SUCCESSFUL_OUTGOING,
        "1002",
        "office",
        "outgoing",
    )
    assert (inc.type, inc.number) == (CallType.ACCEPTED_INCOMING, "1001")
    for e in (out, inc):
        assert held_for <= e.duration <= waited, (e.duration, held_for, waited)
    assert a.list_calls() == [] and b.list_calls() == []

    # 2. B rejects: rejected outgoing for A, rejected incoming for B.
    set_auto_answer(b, False)
    a_mark, b_mark = a_events.mark(), b_events.mark()
    a.dial("1002").result(WAIT)
    ringing = b_events.call_state("incoming", b_mark)
    b.reject(ringing.call).result(WAIT)
    out = entry(a, a_events.history(a_mark))
    inc = entry(b, b_events.history(b_mark))
    assert (out.type, out.sip_code, out.duration) == (CallType.REJECTED_OUTGOING, 486, 0.0)
    assert (inc.type, inc.duration) == (CallType.REJECTED_INCOMING, 0.0)

    # 3. A gives up while B rings: unsuccessful outgoing for A, missed for B.
    a_mark, b_mark = a_events.mark(), b_events.mark()
    call = a.dial("1002").result(WAIT)
    b_events.call_state("incoming", b_mark)
    a_events.call_state("ringing", a_mark)
    a.hangup(call).result(WAIT)
    out = entry(a, a_events.history(a_mark))
    inc = entry(b, b_events.history(b_mark))
    assert out.type is CallType.UNSUCCESSFUL_OUTGOING
    assert (inc.type, inc.number, inc.duration) == (CallType.MISSED, "1001", 0.0)

    # 4. Nobody has 1999: the registrar answers 404.
    a_mark = a_events.mark()
    a.dial("1999").result(WAIT)
    out = entry(a, a_events.history(a_mark))
    assert (out.type, out.sip_code, out.number) == (CallType.UNSUCCESSFUL_OUTGOING, 404, "1999")

    # The stores hold exactly these calls, newest first.
    assert [e.type for e in a.history_entries()] == [
        CallType.UNSUCCESSFUL_OUTGOING,
        CallType.UNSUCCESSFUL_OUTGOING,
        CallType.REJECTED_OUTGOING,
        CallType.SUCCESSFUL_OUTGOING,
    ]
    assert [e.type for e in b.history_entries()] == [
        CallType.MISSED,
        CallType.REJECTED_INCOMING,
        CallType.ACCEPTED_INCOMING,
    ]
    assert [e.type for e in b.history_entries(types=[CallType.MISSED])] == [CallType.MISSED]
