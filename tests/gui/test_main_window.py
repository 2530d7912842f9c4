"""The main window without a network: contacts (add, edit, delete, validation,
picture, favourites), the history (names of known numbers, search, delete one, delete
all, add to contacts), compact mode, the status bar, themes and the tray notice.
The phone is not started: these are the window's own behaviours on the real stores."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gui_rig import GuiRig, account
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication

from parley.app.application import Application
from parley.contacts.model import Contact, NumberType, PhoneNumber
from parley.gui.call_menu import format_stats
from parley.gui.main_window import CONTACTS, FAVOURITES, RECENT
from parley.gui.theme import apply_theme
from parley.gui.widgets import format_duration, initials_of
from parley.history.model import CallType, HistoryEntry
from parley.phone.events import PhoneError
from parley.settings import Settings, load_settings


def rig_with_account(make_rig: Callable[..., GuiRig], **extra: object) -> GuiRig:
    return make_rig(Settings(accounts=[account("127.0.0.1:5999", **extra)]))


def add_call(app: Application, number: str, kind: CallType, minutes_ago: int = 5) -> HistoryEntry:
    return app.history.add(
        HistoryEntry(
            direction=kind.direction,
            type=kind,
            number=number,
            name=None,
            account="office",
            start=datetime.now(UTC) - timedelta(minutes=minutes_ago),
            duration=65.0
            if kind in (CallType.SUCCESSFUL_OUTGOING, CallType.ACCEPTED_INCOMING)
            else 0,
            sip_code=486 if kind is CallType.REJECTED_OUTGOING else None,
            reason="Busy Here" if kind is CallType.REJECTED_OUTGOING else "",
        )
    )


def names(rig: GuiRig) -> list[str]:
    return [row.name_label.text() for _kind, _id, row in rig.window.items()]


def test_add_edit_delete_contact(
    make_rig: Callable[..., GuiRig], qtbot: object, tmp_path: Path, answers: list[str]
) -> None:
    rig = rig_with_account(make_rig)
    w = rig.window
    assert w.views.currentIndex() == CONTACTS and w.items() == []

    # Add: the form refuses an empty contact and says why.
    qtbot.mouseClick(w.add_contact_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    editor = w.contact_editor
    assert not editor.save()
    problems = editor.problems_label.text()
    assert "last name, a display name or a company" in problems
    assert "at least one phone number" in problems
    editor.first_name.setText("Anna")
    editor.last_name.setText("Berg")
    editor.number_rows[0].edit.setText("abc!")
    assert not editor.save()
    assert "Phone number 1 is neither" in editor.problems_label.text()
    editor.number_rows[0].edit.setText("+49 30 1234")
    picture = tmp_path / "anna.png"
    image = QImage(32, 32, QImage.Format.Format_RGB32)
    image.fill(QColor("orange"))
    assert image.save(str(picture))
    assert editor.set_picture(picture) and editor.avatar.has_picture
    assert not editor.set_picture(tmp_path / "missing.png")
    assert editor.save()
    rig.wait(lambda: names(rig) == ["Anna Berg"])
    stored = rig.app.contacts.list()
    assert [(c.name, c.numbers[0].number, c.avatar is not None) for c in stored] == [
        ("Anna Berg", "+49 30 1234", True)
    ]
    assert w.items()[0][2].avatar.has_picture

    # Edit: a display name and a second number; the call button then offers a choice.
    contact_id = stored[0].id
    assert contact_id is not None
    w.select("contact", contact_id)
    assert w.call_window.name_label.text() == "Anna Berg"
    qtbot.mouseClick(w.call_window.edit_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    editor = w.contact_editor
    assert editor.delete_button.isVisible()
    editor.display_name.setText("Anna B.")
    row = editor.add_number_row(PhoneNumber("1002", NumberType.MOBILE))
    assert row.value() == PhoneNumber("1002", NumberType.MOBILE)
    editor.favourite.setChecked(True)
    assert editor.save()
    rig.wait(lambda: names(rig) == ["Anna B."])
    assert len(w.call_window.numbers()) == 2
    menu = w.call_window.number_menu(w.call_window.numbers())
    assert [a.text() for a in menu.actions()] == ["Other: +49 30 1234", "Mobile: 1002"]
    w.views.setCurrentIndex(FAVOURITES)
    assert names(rig) == ["Anna B."]

    # Unfavourite from the call window's star.
    w.select("contact", contact_id)
    assert w.call_window.favourite_button.isChecked()
    qtbot.mouseClick(w.call_window.favourite_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert names(rig) == []
    w.views.setCurrentIndex(CONTACTS)

    # Delete (the question is answered yes by the `answers` fixture).
    w.select("contact", contact_id)
    qtbot.mouseClick(w.call_window.edit_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert w.contact_editor.delete()
    assert any("Delete Anna B." in text for text in answers)
    assert rig.app.contacts.count() == 0
    rig.wait(lambda: w.items() == [])


def test_history_list_search_delete_and_add_to_contacts(
    make_rig: Callable[..., GuiRig], qtbot: object
) -> None:
    rig = rig_with_account(make_rig)
    w, app = rig.window, rig.app
    app.contacts.add(Contact(last_name="Berg", first_name="Anna", numbers=(PhoneNumber("1002"),)))
    add_call(app, "1002", CallType.SUCCESSFUL_OUTGOING, 30)
    add_call(app, "1003", CallType.MISSED, 20)
    busy = add_call(app, "1004", CallType.REJECTED_OUTGOING, 10)
    w.views.setCurrentIndex(RECENT)
    assert names(rig) == ["1004", "1003", "Anna Berg"]  # known numbers show the contact
    assert [row.call_type for _k, _i, row in w.items()] == [
        CallType.REJECTED_OUTGOING,
        CallType.MISSED,
        CallType.SUCCESSFUL_OUTGOING,
    ]

    # The call window of an entry: type, error code, account, number, duration.
    assert busy.id is not None
    w.select("entry", busy.id)
    cw = w.call_window
    assert cw.type_label.text() == "Rejected outgoing call"
    assert cw.fields["error"].text() == "486 Busy Here"  # the standard phrase of the code
    assert cw.fields["error"].toolTip() == ""  # the far end said nothing else
    assert (cw.fields["account"].text(), cw.fields["number"].text()) == ("office", "1004")
    assert cw.fields["duration"].text() == "0:00"

    # The search finds contacts and calls by name and number.
    w.search.setText("Anna")
    assert [(kind, row.name_label.text()) for kind, _i, row in w.items()] == [
        ("contact", "Anna Berg"),
        ("entry", "Anna Berg"),
    ]
    w.search.setText("1003")
    assert [kind for kind, _i, _row in w.items()] == ["entry"]
    w.search.clear()

    # Add an unknown caller to the contacts from the history.
    missed_id = w.items()[1][1]
    w.select("entry", missed_id)
    qtbot.mouseClick(cw.edit_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    editor = w.contact_editor
    assert editor.number_rows[0].edit.text() == "1003"
    editor.last_name.setText("Klein")
    assert editor.save()
    rig.wait(lambda: names(rig) == ["1004", "Klein", "Anna Berg"])

    # Delete one entry from the call window, then several, then all.
    w.select("entry", busy.id)
    qtbot.mouseClick(cw.delete_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert names(rig) == ["Klein", "Anna Berg"]
    w.entry_list.selectAll()
    w.delete_selected()
    assert names(rig) == [] and app.history.count() == 0
    add_call(app, "1005", CallType.ACCEPTED_INCOMING)
    w.refresh_list()
    assert names(rig) == ["1005"]
    w.clear_history()
    assert names(rig) == [] and "No calls yet." in w.empty_label.text()


def test_compact_mode_and_collapse_kept_after_restart(
    make_rig: Callable[..., GuiRig], tmp_path: Path
) -> None:
    rig = rig_with_account(make_rig)
    w = rig.window
    assert w.right_visible
    w.set_compact(True)
    assert not w.right_visible
    assert rig.app.settings_path is not None
    assert load_settings(rig.app.settings_path).gui.compact_mode  # saved at once
    rig.app.contacts.add(Contact(last_name="Berg", numbers=(PhoneNumber("1002"),)))
    w.refresh_list()
    w.select("contact", w.items()[0][1])
    assert not w.right_visible and not w.compact_bar.isHidden()
    assert w.compact_name.text() == "Berg"
    # The status bar's > opens the call window again (and leaves compact mode).
    w.status.compact_button.click()
    assert w.right_visible and not rig.app.settings.gui.compact_mode

    # A new window on the same settings file starts as it was left.
    rig.window.save_gui(compact_mode=True, collapse_on_hangup=True, theme="dark")
    again = make_rig(load_settings(rig.app.settings_path))
    assert again.app.settings.gui.compact_mode and again.app.settings.gui.collapse_on_hangup
    assert not again.window.right_visible


def test_status_bar_errors_voicemail_and_volume(
    make_rig: Callable[..., GuiRig], answers: list[str]
) -> None:
    rig = rig_with_account(make_rig, voicemail_extension="*98")
    status = rig.window.status
    assert status.voicemail_button.isEnabled()
    assert "*98" in status.voicemail_button.toolTip()
    dialled: list[tuple[str, str]] = []
    status.voicemail_requested.connect(lambda ext, acc: dialled.append((ext, acc)))
    status.voicemail_button.click()
    assert dialled == [("*98", "office")]

    assert not status.has_unseen_error
    rig.window.on_event(PhoneError(text="Registration failed: 403 Forbidden"))
    assert status.has_unseen_error and "403" in status.error_button.toolTip()
    status.error_button.click()
    assert any("403 Forbidden" in text for text in answers)
    assert not status.has_unseen_error

    popup = status.volume_popup()
    popup.speaker.setValue(60)
    status.save_volumes()
    assert rig.app.settings.gui.speaker_volume == 60


def test_account_tooltip_gives_the_failure_reason(make_rig: Callable[..., GuiRig]) -> None:
    from parley.phone.events import AccountStateChanged, RegCause, RegState

    rig = rig_with_account(make_rig)
    accounts = rig.window.account_list
    assert accounts.state_text("office") == "Not registered"
    event = AccountStateChanged(
        account="office",
        state=RegState.FAILED,
        status=403,
        reason="Forbidden",
        cause=RegCause.REFUSED,
        user="1001",
        domain="127.0.0.1",
    )
    rig.app._on_phone_event(event)  # as the engine would report it
    rig.wait(lambda: accounts.state_text("office") == "Registration failed")
    tip = accounts.tooltip("office")
    assert "403 Forbidden" in tip and "check the user name" in tip


def test_themes_tray_notice_and_helpers(make_rig: Callable[..., GuiRig]) -> None:
    rig = rig_with_account(make_rig)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert apply_theme(app, "dark") == "dark"
    assert app.palette().color(QPalette.ColorRole.Window).lightness() < 80
    assert apply_theme(app, "light") == "light"
    assert app.palette().color(QPalette.ColorRole.Window).lightness() > 200
    assert apply_theme(app, "system") in ("light", "dark")
    # Offscreen there is no tray: said once, in the status bar.
    tray = rig.window.tray
    assert not tray.available and tray.said_unavailable
    assert "no notification area" in rig.window.status.message.text()
    tray.apply(rig.app.settings.gui)
    assert tray.said_unavailable
    assert initials_of("Anna Berg") == "AB" and initials_of("1002") == "#"
    assert format_duration(65) == "1:05" and format_duration(3725) == "1:02:05"
    stats = format_stats(
        {
            "codec": "PCMU",
            "loss_percent": 1.25,
            "packets_lost": 3,
            "jitter_ms": 4.5,
            "rtt_ms": None,
            "jitter_buffer_ms": 40.0,
            "packets_sent": 10,
            "packets_received": 9,
            "mos": 4.31,
        }
    )
    assert stats == {
        "codec": "PCMU",
        "loss": "1.2 % (3)",
        "jitter": "4.5 ms",
        "rtt": "–",
        "buffer": "40 ms",
        "packets": "10 / 9",
        "mos": "4.3",
    }


def test_more_menu_offers_no_filters_that_cannot_hide_anything(
    make_rig: Callable[..., GuiRig],
) -> None:
    """The local store refuses contacts without a name or a number, so the list's ⋯ menu
    offers no "hide contacts without …" (they return with other contact sources)."""
    rig = make_rig(Settings())
    w = rig.window
    for view in (CONTACTS, FAVOURITES, RECENT):
        w.views.setCurrentIndex(view)
        texts = [a.text() for a in w.more_menu().actions() if not a.isSeparator()]
        assert not [t for t in texts if "without" in t], texts
        assert "Compact mode" in texts
    w.views.setCurrentIndex(RECENT)
    texts = [a.text() for a in w.more_menu().actions()]
    assert "Delete all calls" in texts and "Delete selected calls" in texts
