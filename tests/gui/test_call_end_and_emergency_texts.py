"""The words of an ended call (gui/call_end.py) and which numbers get the emergency
warning (gui/emergency.py), in English and German, without peers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from parley.gui.call_end import ended_call, ended_text
from parley.gui.emergency import EmergencyWarning, emergency_number
from parley.gui.i18n import set_language
from parley.phone.events import CallNote, CallStateChanged, EndCause, Party


def ended(
    cause: EndCause | None,
    status: int | None = None,
    by: Party | None = None,
    direction: str = "outgoing",
    note: CallNote | None = None,
) -> CallStateChanged:
    return CallStateChanged(
        call=1,
        account="office",
        direction=direction,  # type: ignore[arg-type]
        state="ended",  # type: ignore[arg-type]
        remote="sip:1002@pbx",
        status=status,
        cause=cause,
        ended_by=by,
        note=note,
    )


@pytest.mark.parametrize(
    ("event", "text", "failed"),
    [
        (ended(EndCause.HANGUP, by=Party.REMOTE), "Anna hung up", False),
        (ended(EndCause.HANGUP, by=Party.LOCAL), "You hung up", False),
        (ended(EndCause.REJECTED, 486, Party.REMOTE), "Anna is busy", True),
        (ended(EndCause.REJECTED, 603, Party.REMOTE), "Anna declined the call", True),
        (
            ended(EndCause.REJECTED, 404, Party.REMOTE),
            "Anna is not reachable",
            True,
        ),
        (
            ended(EndCause.REJECTED, 480, Party.REMOTE),
            "Anna is not reachable",
            True,
        ),
        (ended(EndCause.CANCELLED, 487, Party.LOCAL), "You cancelled the call", False),
        (
            ended(EndCause.CANCELLED, None, Party.REMOTE, "incoming"),
            "Anna hung up before you answered",
            False,
        ),
        (ended(EndCause.REJECTED, 486, Party.LOCAL, "incoming"), "You declined the call", False),
        (ended(EndCause.NO_RESPONSE, 408, Party.NETWORK), "The server did not answer", True),
        (ended(EndCause.HANGUP, by=Party.REMOTE, note=CallNote.TRANSFERRED), "Transferred", False),
    ],
)
def test_how_a_call_ended_is_said(event: CallStateChanged, text: str, failed: bool) -> None:
    assert ended_text(event, "Anna") == (text, failed)


@pytest.fixture
def german() -> Iterator[None]:
    set_language("de")
    yield
    set_language("en")


def test_the_end_is_said_in_german(german: None) -> None:
    assert ended_text(ended(EndCause.HANGUP, by=Party.REMOTE), "Anna")[0] == "Anna hat aufgelegt"
    busy = ended_text(ended(EndCause.REJECTED, 486, Party.REMOTE), "Anna")[0]
    assert busy == "Anna ist besetzt"


@pytest.mark.parametrize(
    "text", ["112", " 112 ", "911", "999", "110", "000", "tel:112", "sip:112@pbx.example", "1 1 2"]
)
def test_emergency_numbers_are_known_anywhere(text: str) -> None:
    assert emergency_number(text, region="ZZ") is not None


@pytest.mark.parametrize("text", ["11", "1120", "0112", "089123456", "08", "1002", "anna", ""])
def test_other_numbers_are_not_emergency_numbers(text: str) -> None:
    assert emergency_number(text, region="DE") is None


def test_the_regions_own_emergency_numbers_count() -> None:
    assert emergency_number("15", region="FR") == "15"  # SAMU
    assert emergency_number("144", region="AT") == "144"
    assert emergency_number("15", region="DE") is None


def test_the_warning_shows_for_an_emergency_number_only(qtbot: Any, german: None) -> None:
    warning = EmergencyWarning()
    qtbot.addWidget(warning)
    warning.show()  # as part of a shown window
    assert warning.show_for("112")
    assert warning.isVisible() and warning.text().startswith("112 ist eine Notrufnummer")
    assert not warning.show_for("1002")
    assert not warning.isVisible()


def test_only_an_outgoing_call_has_a_server_answer() -> None:
    # Found in the new-user trial: a missed call said "Server answer: 487 Cancelled",
    # which is our own reply to the caller's CANCEL.
    missed = ended_call(ended(EndCause.CANCELLED, 487, Party.REMOTE, "incoming"), "Anna", "1002")
    assert missed.detail == ""
    declined = ended_call(ended(EndCause.REJECTED, 486, Party.LOCAL, "incoming"), "Anna", "1002")
    assert declined.detail == ""
    busy = ended_call(ended(EndCause.REJECTED, 486, Party.REMOTE), "Anna", "1002")
    assert busy.detail == "Server answer: 486 Busy"
