"""The settings dialog: the manual's tree (Accounts, Contacts, Media, GUI, Functions)
on the left, the settings of the chosen page on the right, a search over every setting
(Ctrl+F) on top. The search takes whole words — each word typed begins a word of a
setting's name, help or group ("ring" finds "Ringtone", not "keyring") — and names the
manual's settings that Parley does not have yet (`settings_not_yet`) instead of "Nothing
found".

The dialog edits a copy of the application's settings. OK/Apply hand that copy to
`Application.update_settings`, which validates, saves atomically and applies it; any
problem is shown under the field it concerns and nothing is saved. Passwords go to the
keyring (or wherever `Application.stage_account_password` decides), never into a field.
"""

from __future__ import annotations

import logging
import re

from pydantic import BaseModel
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from parley.app import Application, SettingsApplied
from parley.app.event_rules import RuleRan
from parley.app.snapshots import AccountInfo
from parley.gui import widgets
from parley.gui.bridge import EngineBridge
from parley.gui.call_dialogs import RecordingNotice
from parley.gui.i18n import N_, tr
from parley.gui.rule_list import RuleListBox
from parley.gui.settings_account_fields import ACCOUNT_GROUPS
from parley.gui.settings_fields import (
    LEFT_OUT,
    OTHER_GROUP_TITLE,
    PAGES,
    RESTART_NAMES,
    all_specs,
    spec_for,
)
from parley.gui.settings_not_yet import ISSUE_TOPICS, NOT_YET, NotYet
from parley.gui.settings_pages import (
    COMPOSED,
    AccountsPage,
    FieldRow,
    build_group,
    scroll_page,
    words_match,
)
from parley.gui.settings_specs import FieldSpec, GroupSpec
from parley.gui.texts import issue_text, phone_error_text, problem_text, setting_name
from parley.gui.theme import apply_theme
from parley.phone.events import AccountStateChanged, PhoneError
from parley.settings import ConfigError, SecretStoreError
from parley.settings.model import AccountSettings, GuiSettings, Settings

log = logging.getLogger(__name__)

_ACCOUNT_KEY = re.compile(r"^accounts\[(\d+)\]\.(\w+)")
# What finds the event rule list in the search (it has no rows of its own).
RULE_SEARCH_WORDS = [N_("Event rules"), N_("Automation"), "REST API URL CRM"]


def audio_device_names() -> dict[str, list[str]]:
    """Names of the sound devices PortAudio lists, by direction (empty without PortAudio)."""
    try:
        from parley.media.devices import list_devices

        return {
            "input": [d.name for d in list_devices("input")],
            "output": [d.name for d in list_devices("output")],
        }
    except Exception as exc:  # no PortAudio, no sound server: typed names still work
        log.info("no audio device list: %s", exc)
        return {"input": [], "output": []}


def not_yet_matching(needle: str) -> list[NotYet]:
    """The manual's settings Parley lacks that a search for ``needle`` finds (in English
    and in the current language)."""
    if not needle.strip():
        return []
    return [
        entry
        for entry in NOT_YET
        if words_match(
            needle, [entry.name, tr(entry.name), entry.place, tr(entry.place), entry.words]
        )
    ]


def not_yet_text(entry: NotYet) -> str:
    """One line about a setting Parley does not have yet: where the manual has it and
    which issue brings it."""
    where = tr("In the manual: {place}.", place=tr(entry.place))
    if entry.issue is None:
        plan = tr("Not planned yet.")
    else:
        plan = tr(
            "Planned in issue #{number} ({topic}).",
            number=entry.issue,
            topic=tr(ISSUE_TOPICS.get(entry.issue, "")),
        )
    return f"{where} {plan}"


def _other_gui_fields() -> GroupSpec | None:
    """GuiSettings fields no page names yet: shown generically so every setting that
    exists can be set."""
    known = {s.key for s in all_specs()} | LEFT_OUT
    extra = tuple(
        FieldSpec(f"gui.{name}", name.replace("_", " ").capitalize(), field.description or "")
        for name, field in GuiSettings.model_fields.items()
        if f"gui.{name}" not in known
    )
    return GroupSpec(OTHER_GROUP_TITLE, extra) if extra else None


