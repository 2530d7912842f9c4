"""The manual's Automation › Event rules list, as a group of the settings dialog: one
row per rule (enabled, name, event, state, direction, action, address, the last result)
with Add, Edit, Delete, Move up and Move down. It edits the dialog's draft settings in
place; they are saved with the dialog's OK/Apply like every other setting."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from parley.app.event_rules import RuleRan
from parley.gui import widgets
from parley.gui.bridge import EngineBridge
from parley.gui.i18n import N_, tr
from parley.gui.rule_editor import (
    ACTION_NAMES,
    DIRECTION_NAMES,
    EVENT_NAMES,
    STATE_NAMES,
    RuleDialog,
    result_text,
)
from parley.settings.automation import EventRule

# Short names for the list's columns (the editor has the manual's long ones).
SHORT_EVENTS = {
    "call": N_("Calls"),
    "registration": N_("Registration"),
    "message": N_("Message"),
    "voicemail": N_("Voicemail"),
}
SHORT_ACTIONS = {"url": N_("URL"), "program": N_("Program"), "rest": N_("REST")}
COLUMNS = (
    N_("On"),
    N_("Name"),
    N_("Event"),
    N_("State"),
    N_("Direction"),
    N_("Action"),
    N_("Address"),
    N_("Last result"),
)
ENABLED, NAME, EVENT, STATE, DIRECTION, ACTION, ADDRESS, RESULT = range(len(COLUMNS))


class RuleListBox(QGroupBox):
    """`rules()` is the draft's list (edited in place); `saved()` the rules in force,
    whose indexes `results()` (the last run of each) refer to; `tester(rule)` runs a rule
    now; `changed()` is called after every edit."""

    def __init__(
        self,
        rules: Callable[[], list[EventRule]],
        saved: Callable[[], list[EventRule]],
        results: Callable[[], dict[int, RuleRan]],
        tester: Callable[[EventRule], concurrent.futures.Future[RuleRan]],
        bridge: EngineBridge,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(tr("Event rules"), parent)
        self._rules = rules
        self._saved = saved
        self._results = results
        self._tester = tester
        self._bridge = bridge
        self.editor: RuleDialog | None = None
        self._editing = -1

        intro = QLabel(
            tr(
                "When something happens — a call rings, is answered or ends, a message "
                "arrives — open a URL, run a program or call a REST API."
            )
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setMinimumHeight(150)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ADDRESS, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(RESULT, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(ADDRESS, 170)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setAccessibleName(tr("Event rules"))
        self.add_button = QPushButton(tr("Add…"))
        self.edit_button = QPushButton(tr("Edit…"))
        self.delete_button = QPushButton(tr("Delete"))
        self.up_button = QPushButton(tr("Move up"))
        self.down_button = QPushButton(tr("Move down"))
        buttons = QHBoxLayout()
        for button in (
            self.add_button,
            self.edit_button,
            self.delete_button,
            self.up_button,
            self.down_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

        self.add_button.clicked.connect(lambda: self.open_editor(-1))
        self.edit_button.clicked.connect(lambda: self.open_editor(self.current()))
        self.delete_button.clicked.connect(lambda: self.delete(confirm=True))
        self.up_button.clicked.connect(lambda: self.move_rule(-1))
        self.down_button.clicked.connect(lambda: self.move_rule(1))
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemChanged.connect(self._item_changed)
        self.table.cellDoubleClicked.connect(lambda row, _c: self.open_editor(row))
        self.on_change: Callable[[], None] = lambda: None
        self.refresh()

    # -- showing

    def current(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def select(self, index: int) -> None:
        if 0 <= index < self.table.rowCount():
            self.table.selectRow(index)

    def refresh(self) -> None:
        rules = self._rules()
        keep = self.current()
        self.table.blockSignals(True)
        self.table.setRowCount(len(rules))
        last = self._last_runs(rules)
        for row, rule in enumerate(rules):
            check = QTableWidgetItem()
            check.setFlags(
                Qt.ItemFlag.ItemIsUserCheckable
                | Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
            )
            check.setCheckState(Qt.CheckState.Checked if rule.enabled else Qt.CheckState.Unchecked)
            check.setToolTip(tr("Enabled"))
            self.table.setItem(row, ENABLED, check)
            direction = tr(DIRECTION_NAMES[rule.direction]) if rule.event == "call" else "–"
            texts = {
                NAME: rule.name,
                EVENT: tr(SHORT_EVENTS[rule.event]),
                STATE: tr(STATE_NAMES.get(rule.state, rule.state)),
                DIRECTION: direction,
                ACTION: tr(SHORT_ACTIONS[rule.action]),
                ADDRESS: rule.address,
                RESULT: result_text(last[row]) if row in last else tr("Not run yet"),
            }
            long_names = {
                EVENT: tr(EVENT_NAMES[rule.event]),
                ACTION: tr(ACTION_NAMES[rule.action]),
            }
            for column, text in texts.items():
                item = QTableWidgetItem(text)
                item.setToolTip(long_names.get(column, text))
                if column == RESULT and row in last and last[row].problem is not None:
                    item.setForeground(Qt.GlobalColor.red)
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        self.select(min(keep, len(rules) - 1) if keep >= 0 else -1)
        self._update_buttons()

    def _last_runs(self, rules: list[EventRule]) -> dict[int, RuleRan]:
        """The last run of each shown rule: results are kept by the saved rules' indexes;
        a draft rule gets the result of the saved rule it is equal to."""
        saved = self._saved()
        found: dict[int, RuleRan] = {}
        for index, ran in self._results().items():
            if not 0 <= index < len(saved):
                continue
            for row, rule in enumerate(rules):
                if row not in found and rule == saved[index]:
                    found[row] = ran
                    break
        return found

    def result_of(self, row: int) -> str:
        item = self.table.item(row, RESULT)
        return item.text() if item is not None else ""

    def _update_buttons(self) -> None:
        index = self.current()
        count = len(self._rules())
        self.edit_button.setEnabled(index >= 0)
        self.delete_button.setEnabled(index >= 0)
        self.up_button.setEnabled(index > 0)
        self.down_button.setEnabled(0 <= index < count - 1)

    # -- editing

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() != ENABLED:
            return
        rules = self._rules()
        if 0 <= item.row() < len(rules):
            rules[item.row()].enabled = item.checkState() == Qt.CheckState.Checked
            self.on_change()

    def open_editor(self, index: int) -> RuleDialog:
        """Open the rule editor for rule `index` (-1: a new rule); not modal for the
        event loop (tests and the screen reader see it at once)."""
        rules = self._rules()
        rule = rules[index] if 0 <= index < len(rules) else EventRule(name=tr("New rule"))
        self._editing = index if 0 <= index < len(rules) else -1
        self.editor = RuleDialog(rule, self._tester, self._bridge, self.window())
        self.editor.setModal(True)
        self.editor.accepted.connect(self._edited)
        self.editor.open()
        return self.editor

    def _edited(self) -> None:
        editor = self.editor
        if editor is None or editor.rule() is None:
            return
        rule = editor.rule()
        assert rule is not None
        rules = self._rules()
        if 0 <= self._editing < len(rules):
            rules[self._editing] = rule
            index = self._editing
        else:
            rules.append(rule)
            index = len(rules) - 1
        self.refresh()
        self.select(index)
        self.on_change()

    def delete(self, *, confirm: bool = False) -> None:
        index = self.current()
        rules = self._rules()
        if not 0 <= index < len(rules):
            return
        if confirm and not widgets.ask(
            self, tr("Delete rule"), tr("Delete the rule {name}?", name=rules[index].name)
        ):
            return
        del rules[index]
        self.refresh()
        self.select(min(index, len(rules) - 1))
        self.on_change()

    def move_rule(self, step: int) -> None:
        index = self.current()
        rules = self._rules()
        target = index + step
        if not (0 <= index < len(rules) and 0 <= target < len(rules)):
            return
        rules[index], rules[target] = rules[target], rules[index]
        self.refresh()
        self.select(target)
        self.on_change()
