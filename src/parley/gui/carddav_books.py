"""The address book choice of a CardDAV or Google source, in its Access data: "Find
address books" asks the server (in a thread of its own: a slow server never blocks the
dialog) and lists its books with check boxes; what is ticked goes to the source's
`books` (by path). Nothing ticked reads every book. A chosen book the server no longer
has stays listed, marked, until it is unticked. Errors (wrong password, no answer) are
said in words with what to do.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from parley.app import Application
from parley.contacts.carddav import AddressBook
from parley.contacts.carddav_books import BookInfo, is_chosen
from parley.contacts.source import SourceIssue, SourceKind
from parley.gui.i18n import tr
from parley.settings.contact_sources import ContactSourceSettings

log = logging.getLogger(__name__)

WITH_BOOKS = frozenset({SourceKind.CARDDAV, SourceKind.GOOGLE})
_PATH = Qt.ItemDataRole.UserRole


class _Relay(QObject):
    """Carries the thread's answer to the GUI thread (queued: it lives in the GUI's)."""

    done = Signal(object)


class BooksBox(QWidget):
    """The book list and its button for the selected CardDAV or Google source."""

    def __init__(
        self,
        application: Application,
        selected: Callable[[], ContactSourceSettings | None],
        password_of: Callable[[ContactSourceSettings], str | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.app = application
        self._selected = selected
        self._password_of = password_of
        self._loading = False
        self._running = False
        self._relay = _Relay(self)
        self._relay.done.connect(self._found)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.find_button = QPushButton(tr("Find address books"))
        self.find_button.setToolTip(tr("Ask the server which address books this login can read."))
        row.addWidget(self.find_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.list = QListWidget()
        self.list.setAccessibleName(tr("Address books"))
        self.list.setMaximumHeight(140)
        layout.addWidget(self.list)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.note)

        self.find_button.clicked.connect(self.ask_server)
        self.list.itemChanged.connect(lambda _item: self._ticked())

    # ------------------------------------------------------------------ showing

    def show_source(self, source: ContactSourceSettings | None) -> None:
        """The chosen books of `source` (as saved: by path) until the server is asked."""
        self._loading = True
        try:
            self.list.clear()
            for entry in source.books if source is not None else []:
                self._add(entry, entry, checked=True)
            self.list.setVisible(self.list.count() > 0)
            self._say(self._choice_note())
        finally:
            self._loading = False

    def _add(self, label: str, path: str, *, checked: bool, tip: str = "") -> None:
        item = QListWidgetItem(label)
        item.setData(_PATH, path)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        if tip:
            item.setToolTip(tip)
        self.list.addItem(item)

    def items(self) -> list[QListWidgetItem]:
        return [self.list.item(i) for i in range(self.list.count())]

    def _choice_note(self) -> str:
        if any(i.checkState() == Qt.CheckState.Checked for i in self.items()):
            return tr("Only the ticked address books are read.")
        return tr("Nothing ticked: every address book is read.")

    def _say(self, text: str, *, error: bool = False) -> None:
        self.note.setText(text)
        self.note.setStyleSheet("color: #c0392b;" if error else "")

    # ------------------------------------------------------------------ asking the server

    def ask_server(self) -> None:
        """Ask the server for the books (in a thread); the list shows them when it answers."""
        source = self._selected()
        if source is None or source.kind not in WITH_BOOKS or self._running:
            return
        chosen = source.model_copy(deep=True)
        try:
            password = self._password_of(chosen)
        except Exception as exc:  # the keyring is locked or gone: say so, ask anyway
            log.warning("no password for %s: %s", chosen.id, exc)
            password = None
        self._running = True
        self.find_button.setEnabled(False)
        self._say(tr("Asking the server…"))
        threading.Thread(
            target=self._run, args=(chosen, password), name="parley-find-books", daemon=True
        ).start()

    def _run(self, source: ContactSourceSettings, password: str | None) -> None:
        from parley.contacts.cloud_sources import find_books

        outcome: Any
        try:
            outcome = find_books(
                source,
                password=password,
                tokens=self.app.contact_sources.token_store,
                timeout=20.0,
                proxy=self.app.contact_sources.http_proxy,  # [automation] http_proxy
            )
        except Exception as exc:  # the box reports; the thread never dies silently
            log.exception("finding the address books failed")
            outcome = exc
        try:
            self._relay.done.emit((source.id, outcome))
        except RuntimeError:  # the dialog is gone: nobody to tell
            log.debug("address books found after the settings page closed")

    def _found(self, answer: tuple[str, object]) -> None:
        from parley.gui.contact_sources_page import problem_words

        self._running = False
        self.find_button.setEnabled(True)
        source_id, outcome = answer
        source = self._selected()
        if source is None or source.id != source_id:
            return  # another source is shown now
        if isinstance(outcome, Exception):
            self._say(tr("Finding the address books failed: {error}", error=outcome), error=True)
            return
        books: list[BookInfo]
        issues: tuple[SourceIssue, ...]
        books, issues = outcome  # type: ignore[misc]
        if not books:
            words = [problem_words(i.problem.value, i.where, i.detail) for i in issues]
            self._say("\n".join(words) or tr("The server lists no address book."), error=True)
            return
        self._list(source, books)

    def _list(self, source: ContactSourceSettings, books: list[BookInfo]) -> None:
        self._loading = True
        try:
            self.list.clear()
            taken: set[str] = set()
            for book in books:
                probe = AddressBook(url=book.url, display_name=book.display_name)
                named = [e for e in source.books if is_chosen(probe, e)]
                taken.update(named)
                label = f"{book.display_name} ({book.path})" if book.display_name else book.path
                self._add(label, book.path, checked=bool(named), tip=book.description)
            for entry in source.books:
                if entry not in taken:  # chosen once, gone from the server since
                    label = tr("{book} (not on the server)", book=entry)
                    self._add(label, entry, checked=True)
            self.list.setVisible(True)
            self._say(self._choice_note())
        finally:
            self._loading = False

    def _ticked(self) -> None:
        source = self._selected()
        if self._loading or source is None:
            return
        source.books = [
            str(i.data(_PATH)) for i in self.items() if i.checkState() == Qt.CheckState.Checked
        ]
        self._say(self._choice_note())
