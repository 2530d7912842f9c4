"""The settings dialog's Contacts page: the list of contact sources (add, rename,
delete, enable) and, for the chosen one, its access data, the accounts used for its
contacts, its filters, the LDAP attribute mapping, and its synchronisation state with a
"Synchronise now" button.

The built-in source (Parley's own contacts) cannot be renamed or deleted, as the manual
says. The page edits the dialog's draft settings; passwords wait in `pending_passwords`
until the dialog saves (they go to the keyring, never into the settings file).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any

from pydantic import SecretStr, ValidationError
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from parley.app import Application
from parley.app.contact_sources import ContactSourceChanged
from parley.contacts.source import SourceKind, SourceStatus, SyncState
from parley.gui import widgets
from parley.gui.bridge import EngineBridge
from parley.gui.carddav_books import BooksBox
from parley.gui.i18n import N_, tr
from parley.gui.outlook_fields import OutlookFields
from parley.gui.settings_pages import scroll_page, words_match
from parley.gui.source_signin import SIGN_IN_AGAIN, SignInBox
from parley.settings.contact_sources import (
    KIND_KEYS,
    WITH_PASSWORD,
    ContactSourceSettings,
    delete_source_password,
    get_source_password,
    set_source_password,
)
from parley.settings.model import Settings
from parley.settings.secrets import SecretStoreError

log = logging.getLogger(__name__)

# The kinds a person can add here (those Parley can fetch), with their names.
KIND_NAMES: dict[SourceKind, str] = {
    SourceKind.LOCAL: N_("Parley contacts"),
    SourceKind.XML_PHONEBOOK: N_("XML phone book"),
    SourceKind.WINDOWS: N_("Windows contacts"),
    SourceKind.LDAP: N_("LDAP directory"),
    SourceKind.CARDDAV: N_("CardDAV address book"),
    SourceKind.OUTLOOK: N_("Outlook contacts"),
    SourceKind.GOOGLE: N_("Google contacts"),
    SourceKind.CSV: N_("CSV file"),
}
ADDABLE = (
    SourceKind.XML_PHONEBOOK,
    SourceKind.WINDOWS,
    SourceKind.LDAP,
    SourceKind.CARDDAV,
    SourceKind.GOOGLE,
    SourceKind.OUTLOOK,
    SourceKind.CSV,
)

# Access data rows: key, label, help. Which rows show depends on the kind (KIND_KEYS).
_TEXT_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("location", N_("Local path/URL"), N_("The XML file, or its http(s) address.")),
    ("folder", N_("Folder"), N_("The folder with the .contact files.")),
    ("host", N_("Host"), N_("The LDAP server; usually the PBX's address.")),
    ("username", N_("User name"), N_("Leave empty when the phone book needs no log-in.")),
    ("bind_dn", N_("User name (bind DN)"), N_("e.g. telephoneNumber=201,dc=auerswald")),
    ("base_dn", N_("Base DN"), N_("Where to search; for Auerswald PBXs dc=auerswald.")),
    ("search_filter", N_("Search filter"), N_("Which entries are contacts.")),
    ("ca_file", N_("CA certificate file"), N_("Empty: the system's certificates.")),
    ("encoding", N_("Encoding"), N_("e.g. utf-8, utf-16, cp1252; empty: guessed.")),
    ("separator", N_("Separator"), N_("',', ';', '|' or 'tab'; empty: detected.")),
)
ATTRIBUTE_LABELS: dict[str, str] = {
    "display_name": N_("Display name"),
    "first_name": N_("First name"),
    "last_name": N_("Last name"),
    "company": N_("Company"),
    "business": N_("Business"),
    "ip_phone": N_("Work IP Phone"),
    "mobile": N_("Mobile"),
    "home": N_("Home"),
    "fax": N_("Fax"),
}
SECURITY_NAMES = {
    "none": N_("None (plain)"),
    "ldaps": N_("LDAPS (TLS from the start)"),
    "starttls": N_("StartTLS"),
}

# What went wrong, and what to do, per SourceProblem code.
PROBLEM_TEXTS: dict[str, tuple[str, str]] = {
    "unreachable": (
        N_("The server did not answer."),
        N_("Check the address and the network; Parley tries again at the next synchronisation."),
    ),
    "auth_failed": (
        N_("The server refused the user name or password."),
        N_("Check the user name and the password."),
    ),
    "tls_failed": (
        N_("The server's certificate is not trusted."),
        N_("Give the CA certificate file of the server, or check the address."),
    ),
    "not_found": (
        N_("Not found."),
        N_("Check the path or address (for LDAP: the base DN)."),
    ),
    "bad_data": (
        N_("What came back is not a phone book Parley can read."),
        N_("Check that the path or address leads to the phone book."),
    ),
    "too_large": (
        N_("The phone book is too large."),
        N_("Ask for a smaller phone book, or a search filter."),
    ),
    "unsupported": (
        N_("Parley cannot read this kind of source yet."),
        N_("Update Parley, or use another kind of source."),
    ),
}


def problem_words(problem: str, where: str = "", detail: str = "") -> str:
    """One problem of a source as a sentence with what to do."""
    if problem == "not_set_up":  # `where` is the setting still empty
        label = next((lab for key, lab, _h in _TEXT_FIELDS if key == where), where)
        return tr("Not set up yet: fill in “{field}” and save.", field=tr(label))
    if where == "sign-in" and problem == "auth_failed":  # Google, Outlook: no valid token
        return f"{tr(SIGN_IN_AGAIN)} ({detail})" if detail else tr(SIGN_IN_AGAIN)
    what, todo = PROBLEM_TEXTS.get(problem, (N_("The synchronisation failed."), N_("Try again.")))
    text = tr(what)
    extra = ", ".join(p for p in (where, detail) if p)
    if extra:
        text += f" ({extra})"
    return f"{text} {tr(todo)}"


def status_text(status: SourceStatus | ContactSourceChanged) -> str:
    """What a source's state says to a person (several lines when it failed)."""
    if isinstance(status, ContactSourceChanged):
        state = status.state
        count, synced_at = status.count, status.synced_at
        issues = list(zip(status.problems, status.wheres, status.details, strict=False))
        progress = (status.done, status.total) if status.total >= 0 else None
    else:
        state = status.state.value
        count, synced_at = status.count, status.synced_at
        issues = [(i.problem.value, i.where, i.detail) for i in status.issues]
        progress = status.progress
    when = (
        datetime.datetime.fromtimestamp(synced_at).strftime("%Y-%m-%d %H:%M") if synced_at else ""
    )
    if state == SyncState.SYNCING.value:
        if progress is not None and progress[1] > 0:
            return tr("Synchronising… {done} of {total}", done=progress[0], total=progress[1])
        return tr("Synchronising…")
    if state == SyncState.FAILED.value:
        failures = [problem_words(p, w, d) for p, w, d in issues if p != "entry_skipped"]
        head = tr("The last synchronisation failed:")
        kept = (
            tr("The contacts of {when} are still shown ({count}).", when=when, count=count)
            if when
            else tr("No contacts yet.")
        )
        return "\n".join([head, *failures, kept])
    if state == SyncState.OK.value:
        text = (
            tr("1 contact, synchronised {when}", when=when)
            if count == 1
            else tr("{count} contacts, synchronised {when}", count=count, when=when)
        )
        skipped = sum(1 for p, _w, _d in issues if p == "entry_skipped")
        if skipped:
            text += "\n" + tr("{count} entries were left out (not readable).", count=skipped)
        # Synchronised in part (e.g. a chosen address book is gone): say what was not.
        text += "".join("\n" + problem_words(p, w, d) for p, w, d in issues if p != "entry_skipped")
        return text
    return tr("Not synchronised yet.")


