"""The address book as a Qt model/view list: the contacts of every enabled source (local
first, then each remote source's SQLite cache), so 100,000 contacts show, scroll and
filter by typing without a widget per row and without reading them all.

The model knows every row from the start (one COUNT per source and search, so the
scroll bar is right and the view lays the list out once) and reads the rows the view
asks for in windows of `PAGE` from the caches (`ContactCache.rows_at`), keeping the last
`KEPT_PAGES` windows: memory stays the same whatever the size of the book. (Fetching
page by page with `canFetchMore`/`fetchMore` made the view re-lay out every row it had
on each page: scrolling to the end of 100,000 took 13 to 20 s.) The local contacts are
read once per search. Each source's filters ("hide contacts without name / number")
apply to its rows.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from parley.contacts.model import Contact
from parley.contacts.registry import ContactSources, ListedContact, LocalSource, RemoteSource
from parley.gui.i18n import tr
from parley.history.db import StoreError

PAGE = 500  # rows per read: one screen many times over, a few ms of SQLite
KEPT_PAGES = 8  # windows kept in memory (the rest is read again when scrolled back to)
SEARCH_PAUSE_MS = 150  # typing pause after which the search runs

Index = QModelIndex | QPersistentModelIndex
LISTED_ROLE = Qt.ItemDataRole.UserRole + 1  # the ListedContact
NUMBER_ROLE = Qt.ItemDataRole.UserRole + 2  # the first number and "(+N more)"
SOURCE_ROLE = Qt.ItemDataRole.UserRole + 3  # the source's name ("" for local contacts)
_ROLES = {
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.AccessibleTextRole,
    Qt.ItemDataRole.ToolTipRole,
    NUMBER_ROLE,
    SOURCE_ROLE,
    LISTED_ROLE,
}


@dataclass(frozen=True)
class _Segment:
    """One source's rows in the list: from `start`, `count` of them."""

    source: LocalSource | RemoteSource
    start: int
    count: int
    local_rows: tuple[Contact, ...] = ()  # the local source's, read at once


def number_text(contact: Contact) -> str:
    number = contact.numbers[0].number if contact.numbers else ""
    if len(contact.numbers) > 1:
        number += "  " + tr("(+{count} more)", count=len(contact.numbers) - 1)
    return number


