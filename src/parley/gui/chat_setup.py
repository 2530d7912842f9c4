"""The manual's "Set one here" in the conversation window (Instant Messaging, p. 39):
a local contact without a presence and chat address gets one there — a number or SIP
address with its number type, and the presence account it is watched through — without
opening the whole contact editor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from parley.app.source_presence import presence_address
from parley.contacts.model import Contact, ContactError, NumberType, PhoneNumber
from parley.contacts.store import ContactStore
from parley.gui.contact_editor import NUMBER_TYPES, presence_account_box
from parley.gui.i18n import tr
from parley.gui.texts import problem_text
from parley.history.db import StoreError

if TYPE_CHECKING:
    from parley.gui.call_window import CallWindow


class ChatSetupDialog(QDialog):
    """Give `contact` (a stored local one) its presence and chat address: `saved` holds
    the stored contact after Save. An address that is not yet one of the contact's
    numbers is added to them with the chosen number type."""

    def __init__(
        self,
        store: ContactStore,
        contact: Contact,
        accounts: Sequence[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.contact = contact
        self.saved: Contact | None = None
        self.setWindowTitle(tr("Set up Instant Messaging"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.address = QLineEdit(presence_address(contact))
        self.address.setPlaceholderText(tr("Number or SIP address whose presence is shown"))
        self.type_box = QComboBox()
        for kind, label in NUMBER_TYPES.items():
            self.type_box.addItem(tr(label), kind.value)
        self.type_box.setCurrentIndex(self.type_box.findData(NumberType.OTHER.value))
        self.account = presence_account_box(accounts, contact.presence_account)
        form.addRow(tr("Presence"), self.address)
        form.addRow(tr("Number type"), self.type_box)
        form.addRow(tr("Presence account"), self.account)
        layout.addLayout(form)
        self.problems_label = QLabel()
        self.problems_label.setWordWrap(True)
        self.problems_label.setStyleSheet("color: #d23b3b;")
        self.problems_label.setVisible(False)
        layout.addWidget(self.problems_label)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(tr("Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton(tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)
        layout.addWidget(buttons)

    def result_contact(self) -> Contact:
        """The contact as the dialog would store it."""
        address = self.address.text().strip()
        numbers = self.contact.numbers
        if address and all(n.number.strip() != address for n in numbers):
            numbers = (*numbers, PhoneNumber(address, NumberType(self.type_box.currentData())))
        return replace(
            self.contact,
            presence=address,
            numbers=numbers,
            presence_account=str(self.account.currentData() or ""),
        )

    def save(self) -> bool:
        """Store the address; on a problem say what is wrong and keep the dialog open."""
        if not self.address.text().strip():
            return self._problem(tr("Enter the number or SIP address to chat with."))
        contact = self.result_contact()
        if contact.problems():
            return self._problem(
                tr("Presence: enter a phone number or a SIP address (or nothing).")
            )
        try:
            self.saved = self.store.update(contact)
        except (ContactError, StoreError, KeyError) as exc:
            return self._problem(
                tr("The contact could not be saved: {error}", error=problem_text(exc))
            )
        self.accept()
        return True

    def _problem(self, text: str) -> bool:
        self.problems_label.setText(text)
        self.problems_label.setVisible(True)
        return False


class ChatSetup(QObject):
    """A "Set one here" button under the party in the call window, shown for a local
    contact that has no presence and chat address; it opens `ChatSetupDialog`."""

    def __init__(self, call_window: CallWindow, accounts: Sequence[str] | None = None) -> None:
        super().__init__(call_window)
        self.call_window = call_window
        self._accounts = accounts
        self.dialog: ChatSetupDialog | None = None
        self.button = QPushButton(tr("Instant Messaging is not set up: set one here"))
        self.button.setFlat(True)
        self.button.setVisible(False)
        layout = call_window.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(call_window.presence_row) + 1, self.button)
        self.button.clicked.connect(self.open)
        call_window.shown.connect(self.refresh)

    def accounts(self) -> list[str]:
        if self._accounts is not None:
            return list(self._accounts)
        settings = self.call_window.application.settings
        return [a.name for a in settings.accounts if a.enabled]

    def wanted(self) -> Contact | None:
        """The local contact shown that has no presence address, if any."""
        cw = self.call_window
        contact = cw.contact
        if contact is None or contact.id is None or cw.source_name or contact.presence:
            return None
        return contact

    def refresh(self) -> None:
        self.button.setVisible(self.wanted() is not None)

    def open(self) -> ChatSetupDialog | None:
        contact = self.wanted()
        if contact is None:
            return None
        dialog = ChatSetupDialog(
            self.call_window.application.contacts, contact, self.accounts(), self.call_window
        )
        dialog.finished.connect(lambda _code: self._closed(dialog))
        dialog.open()
        self.dialog = dialog
        return dialog

    def _closed(self, dialog: ChatSetupDialog) -> None:
        cw = self.call_window
        saved = dialog.saved
        if saved is not None and cw.entry is None and cw.contact is not None:
            if cw.contact.id == saved.id:
                cw.show_contact(saved, cw.source_name, cw.contact_account)
