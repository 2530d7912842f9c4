"""The "Address book" window: every contact of every enabled source, however many (the
model/view list of gui/contact_model.py: 100,000 cached contacts scroll and filter by
typing), with the search field of its own. A double click or Enter calls the contact
(its only number, or the number picked from a menu) through the source's outgoing
account; the row also shows the contact in the main window's call window.

The main window's own list still shows at most 500 contacts of a remote source until one
searches; this window is where the whole book is (see docs/features.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QDialog, QMenu, QVBoxLayout

from parley.contacts.registry import ListedContact
from parley.gui.contact_export import choose_and_export
from parley.gui.contact_model import ContactBrowser
from parley.gui.i18n import tr
from parley.gui.source_contacts import outgoing_account

if TYPE_CHECKING:
    from parley.gui.main_window import MainWindow


class AddressBook(QDialog):
    """Not modal: calls go on while it is open."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle(tr("Address book"))
        self.resize(420, 640)
        layout = QVBoxLayout(self)
        self.browser = ContactBrowser(window.application.contact_sources, self)
        layout.addWidget(self.browser)
        self.browser.contact_activated.connect(self.call)
        self.browser.view.clicked.connect(self._show)
        self.last_menu: QMenu | None = None

    def _show(self) -> None:
        index = self.browser.view.currentIndex()
        if index.isValid():
            listed = self.browser.model.listed(index.row())
            account = outgoing_account(self.window_.application, listed.source_id)
            name = "" if listed.local else listed.source_name
            self.window_.call_window.show_contact(listed.contact, name, account)

    def call(self, listed: ListedContact) -> None:
        """Call the contact: its only number, or the one picked from a menu."""
        numbers = [n for n in listed.contact.numbers if n.number.strip()]
        account = outgoing_account(self.window_.application, listed.source_id)
        if len(numbers) == 1:
            self.window_.dial(numbers[0].number, account)
        elif numbers:
            menu = self.window_.call_window.number_menu(numbers, account)
            menu.popup(QCursor.pos())
            self.last_menu = menu


def add_contact_actions(menu: QMenu, window: MainWindow) -> None:
    """The ⋯ menu's entries after "Import contacts…": the address book and the export."""
    menu.addAction(tr("Address book…"), lambda: open_address_book(window))
    menu.addAction(tr("Export contacts…"), lambda: choose_and_export(window, window.application))


def open_address_book(window: MainWindow) -> AddressBook:
    """Show the address book (the one already open, else a new one)."""
    book = window.findChild(AddressBook)
    if book is None:
        book = AddressBook(window)
    book.show()
    book.raise_()
    return book