class ContactListModel(QAbstractListModel):
    """The contacts of `sources` matching the search text, read as the view shows them.
    `failed` carries a source's id when its cache could not be read (its rows are left
    out, or shown empty until the next search)."""

    failed = Signal(str)

    def __init__(self, sources: ContactSources, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sources = sources
        self.text = ""
        self._segments: list[_Segment] = []
        self._starts: list[int] = []
        self._total = 0
        self._pages: OrderedDict[tuple[int, int], list[Contact]] = OrderedDict()
        self.set_search("")

    # -- the query

    def set_search(self, text: str) -> None:
        """Show the contacts matching `text` (all for blank)."""
        self.beginResetModel()
        self.text = text.strip()
        self._pages.clear()
        self._segments = []
        start = 0
        for source in self.sources.enabled():
            s = source.settings
            try:
                if isinstance(source, LocalSource):
                    rows = tuple(
                        source.store.list(
                            search=self.text,
                            hide_without_name=s.hide_without_name,
                            hide_without_number=s.hide_without_number,
                        )
                    )
                    segment = _Segment(source, start, len(rows), rows)
                else:
                    count = source.cache.count_matching(
                        self.text,
                        hide_without_name=s.hide_without_name,
                        hide_without_number=s.hide_without_number,
                    )
                    segment = _Segment(source, start, count)
            except StoreError:
                self.failed.emit(s.id)
                continue
            if segment.count:
                self._segments.append(segment)
                start += segment.count
        self._starts = [seg.start for seg in self._segments]
        self._total = start
        self.endResetModel()

    def refresh(self) -> None:
        """Read again (a source was synchronised or the local contacts changed)."""
        self.set_search(self.text)

    def listed(self, row: int) -> ListedContact:
        index = bisect_right(self._starts, row) - 1
        segment = self._segments[index]
        s = segment.source.settings
        contact = self._contact(index, row - segment.start)
        return ListedContact(contact, s.id, s.name, s.kind)

    def _contact(self, index: int, offset: int) -> Contact:
        segment = self._segments[index]
        if isinstance(segment.source, LocalSource):
            return segment.local_rows[offset]
        key = (index, offset // PAGE)
        page = self._pages.get(key)
        if page is None:
            s = segment.source.settings
            try:
                page = segment.source.cache.rows_at(
                    key[1] * PAGE,
                    PAGE,
                    self.text,
                    hide_without_name=s.hide_without_name,
                    hide_without_number=s.hide_without_number,
                )
            except StoreError:
                self.failed.emit(s.id)
                page = []
            self._pages[key] = page
            while len(self._pages) > KEPT_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(key)
        within = offset % PAGE
        # A copy replaced since the count may be shorter: an empty row until refreshed.
        return page[within] if within < len(page) else Contact()

    # -- Qt's model interface

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._total

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < self._total:
            return None
        if role not in _ROLES:
            return None
        listed = self.listed(index.row())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return listed.contact.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return listed.contact.name
        if role == NUMBER_ROLE:
            return number_text(listed.contact)
        if role == SOURCE_ROLE:
            return "" if listed.local else listed.source_name
        return listed


class ContactDelegate(QStyledItemDelegate):
    """A row: the name, below it the first number, the source's name on the right —
    painted, not a widget per row (one height for all: the view lays out nothing)."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        height = QFontMetrics(option.font).height()
        return QSize(200, 2 * height + 12)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect: QRect = opt.rect.adjusted(8, 4, -8, -4)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        palette: QPalette = opt.palette
        text_role = (
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.WindowText
        )
        font = QFont(opt.font)
        line = QFontMetrics(font).height()
        source = str(index.data(SOURCE_ROLE) or "")
        painter.save()
        source_width = QFontMetrics(font).horizontalAdvance(source) + 8 if source else 0
        name_rect = QRect(rect.left(), rect.top(), rect.width() - source_width, line)
        bold = QFont(font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(palette.color(text_role))
        name = QFontMetrics(bold).elidedText(
            str(index.data() or ""), Qt.TextElideMode.ElideRight, name_rect.width()
        )
        painter.drawText(
            name_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name
        )
        painter.setFont(font)
        if not selected:
            painter.setPen(
                palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
            )
        number_rect = QRect(rect.left(), rect.top() + line + 2, rect.width(), line)
        painter.drawText(
            number_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            str(index.data(NUMBER_ROLE) or ""),
        )
        if source:
            painter.drawText(
                QRect(rect.right() - source_width, rect.top(), source_width, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                source,
            )
        painter.restore()


class ContactBrowser(QWidget):
    """A search field over the lazily fetched list of every source's contacts.
    `contact_activated(ListedContact)`: a double click or Enter on a row (dial it)."""

    contact_activated = Signal(object)

    def __init__(self, sources: ContactSources, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search by name or number"))
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        self.model = ContactListModel(sources, self)
        # A tree view without branches: with one row height it lays out nothing per
        # row (QListView keeps a position per row: scrolling to the end of 100,000
        # took three times as long).
        self.view = QTreeView()
        self.view.setHeaderHidden(True)
        self.view.setRootIsDecorated(False)
        self.view.setUniformRowHeights(True)
        self.view.setModel(self.model)
        self.view.setItemDelegate(ContactDelegate(self.view))
        self.view.setSelectionMode(QTreeView.SelectionMode.ExtendedSelection)
        self.view.setAccessibleName(tr("Contacts"))
        layout.addWidget(self.view, 1)
        # A search runs when the typing pauses (each one reads every cached name: the
        # keys in between would only wait for searches nobody looks at).
        self.pause = QTimer(self)
        self.pause.setSingleShot(True)
        self.pause.setInterval(SEARCH_PAUSE_MS)
        self.pause.timeout.connect(lambda: self.model.set_search(self.search.text()))
        self.search.textChanged.connect(lambda _text: self.pause.start())
        self.view.activated.connect(self._activated)  # double click or Enter

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.contact_activated.emit(self.model.listed(index.row()))