class ContactSourcesPage(QWidget):
    """The Contacts page of the settings dialog over `draft` (the dialog's copy)."""

    def __init__(
        self,
        application: Application,
        draft: Callable[[], Settings],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.app = application
        self._draft = draft
        self.pending_passwords: dict[str, str] = {}
        self.deleted: list[ContactSourceSettings] = []
        self._loading = False
        self.last_menu: QMenu | None = None

        self.list = QListWidget()
        self.list.setMaximumWidth(240)
        self.list.setAccessibleName(tr("Contact sources"))
        self.add_button = QPushButton(tr("Add"))
        self.rename_button = QPushButton(tr("Rename"))
        self.delete_button = QPushButton(tr("Delete"))
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.rename_button, self.delete_button):
            buttons.addWidget(b)
        left.addLayout(buttons)

        # --- access data
        self.access = QGroupBox(tr("Access data"))
        form = QFormLayout(self.access)
        self.enabled_box = QCheckBox(tr("Enable"))
        form.addRow(self.enabled_box)
        self.kind_label = QLabel()
        form.addRow(tr("Kind"), self.kind_label)
        self.fields: dict[str, QLineEdit] = {}
        self._rows: dict[str, QWidget] = {}
        for key, label, help_text in _TEXT_FIELDS:
            edit = QLineEdit()
            edit.setToolTip(tr(help_text))
            edit.setPlaceholderText(tr(help_text))
            edit.editingFinished.connect(lambda k=key: self._text_changed(k))
            self.fields[key] = edit
            form.addRow(tr(label), edit)
            self._rows[key] = edit
        self.port = QSpinBox()
        self.port.setRange(0, 65535)
        self.port.setSpecialValueText(tr("Default"))
        form.addRow(tr("Port"), self.port)
        self._rows["port"] = self.port
        self.security = QComboBox()
        for value, name in SECURITY_NAMES.items():
            self.security.addItem(tr(name), value)
        form.addRow(tr("Use TLS"), self.security)
        self._rows["security"] = self.security
        self.ignore_certificate = QCheckBox(tr("Ignore TLS certificate"))
        self.ignore_certificate.setToolTip(
            tr(
                "The data is still encrypted, but anyone on the path can pose as the server. "
                "Use only in a network you trust."
            )
        )
        form.addRow(self.ignore_certificate)
        self._rows["ignore_certificate"] = self.ignore_certificate
        self.verify_tls = QCheckBox(tr("Check the server's certificate"))
        form.addRow(self.verify_tls)
        self._rows["verify_tls"] = self.verify_tls
        self.result_limit = QSpinBox()
        self.result_limit.setRange(1, 100000)
        form.addRow(tr("Limit the number of search results to"), self.result_limit)
        self._rows["result_limit"] = self.result_limit
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(tr("Unchanged"))
        self.password.setToolTip(tr("Kept in the keyring of the system, not in the settings file."))
        self.password.editingFinished.connect(self._password_changed)
        form.addRow(tr("Password"), self.password)
        self.books = BooksBox(application, self.selected, self._password_for, self)
        form.addRow(tr("Address books"), self.books)
        self._rows["books"] = self.books
        self._form = form
        self.outgoing = QComboBox()
        self.presence = QComboBox()
        form.addRow(tr("Use this account for outgoing calls"), self.outgoing)
        form.addRow(tr("Use this account for presence"), self.presence)

        # --- filter
        self.filter = QGroupBox(tr("Filter"))
        filter_form = QVBoxLayout(self.filter)
        self.hide_without_name = QCheckBox(tr("Hide contacts without name"))
        self.hide_without_number = QCheckBox(tr("Hide contacts without phone"))
        filter_form.addWidget(self.hide_without_name)
        filter_form.addWidget(self.hide_without_number)

        # --- attributes (LDAP)
        self.attributes = QGroupBox(tr("Attribute"))
        attribute_form = QFormLayout(self.attributes)
        self.attribute_fields: dict[str, QLineEdit] = {}
        for key, label in ATTRIBUTE_LABELS.items():
            edit = QLineEdit()
            edit.editingFinished.connect(lambda k=key: self._attribute_changed(k))
            self.attribute_fields[key] = edit
            attribute_form.addRow(tr(label), edit)

        # --- synchronisation
        self.sync_box = QGroupBox(tr("Synchronisation"))
        sync_form = QFormLayout(self.sync_box)
        self.refresh = QSpinBox()
        self.refresh.setRange(0, 10080)
        self.refresh.setSuffix(" " + tr("min"))
        self.refresh.setSpecialValueText(tr("Only on demand"))
        sync_form.addRow(tr("Synchronise every"), self.refresh)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.sync_button = QPushButton(tr("Synchronise now"))
        sync_form.addRow(self.status_label)
        sync_form.addRow(self.progress)
        sync_form.addRow(self.sync_button)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.signin = SignInBox(application, self.selected, self._applied, self)
        self.outlook = OutlookFields(
            self.selected, self.pending_passwords, lambda text, error: self._say(text, error=error)
        )
        right_content = QWidget()
        right = QVBoxLayout(right_content)
        for box in (
            self.access,
            self.signin,
            self.outlook.profile_box,
            self.filter,
            self.attributes,
            self.outlook.attribute_box,
            self.sync_box,
        ):
            right.addWidget(box)
        right.addWidget(self.message)
        right.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addLayout(left)
        self.scroll_area = scroll_page(right_content)
        layout.addWidget(self.scroll_area, 1)

        self.add_button.clicked.connect(self._add_menu)
        self.rename_button.clicked.connect(self._start_rename)
        self.delete_button.clicked.connect(lambda: self.delete_source())
        self.sync_button.clicked.connect(self.sync_now)
        self.list.currentRowChanged.connect(lambda _row: self._show_selected())
        self.list.itemChanged.connect(self._item_renamed)
        self.enabled_box.toggled.connect(lambda on: self._set("enabled", on))
        self.hide_without_name.toggled.connect(lambda on: self._set("hide_without_name", on))
        self.hide_without_number.toggled.connect(lambda on: self._set("hide_without_number", on))
        self.verify_tls.toggled.connect(lambda on: self._set("verify_tls", on))
        self.ignore_certificate.toggled.connect(lambda on: self._set("ignore_certificate", on))
        self.port.valueChanged.connect(lambda v: self._set("port", v or None))
        self.result_limit.valueChanged.connect(lambda v: self._set("result_limit", v))
        self.refresh.valueChanged.connect(lambda v: self._set("refresh_minutes", v))
        self.security.currentIndexChanged.connect(
            lambda _i: self._set("security", self.security.currentData())
        )
        self.outgoing.currentIndexChanged.connect(
            lambda _i: self._set("outgoing_account", self.outgoing.currentData() or None)
        )
        self.presence.currentIndexChanged.connect(
            lambda _i: self._set("presence_account", self.presence.currentData() or None)
        )
        self.relay = EngineBridge(application, self)
        self.relay.event.connect(self._on_event)
        self.show_sources()

    # ------------------------------------------------------------------ the list

    @property
    def sources(self) -> list[ContactSourceSettings]:
        return self._draft().contacts.sources

    def show_sources(self, select: int = 0) -> None:
        self._loading = True
        self.list.clear()
        for source in self.sources:
            item = QListWidgetItem(self._shown_name(source))
            item.setToolTip(tr(KIND_NAMES[source.kind]))
            flags = item.flags()
            if not source.builtin:
                flags |= Qt.ItemFlag.ItemIsEditable  # rename in place, as the manual says
            item.setFlags(flags)
            if not source.enabled:
                font = item.font()
                font.setItalic(True)
                item.setFont(font)
            self.list.addItem(item)
        self._loading = False
        self.list.setCurrentRow(min(select, self.list.count() - 1))
        self._show_selected()

    def _shown_name(self, source: ContactSourceSettings) -> str:
        return tr(KIND_NAMES[SourceKind.LOCAL]) if source.builtin else source.name

    def selected(self) -> ContactSourceSettings | None:
        row = self.list.currentRow()
        return self.sources[row] if 0 <= row < len(self.sources) else None

    def select_source(self, source_id: str) -> None:
        for row, source in enumerate(self.sources):
            if source.id == source_id:
                self.list.setCurrentRow(row)
                return
        raise KeyError(source_id)

    def _add_menu(self) -> None:
        menu = QMenu(self)
        for kind in ADDABLE:
            action = menu.addAction(tr(KIND_NAMES[kind]))
            action.triggered.connect(self._adder(kind))
        self.last_menu = menu
        menu.popup(self.add_button.mapToGlobal(self.add_button.rect().bottomLeft()))

    def _adder(self, kind: SourceKind) -> Callable[[], None]:
        def add() -> None:
            self.add_source(kind)

        return add

    def add_source(self, kind: SourceKind, name: str = "") -> ContactSourceSettings:
        """Add a source of `kind` (named after its kind unless `name`), selected."""
        contacts = self._draft().contacts
        base = name or tr(KIND_NAMES[kind])
        taken = {s.name.casefold() for s in contacts.sources}
        chosen, n = base, 2
        while chosen.casefold() in taken:
            chosen, n = f"{base} {n}", n + 1
        source = ContactSourceSettings(id=contacts.new_id(chosen), name=chosen, kind=kind)
        contacts.sources.append(source)
        self.show_sources(len(contacts.sources) - 1)
        return source

    def _start_rename(self) -> None:
        item = self.list.currentItem()
        source = self.selected()
        if item is not None and source is not None and not source.builtin:
            self.list.editItem(item)

    def _item_renamed(self, item: QListWidgetItem) -> None:
        if self._loading:
            return
        row = self.list.row(item)
        if 0 <= row < len(self.sources):
            self.rename_source(row, item.text())

    def rename_source(self, row: int, name: str) -> bool:
        """Rename the source in `row`; False (and why shown) when refused."""
        source = self.sources[row]
        name = name.strip()
        problem = ""
        if source.builtin:
            problem = tr("The built-in source cannot be renamed.")
        elif not name:
            problem = tr("A source needs a name.")
        elif any(
            s is not source
            and name.casefold() in (s.name.casefold(), self._shown_name(s).casefold())
            for s in self.sources
        ):
            problem = tr("Another source is already called {name}.", name=name)
        if not problem:
            try:
                source.name = name
            except ValidationError as exc:
                problem = tr("This name cannot be used: {error}", error=_first_error(exc))
        self.show_sources(row)
        self._say(problem, error=bool(problem))
        return not problem

    def delete_source(self, *, confirm: bool = True) -> bool:
        """Delete the selected source (never the built-in one); False when not deleted."""
        source = self.selected()
        if source is None:
            return False
        if source.builtin:
            self._say(tr("The built-in source cannot be deleted."), error=True)
            return False
        if confirm and not widgets.ask(
            self,
            tr("Delete contact source"),
            tr(
                "Delete the contact source {name}? Its contacts stay where they are.",
                name=source.name,
            ),
        ):
            return False
        row = self.list.currentRow()
        self.sources.remove(source)
        self.deleted.append(source)
        self.pending_passwords.pop(source.id, None)
        self.show_sources(max(0, row - 1))
        return True

    # ------------------------------------------------------------------ the chosen source

    def _show_selected(self) -> None:
        source = self.selected()
        self._loading = True
        try:
            self._fill(source)
        finally:
            self._loading = False

    def _fill(self, source: ContactSourceSettings | None) -> None:
        for box in (self.access, self.filter, self.sync_box):
            box.setVisible(source is not None)
        self.attributes.setVisible(source is not None and source.kind is SourceKind.LDAP)
        self.signin.show_source(source)
        self.outlook.show_source(source)
        if source is None:
            return
        self.rename_button.setEnabled(not source.builtin)
        self.delete_button.setEnabled(not source.builtin)
        tip = tr("Not possible for the built-in source.") if source.builtin else ""
        self.rename_button.setToolTip(tip)
        self.delete_button.setToolTip(tip)
        self.kind_label.setText(tr(KIND_NAMES[source.kind]))
        self._form.setRowVisible(self.enabled_box, not source.builtin)
        self.enabled_box.setChecked(source.enabled)
        own = KIND_KEYS[source.kind]
        for key, widget in self._rows.items():
            self._form.setRowVisible(widget, key in own)
        for key, edit in self.fields.items():
            value = getattr(source, key)
            edit.setText("" if value is None else str(value))
            edit.setStyleSheet("")
        self.signin.explain_fields(self.fields, source)
        self.port.setValue(source.port or 0)
        self.security.setCurrentIndex(max(0, self.security.findData(source.security)))
        self.ignore_certificate.setChecked(source.ignore_certificate)
        self.verify_tls.setChecked(source.verify_tls)
        self.result_limit.setValue(source.result_limit)
        self._form.setRowVisible(self.password, source.kind in WITH_PASSWORD)
        self.password.setText(self.pending_passwords.get(source.id, ""))
        self.books.show_source(source)
        accounts = [a.name for a in self._draft().accounts]
        for combo, value in (
            (self.outgoing, source.outgoing_account),
            (self.presence, source.presence_account),
        ):
            combo.clear()
            combo.addItem(tr("None chosen"), "")
            for name in accounts:
                combo.addItem(name, name)
            combo.setCurrentIndex(max(0, combo.findData(value or "")))
        self.hide_without_name.setChecked(source.hide_without_name)
        self.hide_without_number.setChecked(source.hide_without_number)
        for key, edit in self.attribute_fields.items():
            edit.setText(getattr(source.attributes, key))
        self.sync_box.setVisible(source.remote)
        self.refresh.setValue(source.refresh_minutes)
        self._show_status()
        self._say("")

    def _set(self, key: str, value: Any) -> None:
        source = self.selected()
        if self._loading or source is None:
            return
        try:
            setattr(source, key, value)
        except ValidationError as exc:
            self._say(_first_error(exc), error=True)
            self._show_selected()
            return
        self._say("")
        if key == "enabled":
            self.show_sources(self.list.currentRow())
        self._show_status()

    def _text_changed(self, key: str) -> None:
        source = self.selected()
        if self._loading or source is None:
            return
        edit = self.fields[key]
        value = edit.text().strip()
        try:
            if key == "search_filter":
                setattr(source, key, value or "(objectClass=*)")
            else:
                setattr(source, key, value or None)
        except ValidationError as exc:
            edit.setStyleSheet("border: 1px solid #c0392b;")
            self._say(_first_error(exc), error=True)
            return
        edit.setStyleSheet("")
        self._say("")
        self._show_status()

    def _attribute_changed(self, key: str) -> None:
        source = self.selected()
        if self._loading or source is None:
            return
        edit = self.attribute_fields[key]
        try:
            setattr(source.attributes, key, edit.text().strip())
        except ValidationError as exc:
            edit.setStyleSheet("border: 1px solid #c0392b;")
            self._say(_first_error(exc), error=True)
            return
        edit.setStyleSheet("")
        self._say("")

    def _password_changed(self) -> None:
        source = self.selected()
        if self._loading or source is None or not self.password.text():
            return
        self.pending_passwords[source.id] = self.password.text()

    def _password_for(self, source: ContactSourceSettings) -> str | None:
        """The password typed here (not saved yet), else the keyring's."""
        self._password_changed()
        typed = self.pending_passwords.get(source.id)
        if typed or not self.app.uses_keyring:
            return typed
        return get_source_password(source)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #c0392b;" if error else "")

    def account_deleted(self, name: str) -> None:
        """An account went: sources that used it use the usual one again."""
        for source in self.sources:
            if (source.outgoing_account or "").casefold() == name.casefold():
                source.outgoing_account = None
            if (source.presence_account or "").casefold() == name.casefold():
                source.presence_account = None
        self._show_selected()

    # ------------------------------------------------------------------ search

    def search_texts(self) -> list[str]:
        """What the settings search looks through on this page (English and shown)."""
        english = [
            "Contact sources",
            *(KIND_NAMES[k] for k in (SourceKind.LOCAL, *ADDABLE)),
            *(label for _k, label, _h in _TEXT_FIELDS),
            *ATTRIBUTE_LABELS.values(),
            *self.outlook.search_texts(),
            "Use this account for outgoing calls",
            "Use this account for presence",
            "Hide contacts without name",
            "Hide contacts without phone",
            "Ignore TLS certificate",
            "Limit the number of search results to",
            "Synchronise now",
        ]
        return list(dict.fromkeys(english + [tr(t) for t in english]))

    def matches(self, needle: str) -> int:
        """How many of this page's settings the settings search `needle` finds."""
        return sum(1 for text in self.search_texts() if words_match(needle, [text]))

    # ------------------------------------------------------------------ saving

    def store_passwords(self) -> bool:
        """Put the passwords typed here into the keyring (before the settings are saved);
        False, and why shown, when one could not be stored."""
        for source_id, password in list(self.pending_passwords.items()):
            try:
                source = self._draft().contacts.source(source_id)
            except KeyError:
                self.pending_passwords.pop(source_id)
                continue
            plaintext = self._draft().allow_plaintext_passwords
            try:
                if not self.app.uses_keyring and not plaintext:
                    raise SecretStoreError(tr("Passwords are not kept in the keyring here."))
                if self.app.uses_keyring:
                    set_source_password(source, password, allow_plaintext=plaintext)
                else:  # kept in the settings file, as the user allowed
                    source.password = SecretStr(password)
            except SecretStoreError as exc:
                self.select_source(source_id)
                self._say(str(exc), error=True)
                return False
            self.pending_passwords.pop(source_id)
        return True

    def saved(self) -> list[str]:
        """The settings were saved: forget deleted sources' passwords, show the states.
        Returns problems for the dialog to show."""
        problems: list[str] = []
        for source in self.deleted:
            self.signin.forget_tokens(source)
            try:
                if self.app.uses_keyring:
                    delete_source_password(source)
            except SecretStoreError as exc:
                problems.append(str(exc))
        self.deleted.clear()
        self.password.clear()
        self.outlook.password.clear()
        self._show_status()
        return problems

    # ------------------------------------------------------------------ synchronising

    def _applied(self, source: ContactSourceSettings) -> bool:
        """Whether the running sources have this source as it is here (else: save first)."""
        try:
            return self.app.settings.contacts.source(source.id) == source
        except KeyError:
            return False

    def _show_status(self) -> None:
        source = self.selected()
        if source is None or not source.remote:
            return
        applied = self._applied(source)
        self.sync_button.setEnabled(applied and source.enabled)
        self.sync_button.setToolTip(
            "" if applied else tr("Save the settings first (Apply), then synchronise.")
        )
        if not applied:
            self.status_label.setText(tr("Not saved yet."))
            self.progress.setVisible(False)
            return
        try:
            status = self.app.contact_sources.status(source.id)
        except KeyError:
            self.status_label.setText(tr("Not synchronised yet."))
            return
        self._show(status)

    def _show(self, status: SourceStatus | ContactSourceChanged) -> None:
        self.status_label.setText(status_text(status))
        syncing = (
            status.state == SyncState.SYNCING.value
            if isinstance(status, ContactSourceChanged)
            else status.state is SyncState.SYNCING
        )
        failed = status.state in (SyncState.FAILED, SyncState.FAILED.value)
        self.status_label.setStyleSheet("color: #c0392b;" if failed else "")
        self.progress.setVisible(syncing)
        if isinstance(status, ContactSourceChanged):
            done, total = status.done, status.total
        else:
            done, total = status.progress or (-1, -1)
        if total > 0:  # storing what came: how far
            self.progress.setRange(0, total)
            self.progress.setValue(max(0, done))
        else:
            self.progress.setRange(0, 0)  # busy: a fetch does not say how far it is

    def sync_now(self) -> None:
        source = self.selected()
        if source is None or not source.remote or not self._applied(source):
            return
        self.app.contact_sources.sync(source.id)
        self.status_label.setText(tr("Synchronising…"))
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)

    def _on_event(self, event: object) -> None:
        source = self.selected()
        if isinstance(event, ContactSourceChanged) and source is not None:
            if event.source == source.id and self._applied(source):
                self._show(event)


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return str(exc)
    return str(errors[0].get("msg", exc)).removeprefix("Value error, ")
