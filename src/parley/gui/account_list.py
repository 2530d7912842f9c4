"""The main window's account rows (state symbol, name, state in words, why on hover)
and its dial keypad, which types into the search field."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from parley.app.application import Application
from parley.app.snapshots import AccountInfo
from parley.gui import icons
from parley.gui.call_menu import DtmfKeypad
from parley.gui.i18n import N_, tr
from parley.gui.icons import GREEN
from parley.gui.texts import account_text, sip_answer_text, stun_text
from parley.gui.widgets import round_button
from parley.phone.events import RegCause

ACCOUNT_STATES: dict[str, tuple[str, str]] = {
    "registered": ("registered", N_("Registered")),
    "registering": ("registering", N_("Registering…")),
    "unregistering": ("registering", N_("Unregistering…")),
    "not registered": ("not_registered", N_("Not registered")),
    "failed": ("not_registered", N_("Registration failed")),
    "unreachable": ("not_registered", N_("Server not reachable")),
}


def account_tooltip(info: AccountInfo) -> str:
    """The hover text of an account: its state and, when it failed, why."""
    if not info.enabled:
        return tr("{name}: switched off in the settings", name=info.name)
    _icon, label = ACCOUNT_STATES.get(info.state, ("not_registered", info.state))
    lines = [f"{info.name}: {tr(label)}"]
    if info.server:
        lines.append(tr("Server: {server}", server=info.server))
    text = account_text(info)
    if info.state in ("failed", "not registered", "unreachable") and (text or info.status):
        # An unreachable server gave no answer (the engine's 503 is made up).
        answer = "" if info.cause is RegCause.UNREACHABLE else sip_answer_text(info.status)
        lines.append(text or answer)
        if answer and answer not in text:
            lines.append(tr("Server answer: {answer}", answer=answer))
    if info.tls_unverified:
        lines.append(
            tr(
                "Warning: the server's certificate is not checked (TLS settings); "
                "anyone on the way could listen in."
            )
        )
    stun = stun_text(info)
    if stun:
        lines.append(stun)
    if info.srtp_problem == "srtp needs tls":  # SrtpProblem.NEEDS_TLS
        lines.append(tr("Audio is not encrypted: SRTP needs TLS for this account."))
    return "\n".join(lines)


class AccountList(QWidget):
    """One row per account: state symbol, name, state in words (reason on hover)."""

    state_shown = Signal(str, str)  # account, state — after the row shows it

    def __init__(self, application: Application, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.application = application
        self.rows: dict[str, tuple[QLabel, QLabel, QLabel]] = {}
        self.states: dict[str, str] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self.empty = QLabel(tr("No account yet: add one in the settings."))
        self.empty.setEnabled(False)
        self._layout.addWidget(self.empty)
        self.refresh()

    def refresh(self) -> None:
        infos = self.application.accounts()
        names = {i.name for i in infos}
        for gone in [n for n in self.rows if n not in names]:
            icon_label = self.rows.pop(gone)[0]
            row_widget = icon_label.parentWidget()
            if row_widget is not None:
                row_widget.deleteLater()
            self.states.pop(gone, None)
        for info in infos:
            if info.name not in self.rows:
                row = QWidget()
                h = QHBoxLayout(row)
                h.setContentsMargins(2, 0, 2, 0)
                icon_label, name_label, state_label = QLabel(), QLabel(info.name), QLabel()
                bold = name_label.font()
                bold.setBold(True)
                name_label.setFont(bold)
                state_label.setEnabled(False)
                h.addWidget(icon_label)
                h.addWidget(name_label)
                h.addWidget(state_label, 1)
                self._layout.addWidget(row)
                self.rows[info.name] = (icon_label, name_label, state_label)
            icon_label, name_label, state_label = self.rows[info.name]
            if info.enabled:
                symbol, label = ACCOUNT_STATES.get(info.state, ("not_registered", info.state))
            else:
                symbol, label = "disabled", N_("Off")
            icon_label.setPixmap(icons.pixmap(symbol, 16))
            state = tr(label)
            if info.enabled and info.stun_problem is not None:
                state = tr("{state} (STUN failed)", state=state)
            state_label.setText(state)
            tip = account_tooltip(info)
            for widget in (icon_label, name_label, state_label):
                widget.setToolTip(tip)
            if self.states.get(info.name) != info.state:
                self.states[info.name] = info.state
                self.state_shown.emit(info.name, info.state)
        self.empty.setVisible(not infos)

    def state_text(self, name: str) -> str:
        return self.rows[name][2].text()

    def tooltip(self, name: str) -> str:
        return self.rows[name][0].toolTip()


class DialPad(QWidget):
    """The main window's keypad: keys type into the search field (no DTMF here)."""

    def __init__(self, search: QLineEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.keys = DtmfKeypad()
        self.keys.pressed.connect(lambda key: search.insert(key))
        layout.addWidget(self.keys)
        row = QHBoxLayout()
        row.addStretch(1)
        self.dial_button = round_button("call", tr("Dial"), GREEN, 44)
        row.addWidget(self.dial_button)
        self.back_button = QPushButton("⌫")
        self.back_button.setToolTip(tr("Delete the last digit"))
        self.back_button.setFixedWidth(44)
        self.back_button.clicked.connect(search.backspace)
        row.addWidget(self.back_button)
        row.addStretch(1)
        layout.addLayout(row)
