"""The contact editor's presence address (issue #9): checked like a number, stored with
the contact, labelled in English and German."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFormLayout, QLabel

from parley.contacts.model import Contact, PhoneNumber
from parley.contacts.store import ContactStore
from parley.gui.contact_editor import ContactEditor
from parley.gui.i18n import set_language


def labels(editor: ContactEditor) -> list[str]:
    form = editor.presence.parentWidget().findChildren(QFormLayout)  # type: ignore[union-attr]
    found: list[str] = []
    for layout in form:
        for row in range(layout.rowCount()):
            item = layout.itemAt(row, QFormLayout.ItemRole.LabelRole)
            widget = item.widget() if item is not None else None
            if isinstance(widget, QLabel):
                found.append(widget.text())
    return found


def test_presence_address_is_checked_and_stored(qtbot: Any) -> None:
    store = ContactStore(":memory:")
    try:
        editor = ContactEditor(store, Contact(last_name="Berg", numbers=(PhoneNumber("1002"),)))
        qtbot.addWidget(editor)
        assert "Presence" in labels(editor)
        editor.presence.setText("not an address!")
        assert not editor.save()
        assert "Presence: enter a phone number or a SIP address" in editor.problems_label.text()
        editor.presence.setText(" sip:1002@pbx.example.com ")
        assert editor.save()
        [stored] = store.list()
        assert stored.presence == "sip:1002@pbx.example.com"
        again = ContactEditor(store, stored)
        qtbot.addWidget(again)
        assert again.presence.text() == "sip:1002@pbx.example.com"
    finally:
        store.close()


def test_presence_field_in_german(qtbot: Any) -> None:
    set_language("de")
    try:
        editor = ContactEditor(ContactStore(":memory:"), None)
        qtbot.addWidget(editor)
        assert "Präsenz" in labels(editor)
        assert editor.presence.placeholderText() == (
            "Rufnummer oder SIP-Adresse, deren Präsenz angezeigt wird"
        )
    finally:
        set_language("en")
