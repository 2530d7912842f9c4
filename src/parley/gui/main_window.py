"""The main window: accounts with their registration state, the search field that
finds contacts and calls and dials what is typed, contacts / favourites / recent
calls, the dial keypad, the settings button and the status bar on the left; the call
window (details of a party, or the calls in progress) on the right.

Compact mode shows only the left part; the call window opens for calls and closes
again after them. "Collapse on hangup" closes it after the last call also outside
compact mode (until it is opened again from the status bar).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from parley.app.contact_sources import ContactSourceChanged
from parley.app.events import HistoryAdded, SettingsApplied
from parley.app.updates import UpdateChecked
from parley.contacts.model import Contact, initials
from parley.contacts.numbers import is_dialable, is_sip_address
from parley.contacts.registry import ListedContact
from parley.gui import icons, widgets
from parley.gui.account_list import AccountList, DialPad
from parley.gui.address_book import add_contact_actions
from parley.gui.bridge import EngineBridge
from parley.gui.call_bar import ActiveCallBar
from parley.gui.call_control import PartyList
from parley.gui.call_menu import CallPanel
from parley.gui.call_window import CallWindow
from parley.gui.contact_editor import ContactEditor
from parley.gui.csv_import_dialog import CsvImportDialog
from parley.gui.emergency import EmergencyWarning
from parley.gui.features import Features
from parley.gui.i18n import N_, tr
from parley.gui.missed_calls import MissedCalls
from parley.gui.shortcuts import install_shortcuts
from parley.gui.source_contacts import (
    Refiner,
    listed_contacts,
    more_hints,
    outgoing_account,
    remote_row,
)
from parley.gui.source_display import add_source_choice
from parley.gui.status_bar import StatusBar
from parley.gui.texts import (
    call_end_text,
    phone_error_detail,
    phone_error_text,
    problem_detail,
    problem_text,
    setting_name,
)
from parley.gui.theme import apply_theme
from parley.gui.tray import Tray
from parley.gui.update_notice import update_notice
from parley.gui.widgets import (
    EntryRow,
    format_when,
    format_when_full,
    tool_button,
)
from parley.history.db import StoreError
from parley.history.model import HistoryEntry
from parley.phone.events import AccountStateChanged, CallStateChanged, PhoneError, PhoneEvent
from parley.settings.model import GuiSettings

log = logging.getLogger(__name__)

LEFT_WIDTH = 360
RIGHT_WIDTH = 420
CONTACTS, FAVOURITES, RECENT = 0, 1, 2
VIEWS = (N_("Contacts"), N_("Favourites"), N_("Recent"))
RECENT_LIMIT = 200
STATUS_MESSAGE_MS = 30_000  # how long the status bar keeps what it said of a call


class MainWindow(QMainWindow):
    """Parley's window. Give it the Application and its EngineBridge; it follows the
    bridge's events and starts nothing itself."""

    quit_requested = Signal()

    def __init__(self, bridge: EngineBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.application = bridge.application
        self.setWindowTitle("Parley")
        self.setWindowIcon(icons.icon("app"))
        self._really_quit = False
        self._collapsed = False
        self._open_width = 0  # the window's width before the call window closed
        self._shown_once = False
        self._known_calls: set[int] = set()
        self.last_incoming_actions: list[str] = []
        self.last_menu: QMenu | None = None  # the last context menu shown (tests use it)
        self._pending_rows: list[tuple[QListWidgetItem, EntryRow]] = []
        self._remote: dict[int, ListedContact] = {}  # other sources' contacts in the list
        self.refiner = Refiner(self)  # LDAP: the server completes what the cache found
        self.refiner.found.connect(self._refined)

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        body = QHBoxLayout()
        body.setSpacing(0)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)

        # --- left: accounts, search, lists, keypad
        self.left = QWidget()
        self.left.setFixedWidth(LEFT_WIDTH)
        left = QVBoxLayout(self.left)
        left.setContentsMargins(10, 10, 10, 6)
        top = QHBoxLayout()
        self.account_list = AccountList(self.application)
        top.addWidget(self.account_list, 1)
        self.settings_button = tool_button("settings", tr("Settings"))
        top.addWidget(self.settings_button, 0, Qt.AlignmentFlag.AlignTop)
        left.addLayout(top)

        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search or dial a number"))
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icons.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        left.addWidget(self.search)
        # The manual's warning, as soon as an emergency number is typed (gui/emergency.py).
        self.emergency_warning = EmergencyWarning()
        left.addWidget(self.emergency_warning)

        switch = QHBoxLayout()
        self.views = QTabBar()
        self.views.setExpanding(True)
        self.views.setUsesScrollButtons(False)
        self.views.setDrawBase(False)
        for label in VIEWS:
            self.views.addTab(tr(label))
        switch.addWidget(self.views, 1)
        self.more_button = tool_button("more", tr("More"), size=18)
        switch.addWidget(self.more_button)
        self.add_contact_button = tool_button("add", tr("Add contact"), size=18)
        switch.addWidget(self.add_contact_button)
        left.addLayout(switch)

        self.entry_list = PartyList()  # contacts and calls can be dropped on a call
        self.entry_list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.entry_list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        left.addWidget(self.entry_list, 1)
        self.empty_label = QLabel()
        self.empty_label.setEnabled(False)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        left.addWidget(self.empty_label)

        # Compact mode: a small action bar for the selected entry.
        self.compact_bar = QFrame()
        self.compact_bar.setFrameShape(QFrame.Shape.StyledPanel)
        bar = QHBoxLayout(self.compact_bar)
        bar.setContentsMargins(4, 2, 4, 2)
        self.compact_call = tool_button("call", tr("Call"))
        self.compact_edit = tool_button("edit", tr("Edit contact"))
        self.compact_close = tool_button("not_registered", tr("Close"), size=14)
        self.compact_name = widgets.ElidedLabel()  # a long name ends in "…", never widens
        bar.addWidget(self.compact_name, 1)
        for button in (self.compact_call, self.compact_edit, self.compact_close):
            bar.addWidget(button)
        self.compact_bar.setVisible(False)
        left.addWidget(self.compact_bar)

        self.keypad_button = QPushButton(icons.icon("keypad"), tr("Keypad"))
        self.keypad_button.setCheckable(True)
        left.addWidget(self.keypad_button)
        self.dialpad = DialPad(self.search)
        self.dialpad.setVisible(False)
        left.addWidget(self.dialpad)
        body.addWidget(self.left)

        # --- right: the call window (details, or the calls in progress)
        self.right = QStackedWidget()
        self.right.setMinimumWidth(RIGHT_WIDTH)
        self.welcome = QLabel(tr("Pick a contact or a call, or type a number and press Enter."))
        self.welcome.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.welcome.setWordWrap(True)
        self.welcome.setEnabled(False)
        self.call_window = CallWindow(self.application)
        self.call_panel = CallPanel(bridge)
        self.call_bar = ActiveCallBar(self.call_panel)
        left.insertWidget(left.indexOf(self.search) + 1, self.call_bar)
        for page in (self.welcome, self.call_window, self.call_panel):
            self.right.addWidget(page)
        separator = QFrame()
        separator.setFrameShape(QFrame.Shape.VLine)
        separator.setFrameShadow(QFrame.Shadow.Sunken)
        self.separator = separator
        body.addWidget(separator)
        body.addWidget(self.right, 1)

        self.status = StatusBar(bridge)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        outer.addWidget(line)
        outer.addWidget(self.status)

        self.tray = Tray(self)

        # --- wiring
        bridge.event.connect(self.on_event)
        bridge.command_failed.connect(self.status.add_error)
        self.search.textChanged.connect(self.refresh_list)
        self.search.textChanged.connect(self.emergency_warning.show_for)
        self.search.returnPressed.connect(self.dial_typed)
        self.search.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.search.customContextMenuRequested.connect(self._search_menu)
        self.views.currentChanged.connect(self.refresh_list)
        self.entry_list.itemSelectionChanged.connect(self._selection_changed)
        self.entry_list.itemDoubleClicked.connect(self._double_clicked)
        self.entry_list.customContextMenuRequested.connect(self._context_menu)
        self.add_contact_button.clicked.connect(lambda: self.open_contact_editor(None))
        self.more_button.clicked.connect(self._more_menu)
        self.settings_button.clicked.connect(lambda: self.open_settings(""))
        self.keypad_button.toggled.connect(self.dialpad.setVisible)
        self.dialpad.dial_button.clicked.connect(self.dial_typed)
        self.compact_call.clicked.connect(self._compact_call)
        self.compact_edit.clicked.connect(self._compact_edit)
        self.compact_close.clicked.connect(self._compact_close)
        self.call_window.dial_requested.connect(self.dial)
        self.call_window.edit_requested.connect(self.open_contact_editor)
        self.call_window.delete_entry_requested.connect(self.delete_entry)
        self.call_window.delete_contact_requested.connect(self.delete_contact)
        self.call_window.favourite_toggled.connect(self.set_favourite)
        self.call_panel.calls_ended.connect(self._calls_ended)
        self.call_panel.calls_shown.connect(self.call_bar.refresh)
        self.status.settings_requested.connect(self.open_settings)
        self.status.compact_toggled.connect(self.set_call_window_closed)
        self.status.voicemail_requested.connect(lambda ext, acc: self.dial(ext, acc))
        self.tray.notice.connect(self.status.show_message)
        self.tray.quit_requested.connect(self.quit)
        QShortcut(QKeySequence("Ctrl+L"), self, self.search.setFocus)
        QShortcut(
            QKeySequence(Qt.Key.Key_Delete),
            self.entry_list,
            self.delete_selected,
            Qt.ShortcutContext.WidgetShortcut,
        )

        self.features = Features(self)  # presence, BLF, voicemail counts, chat
        # The count of missed calls not seen yet (Recent tab, status bar, tray).
        self.missed_calls = MissedCalls(self, RECENT, VIEWS[RECENT])
        self.shortcuts = install_shortcuts(self)  # keys, help view (F1), screen readers
        self.apply_gui_settings()
        self.refresh_list()
        self.call_panel.update_calls(self.application.list_calls())
        self._update_right()

    def phone_started(self) -> None:
        """The phone runs (`run_gui` calls this): from now on a transfer request set to
        "ask" asks the person in a dialog (the console has nobody to ask: it accepts)."""
        self.bridge.run(self.application.transfers.set_asking(True))

    # ------------------------------------------------------------------ settings

    @property
    def gui(self) -> GuiSettings:
        return self.application.settings.gui

    def apply_gui_settings(self) -> None:
        """Theme, always-on-top, compact mode and list filters from the settings."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, self.gui.theme)
        self.tray.apply(self.gui)
        self.status.refresh()
        self._update_right()

    def open_settings(self, page: str = "") -> None:
        """Open the settings dialog (at `page`, e.g. "media"); when this build has
        none, say so."""
        try:
            from parley.gui.settings_dialog import SettingsDialog
        except ImportError:
            widgets.inform(self, tr("Settings"), tr("The settings are not available yet."))
            return
        dialog = SettingsDialog(self.application, self)
        if page:
            try:
                dialog.select_page(page)
            except KeyError:
                log.info("the settings have no page %r", page)
        dialog.finished.connect(lambda _code: self._settings_closed())
        dialog.open()
        self.settings_dialog = dialog

    def _settings_closed(self) -> None:
        self.account_list.refresh()
        self.apply_gui_settings()
        self.refresh_list()

    def save_gui(self, **changes: object) -> None:
        """Change GUI settings and save them (applied at once)."""
        new = self.application.settings.model_copy(deep=True)
        for key, value in changes.items():
            setattr(new.gui, key, value)
        try:
            self.bridge.run(self.application.update_settings(new))
        except Exception as exc:  # ConfigError: cannot be saved
            self.status.add_error(problem_text(exc), problem_detail(exc))
        self.apply_gui_settings()

    # ------------------------------------------------------------------ events

    def on_event(self, event: PhoneEvent) -> None:
        if isinstance(event, AccountStateChanged):
            self.account_list.refresh()
        elif isinstance(event, CallStateChanged):
            self._call_changed(event)
        elif isinstance(event, PhoneError):
            self.status.add_error(phone_error_text(event), phone_error_detail(event))
        elif isinstance(event, HistoryAdded):
            self._history_added(event)
        elif isinstance(event, UpdateChecked) and update_notice(event):
            self.status.show_message(update_notice(event))
        elif isinstance(event, ContactSourceChanged) and event.state == "ok":
            if self.views.currentIndex() == CONTACTS or self.search.text().strip():
                self.refresh_list()  # a source brought new contacts
        elif isinstance(event, SettingsApplied):
            self.account_list.refresh()
            self.apply_gui_settings()
            self.refresh_list()
            if event.restart_needed:
                self.status.show_message(
                    tr(
                        "Some changes take effect at the next start: {names}",
                        names=", ".join(setting_name(key) for key in event.restart_needed),
                    )
                )

    def _call_changed(self, event: CallStateChanged) -> None:
        calls = self.application.list_calls()
        self.call_panel.update_calls(calls)
        if event.state != "ended" and event.call not in self._known_calls:
            self._known_calls.add(event.call)
            if event.direction == "incoming":
                self.status.clear_message()  # nothing said of an earlier call lingers
            if event.direction == "incoming" and event.state == "incoming":
                info = next((c for c in calls if c.id == event.call), None)
                name = info.shown_name if info else (event.remote_name or event.remote)
                self.last_incoming_actions = self.tray.incoming_call(
                    self.gui, name, info.number if info else ""
                )
        if event.state == "ended":
            self._known_calls.discard(event.call)
            if event.status and event.status >= 400 and event.direction == "outgoing":
                self.status.show_message(
                    tr(
                        "Call to {who} failed: {text}",
                        who=event.remote,
                        text=call_end_text(event),
                    ),
                    STATUS_MESSAGE_MS,  # the call view says it too; the bar forgets it
                )
        if calls:
            self._collapsed = False
            if event.state == "connected":
                self.status.show_message("")
                self.call_panel.setFocus()
        self._update_right()

    def _calls_ended(self) -> None:
        if self.gui.collapse_on_hangup or self.gui.compact_mode:
            self._collapsed = True
        self._update_right()

    def _history_added(self, event: HistoryAdded) -> None:
        note = self.call_panel.controls.notes.get(event.call) if event.call is not None else None
        if note is not None:  # forwarded, auto answered…: shown with the entry
            self.call_window.notes[event.entry_id] = note
        if self.views.currentIndex() == RECENT or self.search.text().strip():
            self.refresh_list()
        if not self.application.list_calls():
            entry = self.application.history.get(event.entry_id)
            if entry is not None:
                entry = replace(entry, contact_name=self._contact_name(entry.number))
                self.call_window.show_entry(entry)
                if not self.call_panel.in_use:  # else after the ended call's notice
                    self.right.setCurrentWidget(self.call_window)
                self._update_right()

    def _contact_name(self, number: str) -> str | None:
        return self.application.directory.contact_name(number)  # every source

    # ------------------------------------------------------------------ right side

    @property
    def right_visible(self) -> bool:
        return not self.right.isHidden()

    def _update_right(self) -> None:
        has_calls = self.call_panel.in_use  # calls, or the last one's end still shown
        chatting = self.features.chatting  # a chat opens the call window, as a call does
        if has_calls and not chatting:
            self.right.setCurrentWidget(self.call_panel)
        elif self.right.currentWidget() is self.call_panel:
            shown = self.call_window.entry is not None or self.call_window.contact is not None
            self.right.setCurrentWidget(self.call_window if shown else self.welcome)
        closed = not has_calls and not chatting and (self.gui.compact_mode or self._collapsed)
        was_visible = self.right_visible
        if was_visible and closed and self.isVisible():
            self._open_width = self.width()  # given back when the call window opens again
        self.right.setVisible(not closed)
        self.separator.setVisible(not closed)
        self.status.set_call_window_closed(closed)
        self.compact_bar.setVisible(closed and bool(self.entry_list.selectedItems()))
        if was_visible != (not closed):
            # Compact mode, "<" and collapse on hangup are one idea: the window is as wide
            # as what it shows — the left column alone, or both with the call window.
            self._fit_width()

    def _fit_width(self) -> None:
        """Shrink the window to the left column while the call window is closed; give it
        its width from before (at least room for both) when it opens."""
        if self.isMaximized() or self.isFullScreen():
            return
        central = self.centralWidget()
        # Lay out now: the minimum width without the hidden call window (or with it).
        for layout in (central.layout() if central else None, self.layout()):
            if layout is not None:
                layout.activate()
        least = self.minimumSizeHint().width()
        if self.right_visible:
            width = max(self._open_width, least, LEFT_WIDTH + RIGHT_WIDTH + 2)
        else:
            width = least
        self.resize(width, self.height())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.right_visible and not self._shown_once:
            # Started in compact mode: the size given before showing is for both parts.
            self._open_width = self._open_width or self.width()
            self._fit_width()
        self._shown_once = True

    def set_call_window_closed(self, closed: bool) -> None:
        """The status bar's < / > button: close the call window for now, or open it."""
        if closed:
            self._collapsed = True
        else:
            self._collapsed = False
            if self.gui.compact_mode:
                self.save_gui(compact_mode=False)
        self._update_right()

    def set_compact(self, on: bool) -> None:
        """Switch compact mode (a saved setting)."""
        self._collapsed = on
        self.save_gui(compact_mode=on)
        self._update_right()

    # ------------------------------------------------------------------ lists

    def current_view(self) -> int:
        return self.views.currentIndex()

    def refresh_list(self) -> None:
        """Fill the list for the view and the search text."""
        text = self.search.text().strip()
        view = self.views.currentIndex()
        selected = self.selected_key()
        # Widgets out first, from the end: clear() with item widgets in takes time
        # growing with the square of the rows (a large address book took seconds).
        for index in range(self.entry_list.count() - 1, -1, -1):
            self.entry_list.removeItemWidget(self.entry_list.item(index))
        self.entry_list.clear()
        gui = self.gui
        contacts: list[Contact] = []
        entries: list[HistoryEntry] = []
        self._remote = {}
        try:
            if view == FAVOURITES:
                contacts = self.application.contacts.list(
                    search=text,
                    favourites_only=True,
                    hide_without_name=gui.hide_contacts_without_name,
                    hide_without_number=gui.hide_contacts_without_number,
                )
            elif view == CONTACTS or text:  # every source's contacts (#10)
                for listed in listed_contacts(self.application, text, gui):
                    if listed.local:
                        contacts.append(listed.contact)
                    else:
                        self._remote[len(self._remote)] = listed
            if view == RECENT or text:
                entries = self.application.history_entries(
                    search=text, limit=RECENT_LIMIT if not text else 50
                )
        except StoreError as exc:
            self.status.add_error(problem_text(exc), problem_detail(exc))
        found = bool(contacts or self._remote)
        if text and found and entries:
            self._section(tr("Contacts"))
        for contact in contacts:
            self._add_contact_item(contact)
        for index, listed in self._remote.items():
            self._add_row(("remote", index), remote_row(listed, not self.gui.hide_avatars))
        for hint in more_hints(self.application, self._remote.values(), text, gui):
            self._section(hint)  # a remote source's contacts beyond the list's limit
        if text and found and entries:
            self._section(tr("Recent calls"))
        for entry in entries:
            self._add_entry_item(entry)
        self._place_pending_rows()
        if text and view != FAVOURITES:
            self.refiner.ask(self.application, text)
        self._restore_selection(selected)
        self.features.decorate(self.items())
        if text and not self.entry_list.selectedItems():
            self._clear_details()
        if self.entry_list.count():
            self.empty_label.setVisible(False)
        else:
            self.empty_label.setVisible(True)
            if text:
                self.empty_label.setText(
                    tr("Nothing found. Press Enter to dial {text}.", text=text)
                )
            elif view == RECENT:
                self.empty_label.setText(tr("No calls yet."))
            elif view == FAVOURITES:
                self.empty_label.setText(tr("No favourites yet: mark a contact with the star."))
            else:
                self.empty_label.setText(tr("No contacts yet: add one with +."))

    def _refined(self, source_id: str, text: str, contacts: list[Contact]) -> None:
        """A searching source's server answered: add what the cache did not have."""
        if self.search.text().strip() != text:
            return  # the person typed on
        shown = self._remote.values()
        for listed in Refiner.new_ones(self.application, source_id, contacts, shown):
            index = len(self._remote)
            self._remote[index] = listed
            self._add_row(("remote", index), remote_row(listed, not self.gui.hide_avatars))
        self._place_pending_rows()
        self.empty_label.setVisible(not self.entry_list.count())

    def _clear_details(self) -> None:
        """A search that does not find the party shown: stale details go (a call in
        progress stays in front)."""
        if self.call_window.contact is None and self.call_window.entry is None:
            return
        self.call_window.clear()
        if self.right.currentWidget() is self.call_window:
            self.right.setCurrentWidget(self.welcome)
        self.compact_bar.setVisible(False)

    def _section(self, title: str) -> None:
        item = QListWidgetItem(title)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        font = item.font()
        font.setBold(True)
        item.setFont(font)
        self.entry_list.addItem(item)

    def _add_contact_item(self, contact: Contact) -> None:
        number = contact.numbers[0].number if contact.numbers else ""
        if len(contact.numbers) > 1:
            number += "  " + tr("(+{count} more)", count=len(contact.numbers) - 1)
        row = EntryRow(
            contact.name,
            number,
            picture=contact.avatar,
            initials=initials(contact),
            favourite=contact.favourite,
            show_avatar=not self.gui.hide_avatars,
        )
        self._add_row(("contact", contact.id), row)

    def _add_entry_item(self, entry: HistoryEntry) -> None:
        contact = self.application.contact_for_number(entry.number) if entry.contact_name else None
        row = EntryRow(
            entry.shown_name,
            entry.number,
            picture=contact.avatar if contact else None,
            call_type=entry.type,
            when=format_when(entry.start),
            when_tip=format_when_full(entry.start),
            show_avatar=not self.gui.hide_avatars,
        )
        self._add_row(("entry", entry.id), row)

    def _place_pending_rows(self) -> None:
        # Widgets only once every item is in: a QListWidget with item widgets re-lays
        # them all out on each addItem (an imported address book took minutes).
        for item, row in self._pending_rows:
            self.entry_list.setItemWidget(item, row)
        self._pending_rows.clear()

    def _add_row(self, key: tuple[str, int | None], row: EntryRow) -> None:
        item = QListWidgetItem()
        item.setData(Qt.ItemDataRole.UserRole, key)
        item.setSizeHint(row.sizeHint())
        item.setToolTip(row.name_label.text())
        self.entry_list.addItem(item)
        self._pending_rows.append((item, row))  # set by refresh_list after the items

    def items(self) -> list[tuple[str, int, EntryRow]]:
        """(kind, id, row widget) of every entry in the list, top to bottom."""
        out = []
        for index in range(self.entry_list.count()):
            item = self.entry_list.item(index)
            key = item.data(Qt.ItemDataRole.UserRole)
            if key:
                row = self.entry_list.itemWidget(item)
                assert isinstance(row, EntryRow)
                out.append((key[0], int(key[1]), row))
        return out

    def selected_key(self) -> tuple[str, int] | None:
        items = self.entry_list.selectedItems()
        if not items:
            return None
        key = items[0].data(Qt.ItemDataRole.UserRole)
        return (key[0], int(key[1])) if key else None

    def _restore_selection(self, key: tuple[str, int] | None) -> None:
        if key is None:
            return
        for index in range(self.entry_list.count()):
            item = self.entry_list.item(index)
            data = item.data(Qt.ItemDataRole.UserRole)
            if data and (data[0], int(data[1])) == key:
                item.setSelected(True)
                return

    def select(self, kind: str, item_id: int) -> None:
        """Select an entry of the list (as a click would)."""
        self.entry_list.clearSelection()
        for index in range(self.entry_list.count()):
            item = self.entry_list.item(index)
            data = item.data(Qt.ItemDataRole.UserRole)
            if data and data[0] == kind and int(data[1]) == item_id:
                self.entry_list.setCurrentItem(item)
                item.setSelected(True)
                return
        raise KeyError((kind, item_id))

    def _selection_changed(self) -> None:
        key = self.selected_key()
        if key is None:
            self.compact_bar.setVisible(False)
            return
        kind, item_id = key
        if kind == "remote":  # another source's contact: read-only
            listed = self._remote[item_id]
            account = outgoing_account(self.application, listed.source_id)
            self.call_window.show_contact(listed.contact, listed.source_name, account)
            self.compact_name.setText(listed.contact.name)
        elif kind == "contact":
            contact = self.application.contacts.get(item_id)
            if contact is None:
                return
            account = outgoing_account(self.application, "local")
            self.call_window.show_contact(contact, account=account)
            self.compact_name.setText(contact.name)
        else:
            found = self.application.history.get(item_id)
            if found is None:
                return
            found = replace(found, contact_name=self._contact_name(found.number))
            self.call_window.show_entry(found)
            self.compact_name.setText(found.shown_name)
        # The compact bar's edit button says what the call window's does ("Add to contacts"
        # for an unknown number).
        self.compact_edit.setVisible(kind != "remote")  # other sources are read-only
        self.compact_edit.setToolTip(self.call_window.edit_button.toolTip())
        self.compact_edit.setAccessibleName(self.call_window.edit_button.toolTip())
        if not self.call_panel.calls:
            self.call_panel.dismiss_ended()  # the person looks at something else now
            self.right.setCurrentWidget(self.call_window)
        self._update_right()

    def _double_clicked(self, _item: QListWidgetItem) -> None:
        self._compact_call()

    # ------------------------------------------------------------------ compact bar

    def _compact_call(self) -> None:
        numbers = self.call_window.numbers()
        entry = self.call_window.entry
        account = entry.account if entry else self.call_window.contact_account
        if len(numbers) == 1:
            self.dial(numbers[0].number, account)
        elif numbers:
            menu = self.call_window.number_menu(numbers, account)
            menu.popup(self.compact_call.mapToGlobal(QPoint(0, self.compact_call.height())))

    def _compact_edit(self) -> None:
        self.call_window._edit()

    def _compact_close(self) -> None:
        self.entry_list.clearSelection()
        self.compact_bar.setVisible(False)

    # ------------------------------------------------------------------ dialling

    def dial_typed(self) -> None:
        """Enter in the search field (or Dial on the keypad): call what is typed; a name
        that finds exactly one contact calls that contact's first number."""
        text = self.search.text().strip()
        if not text:
            return
        target = text
        if not (
            is_dialable(text)
            or is_sip_address(text)
            or text.lower().startswith(("sip:", "sips:", "tel:"))
        ):
            contacts = self.application.contacts.list(search=text)
            with_numbers = [c for c in contacts if c.has_number]
            if len(with_numbers) == 1:
                target = next(n.number for n in with_numbers[0].numbers if n.number)
        self.dial(target, "")
        self.search.clear()

    def dial(self, target: str, account: str = "") -> None:
        self.status.show_message(tr("Calling {target}…", target=target))

        def failed(exc: BaseException) -> None:
            self.status.add_error(
                tr("Cannot call {target}: {error}", target=target, error=problem_text(exc)),
                problem_detail(exc),
            )
            # Said where the person looks for the call, not only in the status bar.
            self.call_panel.show_dial_failure(target, account, str(exc))
            self._update_right()

        self.bridge.run(self.application.dial(target, account or None), None, failed)

    def intercom_account(self, preferred: str = "") -> str | None:
        """The account to place an intercom call from: `preferred` when it has an
        intercom prefix, else the first enabled account that has one (None: no intercom)."""
        with_prefix = [
            a.name for a in self.application.settings.accounts if a.enabled and a.intercom_prefix
        ]
        if preferred in with_prefix:
            return preferred
        return with_prefix[0] if with_prefix else None

    def intercom(self, target: str, account: str = "") -> None:
        """Call `target` as an intercom call (the account's intercom prefix before it)."""
        chosen = self.intercom_account(account)
        if chosen is None or not target:
            return
        self.status.show_message(tr("InterCom call to {target}…", target=target))

        def failed(exc: BaseException) -> None:
            self.status.add_error(
                tr("Cannot call {target}: {error}", target=target, error=problem_text(exc)),
                problem_detail(exc),
            )

        self.bridge.run(self.application.dial(target, chosen, intercom=True), None, failed)

    def _search_menu(self, pos: QPoint) -> None:
        """The dial field's menu: Qt's editing actions and an intercom call to what is typed."""
        menu = self.search.createStandardContextMenu()
        menu.addSeparator()
        self._add_intercom_action(menu, lambda: self.search.text().strip())
        menu.popup(self.search.mapToGlobal(pos))
        self.last_menu = menu

    def _add_intercom_action(
        self, menu: QMenu, target: Callable[[], str], account: str = ""
    ) -> None:
        action = menu.addAction(icons.icon("call"), tr("InterCom call"))
        action.setEnabled(self.intercom_account(account) is not None and bool(target()))
        if self.intercom_account(account) is None:
            action.setToolTip(tr("No account has an InterCom prefix"))
        action.triggered.connect(lambda: self.intercom(target(), account))

    # ------------------------------------------------------------------ contacts and history

    def open_contact_editor(self, contact: Contact | None) -> ContactEditor:
        """Open the contact editor (not modal for the event loop: calls go on)."""
        editor = ContactEditor(self.application.contacts, contact, self)
        editor.finished.connect(lambda _code: self._editor_closed(editor))
        editor.open()
        self.contact_editor = editor
        return editor

    def open_csv_import(self) -> CsvImportDialog:
        """The manual's "Import contacts" (not modal: calls go on during a long import)."""
        dialog = CsvImportDialog(self.application.contacts, self)
        dialog.imported.connect(lambda _count: self.refresh_list())
        dialog.show()
        self.csv_import_dialog = dialog
        return dialog

    def _editor_closed(self, editor: ContactEditor) -> None:
        self.refresh_list()
        if editor.saved is not None and editor.saved.id is not None:
            if self.call_window.entry is not None:
                self.call_window.show_entry(self.call_window.entry)
            else:
                self.call_window.show_contact(editor.saved)
            if self.views.currentIndex() != RECENT:
                self._restore_selection(("contact", editor.saved.id))
        elif editor.deleted:
            self.call_window.contact = None
            self.right.setCurrentWidget(self.welcome)

    def delete_entry(self, entry_id: int) -> None:
        if not widgets.ask(self, tr("Delete call"), tr("Delete this call from the history?")):
            return
        self.application.history.delete(entry_id)
        self.call_window.entry = None
        self.right.setCurrentWidget(self.welcome)
        self.refresh_list()

    def delete_contact(self, contact_id: int) -> None:
        contact = self.application.contacts.get(contact_id)
        if contact is None:
            return
        if not widgets.ask(
            self, tr("Delete contact"), tr("Delete {name} from the contacts?", name=contact.name)
        ):
            return
        self.application.contacts.delete(contact_id)
        self.call_window.contact = None
        self.right.setCurrentWidget(self.welcome)
        self.refresh_list()

    def delete_selected(self) -> None:
        """Delete the selected history entries (the Delete key in the recent calls)."""
        ids = [
            int(item.data(Qt.ItemDataRole.UserRole)[1])
            for item in self.entry_list.selectedItems()
            if item.data(Qt.ItemDataRole.UserRole)
            and item.data(Qt.ItemDataRole.UserRole)[0] == "entry"
        ]
        if not ids:
            return
        if not widgets.ask(
            self, tr("Delete calls"), tr("Delete {count} calls from the history?", count=len(ids))
        ):
            return
        self.application.history.delete_many(ids)
        self.refresh_list()

    def clear_history(self) -> None:
        if not widgets.ask(self, tr("Delete all calls"), tr("Delete the whole call history?")):
            return
        self.application.history.clear()
        self.call_window.entry = None
        self.refresh_list()

    def set_favourite(self, contact_id: int, on: bool) -> None:
        self.application.contacts.set_favourite(contact_id, on)
        contact = self.application.contacts.get(contact_id)
        if contact is not None and self.call_window.entry is None:
            self.call_window.show_contact(contact)
        elif self.call_window.entry is not None:
            self.call_window.show_entry(self.call_window.entry)
        self.refresh_list()

    def _context_menu(self, pos: QPoint) -> None:
        item = self.entry_list.itemAt(pos)
        key = item.data(Qt.ItemDataRole.UserRole) if item else None
        if not key:
            return
        menu = QMenu(self)
        kind, item_id = key[0], int(key[1])
        menu.addAction(icons.icon("call"), tr("Call"), self._compact_call)
        numbers = self.call_window.numbers()
        entry = self.call_window.entry
        self._add_intercom_action(
            menu,
            lambda: numbers[0].number if numbers else "",
            entry.account if entry is not None else "",
        )
        self.call_panel.controls.party_actions(menu, kind, item_id)  # during calls
        self.features.context_actions(menu, kind, item_id)
        if kind == "contact":
            menu.addAction(icons.icon("edit"), tr("Edit contact"), self._compact_edit)
            menu.addAction(
                icons.icon("delete"), tr("Delete contact"), lambda: self.delete_contact(item_id)
            )
        elif kind == "entry":
            entry = self.application.history.get(item_id)
            known = entry is not None and self._contact_name(entry.number) is not None
            menu.addAction(
                icons.icon("edit"),
                tr("Edit contact") if known else tr("Add to contacts"),
                self._compact_edit,
            )
            if len(self.entry_list.selectedItems()) > 1:
                menu.addAction(
                    icons.icon("delete"), tr("Delete selected calls"), self.delete_selected
                )
            else:
                menu.addAction(
                    icons.icon("delete"),
                    tr("Delete from the history"),
                    lambda: self.delete_entry(item_id),
                )
        menu.popup(self.entry_list.viewport().mapToGlobal(pos))
        self.last_menu = menu

    def more_menu(self) -> QMenu:
        menu = QMenu(self)
        gui = self.gui
        # No "hide contacts without name / number" here: local contacts always have both
        # (see settings_fields.py); the filters return with contact sources that do not.
        if self.views.currentIndex() == RECENT:
            menu.addAction(icons.icon("delete"), tr("Delete all calls"), self.clear_history)
            menu.addAction(tr("Delete selected calls"), self.delete_selected)
            menu.addSeparator()
        menu.addAction(icons.icon("add"), tr("Import contacts…"), self.open_csv_import)
        add_contact_actions(menu, self)  # address book, export (gui/address_book.py)
        add_source_choice(menu, self)  # which sources the list shows (gui/source_display.py)
        menu.addSeparator()
        compact = menu.addAction(tr("Compact mode"))
        compact.setCheckable(True)
        compact.setChecked(gui.compact_mode)
        compact.toggled.connect(self.set_compact)
        menu.addAction(tr("Keyboard shortcuts") + "\tF1", self.shortcuts.show_help)
        return menu

    def _more_menu(self) -> None:
        self.more_menu().popup(self.more_button.mapToGlobal(QPoint(0, self.more_button.height())))

    # ------------------------------------------------------------------ window behaviour

    def changeEvent(self, event: QEvent) -> None:
        if (
            event.type() == QEvent.Type.WindowStateChange
            and self.isMinimized()
            and self.tray.can_hide_to_tray(self.gui)
        ):
            QTimer.singleShot(0, self, self.hide)
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._really_quit and self.gui.minimise_on_close:
            event.ignore()
            if self.tray.can_hide_to_tray(self.gui):
                self.hide()
            else:
                self.showMinimized()
            return
        event.accept()
        self.quit_requested.emit()

    def quit(self) -> None:
        """Close for real (tray menu Quit, or the window's close without
        minimise-on-close)."""
        self._really_quit = True
        self.close()
