"""The building blocks of the settings dialog: a row per setting bound to a field of the
settings model, group boxes of rows, and the Accounts page (list + editor).

A row writes every change straight into the dialog's working copy of the settings. The
model validates on assignment, so a value it refuses never gets in: the row keeps the
text, shows the model's reason under the field, and the dialog refuses to save until it
is corrected.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from pydantic import BaseModel, ValidationError
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from parley.app.snapshots import AccountInfo
from parley.gui.dial_preview import DialPreview
from parley.gui.i18n import N_, tr
from parley.gui.settings_editors import BoolEditor, Editor, make_editor
from parley.gui.settings_fields import AUTO_ANSWER_MODE
from parley.gui.settings_specs import FieldSpec, GroupSpec
from parley.gui.texts import account_text, issue_text
from parley.settings.automation import AutomationSettings
from parley.settings.errors import describe_validation_error
from parley.settings.model import (
    AccountSettings,
    FunctionsSettings,
    GuiSettings,
    LogSettings,
    MediaSettings,
    Settings,
    SipSettings,
)
from parley.settings.network import StunSettings, TlsSettings
from parley.settings.provisioning import ProvisioningSettings

MODEL_CLASSES: dict[str, type[BaseModel]] = {
    "account": AccountSettings,
    "media": MediaSettings,
    "gui": GuiSettings,
    "functions": FunctionsSettings,
    "sip": SipSettings,
    "log": LogSettings,
    "stun": StunSettings,
    "tls": TlsSettings,
    "automation": AutomationSettings,
    "provisioning": ProvisioningSettings,
    "": Settings,
}

_MATCH_STYLE = "background-color: #ffe680; color: #000000;"
_ERROR_STYLE = "color: #c0392b;"

STATE_NAMES = {
    "registered": N_("registered"),
    "registering": N_("registering"),
    "not registered": N_("not registered"),
    "failed": N_("registration failed"),
    "unregistering": N_("unregistering"),
    "unreachable": N_("server not reachable"),
    "disabled": N_("disabled"),
}
STATE_COLOURS = {
    "registered": "#2e9d4f",
    "registering": "#e0a800",
    "unregistering": "#e0a800",
    "failed": "#c0392b",
    "not registered": "#8c8c8c",
    "unreachable": "#c0392b",
    "disabled": "#cccccc",
}


# Seconds offered when automatic acceptance is switched to "after N seconds" from "at once".
DEFAULT_AUTO_ANSWER_DELAY = 10


def _auto_answer_mode(model: BaseModel) -> str:
    assert isinstance(model, FunctionsSettings)
    if not model.auto_answer:
        return "off"
    return "instant" if model.auto_answer_after == 0 else "delayed"


def _set_auto_answer_mode(model: BaseModel, value: object) -> None:
    assert isinstance(model, FunctionsSettings)
    model.auto_answer = value != "off"
    if value == "instant":
        model.auto_answer_after = 0
    elif value == "delayed" and model.auto_answer_after == 0:
        model.auto_answer_after = DEFAULT_AUTO_ANSWER_DELAY


# Rows shown as one choice but stored in several model fields: (read, write).
COMPOSED: dict[str, tuple[Callable[[BaseModel], object], Callable[[BaseModel, object], None]]] = {
    AUTO_ANSWER_MODE: (_auto_answer_mode, _set_auto_answer_mode),
}


def _functions(model: BaseModel) -> FunctionsSettings:
    assert isinstance(model, FunctionsSettings)
    return model


def _account(model: BaseModel) -> AccountSettings:
    assert isinstance(model, AccountSettings)
    return model


def _media(model: BaseModel) -> MediaSettings:
    assert isinstance(model, MediaSettings)
    return model


# Rows that mean something only after another choice of their section (greyed out else).
ENABLED_WHEN: dict[str, Callable[[BaseModel], bool]] = {
    "functions.forward_to": lambda m: _functions(m).forwarding != "off",
    "functions.forward_after": lambda m: _functions(m).forwarding == "delayed",
    "functions.auto_answer_after": lambda m: _auto_answer_mode(m) == "delayed",
    "functions.auto_answer_sound": lambda m: _functions(m).auto_answer,
    "media.music_on_hold_file": lambda m: _media(m).music_on_hold == "file",
    "account.blf_extensions": lambda m: _account(m).use_blf,
}


_WORD = re.compile(r"\w+")


def search_words(text: str) -> list[str]:
    """The words of ``text`` a search compares with (case- and umlaut-insensitive:
    casefolded; ``media.ring_device`` gives media, ring, device)."""
    return _WORD.findall(text.replace("_", " ").casefold())


def words_match(needle: str, texts: Iterable[str]) -> bool:
    """True when every word of ``needle`` begins a word of ``texts``: "ring" finds
    "Ringtone" and "ringing", not "keyring". A needle without letters or digits
    (e.g. "*") is looked for as it is."""
    wanted = search_words(needle)
    joined = " ".join(texts)
    if not wanted:
        return needle.strip().casefold() in joined.casefold()
    have = search_words(joined)
    return all(any(word.startswith(w) for word in have) for w in wanted)


def split_key(key: str) -> tuple[str, str]:
    """``"media.echo_cancellation"`` -> ``("media", "echo_cancellation")``;
    a top-level key has the section ``""``."""
    section, _, name = key.rpartition(".")
    return section, name


def state_icon(state: str) -> QIcon:
    """A filled circle in the colour of an account state."""
    pixmap = QPixmap(14, 14)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(STATE_COLOURS.get(state, "#8c8c8c")))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(1, 1, 12, 12)
    painter.end()
    return QIcon(pixmap)


class FieldRow:
    """One setting in the dialog: label, editor and error text, bound to a model field.

    ``get_model`` gives the model the field lives in now (None: nothing to edit, e.g.
    no account selected). ``on_commit`` is told about every accepted change.
    """

    def __init__(
        self,
        spec: FieldSpec,
        editor: Editor,
        get_model: Callable[[], BaseModel | None],
        page: str,
    ) -> None:
        self.spec = spec
        self.key = spec.key
        self.section, self.name = split_key(spec.key)
        self.editor = editor
        self.page = page
        self.get_model = get_model
        self.on_commit: Callable[[FieldRow], None] | None = None
        self.custom_commit: Callable[[FieldRow], str | None] | None = None
        self.label: QLabel | None = (
            None if isinstance(editor, BoolEditor) else QLabel(tr(spec.label))
        )
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(_ERROR_STYLE)
        self.error.hide()
        self.container = QWidget()
        box = QVBoxLayout(self.container)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(editor)
        box.addWidget(self.error)
        help_text = tr(spec.help) if spec.help else ""
        for widget in (self.label, editor.text_widget, self.container):
            if widget is not None and help_text:
                widget.setToolTip(help_text)
        self.form: QFormLayout | None = None
        self.group: QGroupBox | None = None
        self.group_title = ""  # the group's English title (searched too)
        self._error_text = ""
        self.provisioned = False  # locked by the provisioning profile: shown read-only
        editor.changed.connect(self.commit)

    # -- model binding
    def commit(self) -> bool:
        """Write the editor's value into the model; False (and an error shown) when the
        model refuses it."""
        if self.custom_commit is not None:
            problem = self.custom_commit(self)
            self.set_error(problem or "")
            return problem is None
        model = self.get_model()
        if model is None:
            return True
        try:
            composed = COMPOSED.get(self.key)
            if composed is not None:
                composed[1](model, self.editor.value())
            else:
                setattr(model, self.name, self.editor.value())
        except ValidationError as exc:
            issues = describe_validation_error(exc, type(model))
            self.set_error(" ".join(issue_text(issue) for issue in issues))
            return False
        self.set_error("")
        if self.on_commit is not None:
            self.on_commit(self)
        return True

    def load(self) -> None:
        """Show the model's current value (and forget any error)."""
        model = self.get_model()
        self.set_error("")
        if self.custom_commit is not None:
            self.editor.load(None)  # e.g. the password: never shown, empty = unchanged
            return
        if model is None:
            return
        composed = COMPOSED.get(self.key)
        self.editor.load(composed[0](model) if composed else getattr(model, self.name))
        self.update_enabled()

    def update_enabled(self) -> None:
        """Grey the row out while the choice it belongs to is off, or while the
        provisioning profile locks it."""
        rule = ENABLED_WHEN.get(self.key)
        model = self.get_model()
        on = not self.provisioned and (rule is None or model is None or rule(model))
        self.container.setEnabled(on)
        if self.label is not None:
            self.label.setEnabled(on)

    def set_provisioned(self, on: bool) -> None:
        """Show the row as set by the provisioning server (read-only, marked)."""
        self.provisioned = on
        mark = " " + tr("(provisioned)") if on else ""
        if self.label is not None:
            self.label.setText(tr(self.spec.label) + mark)
        else:
            self.editor.text_widget.setProperty("text", tr(self.spec.label) + mark)
        note = tr("Set by your provisioning server; changes here would be overwritten.")
        self.container.setToolTip(note if on else (tr(self.spec.help) if self.spec.help else ""))
        self.update_enabled()

    # -- errors
    def set_error(self, text: str) -> None:
        self._error_text = text
        self.error.setText(text)
        self.error.setVisible(bool(text))
        if self.label is not None:
            self.label.setStyleSheet(_ERROR_STYLE if text else "")

    def error_text(self) -> str:
        return self._error_text

    # -- search
    def search_texts(self) -> list[str]:
        """What a search looks in: label, help and group title, translated and in
        English, and the key."""
        spec = self.spec
        texts = [tr(spec.label), spec.label, tr(spec.help), spec.help, self.key]
        if self.group_title:
            texts += [tr(self.group_title), self.group_title]
        return texts

    def matches(self, needle: str) -> bool:
        """Whole words: each word of ``needle`` begins a word of the setting's texts."""
        return not needle.strip() or words_match(needle, self.search_texts())

    def set_highlight(self, on: bool) -> None:
        widget = self.label if self.label is not None else self.editor.text_widget
        widget.setStyleSheet(
            _MATCH_STYLE if on else (_ERROR_STYLE if self._error_text and self.label else "")
        )

    def set_visible(self, visible: bool) -> None:
        if self.form is not None:
            self.form.setRowVisible(self.container, visible)


