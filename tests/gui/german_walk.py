"""Walk every widget a person can see and find English in the German desktop app.

`english_in(text)` decides "English" with a list of common English words that are not
German (proper names, numbers, URIs, units and codec names pass); `walk(widget)` yields
every text a widget shows or reads out (labels, buttons, tool tips, window titles,
menus, combo items, placeholders, list/tree/table items and headers, group boxes, tabs,
accessible names); `MenuCatcher` keeps the menus the app pops up (context menus, the
"More" menu) so that they can be walked, without showing them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QPlainTextEdit,
    QTabBar,
    QTabWidget,
    QTextBrowser,
    QTextEdit,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

# Words German uses too (a loan word, a technical term, the same spelling): never English
# on their own.
_ALSO_GERMAN = frozenset(
    """an was will also name server servers start domain mailbox audio video online
    offline codec codecs headset status ok problem test import export layout windows
    office chat""".split()
)

# Common English words that are not German words (nor parts of product names we use).
ENGLISH_WORDS = (
    frozenset(
        """
    the a an and or but of to from with without for by at on into onto about after before
    is are was were be been being has have had do does did done can cannot could should
    would will shall may might must not no yes none any some all every each this that
    these those there here which who whom whose what when where why how than then too
    very just only also again still yet already now never always
    you your yours we our us they their them he she his her its it i me my
    please thanks sorry ok
    call calls calling called caller callee dial dialled dialing dialling answer answered
    answers answering hang hung up down reject rejected decline declined missed incoming
    outgoing hold held resume mute muted unmute transfer transferred conference
    record recording recordings recorded forward forwarded forwarding pickup pick
    settings setting account accounts contact contacts history recent favourite
    favourites search find found open close closed save saved delete deleted remove
    removed add added edit edited new old cancel cancelled apply applied back next
    finish done show hide help about quit exit start stop stopped started
    failed failure error errors problem problems warning unknown available unavailable
    busy away offline online idle ringing connected disconnected registered
    unregistered registering registration server servers domain user username
    password passwords number numbers name names address device devices speaker
    speakers microphone headset volume sound sounds level test ring ringtone tone
    message messages chat send sent sending delivered typing read unread
    voicemail mailbox note notes status state presence line lines lamp field
    keypad keyboard shortcut shortcuts key keys window windows view page pages
    general advanced network audio video media codec codecs quality statistics
    enabled disabled enable disable allow allowed automatic automatically manual
    default custom other more less none nothing something everything
    check choose select selected pick set change changed changes use used using
    make makes made take takes took give gives get gets got keep kept let lets
    try tries trying tried again wait waiting please
    first last today yesterday seconds second minutes minute hours hour
    file files folder folders path browse import export
    company email phone mobile home work office private business
    light dark theme language layout compact collapse expand
    """.split()
    )
    - _ALSO_GERMAN
)

# Tokens that are no words: URIs, e-mail addresses, paths, host:port, numbers with units.
_NOT_WORDS = re.compile(
    r"(?:sips?|tel|https?|file):\S+"  # URIs
    r"|\S+@\S+"  # addresses
    r"|(?:~|\.{0,2})/\S*"  # paths
    r"|\b\w+\.(?:wav|toml|log|png|py)\b"  # file names
    # Terms German uses as they are: codec names, SIP terms, a folder's name.
    r"|\b[Aa]-law\b|\b[uµμ]-law\b|\bInstant[- ]Messag\w*|\bKeep-Alive\w*|\bEarly[- ]Media\b"
    r"|\brecordings\b"
)
_WORD = re.compile(r"[A-Za-zÄÖÜäöüß']+")


def english_in(text: str) -> list[str]:
    """The English words of `text` (empty: it reads as German, or has no words).

    Not checked: a line introduced by "Details:" (a lower layer's own words, shown only
    as details), the key after a tab (a menu's shortcut), {placeholders}."""
    plain = re.sub(r"(?m)^Details: .*$", " ", text)
    plain = re.sub(r"\t.*$", " ", plain, flags=re.M)
    plain = re.sub(r"\{\w+\}", " ", plain)
    plain = re.sub(r"<[^>]+>", " ", plain)  # rich text: the tags are no words
    plain = _NOT_WORDS.sub(" ", plain)
    plain = plain.replace("&", "")  # mnemonic markers
    return [w for w in _WORD.findall(plain) if w.lower().strip("'") in ENGLISH_WORDS]


def _action_texts(action: QAction, where: str) -> Iterator[tuple[str, str]]:
    if action.isSeparator():
        return
    yield f"{where} action", action.text()
    if action.toolTip() and action.toolTip() != action.text().replace("&", ""):
        yield f"{where} action tooltip", action.toolTip()
    yield f"{where} action status tip", action.statusTip()
    menu = action.menu()
    if isinstance(menu, QMenu):
        yield from menu_texts(menu, f"{where} › {action.text()}")


def menu_texts(menu: QMenu, where: str = "menu") -> Iterator[tuple[str, str]]:
    yield f"{where} title", menu.title()
    for action in menu.actions():
        yield from _action_texts(action, where)


def _tree_item_texts(item: QTreeWidgetItem, where: str) -> Iterator[tuple[str, str]]:
    for column in range(item.columnCount()):
        yield where, item.text(column)
        yield f"{where} tooltip", item.toolTip(column)
    for i in range(item.childCount()):
        yield from _tree_item_texts(item.child(i), where)


def _model_texts(view: QAbstractItemView, where: str) -> Iterator[tuple[str, str]]:
    model = view.model()
    if model is None:
        return
    roles = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)
    for orientation in (Qt.Orientation.Horizontal, Qt.Orientation.Vertical):
        count = model.columnCount() if orientation == Qt.Orientation.Horizontal else 0
        for section in range(count):
            value = model.headerData(section, orientation, Qt.ItemDataRole.DisplayRole)
            if isinstance(value, str):
                yield f"{where} header", value

    def rows(parent: Any, depth: int) -> Iterator[tuple[str, str]]:
        if depth > 4:
            return
        for row in range(min(model.rowCount(parent), 500)):
            for column in range(model.columnCount(parent)):
                index = model.index(row, column, parent)
                for role in roles:
                    value = model.data(index, role)
                    if isinstance(value, str):
                        yield f"{where} item", value
                if column == 0 and model.hasChildren(index):
                    yield from rows(index, depth + 1)

    from PySide6.QtCore import QModelIndex

    yield from rows(QModelIndex(), 0)


