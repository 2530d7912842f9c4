"""The manual's "Edit Open URL Rule" dialog: event, "call state changes to" (the states
of the chosen event only), call direction (calls only), the action (Open URL,
Open/Execute application, REST API), the address with its placeholders, the number
filter (a regular expression, checked as typed), for REST the method, headers and body,
and "Test this rule", which runs the rule as edited with sample values.

The dialog edits a copy; `rule()` is the result once accepted. The words for what came
of a run (`result_text`) are here too, for the rule list."""

from __future__ import annotations

import concurrent.futures
import re
from collections.abc import Callable

from pydantic import ValidationError
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from parley.app.event_rules import RuleRan
from parley.automation.actions import RuleProblem
from parley.gui.bridge import EngineBridge
from parley.gui.i18n import N_, tr
from parley.settings.automation import RULE_FIELDS, RULE_STATES, EventRule

EVENT_NAMES = {
    "call": N_("Call state change"),
    "registration": N_("Registration"),
    "message": N_("Message received"),
    "voicemail": N_("Voicemail"),
}
STATE_NAMES = {
    "any": N_("Any"),
    "ringing": N_("Ringing"),
    "answered": N_("Answered"),
    "held": N_("On hold"),
    "ended": N_("Ended"),
    "missed": N_("Missed"),
    "registered": N_("Registered"),
    "failed": N_("Failed"),
    "unregistered": N_("Not registered"),
    "received": N_("Received"),
    "new": N_("New message"),
}
DIRECTION_NAMES = {
    "any": N_("Any"),
    "incoming": N_("Incoming"),
    "outgoing": N_("Outgoing"),
}
ACTION_NAMES = {
    "url": N_("Open URL"),
    "program": N_("Open/Execute application"),
    "rest": N_("REST API"),
}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
FIELD_HELP = {
    "DNID": N_("the number that was dialled"),
    "name": N_("the contact's display name"),
    "phone": N_("the other party's number"),
    "number": N_("the other party's number"),
    "account": N_("the name of the account"),
    "call_id": N_("the call's number in Parley"),
    "direction": N_("incoming or outgoing"),
    "duration": N_("the call's length in seconds"),
    "state": N_("the state the rule fired on"),
    "event": N_("the event the rule fired on"),
    "text": N_("a message's text, or the count of new voicemails"),
}
PROBLEM_WORDS = {
    RuleProblem.NO_ADDRESS: N_("no address entered"),
    RuleProblem.NOT_FOUND: N_("the program was not found"),
    RuleProblem.FAILED: N_("it did not work"),
    RuleProblem.UNREACHABLE: N_("the server could not be reached"),
    RuleProblem.TIMEOUT: N_("no answer in time"),
    RuleProblem.TLS: N_("the server's certificate is not trusted"),
    RuleProblem.HTTP_STATUS: N_("the server answered with error {status}"),
    RuleProblem.BAD_ADDRESS: N_("the address cannot be used"),
}
_ERROR_STYLE = "color: #c0392b;"
_FIELD_ERROR_STYLE = "border: 1px solid #c0392b;"


def result_text(ran: RuleRan) -> str:
    """What came of a run, for a person: "OK (HTTP 204)" or "Failed: the server …"."""
    if ran.problem is None:
        if ran.status is not None and ran.status >= 100:
            return tr("OK (HTTP {status})", status=ran.status)
        return tr("OK")
    words = tr(PROBLEM_WORDS.get(ran.problem, N_("it did not work")), status=ran.status or "")
    return tr("Failed: {reason}", reason=words)


def filter_problem(pattern: str) -> str:
    """Why `pattern` is not a usable filter ("" when it is)."""
    try:
        re.compile(pattern)
    except re.error as exc:
        return tr("Not a regular expression: {error}", error=str(exc))
    return ""


def parse_headers(text: str) -> tuple[dict[str, str], str]:
    """Lines "Name: value" as a dict, and the first problem ("" when none)."""
    headers: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon or not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", name.strip()):
            return headers, tr('Line {line}: write "Name: value".', line=number)
        headers[name.strip()] = value.strip()
    return headers, ""


def headers_text(headers: dict[str, str]) -> str:
    return "\n".join(f"{name}: {value}" for name, value in headers.items())