def _getter(
    get_model: Callable[[str], BaseModel | None], section: str
) -> Callable[[], BaseModel | None]:
    return lambda: get_model(section)


def build_group(
    spec: GroupSpec,
    page: str,
    get_model: Callable[[str], BaseModel | None],
    devices: dict[str, list[str]],
) -> tuple[QGroupBox, list[FieldRow]]:
    """A group box with a row per field of ``spec``; ``get_model(section)`` gives the
    model a section's fields live in."""
    box = QGroupBox(tr(spec.title))
    form = QFormLayout(box)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    rows = []
    for field in spec.fields:
        section, name = split_key(field.key)
        editor = make_editor(field, MODEL_CLASSES[section], name, devices)
        row = FieldRow(field, editor, _getter(get_model, section), page)
        if row.label is not None:
            form.addRow(row.label, row.container)
        else:
            form.addRow(row.container)
        row.form, row.group, row.group_title = form, box, spec.title
        rows.append(row)
    if spec.extra == "dial-preview":
        preview = DialPreview(
            lambda: _as_account(get_model("account")), [row.editor.changed for row in rows]
        )
        form.addRow(preview.label, preview)
    return box, rows


def _as_account(model: BaseModel | None) -> AccountSettings | None:
    return model if isinstance(model, AccountSettings) else None