def widget_texts(widget: QWidget) -> Iterator[tuple[str, str]]:
    """The texts of one widget (not its children)."""
    kind = type(widget).__name__
    name = widget.objectName() or kind
    where = f"{name} ({kind})"
    if widget.isWindow():
        yield f"{where} window title", widget.windowTitle()
    yield f"{where} tooltip", widget.toolTip()
    yield f"{where} status tip", widget.statusTip()
    yield f"{where} what's this", widget.whatsThis()
    yield f"{where} accessible name", widget.accessibleName()
    yield f"{where} accessible description", widget.accessibleDescription()
    if isinstance(widget, QLabel):
        yield f"{where} text", widget.text()
    if isinstance(widget, QAbstractButton):
        yield f"{where} text", widget.text()
    if isinstance(widget, QToolButton) and widget.menu() is not None:
        yield from menu_texts(widget.menu(), f"{where} menu")
    if isinstance(widget, QLineEdit):
        yield f"{where} placeholder", widget.placeholderText()
        if widget.isReadOnly():
            yield f"{where} text", widget.text()
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        yield f"{where} placeholder", widget.placeholderText()
        if widget.isReadOnly() or isinstance(widget, QTextBrowser):
            yield f"{where} text", widget.toPlainText()
    if isinstance(widget, QComboBox):
        for i in range(widget.count()):
            yield f"{where} item", widget.itemText(i)
            tip = widget.itemData(i, Qt.ItemDataRole.ToolTipRole)
            if isinstance(tip, str):
                yield f"{where} item tooltip", tip
        if widget.lineEdit() is not None:
            yield f"{where} placeholder", widget.lineEdit().placeholderText()
    if isinstance(widget, QGroupBox):
        yield f"{where} title", widget.title()
    if isinstance(widget, QTabBar):
        for i in range(widget.count()):
            yield f"{where} tab", widget.tabText(i)
            yield f"{where} tab tooltip", widget.tabToolTip(i)
    if isinstance(widget, QTabWidget):
        for i in range(widget.count()):
            yield f"{where} tab", widget.tabText(i)
    if isinstance(widget, QTreeWidget):
        header = widget.headerItem()
        for column in range(widget.columnCount()):
            yield f"{where} header", header.text(column)
        for i in range(widget.topLevelItemCount()):
            yield from _tree_item_texts(widget.topLevelItem(i), f"{where} item")
    elif isinstance(widget, QListWidget):
        for i in range(widget.count()):
            item = widget.item(i)
            yield f"{where} item", item.text()
            yield f"{where} item tooltip", item.toolTip()
    elif isinstance(widget, QAbstractItemView) and not isinstance(widget, QComboBox):
        if type(widget).__name__ not in ("QComboBoxListView",):
            yield from _model_texts(widget, where)
    if isinstance(widget, QMenu):
        yield from menu_texts(widget, where)
    for action in widget.actions():
        if not isinstance(widget, QMenu):
            yield from _action_texts(action, where)