class RuleDialog(QDialog):
    """Edit `rule` (a copy is edited). `tester(rule)` runs a rule now ("Test this rule");
    `bridge` brings its result to the GUI thread."""

    def __init__(
        self,
        rule: EventRule,
        tester: Callable[[EventRule], concurrent.futures.Future[RuleRan]],
        bridge: EngineBridge,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._tester = tester
        self._bridge = bridge
        self._result: EventRule | None = None
        self._timeout = rule.timeout
        self.tested: RuleRan | None = None

        self.name = QLineEdit(rule.name)
        self.name.setMaxLength(100)
        self.enabled = QCheckBox(tr("Enabled"))
        self.enabled.setChecked(rule.enabled)
        self.event_box = QComboBox()
        for key, text in EVENT_NAMES.items():
            self.event_box.addItem(tr(text), key)
        self.state = QComboBox()
        self.direction = QComboBox()
        for key, text in DIRECTION_NAMES.items():
            self.direction.addItem(tr(text), key)
        self.action = QComboBox()
        for key, text in ACTION_NAMES.items():
            self.action.addItem(tr(text), key)
        self.address = QLineEdit(rule.address)
        self.address.setMaxLength(2000)
        self.placeholder = QComboBox()
        self.placeholder.addItem(tr("Insert a parameter…"), "")
        for field in RULE_FIELDS:
            self.placeholder.addItem(f"{{{field}}} – {tr(FIELD_HELP[field])}", field)
        self.placeholder.activated.connect(self._insert_placeholder)
        # Narrow in the dialog; the open list shows each parameter with its meaning.
        self.placeholder.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.placeholder.setMinimumContentsLength(16)
        self.placeholder.view().setMinimumWidth(self.placeholder.view().sizeHintForColumn(0) + 24)
        self.address_help = QLabel()
        self.address_help.setWordWrap(True)
        self.filter = QLineEdit(rule.filter)
        self.filter.setPlaceholderText(tr("e.g. ^\\+49 (empty: every number)"))
        self.filter_error = QLabel()
        self.filter_error.setStyleSheet(_ERROR_STYLE)
        self.filter_error.setWordWrap(True)
        self.filter_error.setVisible(False)
        self.method = QComboBox()
        self.method.addItems(list(METHODS))
        self.method.setCurrentText(rule.method)
        self.headers = QPlainTextEdit(headers_text(rule.headers))
        self.headers.setPlaceholderText("Content-Type: application/json")
        self.headers.setFixedHeight(64)
        self.headers_error = QLabel()
        self.headers_error.setStyleSheet(_ERROR_STYLE)
        self.headers_error.setVisible(False)
        self.body = QPlainTextEdit(rule.body)
        self.body.setPlaceholderText('{"number": "{number}", "name": "{name}"}')
        self.body.setFixedHeight(80)
        self.test_button = QPushButton(tr("Test this rule"))
        self.test_button.clicked.connect(self.test)
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(_ERROR_STYLE)

        form = QFormLayout()
        form.addRow(tr("Name"), self.name)
        form.addRow("", self.enabled)
        form.addRow(tr("Event"), self.event_box)
        form.addRow(tr("Call state changes to"), self.state)
        self.direction_label = QLabel(tr("Call direction"))
        form.addRow(self.direction_label, self.direction)
        form.addRow(tr("Do action"), self.action)
        self.address_label = QLabel(tr("Address"))
        address_line = QHBoxLayout()
        address_line.addWidget(self.address, 1)
        address_line.addWidget(self.placeholder)
        form.addRow(self.address_label, address_line)
        form.addRow("", self.address_help)
        filter_box = QVBoxLayout()
        filter_box.addWidget(self.filter)
        filter_box.addWidget(self.filter_error)
        form.addRow(tr("Filter (number)"), filter_box)
        self.rest_rows: list[QWidget] = []
        self.method_label = QLabel(tr("Method"))
        self.headers_label = QLabel(tr("Headers"))
        self.body_label = QLabel(tr("Body"))
        form.addRow(self.method_label, self.method)
        headers_box = QVBoxLayout()
        headers_box.addWidget(self.headers)
        headers_box.addWidget(self.headers_error)
        form.addRow(self.headers_label, headers_box)
        form.addRow(self.body_label, self.body)
        self.form = form
        buddies: tuple[tuple[QLabel, QWidget], ...] = (
            (self.direction_label, self.direction),
            (self.address_label, self.address),
            (self.method_label, self.method),
            (self.headers_label, self.headers),
            (self.body_label, self.body),
        )
        for label, buddy in buddies:
            label.setBuddy(buddy)
        test_line = QHBoxLayout()
        test_line.addWidget(self.test_button)
        test_line.addWidget(self.test_result, 1)

        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(tr("OK"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton(tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.clicked.connect(self.try_accept)
        self.cancel_button.clicked.connect(self.reject)
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(test_line)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

        self._select(self.event_box, rule.event)
        self._fill_states(rule.state)
        self._select(self.direction, rule.direction)
        self._select(self.action, rule.action)
        self.event_box.currentIndexChanged.connect(lambda _i: self._event_changed())
        self.action.currentIndexChanged.connect(lambda _i: self._action_changed())
        self.filter.textChanged.connect(lambda _t: self.check_filter())
        self.headers.textChanged.connect(self.check_headers)
        self._event_changed()
        self._action_changed()
        self.check_filter()

    # -- the fields

    @staticmethod
    def _select(combo: QComboBox, key: str) -> None:
        index = combo.findData(key)
        combo.setCurrentIndex(max(index, 0))

    def states_offered(self) -> list[str]:
        return [str(self.state.itemData(i)) for i in range(self.state.count())]

    def _fill_states(self, keep: str) -> None:
        event = str(self.event_box.currentData())
        self.state.clear()
        for key in RULE_STATES[event]:
            self.state.addItem(tr(STATE_NAMES.get(key, key)), key)
        wanted = (
            keep
            if keep in RULE_STATES[event]
            else RULE_STATES[event][min(1, len(RULE_STATES[event]) - 1)]
        )
        self._select(self.state, wanted)

    def _event_changed(self) -> None:
        self._fill_states(str(self.state.currentData() or ""))
        calls = self.event_box.currentData() == "call"
        self.direction.setVisible(calls)
        self.direction_label.setVisible(calls)
        self.setWindowTitle(self._title())

    def _action_changed(self) -> None:
        action = str(self.action.currentData())
        rest = action == "rest"
        for widget in (self.method, self.method_label, self.headers, self.headers_label):
            widget.setVisible(rest)
        for widget in (self.body, self.body_label):
            widget.setVisible(rest)
        self.headers_error.setVisible(rest and bool(self.headers_error.text()))
        if action == "program":
            self.address.setPlaceholderText("/usr/bin/crm --caller {number}")
            self.address_help.setText(
                tr(
                    "A program and its arguments; parameters are filled in as separate "
                    "arguments, never through a shell."
                )
            )
        else:
            self.address.setPlaceholderText("https://crm.example.com/search?phone={number}")
            self.address_help.setText(
                tr("A URL; parameters in braces are filled in, encoded for the URL.")
            )
        self.setWindowTitle(self._title())

    def _title(self) -> str:
        titles = {
            "url": N_("Edit Open URL Rule"),
            "program": N_("Edit Open Application Rule"),
            "rest": N_("Edit REST API Rule"),
        }
        return tr(titles.get(str(self.action.currentData()), titles["url"]))

    def _insert_placeholder(self, index: int) -> None:
        field = self.placeholder.itemData(index)
        if field:
            self.address.insert(f"{{{field}}}")
            self.address.setFocus()
        self.placeholder.setCurrentIndex(0)

    def check_filter(self) -> bool:
        """Show on the field whether the filter is a regular expression; True when it is."""
        problem = filter_problem(self.filter.text())
        self.filter_error.setText(problem)
        self.filter_error.setVisible(bool(problem))
        self.filter.setStyleSheet(_FIELD_ERROR_STYLE if problem else "")
        self.filter.setToolTip(problem)
        return not problem

    def check_headers(self) -> bool:
        _headers, problem = parse_headers(self.headers.toPlainText())
        self.headers_error.setText(problem)
        self.headers_error.setVisible(bool(problem) and self.headers.isVisibleTo(self))
        return not problem

    # -- the rule

    def edited_rule(self) -> EventRule | None:
        """The rule as the fields say, or None (and why shown) when it is not valid."""
        ok = self.check_filter() & self.check_headers()
        if not ok:
            self.message.setText(tr("Correct the marked fields."))
            return None
        headers, _ = parse_headers(self.headers.toPlainText())
        try:
            rule = EventRule.model_validate(
                {
                    "name": self.name.text().strip(),
                    "enabled": self.enabled.isChecked(),
                    "event": self.event_box.currentData(),
                    "state": self.state.currentData(),
                    "direction": self.direction.currentData(),
                    "action": self.action.currentData(),
                    "address": self.address.text().strip(),
                    "filter": self.filter.text(),
                    "method": self.method.currentText(),
                    "headers": headers,
                    "body": self.body.toPlainText(),
                    "timeout": self._timeout,  # not in the dialog: kept as it was
                }
            )
        except ValidationError as exc:
            self.message.setText(
                tr("The rule cannot be used: {error}", error=exc.errors()[0].get("msg", ""))
            )
            return None
        self.message.setText("")
        return rule

    def try_accept(self) -> None:
        rule = self.edited_rule()
        if rule is None:
            return
        self._result = rule
        self.accept()

    def rule(self) -> EventRule | None:
        """The edited rule once the dialog was accepted."""
        return self._result

    def test(self) -> None:
        """Run the rule as edited, now, with sample values; the outcome shown beside."""
        rule = self.edited_rule()
        if rule is None:
            return
        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet("")
        self.test_result.setText(tr("Testing…"))
        self._bridge.run(self._tester(rule), self._tested, self._test_failed)

    def _tested(self, ran: RuleRan) -> None:
        self.tested = ran
        self.test_button.setEnabled(True)
        text = result_text(ran)
        if ran.target:
            text += "\n" + ran.target
        self.test_result.setText(text)
        self.test_result.setStyleSheet("" if ran.problem is None else _ERROR_STYLE)

    def _test_failed(self, exc: BaseException) -> None:
        self.test_button.setEnabled(True)
        self.test_result.setStyleSheet(_ERROR_STYLE)
        self.test_result.setText(tr("Failed: {reason}", reason=str(exc)))
