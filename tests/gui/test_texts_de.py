"""The German desktop app says why a call ended and why a registration failed in German:
the phone reports causes and codes, the GUI makes the sentence (`parley.gui.texts`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from gui_rig import GuiRig, account

from parley.gui.i18n import set_language
from parley.gui.texts import end_text
from parley.phone.events import (
    AccountStateChanged,
    CallDirection,
    CallPhase,
    CallStateChanged,
    EndCause,
    Party,
    RegCause,
    RegState,
)
from parley.settings import Settings


@pytest.fixture(autouse=True)
def german() -> Iterator[None]:
    set_language("de")
    yield
    set_language("en")


def ended(call: int, status: int | None, cause: EndCause) -> CallStateChanged:
    return CallStateChanged(
        call=call,
        account="office",
        direction=CallDirection.OUTGOING,
        state=CallPhase.ENDED,
        remote="sip:1002@127.0.0.1",
        status=status,
        reason="Busy Here" if status == 486 else "Request Timeout",
        cause=cause,
        ended_by=Party.REMOTE if cause is EndCause.REJECTED else Party.NETWORK,
    )


def test_failed_calls_read_german_in_the_window(make_rig: Callable[..., GuiRig]) -> None:
    rig = make_rig(Settings(accounts=[account("127.0.0.1:5999")]))
    message = rig.window.status.message
    rig.window.on_event(ended(901, 486, EndCause.REJECTED))
    assert message.text() == "Anruf an sip:1002@127.0.0.1 fehlgeschlagen: Besetzt"
    # Our own timeout is the server's silence, not a callee who did not pick up.
    rig.window.on_event(ended(902, 408, EndCause.NO_RESPONSE))
    assert message.text().endswith(": Der Server hat nicht geantwortet")
    rig.window.on_event(ended(903, 408, EndCause.REJECTED))  # the far end's 408
    assert message.text().endswith(": Keine Antwort")


def test_wrong_password_reads_german_in_the_account_tooltip(
    make_rig: Callable[..., GuiRig],
) -> None:
    rig = make_rig(Settings(accounts=[account("127.0.0.1:5999")]))
    accounts = rig.window.account_list
    event = AccountStateChanged(
        account="office",
        state=RegState.FAILED,
        status=401,
        reason="Unauthorized",
        cause=RegCause.WRONG_PASSWORD,
        user="1001",
        domain="127.0.0.1:5999",
    )
    rig.app._on_phone_event(event)  # as the engine would report it
    rig.wait(lambda: accounts.state_text("office") == "Registrierung fehlgeschlagen")
    tip = accounts.tooltip("office")
    assert "Kontos „office“" in tip and "Benutzer 1001" in tip, tip
    assert "Groß- und Kleinschreibung" in tip and "401 Anmeldung fehlgeschlagen" in tip, tip


def test_every_end_cause_has_german_words() -> None:
    english = {}
    set_language("en")
    for cause in EndCause:
        english[cause] = end_text(cause, 500)
    set_language("de")
    for cause in EndCause:
        german = end_text(cause, 500)
        assert german and (german != english[cause]), (cause, german)
