"""The conference view of the call window (the manual's "Conference call" picture):
the participants, the whole conference's mute (A) and hold (B), the selected
participant's own mute, hold, split and end (C), and end conference (D).

It shows what the engine reports (`ConferenceChanged`, call snapshots), never what a
click hopes for; its buttons only send commands.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from parley.app.snapshots import CallInfo
from parley.gui import icons
from parley.gui.call_states import row_icon, row_text
from parley.gui.i18n import tr
from parley.gui.icons import RED
from parley.gui.widgets import heading, round_button, tool_button
from parley.phone.events import ConferenceChanged


class ConferenceView(QFrame):
    """Signals carry the command; the owner runs it: `mute_all(on)`, `hold_all(on)`,
    `mute_participant(call, on)`, `hold_participant(call, on)`, `split(call)`,
    `end_participant(call)`, `end_conference()`, `leave_conference()` (the two others
    go on talking without us: only with two participants)."""

    mute_all = Signal(bool)
    hold_all = Signal(bool)
    mute_participant = Signal(int, bool)
    hold_participant = Signal(int, bool)
    split = Signal(int)
    end_participant = Signal(int)
    end_conference = Signal()
    leave_conference = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conferenceView")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.participants: tuple[int, ...] = ()
        self.muted: tuple[int, ...] = ()
        self.held = False
        self._calls: dict[int, CallInfo] = {}
        self._our_mute = False

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.title = heading(tr("Conference"), 1.1)
        top.addWidget(self.title, 1)
        self.mute_all_button = tool_button("mute", tr("Mute the conference"), checkable=True)
        self.hold_all_button = tool_button("hold", tr("Hold the conference"), checkable=True)
        top.addWidget(self.mute_all_button)
        top.addWidget(self.hold_all_button)
        layout.addLayout(top)

        self.list = QListWidget()
        self.list.setMaximumHeight(150)
        layout.addWidget(self.list)

        selected = QHBoxLayout()
        self.selected_label = QLabel(tr("Selected participant:"))
        self.selected_label.setEnabled(False)
        selected.addWidget(self.selected_label, 1)
        self.mute_button = tool_button("mute", tr("Mute this participant"), checkable=True)
        self.hold_button = tool_button("hold", tr("Hold this participant"), checkable=True)
        self.split_button = tool_button("split", tr("Split: take out of the conference"))
        self.end_button = tool_button("hangup", tr("End the call with this participant"))
        for button in (self.mute_button, self.hold_button, self.split_button, self.end_button):
            selected.addWidget(button)
        layout.addLayout(selected)

        end_row = QHBoxLayout()
        end_row.addStretch(1)
        self.leave_button = tool_button(
            "transferred", tr("Leave the conference"), text=tr("Leave the conference")
        )
        self.leave_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        end_row.addWidget(self.leave_button)
        self.end_conference_button = round_button("hangup", tr("End conference"), RED, 40)
        end_row.addWidget(self.end_conference_button)
        end_row.addStretch(1)
        layout.addLayout(end_row)

        self.mute_all_button.clicked.connect(lambda: self.mute_all.emit(not self._our_mute))
        self.hold_all_button.clicked.connect(lambda: self.hold_all.emit(not self.held))
        self.mute_button.clicked.connect(self._mute_selected)
        self.hold_button.clicked.connect(self._hold_selected)
        self.split_button.clicked.connect(lambda: self._with_selected(self.split.emit))
        self.end_button.clicked.connect(lambda: self._with_selected(self.end_participant.emit))
        self.end_conference_button.clicked.connect(self.end_conference.emit)
        self.leave_button.clicked.connect(self.leave_conference.emit)
        self.list.itemSelectionChanged.connect(self._refresh_buttons)
        self.setVisible(False)

    # ------------------------------------------------------------------ what to show

    def on_conference(self, event: ConferenceChanged) -> None:
        self.participants, self.muted, self.held = event.calls, event.muted, event.held
        self._rebuild()

    def update_calls(self, calls: list[CallInfo]) -> None:
        self._calls = {c.id: c for c in calls}
        live = [c for c in self.participants if c in self._calls]
        self._our_mute = bool(live) and all(self._calls[c].muted for c in live)
        self._rebuild()

    def _rebuild(self) -> None:
        chosen = self.selected()
        self.list.blockSignals(True)
        self.list.clear()
        for call_id in self.participants:
            call = self._calls.get(call_id)
            # As the call list says it: on hold, held by the other side, our microphone
            # muted; and whether the others hear this participant.
            text = row_text(call) if call is not None else f"#{call_id}"
            icon = row_icon(call) if call is not None else QIcon()
            if call_id in self.muted:
                text = f"{text} · {tr('Not heard by the others')}"
                icon = icons.icon("mute", RED)
            item = QListWidgetItem(icon, text)
            item.setData(Qt.ItemDataRole.UserRole, call_id)
            self.list.addItem(item)
            if call_id == chosen:
                item.setSelected(True)
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self.setVisible(bool(self.participants))
        self.title.setText(tr("Conference ({count} participants)", count=len(self.participants)))
        self.hold_all_button.setChecked(self.held)
        self.hold_all_button.setToolTip(
            tr("Resume the conference") if self.held else tr("Hold the conference")
        )
        self.mute_all_button.setChecked(self._our_mute)
        # One transfer connects two parties: with more, leaving would cut the others off.
        two = len(self.participants) == 2
        self.leave_button.setEnabled(two)
        self.leave_button.setToolTip(
            tr("Leave: the other two go on talking, your calls end")
            if two
            else tr(
                "Leaving works with two other participants only: with more, they cannot "
                "all be connected to each other without you. Split or end calls first."
            )
        )
        self._refresh_buttons()

    def _refresh_buttons(self) -> None:
        chosen = self.selected()
        for button in (self.mute_button, self.hold_button, self.split_button, self.end_button):
            button.setEnabled(chosen is not None)
        call = self._calls.get(chosen) if chosen is not None else None
        self.mute_button.setChecked(chosen is not None and chosen in self.muted)
        self.hold_button.setChecked(call is not None and call.held in ("us", "both"))
        self.selected_label.setText(
            tr("Selected: {name}", name=call.shown_name)
            if call is not None
            else tr("Selected participant:")
        )

    def selected(self) -> int | None:
        items = self.list.selectedItems()
        return int(items[0].data(Qt.ItemDataRole.UserRole)) if items else None

    def select(self, call_id: int) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if int(item.data(Qt.ItemDataRole.UserRole)) == call_id:
                self.list.setCurrentItem(item)
                item.setSelected(True)
                return
        raise KeyError(call_id)

    # ------------------------------------------------------------------ commands

    def _with_selected(self, emit: object) -> None:
        chosen = self.selected()
        if chosen is not None and callable(emit):
            emit(chosen)

    def _mute_selected(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.mute_participant.emit(chosen, chosen not in self.muted)
            self._refresh_buttons()  # the event sets it for good

    def _hold_selected(self) -> None:
        chosen = self.selected()
        call = self._calls.get(chosen) if chosen is not None else None
        if chosen is not None:
            held = call is not None and call.held in ("us", "both")
            self.hold_participant.emit(chosen, not held)
            self._refresh_buttons()
