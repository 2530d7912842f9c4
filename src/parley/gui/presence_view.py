"""The status bar's presence selector (the manual's eight states with an optional note)
and its voicemail indicator (new/old counts from MWI), and the presence dots shown with
contacts.

They show what the engine reports (`PresenceChanged` with `own`, `MwiChanged`) and what
the facades say; a choice only sends the command.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QPoint, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from parley.gui import icons
from parley.gui.facades import PresenceFacade, Runner, VoicemailFacade, ignore, same_party
from parley.gui.i18n import N_, tr
from parley.phone.events import MwiChanged, PresenceChanged
from parley.settings.model import AccountSettings, Settings
from parley.sip.pidf import PresenceState

# The manual's order in the status bar's menu.
PRESENCE_LABELS: dict[PresenceState, str] = {
    PresenceState.ONLINE: N_("Online"),
    PresenceState.INVISIBLE: N_("Invisible"),
    PresenceState.AWAY: N_("Away"),
    PresenceState.BUSY: N_("Busy"),
    PresenceState.OFFLINE: N_("Offline"),
    PresenceState.LUNCH: N_("Lunch break"),
    PresenceState.ON_THE_PHONE: N_("On the phone"),
    PresenceState.BRB: N_("Briefly absent"),
}
PRESENCE_COLOURS: dict[PresenceState, str] = {
    PresenceState.ONLINE: icons.GREEN,
    PresenceState.INVISIBLE: "#b8bcc2",
    PresenceState.AWAY: icons.AMBER,
    PresenceState.BUSY: icons.RED,
    PresenceState.OFFLINE: icons.GREY,
    PresenceState.LUNCH: icons.AMBER,
    PresenceState.ON_THE_PHONE: icons.RED,
    PresenceState.BRB: icons.AMBER,
}
# A second mark inside the dot, so the state reads without colour too.
_MARKS: dict[PresenceState, str] = {
    PresenceState.INVISIBLE: "ring",
    PresenceState.AWAY: "clock",
    PresenceState.BUSY: "bar",
    PresenceState.OFFLINE: "ring",
    PresenceState.LUNCH: "clock",
    PresenceState.ON_THE_PHONE: "bar",
    PresenceState.BRB: "clock",
}


def presence_label(state: PresenceState) -> str:
    return tr(PRESENCE_LABELS.get(state, state.value))


def presence_text(state: PresenceState, note: str = "") -> str:
    """ "Busy — back at 2": the state in words with the note, for tooltips."""
    label = presence_label(state)
    return f"{label} — {note}" if note else label


def presence_pixmap(state: PresenceState, size: int = 12) -> QPixmap:
    """A coloured dot with a mark for `state` (online: plain green)."""
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(PRESENCE_COLOURS.get(state, icons.GREY))
    mark = _MARKS.get(state)
    s = float(size)
    p.setPen(QPen(QColor("white"), max(1.0, s * 0.08)))
    p.setBrush(colour if mark != "ring" else QColor("white"))
    if mark == "ring":
        p.setPen(QPen(colour, s * 0.2))
        p.drawEllipse(QRectF(s * 0.15, s * 0.15, s * 0.7, s * 0.7))
    else:
        p.drawEllipse(QRectF(s * 0.05, s * 0.05, s * 0.9, s * 0.9))
    white = QPen(QColor("white"), max(1.0, s * 0.14))
    white.setCapStyle(Qt.PenCapStyle.RoundCap)
    if mark == "bar":
        p.setPen(white)
        p.drawLine(int(s * 0.3), int(s * 0.5), int(s * 0.7), int(s * 0.5))
    elif mark == "clock":
        p.setPen(white)
        p.drawLine(int(s * 0.5), int(s * 0.5), int(s * 0.5), int(s * 0.27))
        p.drawLine(int(s * 0.5), int(s * 0.5), int(s * 0.68), int(s * 0.6))
    p.end()
    return pm


def presence_icon(state: PresenceState) -> QIcon:
    out = QIcon()
    for size in (12, 16, 24, 32):
        out.addPixmap(presence_pixmap(state, size))
    return out


def presence_for(watched: dict[str, PresenceChanged], numbers: list[str]) -> PresenceChanged | None:
    """The known presence of a party with these numbers or addresses (None: unknown).
    A number may be a list row's text: a source contact's row shows its first number
    followed, after two spaces, by how many more it has ("3004  (+1 more)")."""
    shown = [n.split("  ", 1)[0] for n in numbers]
    for uri, event in watched.items():
        if any(same_party(uri, n) for n in shown):
            return event
    return None


class PresenceSelector(QToolButton):
    """The status bar's presence button: its dot and state name; the menu offers the
    eight states and a note. `chosen(state, note)` after a choice was sent."""

    chosen = Signal(str, str)

    def __init__(
        self, facade: PresenceFacade, run: Runner = ignore, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.facade = facade
        self.run = run
        self.setAutoRaise(True)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setIconSize(QSize(14, 14))
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setAccessibleName(tr("Presence"))
        self.menu_ = QMenu(self)
        self.actions_: dict[PresenceState, object] = {}
        for state in PRESENCE_LABELS:
            action = self.menu_.addAction(presence_icon(state), presence_label(state))
            action.setCheckable(True)
            action.setData(state.value)
            action.triggered.connect(lambda _=False, s=state: self.choose(s))
            self.actions_[state] = action
        self.menu_.addSeparator()
        note_row = QWidget()
        row = QHBoxLayout(note_row)
        row.setContentsMargins(8, 2, 8, 2)
        row.addWidget(QLabel(tr("Note:")))
        self.note = QLineEdit()
        self.note.setPlaceholderText(tr("e.g. back at 2 pm"))
        self.note.setClearButtonEnabled(True)
        self.note.setMaxLength(200)
        self.note.returnPressed.connect(self._note_entered)
        row.addWidget(self.note, 1)
        note_action = QWidgetAction(self.menu_)
        note_action.setDefaultWidget(note_row)
        self.menu_.addAction(note_action)
        self.setMenu(self.menu_)
        state, note = facade.state()
        self.show_state(state, note)

    def show_state(self, state: PresenceState, note: str = "") -> None:
        self.state, self.note_text = state, note
        self.setIcon(presence_icon(state))
        self.setText(presence_label(state))
        self.setToolTip(tr("Your presence: {state}", state=presence_text(state, note)))
        for each, action in self.actions_.items():
            action.setChecked(each is state)  # type: ignore[attr-defined]
        if not self.note.hasFocus():
            self.note.setText(note)

    def choose(self, state: PresenceState, note: str | None = None) -> None:
        """Send the choice (the note field's text unless given)."""
        text = (self.note.text() if note is None else note).strip()
        self.run(self.facade.set_state(state, text))
        self.show_state(state, text)  # the engine confirms with PresenceChanged(own)
        self.chosen.emit(state.value, text)

    def _note_entered(self) -> None:
        self.choose(self.state)
        self.menu_.close()

    def on_presence(self, event: PresenceChanged) -> None:
        if event.own:
            self.show_state(event.state, event.note)


def mwi_accounts(settings: Settings) -> list[AccountSettings]:
    """The enabled accounts that want voicemail counts."""
    return [a for a in settings.accounts if a.enabled and a.mwi]


class MwiIndicator(QToolButton):
    """The voicemail button with the number of new messages (old ones in brackets);
    the tooltip says new, old and urgent per account. A click calls the voicemail of
    the account with new messages (a menu when several accounts have MWI).
    `called(account)` after the call was asked for."""

    called = Signal(str)

    def __init__(
        self,
        facade: VoicemailFacade,
        settings: Settings,
        run: Runner = ignore,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.facade = facade
        self.run = run
        self.setAutoRaise(True)
        self.setIcon(icons.icon("voicemail"))
        self.setIconSize(QSize(18, 18))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.summaries: dict[str, MwiChanged] = {}
        self.accounts: list[str] = []
        self.clicked.connect(self._clicked)
        self.apply_settings(settings)

    def apply_settings(self, settings: Settings) -> None:
        self.accounts = [a.name for a in mwi_accounts(settings)]
        for name in self.accounts:
            known = self.facade.summary(name)
            if known is not None:
                self.summaries[name] = known
        self.summaries = {k: v for k, v in self.summaries.items() if k in self.accounts}
        self.refresh()

    def on_mwi(self, event: MwiChanged) -> None:
        self.summaries[event.account] = event
        self.refresh()

    @property
    def new(self) -> int:
        return sum(s.new for s in self.summaries.values())

    @property
    def old(self) -> int:
        return sum(s.old for s in self.summaries.values())

    def refresh(self) -> None:
        self.setVisible(bool(self.accounts))
        waiting = any(s.waiting for s in self.summaries.values())
        new, old = self.new, self.old
        if new:
            self.setText(f"{new} ({old})" if old else str(new))
        else:
            self.setText("•" if waiting else "")
        self.setIcon(icons.icon("voicemail", icons.RED if new or waiting else None))
        lines = []
        for name in self.accounts:
            s = self.summaries.get(name)
            if s is None:
                lines.append(tr("{account}: no voicemail report yet", account=name))
                continue
            text = tr("{account}: {new} new, {old} old", account=name, new=s.new, old=s.old)
            if s.urgent_new or s.urgent_old:
                text += " " + tr(
                    "(urgent: {new} new, {old} old)", new=s.urgent_new, old=s.urgent_old
                )
            elif s.waiting and not (s.new or s.old):
                text = tr("{account}: messages waiting", account=name)
            lines.append(text)
        lines.append(tr("Click to call the voicemail."))
        self.setToolTip("\n".join(lines))
        self.setAccessibleName(tr("Voicemail: {new} new", new=new))

    def _clicked(self) -> None:
        if len(self.accounts) == 1:
            self.call(self.accounts[0])
            return
        with_new = [a for a in self.accounts if (s := self.summaries.get(a)) and s.new]
        if len(with_new) == 1:
            self.call(with_new[0])
            return
        menu = QMenu(self)
        for name in self.accounts:
            s = self.summaries.get(name)
            label = tr("{account}: {new} new", account=name, new=s.new if s else 0)
            menu.addAction(label, partial(self.call, name))
        menu.popup(self.mapToGlobal(QPoint(0, -menu.sizeHint().height())))
        self.last_menu = menu

    def call(self, account: str) -> None:
        self.run(self.facade.call(account))
        self.called.emit(account)
