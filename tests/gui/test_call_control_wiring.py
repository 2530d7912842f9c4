"""The call window's call-control widgets, driven like a person would (clicks, typed
text, drops of real mime data made by the real lists), and the facade call each one
makes, seen through a recording stand-in of the facade (app.transfers, app.conference,
app.recordings, app.calls.deflect / send_to_voicemail).

This is the wiring only: the calls shown are snapshots handed to the panel, nothing
rings. What the engine does with the commands is proven against real peers in
test_call_control_peers.py.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from gui_rig import GuiRig, account
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialog

from parley.app.snapshots import CallInfo
from parley.contacts.model import Contact, PhoneNumber
from parley.gui.call_control import CallControls, DropArea, parse_party
from parley.gui.i18n import set_language
from parley.phone.events import (
    CallDirection,
    CallNote,
    CallPhase,
    CallStateChanged,
    ConferenceChanged,
    RecordingChanged,
    RecordingState,
    TransferProgress,
    TransferRequested,
    TransferRole,
    TransferState,
)
from parley.settings import Settings


class Facade:
    """Records every method call as (name, args) and answers with a done future."""

    def __init__(self, results: dict[str, Any] | None = None) -> None:
        self.made: list[tuple[str, tuple[Any, ...]]] = []
        self.results = results or {}

    def __getattr__(self, name: str) -> Callable[..., concurrent.futures.Future[Any]]:
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
            self.made.append((name, args + tuple(kwargs.items())))
            future: concurrent.futures.Future[Any] = concurrent.futures.Future()
            future.set_result(self.results.get(name))
            return future

        return call


def call(
    call_id: int, number: str, state: str = "connected", direction: str = "outgoing", **kw: Any
) -> CallInfo:
    return CallInfo(
        id=call_id,
        account="office",
        direction=direction,
        state=state,
        remote=f"sip:{number}@127.0.0.1",
        number=number,
        connected_at=datetime.now(UTC) if state in ("connected", "held") else None,
        **kw,
    )


@pytest.fixture
def rig(make_rig: Callable[..., GuiRig], monkeypatch: pytest.MonkeyPatch) -> GuiRig:
    """The real main window on an Application that is not started, with every
    call-control facade replaced by a recorder (`rig.facades`)."""
    settings = Settings(accounts=[account("127.0.0.1:5999", voicemail_extension="*98")])
    r = make_rig(settings)
    made = Facade({"set": "/tmp/rec.wav"})
    r.facades = made  # type: ignore[attr-defined]
    for name in ("transfers", "conference", "recordings"):
        setattr(r.app, name, made)
    # The redirect helper's additions to app.calls, and the Application's own call
    # commands, recorded the same way.
    monkeypatch.setattr(r.app.calls, "deflect", made.deflect, raising=False)
    monkeypatch.setattr(r.app.calls, "send_to_voicemail", made.send_to_voicemail, raising=False)
    for name in ("hold", "resume", "hangup", "mute", "dial"):
        monkeypatch.setattr(r.app, name, getattr(made, "app_" + name))
    return r


def controls(rig: GuiRig) -> CallControls:
    return rig.window.call_panel.controls


def show(rig: GuiRig, *calls: CallInfo) -> None:
    """The calls as the main window shows them after a call event."""
    rig.window.call_panel.update_calls(list(calls))
    rig.window._update_right()


def made(rig: GuiRig) -> list[tuple[str, tuple[Any, ...]]]:
    return rig.facades.made  # type: ignore[attr-defined,no-any-return]


def drop(area: DropArea, mime: QMimeData) -> None:
    """A real drag entering the area and a real drop on it, through Qt's event path."""
    centre = QPointF(area.width() / 2, area.height() / 2)
    enter = QDragEnterEvent(
        QPoint(int(centre.x()), int(centre.y())),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(area, enter)
    assert enter.isAccepted(), "the area refused the drag"
    event = QDropEvent(
        centre,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(area, event)


def contact_mime(rig: GuiRig, name: str, number: str) -> QMimeData:
    """Store a contact, show it in the main window's list and take the mime data that
    list makes for a drag of it."""
    first, _, last = name.partition(" ")
    stored = rig.app.contacts.add(
        Contact(first_name=first, last_name=last, numbers=(PhoneNumber(number),))
    )
    w = rig.window
    w.refresh_list()
    assert stored.id is not None
    w.select("contact", stored.id)
    return w.entry_list.mimeData(w.entry_list.selectedItems())


def call_list_mime(rig: GuiRig, call_id: int) -> QMimeData:
    calls = rig.window.call_panel.call_list
    item = next(
        calls.item(i)
        for i in range(calls.count())
        if calls.item(i).data(Qt.ItemDataRole.UserRole) == call_id
    )
    return calls.mimeData([item])


# ---------------------------------------------------------------------- transfer


def test_arrow_button_transfers_the_active_call_to_a_typed_number(rig: GuiRig, qtbot: Any) -> None:
    show(rig, call(1, "1002"))
    c = controls(rig)
    assert c.isVisible() and c.transfer_button.isEnabled()
    qtbot.mouseClick(c.transfer_button, Qt.MouseButton.LeftButton)
    dialog = c.dialog
    assert dialog.isVisible() and not dialog.calls.isVisible()  # no other call to join
    qtbot.keyClicks(dialog.target, "1003")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert made(rig) == [("blind", (1, "1003"))]
    assert "1003" in c.message.text()


def test_arrow_button_with_announce_holds_and_calls_the_target(rig: GuiRig, qtbot: Any) -> None:
    show(rig, call(1, "1002"))
    c = controls(rig)
    qtbot.mouseClick(c.transfer_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(c.dialog.target, "1003")
    c.dialog.announce.setChecked(True)
    qtbot.mouseClick(c.dialog.ok_button, Qt.MouseButton.LeftButton)
    assert made(rig) == [("app_hold", (1,)), ("app_dial", ("1003", "office"))]


def test_arrow_button_connects_with_another_call(rig: GuiRig, qtbot: Any) -> None:
    show(rig, call(1, "1002", held="us"), call(2, "1003"))
    c = controls(rig)
    assert c.current is not None and c.current.id == 2
    qtbot.mouseClick(c.transfer_button, Qt.MouseButton.LeftButton)
    assert c.dialog.calls.count() == 1
    c.dialog.calls.item(0).setSelected(True)
    qtbot.mouseClick(c.dialog.ok_button, Qt.MouseButton.LeftButton)
    assert made(rig) == [("attended", (2, 1))]


def test_a_contact_dropped_on_the_transfer_area_is_a_blind_transfer(rig: GuiRig) -> None:
    show(rig, call(1, "1002"))
    mime = contact_mime(rig, "Erika Mustermann", "1003")
    party = parse_party(mime)
    assert party is not None and party.kind == "contact"
    drop(controls(rig).transfer_area, mime)
    assert made(rig) == [("blind", (1, "1003"))]


def test_another_call_dropped_on_the_transfer_area_is_an_attended_transfer(rig: GuiRig) -> None:
    show(rig, call(1, "1002", held="us"), call(2, "1003"))
    drop(controls(rig).transfer_area, call_list_mime(rig, 1))
    assert made(rig) == [("attended", (2, 1))]


def test_a_typed_number_dropped_as_text_is_transferred_to(rig: GuiRig) -> None:
    show(rig, call(1, "1002"))
    mime = QMimeData()
    mime.setText("sip:1003@127.0.0.1")
    drop(controls(rig).transfer_area, mime)
    assert made(rig) == [("blind", (1, "sip:1003@127.0.0.1"))]


# ---------------------------------------------------------------------- ringing call


def test_ringing_call_forward_button_deflects_it(rig: GuiRig, qtbot: Any) -> None:
    show(rig, call(5, "1002", state="incoming", direction="incoming"))
    panel = rig.window.call_panel
    widget = panel.incoming_widget(5)
    assert widget is not None
    qtbot.mouseClick(widget.deflect_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(controls(rig).dialog.target, "1003")
    qtbot.mouseClick(controls(rig).dialog.ok_button, Qt.MouseButton.LeftButton)
    assert made(rig) == [("deflect", (5, "1003"))]


def test_ringing_call_to_voicemail_and_a_drop_deflects(rig: GuiRig, qtbot: Any) -> None:
    show(rig, call(5, "1002", state="incoming", direction="incoming"))
    widget = rig.window.call_panel.incoming_widget(5)
    assert widget is not None and widget.voicemail_button.isEnabled()  # the account has *98
    qtbot.mouseClick(widget.voicemail_button, Qt.MouseButton.LeftButton)
    assert made(rig) == [("send_to_voicemail", (5,))]
    # The manual: "When the call is ringing: drag a contact into the transfer area".
    c = controls(rig)
    assert not c.transfer_button.isEnabled()  # nothing answered to transfer
    drop(c.transfer_area, contact_mime(rig, "Max Muster", "1003"))
    assert made(rig)[-1] == ("deflect", (5, "1003"))


def test_voicemail_button_is_off_without_a_voicemail_extension(
    make_rig: Callable[..., GuiRig],
) -> None:
    r = make_rig(Settings(accounts=[account("127.0.0.1:5999")]))
    show(r, call(5, "1002", state="incoming", direction="incoming"))
    widget = r.window.call_panel.incoming_widget(5)
    assert widget is not None and not widget.voicemail_button.isEnabled()


# ---------------------------------------------------------------------- conference


def test_plus_button_adds_a_participant(rig: GuiRig, qtbot: Any) -> None:
    show(rig, call(1, "1002"))
    c = controls(rig)
    qtbot.mouseClick(c.add_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(c.dialog.target, "1003")
    qtbot.mouseClick(c.dialog.ok_button, Qt.MouseButton.LeftButton)
    assert made(rig) == [("add", ("1003", "office"))]


def test_drops_on_the_conference_area_add_a_contact_or_join_a_call(rig: GuiRig) -> None:
    show(rig, call(1, "1002", held="us"), call(2, "1003"))
    c = controls(rig)
    drop(c.conference_area, call_list_mime(rig, 1))
    assert made(rig) == [("join", ([2, 1],))]
    drop(c.conference_area, contact_mime(rig, "Erika Mustermann", "1004"))
    assert made(rig)[-1] == ("add", ("1004", "office"))


def test_history_entry_dropped_on_the_conference_area_is_called(rig: GuiRig) -> None:
    from parley.history.model import CallType, Direction, HistoryEntry

    entry = rig.app.history.add(
        HistoryEntry(
            direction=Direction.OUTGOING,
            type=CallType.SUCCESSFUL_OUTGOING,
            number="1005",
            name=None,
            account="office",
            start=datetime.now(UTC),
        )
    )
    show(rig, call(1, "1002"))
    w = rig.window
    w.views.setCurrentIndex(2)  # Recent
    assert entry.id is not None
    w.select("entry", entry.id)
    drop(controls(rig).conference_area, w.entry_list.mimeData(w.entry_list.selectedItems()))
    assert made(rig) == [("add", ("1005", "office"))]


def conference_event(
    rig: GuiRig, *calls: CallInfo, muted: tuple[int, ...] = (), held: bool = False
) -> None:
    show(rig, *calls)
    rig.app._dispatch(ConferenceChanged(calls=tuple(c.id for c in calls), muted=muted, held=held))
    view = controls(rig).conference
    rig.wait(lambda: view.participants == tuple(c.id for c in calls) and view.muted == muted)


def test_conference_view_shows_the_participants_and_sends_their_commands(
    rig: GuiRig, qtbot: Any
) -> None:
    a, b = call(1, "1002", contact_name="Erika"), call(2, "1003", contact_name="Max")
    conference_event(rig, a, b, muted=(2,))
    view = controls(rig).conference
    assert view.isVisible() and view.list.count() == 2
    texts = [view.list.item(i).text() for i in range(2)]
    assert texts[0].startswith("Erika") and "Not heard" not in texts[0]
    assert texts[1].startswith("Max") and texts[1].endswith("· Not heard by the others")
    assert not view.split_button.isEnabled()  # nobody selected yet
    view.select(2)
    assert view.mute_button.isChecked()  # Max is muted: the button offers unmute
    click = lambda button: qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # noqa: E731
    click(view.mute_button)
    click(view.hold_button)
    click(view.split_button)
    click(view.end_button)
    click(view.hold_all_button)
    click(view.end_conference_button)
    assert made(rig) == [
        ("mute_participant", (2, False)),
        ("app_hold", (2,)),
        ("split", (2,)),
        ("app_hangup", (2,)),
        ("hold", (True,)),
        ("end", ()),
    ]
    # The whole conference's mute: our microphone off in every participant's call.
    made(rig).clear()
    click(view.mute_all_button)
    assert made(rig) == [("app_mute", (True, 1)), ("app_mute", (True, 2))]
    # An empty conference hides the view.
    rig.app._dispatch(ConferenceChanged(calls=()))
    rig.wait(lambda: not view.isVisible())


def test_held_conference_is_shown_and_resumed(rig: GuiRig, qtbot: Any) -> None:
    conference_event(rig, call(1, "1002"), call(2, "1003"), held=True)
    view = controls(rig).conference
    assert view.hold_all_button.isChecked()
    qtbot.mouseClick(view.hold_all_button, Qt.MouseButton.LeftButton)
    assert made(rig) == [("hold", (False,))]


# ---------------------------------------------------------------------- recording


def test_the_legal_notice_gates_the_first_recording(rig: GuiRig, qtbot: Any) -> None:
    show(rig, call(1, "1002"))
    c = controls(rig)
    qtbot.mouseClick(c.record_button, Qt.MouseButton.LeftButton)
    notice = c.dialog
    assert notice.isVisible() and "tell everyone" in notice.text.text()
    assert not c.record_button.isChecked()
    qtbot.mouseClick(notice.cancel_button, Qt.MouseButton.LeftButton)
    assert notice.result() == QDialog.DialogCode.Rejected
    assert made(rig) == []  # refused: nothing recorded
    assert rig.app.settings.functions.recording_notice_accepted is False
    assert "not recorded" in c.message.text()

    qtbot.mouseClick(c.record_button, Qt.MouseButton.LeftButton)  # asked again
    assert c.dialog is not notice and c.dialog.isVisible()
    qtbot.mouseClick(c.dialog.record_button, Qt.MouseButton.LeftButton)
    assert made(rig) == [("set", (1, True))]
    rig.wait(lambda: rig.app.settings.functions.recording_notice_accepted)
    # The button shows what the engine reports.
    rig.app._dispatch(RecordingChanged(call=1, state=RecordingState.STARTED, file="/tmp/r.wav"))
    rig.wait(c.record_button.isChecked)
    assert "/tmp/r.wav" in c.message.text()
    # Off again, and no notice for the second recording.
    qtbot.mouseClick(c.record_button, Qt.MouseButton.LeftButton)
    assert made(rig)[-1] == ("set", (1, False))
    rig.app._dispatch(RecordingChanged(call=1, state=RecordingState.STOPPED, file="/tmp/r.wav"))
    rig.wait(lambda: not c.record_button.isChecked())
    dialog = c.dialog
    qtbot.mouseClick(c.record_button, Qt.MouseButton.LeftButton)
    assert c.dialog is dialog and made(rig)[-1] == ("set", (1, True))


def test_accepted_notice_is_kept_in_the_settings_file(
    rig: GuiRig, qtbot: Any, tmp_path: Path
) -> None:
    from parley.settings import load_settings

    show(rig, call(1, "1002"))
    c = controls(rig)
    qtbot.mouseClick(c.record_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(c.dialog.record_button, Qt.MouseButton.LeftButton)
    path = rig.app.settings_path
    assert path is not None
    rig.wait(lambda: load_settings(path).functions.recording_notice_accepted)


# ---------------------------------------------------------------------- transfer requests


@pytest.mark.parametrize("accept", [True, False], ids=["accept", "refuse"])
def test_transfer_request_is_asked_and_answered(rig: GuiRig, qtbot: Any, accept: bool) -> None:
    show(rig, call(3, "1002", contact_name="Erika"))
    c = controls(rig)
    rig.app._dispatch(TransferRequested(call=3, target="sip:1003@127.0.0.1:5999"))
    rig.wait(lambda: 3 in c.request_dialogs)
    dialog = c.request_dialogs[3]
    assert dialog.isVisible()
    # The target is on the account's server (127.0.0.1:5999): the number is enough.
    assert "Erika asks you to call 1003." in dialog.text.text()
    button = dialog.accept_button if accept else dialog.refuse_button
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert made(rig) == [("answer_request", (3, accept))]
    assert 3 not in c.request_dialogs


# ---------------------------------------------------------------------- progress and notes


def test_transfer_progress_is_shown(rig: GuiRig) -> None:
    show(rig, call(1, "1002"))
    c = controls(rig)
    steps = [
        (TransferState.TRYING, None, "asking"),
        (TransferState.ACCEPTED, 202, "calling"),
        (TransferState.FAILED, 486, "failed: Busy (486)"),
    ]
    for state, status, words in steps:
        rig.app._dispatch(
            TransferProgress(
                call=1, role=TransferRole.TRANSFEROR, state=state, target="1003", status=status
            )
        )
        rig.wait(lambda words=words: words in c.message.text())
    assert "1003" in c.message.text()


def note_event(call_id: int, note: CallNote) -> CallStateChanged:
    return CallStateChanged(
        call=call_id,
        account="office",
        direction=CallDirection.INCOMING,
        state=CallPhase.CONNECTED,
        remote="sip:1002@127.0.0.1",
        note=note,
    )


def test_call_notes_are_shown_in_the_call_and_in_the_history_view(rig: GuiRig) -> None:
    c = controls(rig)
    # Through the Application as the engine reports it: its snapshot has the call.
    rig.app._on_phone_event(note_event(7, CallNote.AUTO_ANSWERED))
    rig.wait(lambda: c.note_label.text() == "Answered automatically")
    # The call ends: the Application writes it to the history and says so (HistoryAdded);
    # the window shows the entry with what happened to the call.
    rig.app._on_phone_event(
        replace(note_event(7, CallNote.AUTO_ANSWERED), state=CallPhase.ENDED, note=None)
    )
    window = rig.window.call_window
    rig.wait(lambda: window.fields["note"].text() == "Answered automatically")


def test_notes_and_transfer_steps_read_german(rig: GuiRig) -> None:
    from parley.gui.texts import note_text, transfer_text

    set_language("de")
    try:
        assert note_text(CallNote.INTERCOM) == "InterCom-Anruf"
        assert note_text(CallNote.FORWARDED) == "Weitergeleitet"
        text = transfer_text(
            TransferProgress(
                call=1,
                role=TransferRole.TRANSFEROR,
                state=TransferState.FAILED,
                target="1003",
                status=486,
            )
        )
        assert text == "Vermittlung an 1003 fehlgeschlagen: Besetzt (486)"
        step = TransferProgress(
            call=1, role=TransferRole.TRANSFEROR, state=TransferState.FAILED, target="1003"
        )
        no_replaces = transfer_text(replace(step, reason="no replaces"))
        assert "kann kein Gespräch übernehmen" in no_replaces, no_replaces
        deflected = transfer_text(replace(step, state=TransferState.DONE, reason="deflected"))
        assert deflected == "Beim Klingeln an 1003 weitergeleitet.", deflected
    finally:
        set_language("en")
    # The same steps in English: what failed is said, not "no answer".
    assert "try a blind transfer" in transfer_text(replace(step, reason="no replaces"))


# ---------------------------------------------------------------------- screenshots


def test_screenshots_of_the_conference_view_and_a_transfer(
    rig: GuiRig, qtbot: Any, tmp_path: Path
) -> None:
    """Rendered offscreen from events (the docs' pictures come from the real state in
    test_call_control_peers.py)."""
    out = tmp_path
    out.mkdir(parents=True, exist_ok=True)
    erika = call(1, "1002", contact_name="Erika Mustermann")
    max_ = call(2, "1003", contact_name="Max Muster")
    lena = call(3, "1004", contact_name="Lena Schmidt")
    conference_event(rig, erika, max_, lena, muted=(2,))
    view = controls(rig).conference
    view.select(2)
    panel = rig.window.call_panel
    qtbot.wait(100)
    assert panel.grab().save(str(out / "conference-view.png"))
    # A transfer: the partner on hold while we talk to the target, the transfer area
    # and the step the engine reported.
    rig.app._dispatch(ConferenceChanged(calls=()))
    show(rig, replace(erika, held="us", state="held"), call(4, "1005", contact_name="Jonas Weber"))
    rig.app._dispatch(
        TransferProgress(
            call=4, role=TransferRole.TRANSFEROR, state=TransferState.ACCEPTED, target="1002"
        )
    )
    rig.wait(lambda: "calling" in controls(rig).message.text())
    qtbot.wait(100)
    assert panel.grab().save(str(out / "transfer.png"))
    assert (out / "transfer.png").stat().st_size > 1000


def test_transfer_targets_read_as_the_number_typed() -> None:
    from parley.gui.texts import short_target

    assert short_target("sip:1003@127.0.0.1:5060") == "1003"
    assert short_target("<sip:+4930123@pbx.example;transport=tcp>") == "+4930123"
    assert short_target("sip:alice@example.com") == "sip:alice@example.com"
    assert short_target("1003") == "1003"


def test_a_transfer_request_elsewhere_shows_where(rig: GuiRig) -> None:
    show(rig, call(3, "1002", contact_name="Erika"))
    c = controls(rig)
    rig.app._dispatch(TransferRequested(call=3, target="sip:0900123@198.51.100.7"))
    rig.wait(lambda: 3 in c.request_dialogs)
    assert "call sip:0900123@198.51.100.7." in c.request_dialogs[3].text.text()