def walk(widget: QWidget) -> Iterator[tuple[str, str]]:
    """The texts of `widget` and of all its descendants."""
    yield from widget_texts(widget)
    for child in widget.findChildren(QWidget):
        yield from widget_texts(child)


def all_windows() -> list[QWidget]:
    """Every top-level widget that exists now (windows, dialogs, menus, popups)."""
    return [w for w in QApplication.topLevelWidgets() if not w.objectName().startswith("qt_")]


class EnglishFinder:
    """Collects English texts over many walks; `report()` lists them all at once."""

    def __init__(self) -> None:
        self.found: dict[str, set[str]] = {}
        self.seen: set[str] = set()  # class names of the widgets walked while shown

    def check(self, where: str, text: str | None) -> None:
        if text and english_in(text):
            self.found.setdefault(text.strip(), set()).add(where)

    def walk(self, widgets: Iterable[QObject], context: str) -> None:
        for widget in widgets:
            if isinstance(widget, QWidget):
                for shown in (widget, *widget.findChildren(QWidget)):
                    if shown.isVisible():
                        self.seen.add(type(shown).__name__)
                for where, text in walk(widget):
                    self.check(f"{context}: {where}", text)

    def texts(self, texts: Iterable[str], context: str) -> None:
        for text in texts:
            self.check(context, text)

    def report(self) -> str:
        lines = []
        for text, places in sorted(self.found.items()):
            words = ", ".join(sorted(set(english_in(text))))
            lines.append(f"- {text!r} [{words}] in {sorted(places)[0]}")
        return f"{len(lines)} English texts in the German UI:\n" + "\n".join(lines)


class MenuCatcher:
    """Keeps every QMenu the app pops up (instead of showing or running it)."""

    def __init__(self, monkeypatch: Any) -> None:
        self.menus: list[QMenu] = []
        catcher = self

        def popup(menu: QMenu, *_args: Any, **_kw: Any) -> None:
            catcher.menus.append(menu)

        def exec_(menu: QMenu, *_args: Any, **_kw: Any) -> None:
            catcher.menus.append(menu)
            return None

        monkeypatch.setattr(QMenu, "popup", popup)
        monkeypatch.setattr(QMenu, "exec", exec_)
