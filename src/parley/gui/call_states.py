"""Muted and on-hold made unmistakable, the same way everywhere a call is shown (the
call view, its list of calls, the main window's call bar): a state text, a colour, and
buttons whose icon shows the state the call is in (a red crossed-out microphone while
muted, an amber pause sign while held)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QIcon
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from parley.app.snapshots import CallInfo
from parley.gui import icons
from parley.gui.i18n import tr
from parley.gui.icons import AMBER, RED
from parley.gui.widgets import state_label

HELD_TEXT = "#9a6700"  # amber dark enough for text on a light background
_PILL = (
    "QLabel {{ color: #ffffff; background: {colour}; border-radius: 9px;"
    " padding: 2px 10px; font-weight: bold; }}"
)
_PRESSED = "QToolButton {{ background: {fill}; border: 2px solid {colour}; border-radius: 5px; }}"


def held(call: CallInfo) -> bool:
    """Held by either side: no audio goes either way."""
    return call.held is not None or call.state == "held"


def row_text(call: CallInfo, *, number: bool = False) -> str:
    """A call in one line: "Anna — On hold · Muted" ("Anna (1002) — …" with `number`)."""
    name = call.shown_name
    if number and call.number and call.number != name:
        name = f"{name} ({call.number})"
    text = f"{name} — {state_label(call.state, call.held)}"
    return f"{text} · {tr('Muted')}" if call.muted else text


def row_icon(call: CallInfo) -> QIcon:
    """The state a list row's icon shows: muted before held, else none."""
    if call.muted:
        return icons.icon("mute", RED)
    if held(call):
        return icons.icon("hold", AMBER)
    return QIcon()


def show_mute(button: QToolButton, muted: bool) -> None:
    """The mute button as the microphone is: a plain microphone while it is on, a red
    crossed-out one on a red-framed pressed button while muted. Its accessible name
    says the state; the description (with the key) comes from gui/accessibility.py."""
    button.setIcon(icons.icon("mute", RED) if muted else icons.icon("microphone"))
    if muted:
        button.setToolTip(tr("Muted: the other side hears nothing. Click to unmute."))
        button.setAccessibleName(tr("Microphone muted"))
        button.setStyleSheet(_PRESSED.format(fill="rgba(210,59,59,45)", colour=RED))
    else:
        button.setToolTip(tr("Mute the microphone"))
        button.setAccessibleName(tr("Mute"))
        button.setStyleSheet("")


def show_hold(button: QToolButton, on_hold: bool) -> None:
    """The hold button: an amber pause sign on a pressed amber-framed button while
    we hold the call."""
    button.setIcon(icons.icon("hold", AMBER if on_hold else None))
    tip = tr("On hold: click to resume the call") if on_hold else tr("Hold")
    button.setToolTip(tip)
    button.setAccessibleName(tr("Resume") if on_hold else tr("Hold"))
    button.setStyleSheet(
        _PRESSED.format(fill="rgba(224,160,32,50)", colour=AMBER) if on_hold else ""
    )


ENDED_GREY = "#5f6368"


def pill(colour: str) -> str:
    """The style of a state said in white on a coloured, rounded background."""
    return _PILL.format(colour=colour)


class _StateText(QLabel):
    """Wraps only what does not fit on one line (a wrapping QLabel otherwise breaks
    even short texts, which looks broken inside a pill)."""

    MAX_WIDTH = 360

    def setText(self, text: str) -> None:
        super().setText(text)
        font = QFont(self.font())
        font.setBold(True)
        needed = QFontMetrics(font).horizontalAdvance(text) + 28  # the pill's padding
        self.setMinimumWidth(min(needed, self.MAX_WIDTH))


class StateBadges(QWidget):
    """The call's state in a row: "Connected", or an amber "On hold" / "Held by the
    other side", and a red "Muted" beside it while muted. The caller sets the state's
    text (`state`); `show_call` gives both their colours."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        self.state = _StateText()
        self.state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.state.setWordWrap(True)
        row.addWidget(self.state)
        self.muted = QLabel(tr("Muted"))
        self.muted.setStyleSheet(pill(RED))
        self.muted.setAccessibleName(tr("Microphone muted"))
        self.muted.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.muted.setVisible(False)
        row.addWidget(self.muted)
        row.addStretch(1)

    def show_call(self, call: CallInfo | None) -> None:
        self.muted.setVisible(call is not None and call.muted)
        self.state.setStyleSheet(pill(HELD_TEXT) if call is not None and held(call) else "")

    def show_end(self, failed: bool) -> None:
        """An ended call: grey, or red when it failed."""
        self.muted.setVisible(False)
        self.state.setStyleSheet(pill(RED if failed else ENDED_GREY))
