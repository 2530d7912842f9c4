"""An account whose TLS certificate is not checked says so: the event's field reaches the
account snapshot, and the console's sentence warns about it."""

from __future__ import annotations

from parley.app.tracker import Tracker
from parley.cli.texts import account_text
from parley.phone.events import AccountStateChanged, RegState
from parley.settings.model import AccountSettings


def event(unverified: bool) -> AccountStateChanged:
    return AccountStateChanged(
        account="office",
        state=RegState.REGISTERED,
        status=200,
        reason="OK",
        expires=600,
        user="1001",
        domain="pbx.example.com",
        transport="tls",
        tls_unverified=unverified,
    )


def test_snapshot_carries_the_warning() -> None:
    tracker = Tracker(lambda number: None)
    tracker.on_event(event(True))
    settings = AccountSettings(name="office", domain="pbx.example.com", username="1001")
    (info,) = tracker.accounts([settings])
    assert info.tls_unverified is True
    tracker.on_event(event(False))
    (info,) = tracker.accounts([settings])
    assert info.tls_unverified is False


def test_console_sentence_warns() -> None:
    assert "not checked" in account_text(event(True))
    assert "not checked" not in account_text(event(False))
    assert event(True).to_dict()["tls_unverified"] is True