def scroll_page(content: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(content)
    return area


class AccountsPage(QWidget):
    """The account list with its buttons, and the editor of the selected account."""

    selection_changed = Signal(int)

    def __init__(self, editor_groups: list[QGroupBox], other_groups: list[QGroupBox]) -> None:
        super().__init__()
        left = QVBoxLayout()
        left.addWidget(QLabel(tr("SIP accounts")))
        self.list = QListWidget()
        self.list.setMinimumWidth(140)
        self.list.setMaximumWidth(170)  # the account editor beside it needs the room
        self.list.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        left.addWidget(self.list)
        self.add_button = QPushButton(tr("Add…"))
        self.delete_button = QPushButton(tr("Delete"))
        self.register_button = QPushButton(tr("Register"))
        self.unregister_button = QPushButton(tr("Unregister"))
        for button in (
            self.add_button,
            self.delete_button,
            self.register_button,
            self.unregister_button,
        ):
            left.addWidget(button)
        self.status = QLabel()
        self.status.setWordWrap(True)
        left.addWidget(self.status)
        self.content = QWidget()
        right = QVBoxLayout(self.content)
        self.editor_groups = editor_groups
        for group in editor_groups + other_groups:
            right.addWidget(group)
        right.addStretch(1)
        self.scroll_area = scroll_page(self.content)
        layout = QHBoxLayout(self)
        layout.addLayout(left)
        layout.addWidget(self.scroll_area, 1)
        self.list.currentRowChanged.connect(self.selection_changed.emit)

    def show_accounts(self, accounts: list[AccountSettings], infos: dict[str, AccountInfo]) -> None:
        """Fill the list (keeping the selection where possible)."""
        row = self.list.currentRow()
        self.list.blockSignals(True)
        self.list.clear()
        for account in accounts:
            item = QListWidgetItem(account.name)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self.update_states(accounts, infos)
        if accounts:
            self.list.setCurrentRow(min(max(row, 0), len(accounts) - 1))
        else:
            self.selection_changed.emit(-1)

    def update_states(self, accounts: list[AccountSettings], infos: dict[str, AccountInfo]) -> None:
        for index, account in enumerate(accounts):
            item = self.list.item(index)
            if item is None:
                continue
            info = infos.get(account.name)
            state = (
                "disabled" if not account.enabled else (info.state if info else "not registered")
            )
            item.setIcon(state_icon(state))
            tip = tr(STATE_NAMES.get(state, state))
            text = account_text(info) if info is not None else ""
            if text and state in ("failed", "registered"):
                tip += "\n" + text
            item.setToolTip(tip)

    def set_editing(self, on: bool) -> None:
        for group in self.editor_groups:
            group.setEnabled(on)
        self.delete_button.setEnabled(on)
        self.register_button.setEnabled(on)
        self.unregister_button.setEnabled(on)
