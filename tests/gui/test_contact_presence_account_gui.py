"""The contact editor's "Presence account" (the manual's field when adding a contact):
the accounts offered, the choice stored with the contact, a choice whose account is
gone kept, and the German labels."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from parley.contacts.model import Contact, PhoneNumber
from parley.contacts.store import ContactStore
from parley.gui.contact_editor import ContactEditor
from parley.gui.i18n import set_language
from parley.settings.model import AccountSettings, Settings


def label_of(editor: ContactEditor, field: QWidget) -> str:
    for layout in editor.findChildren(QFormLayout):
        for row in range(layout.rowCount()):
            item = layout.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if item is not None and item.widget() is field:
                label_item = layout.itemAt(row, QFormLayout.ItemRole.LabelRole)
                label = label_item.widget() if label_item is not None else None
                assert isinstance(label, QLabel)
                return label.text()
    return ""


def offered(editor: ContactEditor) -> list[str]:
    box = editor.presence_account
    return [box.itemText(i) for i in range(box.count())]


def test_choosing_the_presence_account_saves_it(qtbot: Any) -> None:
    store = ContactStore(":memory:")
    try:
        editor = ContactEditor(store, None, accounts=["a", "b"])
        qtbot.addWidget(editor)
        assert label_of(editor, editor.presence_account) == "Presence account"
        assert offered(editor) == ["As the contact source chooses", "a", "b"]
        editor.last_name.setText("Berg")
        editor.number_rows[0].edit.setText("3004")
        editor.presence.setText("sip:3004@127.0.0.1")
        editor.presence_account.setCurrentIndex(editor.presence_account.findText("b"))
        assert editor.save()
        [stored] = store.list()
        assert stored.presence_account == "b"
        # Opened again: b is selected; back to the source's choice stores "".
        again = ContactEditor(store, stored, accounts=["a", "b"])
        qtbot.addWidget(again)
        assert again.presence_account.currentText() == "b"
        again.presence_account.setCurrentIndex(0)
        assert again.save()
        assert store.list()[0].presence_account == ""
    finally:
        store.close()


def test_an_account_that_is_gone_stays_chosen(qtbot: Any) -> None:
    store = ContactStore(":memory:")
    try:
        kept = store.add(
            Contact(last_name="Berg", numbers=(PhoneNumber("1002"),), presence_account="old")
        )
        editor = ContactEditor(store, kept, accounts=["a"])
        qtbot.addWidget(editor)
        assert offered(editor) == ["As the contact source chooses", "a", "old (not set up)"]
        assert editor.presence_account.currentText() == "old (not set up)"
        editor.company.setText("ACME")
        assert editor.save()
        assert store.list()[0].presence_account == "old"  # not lost by saving
    finally:
        store.close()


def test_the_accounts_come_from_the_parent_windows_application(qtbot: Any) -> None:
    class Window(QWidget):
        def __init__(self) -> None:
            super().__init__()
            self.application = type("App", (), {})()
            self.application.settings = Settings(
                accounts=[
                    AccountSettings(name="office", domain="127.0.0.1:9", username="1"),
                    AccountSettings(name="off", domain="127.0.0.1:9", username="2", enabled=False),
                ]
            )

    window = Window()
    qtbot.addWidget(window)
    editor = ContactEditor(ContactStore(":memory:"), None, window)
    assert offered(editor) == ["As the contact source chooses", "office"]


def test_the_presence_account_in_german(qtbot: Any) -> None:
    set_language("de")
    try:
        editor = ContactEditor(ContactStore(":memory:"), None, accounts=["a"])
        qtbot.addWidget(editor)
        assert label_of(editor, editor.presence_account) == "Präsenzkonto"
        assert offered(editor)[0] == "Wie von der Kontaktquelle gewählt"
    finally:
        set_language("en")
