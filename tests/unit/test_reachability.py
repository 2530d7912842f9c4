"""`parley.phone.reachability.ServerWatch`: the account events that probe results and
failed transactions produce, and the re-registration when the server is back."""

from __future__ import annotations

from parley.net.address import Address
from parley.phone.events import AccountStateChanged, PhoneEvent
from parley.phone.reachability import UNREACHABLE, ServerWatch

SERVER = Address("udp", "127.0.0.1", 5060)


def make() -> tuple[ServerWatch, list[PhoneEvent], list[str]]:
    events: list[PhoneEvent] = []
    calls: list[str] = []
    watch = ServerWatch("office", events.append, lambda: SERVER, lambda: calls.append("reg"))
    return watch, events, calls


def test_dead_then_back_reports_once_and_reregisters_once() -> None:
    watch, events, calls = make()
    watch.probed(True)
    assert events == [] and calls == []
    watch.probed(False)
    watch.probed(False)  # still dead: said once
    assert len(events) == 1
    event = events[0]
    assert isinstance(event, AccountStateChanged)
    assert (event.account, event.state, event.server) == (
        "office",
        UNREACHABLE,
        "udp:127.0.0.1:5060",
    )
    watch.probed(True)
    watch.probed(True)
    assert calls == ["reg"]  # registered again, once
    assert len(events) == 1


def test_a_server_that_never_answers_options_is_not_called_dead() -> None:
    watch, events, calls = make()
    watch.probed(False)
    watch.probed(False)
    assert events == [] and calls == []
    # A failed transaction (a refresh or a call that got nothing back) still counts.
    watch.not_answered()
    assert [e.state for e in events if isinstance(e, AccountStateChanged)] == [UNREACHABLE]
