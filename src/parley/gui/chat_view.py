"""Instant messaging in the call window (the manual's "Instant Messaging"): the
conversations with their unread counts, and one conversation as speech bubbles — ours
on the right, theirs on the left, each with its time and, for ours, whether it was sent,
delivered or failed (and why) — with "Anna is typing…" and a field where Enter sends
(Shift+Enter starts a new line).

Text is text: every message is shown as plain text (`Qt.TextFormat.PlainText`), so
markup from the network is never interpreted. A conversation shows its last
`MAX_BUBBLES` messages; more arrive at the bottom, the oldest leave at the top.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from parley.gui import icons
from parley.gui.facades import (
    ConversationLike,
    MessagesFacade,
    Runner,
    StoredMessageLike,
    ignore,
    same_party,
    uri_user,
)
from parley.gui.i18n import N_, tr
from parley.gui.texts import sip_answer_text
from parley.gui.widgets import heading, tool_button
from parley.phone.events import MessageDelivery, MessageReceived, MessageStatus, TypingChanged

log = logging.getLogger(__name__)

MAX_BUBBLES = 200
TYPING_IDLE_MS = 5000  # no key for this long: we stopped typing
OUR_COLOUR = "#d7e8ff"
THEIR_COLOUR = "#e3e6ea"

BUBBLE_STYLE = (
    "QWidget#chatContent { background: palette(base); }"
    f"QFrame#ourBubble {{ background: {OUR_COLOUR}; border-radius: 10px; }}"
    f"QFrame#theirBubble {{ background: {THEIR_COLOUR}; border-radius: 10px; }}"
    "QFrame#ourBubble QLabel, QFrame#theirBubble QLabel "
    "{ color: #1d2329; background: transparent; }"
    "QLabel#meta { color: #5a636d; }"
)

DELIVERY_LABELS: dict[str, str] = {
    MessageDelivery.SENDING: N_("Sending…"),
    MessageDelivery.SENT: N_("Sent"),
    MessageDelivery.DELIVERED: N_("Delivered"),
    MessageDelivery.FAILED: N_("Not delivered"),
}


def message_time(at: float, now: float | None = None) -> str:
    """The clock time today, else date and time."""
    moment = datetime.fromtimestamp(at or time.time())
    today = datetime.fromtimestamp(now if now is not None else time.time()).date()
    return moment.strftime("%H:%M" if moment.date() == today else "%d.%m. %H:%M")


def delivery_text(state: str, status: int | None = None, reason: str = "") -> str:
    """ "Sent", "Delivered", "Not delivered: 404 Not Found"…; "" for a received one."""
    label = DELIVERY_LABELS.get(state)
    if label is None:
        return ""
    if state == MessageDelivery.FAILED:
        # Our words for the SIP status; the far end's reason phrase is not shown (it is
        # English, or whatever language the server speaks).
        # Without a status the transport failed: its words are English, not shown.
        why = sip_answer_text(status) if status else ""
        if not why and reason:
            why = tr("the server cannot be reached")
        return tr("Not delivered: {reason}", reason=why) if why else tr(label)
    return tr(label)


def plain_label(text: str) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)  # never rich text from the network
    label.setText(text)
    return label


class Bubble(QWidget):
    """One message: the text in a rounded box on its side, with time and delivery state."""

    def __init__(
        self,
        text: str,
        ours: bool,
        at: float,
        state: str = "",
        status: int | None = None,
        reason: str = "",
        message_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ours = ours
        self.message_id = message_id
        self.at = at
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 2, 6, 2)
        self.box = QFrame()
        # Styled by the conversation's one style sheet (BUBBLE_STYLE): cheaper than a
        # style sheet per bubble in a long conversation.
        self.box.setObjectName("ourBubble" if ours else "theirBubble")
        inner = QVBoxLayout(self.box)
        inner.setContentsMargins(10, 6, 10, 6)
        inner.setSpacing(2)
        self.text_label = plain_label(text)
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        inner.addWidget(self.text_label)
        self.meta_label = plain_label("")
        small = self.meta_label.font()
        small.setPointSizeF(small.pointSizeF() * 0.85)
        self.meta_label.setFont(small)
        self.meta_label.setAlignment(
            Qt.AlignmentFlag.AlignRight if ours else Qt.AlignmentFlag.AlignLeft
        )
        inner.addWidget(self.meta_label)
        self.box.setMaximumWidth(420)
        if ours:
            row.addStretch(1)
            row.addWidget(self.box, 4)
        else:
            row.addWidget(self.box, 4)
            row.addStretch(1)
        self.set_state(state, status, reason)

    def set_state(self, state: str, status: int | None = None, reason: str = "") -> None:
        self.state = state
        parts = [message_time(self.at)]
        if self.ours:
            said = delivery_text(state, status, reason)
            if said:
                parts.append(said)
        self.meta_label.setText("  ·  ".join(parts))
        failed = state == MessageDelivery.FAILED
        self.meta_label.setObjectName("failed" if failed else "meta")
        self.meta_label.setStyleSheet(f"color: {icons.RED};" if failed else "")

    @property
    def text(self) -> str:
        return self.text_label.text()

    @property
    def meta(self) -> str:
        return self.meta_label.text()


class MessageInput(QPlainTextEdit):
    """The text field: Enter sends (`send_requested`), Shift+Enter is a new line."""

    send_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.send_requested.emit()
            return
        if enter:  # Shift+Enter: a plain new line (not a paragraph separator)
            self.insertPlainText("\n")
            return
        super().keyPressEvent(event)


class ChatView(QWidget):
    """One conversation. `show_peer(uri, name)` opens it; events keep it current."""

    def __init__(
        self, facade: MessagesFacade, run: Runner = ignore, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.facade = facade
        self.run = run
        self.peer = ""
        self.name = ""
        self.account: str | None = None
        self.bubbles: list[Bubble] = []
        self._early: dict[int, MessageStatus] = {}  # statuses before `send` said the id
        self._typing_active = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = heading("", 1.15)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.title)
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.content = QWidget()
        self.content.setObjectName("chatContent")
        self.content.setStyleSheet(BUBBLE_STYLE)
        self.column = QVBoxLayout(self.content)
        self.column.setContentsMargins(0, 4, 0, 4)
        self.column.setSpacing(2)
        self.column.addStretch(1)
        self.scroller.setWidget(self.content)
        layout.addWidget(self.scroller, 1)
        self.empty = QLabel(tr("No messages yet. Write the first one below."))
        self.empty.setEnabled(False)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.column.insertWidget(0, self.empty)
        self.typing_label = plain_label("")
        self.typing_label.setEnabled(False)
        layout.addWidget(self.typing_label)
        entry = QHBoxLayout()
        self.input = MessageInput()
        self.input.setPlaceholderText(tr("Write a message (Enter sends, Shift+Enter: new line)"))
        self.input.setFixedHeight(64)
        entry.addWidget(self.input, 1)
        self.send_button = tool_button("send", tr("Send"), size=22)
        entry.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(entry)
        self.typing_idle = QTimer(self)
        self.typing_idle.setSingleShot(True)
        self.typing_idle.setInterval(TYPING_IDLE_MS)
        self.typing_idle.timeout.connect(lambda: self._set_typing(False))

        self.input.send_requested.connect(self.send)
        self.send_button.clicked.connect(self.send)
        self.input.textChanged.connect(self._typed)
        self.scroller.verticalScrollBar().rangeChanged.connect(self._stick_to_bottom)
        self._at_bottom = True
        self.scroller.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.setEnabled(False)

    # ------------------------------------------------------------------ what to show

    def show_peer(self, uri: str, name: str = "", account: str | None = None) -> None:
        """Open the conversation with `uri` (its last messages from the store)."""
        if self.peer and self.peer != uri:
            self._set_typing(False)
        self.peer, self.name, self.account = uri, name or uri_user(uri), account
        self.title.setText(self.name)
        self.title.setToolTip(uri)
        self.typing_label.setText("")
        self.input.clear()
        self._clear()
        messages = list(self.facade.conversation(uri, MAX_BUBBLES))[-MAX_BUBBLES:]
        for message in messages:
            self._add(self._bubble_for(message))
        self._refresh_empty()
        self.setEnabled(True)
        self._at_bottom = True
        self.input.setFocus()

    def _bubble_for(self, m: StoredMessageLike) -> Bubble:
        return Bubble(
            m.text, m.direction == "out", m.at, m.state, m.status, m.reason, message_id=m.id
        )

    def _clear(self) -> None:
        for bubble in self.bubbles:
            self.column.removeWidget(bubble)
            bubble.deleteLater()
        self.bubbles.clear()

    def _add(self, bubble: Bubble) -> None:
        self.bubbles.append(bubble)
        self.column.addWidget(bubble)
        while len(self.bubbles) > MAX_BUBBLES:
            old = self.bubbles.pop(0)
            self.column.removeWidget(old)
            old.deleteLater()
        self._refresh_empty()

    def _refresh_empty(self) -> None:
        self.empty.setVisible(not self.bubbles)

    def _scrolled(self, value: int) -> None:
        bar = self.scroller.verticalScrollBar()
        self._at_bottom = value >= bar.maximum() - 4

    def _stick_to_bottom(self, _low: int, high: int) -> None:
        if self._at_bottom:
            self.scroller.verticalScrollBar().setValue(high)

    def is_showing(self, uri: str) -> bool:
        return bool(self.peer) and (uri == self.peer or same_party(uri, self.peer))

    # ------------------------------------------------------------------ events

    def on_message(self, event: MessageReceived) -> bool:
        """Show a message from the peer; True when it was shown here."""
        if not self.is_showing(event.sender):
            return False
        self.peer = event.sender  # the address the store uses
        self.typing_label.setText("")
        self._add(
            Bubble(
                event.text,
                False,
                event.at or time.time(),
                "received",
                None,
                "",
                message_id=event.message_id,
            )
        )
        return True

    def on_status(self, event: MessageStatus) -> None:
        for bubble in self.bubbles:
            if bubble.ours and bubble.message_id == event.message_id:
                bubble.set_state(event.state, event.status, event.reason)
                return
        if self.is_showing(event.to):
            self._early[event.message_id] = event
            if len(self._early) > 50:
                self._early.pop(next(iter(self._early)))

    def on_typing(self, event: TypingChanged) -> None:
        if not self.is_showing(event.sender):
            return
        self.typing_label.setText(tr("{name} is typing…", name=self.name) if event.active else "")

    # ------------------------------------------------------------------ sending

    def send(self) -> None:
        text = self.input.toPlainText().strip("\n")
        if not self.peer or not text.strip():
            return
        self.input.clear()
        self._set_typing(False)
        bubble = Bubble(text, True, time.time(), MessageDelivery.SENDING)
        self._add(bubble)

        def sent(message_id: Any) -> None:
            if isinstance(message_id, int):
                bubble.message_id = message_id
                early = self._early.pop(message_id, None)
                if early is not None:
                    bubble.set_state(early.state, early.status, early.reason)

        def failed(exc: BaseException) -> None:
            log.info("sending a message failed: %s", exc)
            bubble.set_state(MessageDelivery.FAILED, None, "")

        self.run(self.facade.send(self.peer, text, self.account), sent, failed)

    def _typed(self) -> None:
        if not self.peer:
            return
        has_text = bool(self.input.toPlainText().strip())
        if has_text:
            self.typing_idle.start()
        self._set_typing(has_text)

    def _set_typing(self, active: bool) -> None:
        if not active:
            self.typing_idle.stop()
        if active == self._typing_active or not self.peer:
            return
        self._typing_active = active
        self.run(self.facade.typing(self.peer, active))


class ConversationRow(QWidget):
    def __init__(self, conversation: ConversationLike, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.peer = conversation.peer
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 2, 4, 2)
        texts = QVBoxLayout()
        texts.setSpacing(0)
        self.name_label = plain_label(conversation.name or uri_user(conversation.peer))
        bold = self.name_label.font()
        bold.setBold(conversation.unread > 0)
        self.name_label.setFont(bold)
        last = conversation.last_text.replace("\n", " ")
        self.last_label = plain_label(last[:60] + ("…" if len(last) > 60 else ""))
        self.last_label.setEnabled(False)
        # Cut at the list's edge rather than widening it.
        for label in (self.name_label, self.last_label):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        texts.addWidget(self.name_label)
        texts.addWidget(self.last_label)
        row.addLayout(texts, 1)
        self.badge = plain_label(str(conversation.unread) if conversation.unread else "")
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.badge.setMinimumWidth(20)
        self.badge.setStyleSheet(
            f"background: {icons.RED}; color: white; border-radius: 9px; padding: 0 5px;"
        )
        self.badge.setVisible(conversation.unread > 0)
        row.addWidget(self.badge)
        self.setToolTip(conversation.peer)


class ChatPanel(QSplitter):
    """The conversations on the left (unread counts as badges), the chosen one on the
    right. `unread_changed(total)` whenever the unread count may have changed."""

    unread_changed = Signal(int)

    def __init__(
        self, facade: MessagesFacade, run: Runner = ignore, parent: QWidget | None = None
    ) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.facade = facade
        self.list = QListWidget()
        self.list.setMinimumWidth(120)
        # During a call: back to the call's controls (the chat stays as it is).
        self.back_button = QPushButton(icons.icon("call"), tr("Back to the call"))
        self.back_button.setVisible(False)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view = ChatView(facade, run)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.back_button)
        column.addWidget(self.list, 1)
        self.addWidget(left)
        self.addWidget(self.view)
        self.setStretchFactor(1, 1)
        self.setSizes([150, 300])
        self.rows: dict[str, ConversationRow] = {}
        self.list.currentItemChanged.connect(self._picked)
        self.reload()

    def reload(self) -> None:
        """The conversations afresh (keeps the chosen one)."""
        self.list.blockSignals(True)
        self.list.clear()
        self.rows.clear()
        total = 0
        for conversation in self.facade.conversations():
            row = ConversationRow(conversation)
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, conversation.peer)
            item.setSizeHint(row.sizeHint())
            self.list.addItem(item)
            self.list.setItemWidget(item, row)
            self.rows[conversation.peer] = row
            total += conversation.unread
            if self.view.is_showing(conversation.peer):
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self.unread_changed.emit(total)

    def unread(self) -> int:
        return sum(c.unread for c in self.facade.conversations())

    def open(self, uri: str, name: str = "", account: str | None = None) -> None:
        """Show the conversation with `uri` (an existing one with the same party is
        used, so a contact's number finds its conversation) and mark it read."""
        for peer in self.rows:
            if same_party(peer, uri):
                uri = peer
                break
        self.view.show_peer(uri, name, account)
        self.mark_read()

    def mark_read(self) -> None:
        if self.view.peer and self.isVisible():
            self.facade.mark_read(self.view.peer)
        self.reload()

    def _picked(self, item: QListWidgetItem | None, _old: object) -> None:
        if item is None:
            return
        peer = str(item.data(Qt.ItemDataRole.UserRole))
        row = self.rows.get(peer)
        self.view.show_peer(peer, row.name_label.text() if row else "")
        self.mark_read()

    def on_event(self, event: object) -> bool:
        """Take a message event; True when a new message was shown in the open view."""
        shown = False
        if isinstance(event, MessageReceived):
            shown = self.view.on_message(event)
            if shown and self.isVisible():
                self.facade.mark_read(event.sender)
            self.reload()
        elif isinstance(event, MessageStatus):
            self.view.on_status(event)
            if event.state in (MessageDelivery.SENDING, MessageDelivery.FAILED):
                self.reload()
        elif isinstance(event, TypingChanged):
            self.view.on_typing(event)
        return shown