class SettingsDialog(QDialog):
    """Settings of ``application``; ``devices`` replaces the PortAudio device list
    (for tests and screenshots)."""

    def __init__(
        self,
        application: Application,
        parent: QWidget | None = None,
        *,
        devices: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Settings"))
        self.resize(1060, 700)
        self.app = application
        self.draft: Settings = application.settings.model_copy(deep=True)
        self._pending_passwords: dict[str, str] = {}
        self._deleted: list[AccountSettings] = []
        self._account_index = -1
        self._infos: dict[str, AccountInfo] = {a.name: a for a in application.accounts()}
        self._language = self.draft.gui.language
        self.relay = EngineBridge(application, self)
        self.relay.event.connect(self._on_event)
        self.finished.connect(lambda _r: self.relay.close())
        devices = devices if devices is not None else audio_device_names()

        self.rows: dict[str, FieldRow] = {}
        self.pages: dict[str, QWidget] = {}
        self.page_groups: dict[str, list[QGroupBox]] = {}
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.stack = QStackedWidget()
        self._build_pages(devices)

        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search settings (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.search_result = QLabel()
        # Matches among the manual's settings that Parley lacks: a line under the search
        # when real settings match too, a page of their own when nothing else does.
        self.not_yet_note = QLabel()
        self.not_yet_note.setWordWrap(True)
        self.not_yet_note.setVisible(False)
        self.no_result = QLabel()
        self.no_result.setWordWrap(True)
        self.no_result.setTextFormat(Qt.TextFormat.PlainText)
        self.no_result.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.no_result.setContentsMargins(12, 12, 12, 12)
        self.stack.addWidget(self.no_result)
        self._page_before_search: QWidget | None = None
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.activated.connect(self.focus_search)

        self.message = QLabel()
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.ok_button = QPushButton(tr("OK"))
        self.apply_button = QPushButton(tr("Apply"))
        self.cancel_button = QPushButton(tr("Cancel"))
        buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.ApplyRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.clicked.connect(self._ok)
        self.apply_button.clicked.connect(self.apply)
        self.cancel_button.clicked.connect(self.reject)
        self.ok_button.setDefault(True)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.search_result)
        splitter = QSplitter()
        splitter.addWidget(self.tree)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        tree_width = self._fit_tree()
        splitter.setSizes([tree_width, 1060 - tree_width])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.not_yet_note)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

        self.tree.currentItemChanged.connect(self._tree_changed)
        self.tree.expandAll()
        self.tree.setCurrentItem(self._tree_items()[0])
        self._show_accounts()

    # ------------------------------------------------------------------ building

    def _model(self, section: str) -> BaseModel | None:
        if section == "account":
            accounts = self.draft.accounts
            index = self._account_index
            return accounts[index] if 0 <= index < len(accounts) else None
        if section == "":
            return self.draft
        model = getattr(self.draft, section)
        assert isinstance(model, BaseModel)
        return model

    def _groups(
        self,
        specs: tuple[GroupSpec, ...] | list[GroupSpec],
        page: str,
        devices: dict[str, list[str]],
    ) -> list[QGroupBox]:
        boxes = []
        for spec in specs:
            if not spec.fields:
                continue
            box, rows = build_group(spec, page, self._model, devices)
            for row in rows:
                self.rows[row.key] = row
            boxes.append(box)
        return boxes

    def _build_pages(self, devices: dict[str, list[str]]) -> None:
        for page in PAGES:
            groups = list(page.groups)
            if page.name == "gui":
                other = _other_gui_fields()
                if other is not None:
                    groups.append(other)
            if page.name == "accounts":
                editor = self._groups(ACCOUNT_GROUPS, "accounts", devices)
                others = self._groups(groups, "accounts", devices)
                self.accounts_page = AccountsPage(editor, others)
                widget: QWidget = self.accounts_page
                boxes = editor + others
                self._wire_accounts_page()
            else:
                boxes = self._groups(groups, page.name, devices)
                if page.name == "functions":  # Automation › Event rules: a list, no rows
                    titles = [box.title() for box in boxes]
                    after = titles.index(tr("Automation")) + 1 if tr("Automation") in titles else 0
                    boxes.insert(after or len(boxes), self._rules_box())
                content = QWidget()
                column = QVBoxLayout(content)
                for box in boxes:
                    column.addWidget(box)
                if page.name == "media":
                    assistant = QPushButton(tr("Audio assistant…"))
                    assistant.clicked.connect(self._open_assistant)
                    column.addWidget(assistant, 0, Qt.AlignmentFlag.AlignLeft)
                column.addStretch(1)
                widget = scroll_page(content)
            self.pages[page.name] = widget
            self.page_groups[page.name] = boxes
            self.stack.addWidget(widget)
            item = QTreeWidgetItem([tr(page.title)])
            item.setData(0, Qt.ItemDataRole.UserRole, (page.name, None))
            self.tree.addTopLevelItem(item)
            for box in boxes:
                child = QTreeWidgetItem([box.title()])
                child.setData(0, Qt.ItemDataRole.UserRole, (page.name, box))
                item.addChild(child)
            if page.name == "accounts":
                self._add_contacts_page()
        for row in self.rows.values():
            row.load()
        password = self.rows["account.password"]
        password.custom_commit = self._stage_password
        self.rows["account.name"].editor.setEnabled(False)  # the keyring key; see help
        self.rows["account.enabled"].on_commit = lambda _r: self._refresh_states()
        self.rows["functions.record_all_calls"].on_commit = self._record_all_changed
        self.notice: RecordingNotice | None = None
        for row in self.rows.values():
            if row.on_commit is None:
                row.on_commit = self._linked_rows
        self._mark_provisioned()

    def _rules_box(self) -> RuleListBox:
        self.rules_box = RuleListBox(
            lambda: self.draft.automation.rules,
            lambda: self.app.settings.automation.rules,
            self.app.rules.last_results,
            self.app.rules.test_rule,
            self.relay,
        )
        return self.rules_box

    def _add_contacts_page(self) -> None:
        """The manual's Contacts: the contact sources (a page of its own making)."""
        from parley.gui.contact_sources_page import ContactSourcesPage

        self.contacts_page = ContactSourcesPage(self.app, lambda: self.draft, self)
        self.pages["contacts"] = self.contacts_page
        self.page_groups["contacts"] = []
        self.stack.addWidget(self.contacts_page)
        item = QTreeWidgetItem([tr("Contacts")])
        item.setData(0, Qt.ItemDataRole.UserRole, ("contacts", None))
        self.tree.addTopLevelItem(item)

    def _record_all_changed(self, row: FieldRow) -> None:
        """Recording every call starts with the legal notice, as the record button does;
        refused, the setting goes back off."""
        functions = self.draft.functions
        if not functions.record_all_calls or functions.recording_notice_accepted:
            return
        self.notice = RecordingNotice(self)
        self.notice.decided.connect(self._notice_decided)
        self.notice.open()

    def _notice_decided(self, accepted: bool) -> None:
        if accepted:
            self.draft.functions.recording_notice_accepted = True
        else:
            self.rows["functions.record_all_calls"].editor.set_value(False)

    def _linked_rows(self, changed: FieldRow) -> None:
        """After a change: rows shown from the same fields show the new value, and rows
        that depend on a choice follow it (e.g. "forward after" only when delayed)."""
        for row in self.rows.values():
            if row is changed or row.section != changed.section:
                continue
            if row.key in COMPOSED or row.key == "functions.auto_answer_after":
                row.load()
            else:
                row.update_enabled()

    def _wire_accounts_page(self) -> None:
        page = self.accounts_page
        page.selection_changed.connect(self._select_account)
        page.add_button.clicked.connect(self.add_account)
        page.delete_button.clicked.connect(lambda: self.delete_account())
        page.register_button.clicked.connect(lambda: self._register(True))
        page.unregister_button.clicked.connect(lambda: self._register(False))

    def _fit_tree(self) -> int:
        """Make the tree as wide as its longest name (German names are long); returns
        that width."""
        self.tree.expandAll()
        tree = self.tree
        needed = tree.sizeHintForColumn(0) + 2 * tree.frameWidth()
        needed += tree.verticalScrollBar().sizeHint().width()  # should the tree scroll
        tree.setMinimumWidth(needed)
        return needed

    # ------------------------------------------------------------------ navigation and search

    def _tree_items(self, parent: QTreeWidgetItem | None = None) -> list[QTreeWidgetItem]:
        if parent is None:
            found = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        else:
            found = [parent.child(i) for i in range(parent.childCount())]
        return [item for item in found if item is not None]

    def select_page(self, name: str) -> None:
        for item in self._tree_items():
            if item.data(0, Qt.ItemDataRole.UserRole)[0] == name:
                self.tree.setCurrentItem(item)
                return
        raise KeyError(name)

    def current_page(self) -> str:
        """The page shown ("" while a search that found nothing shows its result)."""
        widget = self.stack.currentWidget()
        return next((name for name, page in self.pages.items() if page is widget), "")

    def _tree_changed(self, item: QTreeWidgetItem | None, _old: object) -> None:
        if item is None:
            return
        name, box = item.data(0, Qt.ItemDataRole.UserRole)
        page = self.pages[name]
        self.stack.setCurrentWidget(page)
        if box is not None:
            scroll = page.scroll_area if isinstance(page, AccountsPage) else page
            if isinstance(scroll, QScrollArea):
                scroll.ensureWidgetVisible(box)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def show_search(self, text: str) -> int:
        """Search for ``text`` as if typed (for screenshots); returns the number of
        matching settings."""
        if self.search.text() != text:
            self.search.setText(text)
        else:
            self._filter(text)
        return len(self.matching_rows())

    def matching_rows(self) -> list[FieldRow]:
        needle = self.search.text().strip()
        if not needle:
            return []
        return [row for row in self.rows.values() if row.matches(needle)]

    def _filter(self, text: str) -> None:
        needle = text.strip()
        pages_hit: dict[str, int] = {}
        visible_boxes: set[int] = set()
        for row in self.rows.values():
            hit = row.matches(needle)
            row.set_visible(hit)
            row.set_highlight(bool(needle) and hit)
            if hit:
                pages_hit[row.page] = pages_hit.get(row.page, 0) + 1
                if row.group is not None:
                    visible_boxes.add(id(row.group))
        if needle and words_match(needle, RULE_SEARCH_WORDS + [tr(w) for w in RULE_SEARCH_WORDS]):
            pages_hit["functions"] = pages_hit.get("functions", 0) + 1
            visible_boxes.add(id(self.rules_box))
        for boxes in self.page_groups.values():
            for box in boxes:
                box.setVisible(not needle or id(box) in visible_boxes)
        for item in self._tree_items():
            name = item.data(0, Qt.ItemDataRole.UserRole)[0]
            item.setHidden(bool(needle) and name not in pages_hit)
            for child in self._tree_items(item):
                box = child.data(0, Qt.ItemDataRole.UserRole)[1]
                child.setHidden(bool(needle) and id(box) not in visible_boxes)
        source_hits = self.contacts_page.matches(needle) if needle else 0
        if source_hits:  # the Contacts page is not made of rows
            pages_hit["contacts"] = source_hits
        contacts_item = next(
            i for i in self._tree_items() if i.data(0, Qt.ItemDataRole.UserRole)[0] == "contacts"
        )
        contacts_item.setHidden(bool(needle) and not source_hits)
        missing = not_yet_matching(needle)
        count = sum(pages_hit.values())
        self._show_not_yet(missing if count else [])
        if not needle or count:
            if self.stack.currentWidget() is self.no_result:
                self.stack.setCurrentWidget(self._page_before_search or self.pages["accounts"])
        if not needle:
            self.search_result.setText("")
            return
        if count == 0:
            self._show_no_result(text.strip(), missing)
            return
        self.search_result.setText(tr("{count} found", count=count))
        if self.current_page() not in pages_hit:
            order = [PAGES[0].name, "contacts", *(p.name for p in PAGES[1:])]
            self.select_page(next(name for name in order if name in pages_hit))
        if self.current_page() == "contacts":
            return
        first_row = next(
            (r for r in self.rows.values() if r.page == self.current_page() and r.matches(needle)),
            None,
        )
        page = self.pages[self.current_page()]
        scroll = page.scroll_area if isinstance(page, AccountsPage) else page
        if isinstance(scroll, QScrollArea):
            scroll.ensureWidgetVisible(self.rules_box if first_row is None else first_row.container)

    def _show_not_yet(self, missing: list[NotYet]) -> None:
        """Name, under the search, the matching settings Parley does not have yet."""
        self.not_yet_note.setVisible(bool(missing))
        if missing:
            names = ", ".join(tr(entry.name) for entry in missing)
            self.not_yet_note.setText(tr("Not available in Parley yet: {names}", names=names))

    def _show_no_result(self, needle: str, missing: list[NotYet]) -> None:
        """Nothing matches: say so, or that what was looked for is not in Parley yet."""
        if self.stack.currentWidget() is not self.no_result:
            self._page_before_search = self.stack.currentWidget()
        if not missing:
            self.search_result.setText(tr("Nothing found"))
            self.no_result.setText(tr("No setting matches “{text}”.", text=needle))
        else:
            if len(missing) == 1:
                headline = tr("“{name}” is not available in Parley yet.", name=tr(missing[0].name))
            else:
                headline = tr(
                    "{count} settings of this name are not available in Parley yet:",
                    count=len(missing),
                )
            self.search_result.setText(tr("Not available yet"))
            lines = [headline, ""]
            for entry in missing:
                if len(missing) > 1:
                    lines.append(tr(entry.name))
                lines.append(not_yet_text(entry))
                lines.append("")
            self.no_result.setText("\n".join(lines).strip())
        self.stack.setCurrentWidget(self.no_result)

    # ------------------------------------------------------------------ accounts

    def _show_accounts(self) -> None:
        self.accounts_page.show_accounts(self.draft.accounts, self._infos)
        if not self.draft.accounts:
            self._select_account(-1)

    def _refresh_states(self) -> None:
        self.accounts_page.update_states(self.draft.accounts, self._infos)

    def _select_account(self, index: int) -> None:
        self._account_index = index
        self.accounts_page.set_editing(index >= 0)
        for row in self.rows.values():
            if row.section == "account":
                row.load()
        self._mark_provisioned()

    def _mark_provisioned(self) -> None:
        """Rows the provisioning profile locks are read-only and say so."""
        provisioning = getattr(self.app, "provisioning", None)
        locked = provisioning.locked if provisioning is not None else frozenset()
        account = self.selected_account()
        for row in self.rows.values():
            if row.section == "account":
                key = f"accounts.{account.name}.{row.name}" if account is not None else ""
            else:
                key = row.key
            row.set_provisioned(bool(key) and key in locked)

    def selected_account(self) -> AccountSettings | None:
        model = self._model("account")
        return model if isinstance(model, AccountSettings) else None

    def select_account(self, name: str) -> None:
        for index, account in enumerate(self.draft.accounts):
            if account.name == name:
                self.accounts_page.list.setCurrentRow(index)
                return
        raise KeyError(name)

    def _stage_password(self, row: FieldRow) -> str | None:
        account = self.selected_account()
        if account is None:
            return None
        text = row.editor.value()
        if text:
            self._pending_passwords[account.name] = str(text)
        else:
            self._pending_passwords.pop(account.name, None)
        return None

    def add_account(self) -> None:
        """Add an account with the account wizard (it saves and registers it at once)."""
        from parley.gui.wizard import AccountWizard

        wizard = AccountWizard(self.app, self)
        if wizard.exec() == QDialog.DialogCode.Accepted.value and wizard.account_name:
            self.account_added(wizard.account_name)

    def account_added(self, name: str) -> None:
        """Take over an account the application has just saved (from the wizard)."""
        saved = self.app.settings.account(name).model_copy(deep=True)
        self.draft.accounts.append(saved)
        self._infos = {a.name: a for a in self.app.accounts()}
        self._show_accounts()
        self.select_account(saved.name)

    def delete_account(self, *, confirm: bool = True) -> None:
        """Remove the selected account (its password goes with it on OK/Apply)."""
        account = self.selected_account()
        if account is None:
            return
        if confirm and not widgets.ask(
            self,
            tr("Delete account"),
            tr("Delete the account {name} and its password?", name=account.name),
        ):
            return
        self.draft.accounts.remove(account)
        self._pending_passwords.pop(account.name, None)
        self._deleted.append(account)
        self.contacts_page.account_deleted(account.name)
        self._show_accounts()

    def _register(self, on: bool) -> None:
        account = self.selected_account()
        if account is None:
            return
        future = self.app.register(account.name) if on else self.app.unregister(account.name)
        self.relay.run(
            future, None, lambda exc: self.accounts_page.status.setText(problem_text(exc))
        )

    # ------------------------------------------------------------------ saving

    def _set_message(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #c0392b;" if error else "")

    def show_row(self, row: FieldRow) -> None:
        """Bring a row into view (its page, and its account for account fields)."""
        self.select_page(row.page)
        page = self.pages[row.page]
        scroll = page.scroll_area if isinstance(page, AccountsPage) else page
        if isinstance(scroll, QScrollArea):
            scroll.ensureWidgetVisible(row.container)
        row.editor.setFocus()

    def _show_config_error(self, error: ConfigError) -> None:
        first: FieldRow | None = None
        loose: list[str] = []
        for issue in error.issues:
            key = issue.key or ""
            match = _ACCOUNT_KEY.match(key)
            if match is not None:
                index = int(match.group(1))
                if 0 <= index < len(self.draft.accounts):
                    self.accounts_page.list.setCurrentRow(index)
                key = f"account.{match.group(2)}"
            row = self.rows.get(key)
            if row is None:
                said = issue_text(issue)
                loose.append(f"{setting_name(issue.key)}: {said}" if issue.key else said)
                continue
            row.set_error(issue_text(issue))
            first = first or row
        if first is not None:
            self.show_row(first)
        text = tr("Nothing was saved: correct the marked settings.")
        if loose:
            text += "\n" + "\n".join(loose)
        self._set_message(text, error=True)

    def faulty_rows(self) -> list[FieldRow]:
        return [row for row in self.rows.values() if row.error_text()]

    def apply(self) -> bool:
        """Validate, save and apply the settings; False (and the reason shown) when they
        were not saved."""
        faulty = self.faulty_rows()
        if faulty:
            self.show_row(faulty[0])
            self._set_message(tr("Nothing was saved: correct the marked settings."), error=True)
            return False
        try:
            self.app.validate_settings(self.draft)
        except ConfigError as exc:
            self._show_config_error(exc)
            return False
        for name, password in list(self._pending_passwords.items()):
            try:
                self.app.stage_account_password(self.draft, name, password)
            except (SecretStoreError, KeyError) as exc:
                self.select_account(name)
                row = self.rows["account.password"]
                row.set_error(problem_text(exc))
                self.show_row(row)
                self._set_message(
                    tr("Nothing was saved: the password could not be stored."), error=True
                )
                return False
        if not self.contacts_page.store_passwords():
            self.select_page("contacts")
            self._set_message(
                tr("Nothing was saved: the password could not be stored."), error=True
            )
            return False
        try:
            future = self.app.update_settings(self.draft.model_copy(deep=True))
        except ConfigError as exc:
            self._show_config_error(exc)
            return False
        self._pending_passwords.clear()
        self.rows["account.password"].load()
        problems = []
        for account in self._deleted:
            try:
                self.app.forget_account_password(account)
            except SecretStoreError as exc:
                problems.append(problem_text(exc))
        self._deleted.clear()
        problems += self.contacts_page.saved()
        self.relay.run(future, lambda _r: self.rules_box.refresh(), self._apply_failed)
        qt_app = QApplication.instance()
        if isinstance(qt_app, QApplication):
            apply_theme(qt_app, self.draft.gui.theme)
        text = tr("Settings saved.")
        if self.draft.gui.language != self._language:
            text += " " + tr("The language changes when Parley is started again.")
        self._set_message("\n".join([text, *problems]), error=bool(problems))
        return True

    def _apply_failed(self, exc: BaseException) -> None:
        self._set_message(
            tr(
                "The settings were saved but could not all be applied: {error}",
                error=problem_text(exc),
            ),
            error=True,
        )

    def _ok(self) -> None:
        if self.apply():
            self.accept()

    # ------------------------------------------------------------------ events

    def _on_event(self, event: object) -> None:
        if isinstance(event, AccountStateChanged):
            self._infos = {a.name: a for a in self.app.accounts()}
            self._refresh_states()
        elif isinstance(event, SettingsApplied) and event.restart_needed:
            names = []
            for key in event.restart_needed:
                spec = spec_for(key)
                names.append(tr(spec.label) if spec else tr(RESTART_NAMES.get(key, key)))
            self._set_message(
                tr(
                    "Saved. These changes take effect when Parley is started again: {names}",
                    names=", ".join(names),
                )
            )
        elif isinstance(event, RuleRan):
            self.rules_box.refresh()
        elif isinstance(event, PhoneError) and event.account is None and self.isVisible():
            self.accounts_page.status.setText(phone_error_text(event))

    def _open_assistant(self) -> None:
        from parley.gui.audio_assistant import AudioAssistant

        assistant = AudioAssistant(self.app, self)
        if assistant.exec() == QDialog.DialogCode.Accepted.value:
            # The assistant saved the devices; show them here too.
            for name in ("input_device", "output_device", "ring_device"):
                value = getattr(self.app.settings.media, name)
                setattr(self.draft.media, name, value)
                self.rows[f"media.{name}"].load()
