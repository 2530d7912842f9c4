"""The BLF panel (Busy Lamp Field): one row per watched line with its lamp — idle green,
ringing orange and blinking, busy red, on hold blue, unknown grey — the caller when the
PBX says it, and "Pick up" while a call rings there. A double-click calls the line.

It shows `Blf.lines()` at start and every `BlfChanged` after; pick-up only sends the
command (the call that results comes as a call event).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from parley.gui import icons
from parley.gui.facades import BlfFacade, Runner, ignore, party_text, uri_user
from parley.gui.i18n import N_, tr
from parley.phone.events import BlfChanged, BlfState

LAMP_COLOURS: dict[BlfState, str] = {
    BlfState.IDLE: icons.GREEN,
    BlfState.RINGING: icons.ORANGE,
    BlfState.BUSY: icons.RED,
    BlfState.HELD: icons.BLUE,
    BlfState.UNKNOWN: "#9aa0a8",
}
BLF_LABELS: dict[BlfState, str] = {
    BlfState.IDLE: N_("Free"),
    BlfState.RINGING: N_("Ringing"),
    BlfState.BUSY: N_("Busy"),
    BlfState.HELD: N_("On hold"),
    BlfState.UNKNOWN: N_("Unknown"),
}
BLINK_MS = 500


def lamp_pixmap(colour: str, size: int = 14, lit: bool = True) -> QPixmap:
    """A round lamp; unlit (a blink's dark half) it is an outline only."""
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    c = QColor(colour)
    p.setPen(c.darker(130))
    p.setBrush(c if lit else Qt.GlobalColor.transparent)
    p.drawEllipse(1, 1, size - 2, size - 2)
    p.end()
    return pm


def blf_state_text(event: BlfChanged) -> str:
    label = tr(BLF_LABELS.get(event.state, event.state.value))
    if event.caller and event.state is not BlfState.IDLE:
        caller = party_text(event.caller)
        if event.state is BlfState.RINGING:
            return tr("Ringing: {caller} calls", caller=caller)
        return tr("{state} with {caller}", state=label, caller=caller)
    return label


class BlfRow(QWidget):
    """One line: lamp, name and extension, state (and caller), pick-up button."""

    def __init__(self, uri: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.uri = uri
        self.state = BlfState.UNKNOWN
        self.account = ""
        self.lamp_colour = LAMP_COLOURS[BlfState.UNKNOWN]
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 2, 4, 2)
        self.lamp = QLabel()
        row.addWidget(self.lamp)
        texts = QVBoxLayout()
        texts.setSpacing(0)
        extension = uri_user(uri)
        self.name_label = QLabel(name if name and name != extension else extension)
        self.name_label.setTextFormat(Qt.TextFormat.PlainText)
        bold = self.name_label.font()
        bold.setBold(True)
        self.name_label.setFont(bold)
        self.state_label = QLabel()
        self.state_label.setTextFormat(Qt.TextFormat.PlainText)
        self.state_label.setEnabled(False)
        texts.addWidget(self.name_label)
        texts.addWidget(self.state_label)
        row.addLayout(texts, 1)
        self.pickup_button = QPushButton(icons.icon("call"), tr("Pick up"))
        self.pickup_button.setToolTip(tr("Take over the call ringing at {line}", line=extension))
        row.addWidget(self.pickup_button)
        self.set_lit(True)
        self.show_event(BlfChanged(uri=uri, state=BlfState.UNKNOWN))

    def show_event(self, event: BlfChanged) -> None:
        self.state = event.state
        self.account = event.account
        self.lamp_colour = LAMP_COLOURS.get(event.state, LAMP_COLOURS[BlfState.UNKNOWN])
        self.state_label.setText(blf_state_text(event))
        self.pickup_button.setEnabled(event.state is BlfState.RINGING)
        self.set_lit(True)
        tip = f"{self.name_label.text()} ({self.uri}): {self.state_label.text()}"
        self.setToolTip(tip)
        self.lamp.setAccessibleName(tr(BLF_LABELS.get(event.state, event.state.value)))

    def set_lit(self, lit: bool) -> None:
        self.lit = lit
        self.lamp.setPixmap(lamp_pixmap(self.lamp_colour, 14, lit))


class BlfPanel(QWidget):
    """The lines of `facade.lines()` in their order. `dial_requested(extension, account)`
    on a double-click; `name_for(uri)` gives a contact's name for a line ("" when none)."""

    dial_requested = Signal(str, str)

    def __init__(
        self,
        facade: BlfFacade,
        run: Runner = ignore,
        name_for: Callable[[str], str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.facade = facade
        self.run = run
        self.name_for = name_for or (lambda _uri: "")
        self.rows: dict[str, BlfRow] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.title = QLabel(tr("Lines (BLF)"))
        bold = self.title.font()
        bold.setBold(True)
        self.title.setFont(bold)
        layout.addWidget(self.title)
        self.list = QListWidget()
        self.list.setMaximumHeight(170)
        layout.addWidget(self.list)
        self.list.itemDoubleClicked.connect(self._double_clicked)
        self.blink = QTimer(self)
        self.blink.setInterval(BLINK_MS)
        self.blink.timeout.connect(self._blink)
        self.reload()

    def reload(self) -> None:
        """Show the facade's lines afresh (at start and after a settings change)."""
        self.list.clear()
        self.rows.clear()
        for event in self.facade.lines():
            self.on_blf(event)
        self.setVisible(bool(self.rows))

    def on_blf(self, event: BlfChanged) -> None:
        row = self.rows.get(event.uri)
        if row is None:
            row = BlfRow(event.uri, self.name_for(event.uri))
            row.pickup_button.clicked.connect(lambda _=False, u=event.uri: self.pickup(u))
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, event.uri)
            item.setSizeHint(row.sizeHint())
            self.list.addItem(item)
            self.list.setItemWidget(item, row)
            self.rows[event.uri] = row
            self.setVisible(True)
        row.show_event(event)
        ringing = any(r.state is BlfState.RINGING for r in self.rows.values())
        if ringing and not self.blink.isActive():
            self.blink.start()
        elif not ringing:
            self.blink.stop()

    def _blink(self) -> None:
        for row in self.rows.values():
            row.set_lit(not row.lit if row.state is BlfState.RINGING else True)

    def pickup(self, uri: str) -> None:
        row = self.rows.get(uri)
        if row is None or row.state is not BlfState.RINGING:
            return
        self.run(self.facade.pickup(uri))

    def _double_clicked(self, item: QListWidgetItem) -> None:
        uri = str(item.data(Qt.ItemDataRole.UserRole))
        row = self.rows.get(uri)
        self.dial_requested.emit(uri_user(uri), row.account if row is not None else "")

    def row(self, uri: str) -> BlfRow:
        return self.rows[uri]
