"""The chat: bubbles in order on their sides with time and delivery state, markup shown
literally, Enter sends and Shift+Enter breaks the line, typing both ways, unread badges
and mark-read, and the ways in (call window, contact menu, compact bar)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_facades import FakeMessages
from PySide6.QtCore import Qt

from parley.app.application import Application
from parley.contacts.model import Contact, PhoneNumber
from parley.gui.bridge import EngineBridge
from parley.gui.chat_view import MAX_BUBBLES, ChatPanel, ChatView
from parley.gui.i18n import set_language
from parley.gui.main_window import MainWindow
from parley.phone.events import MessageDelivery, MessageReceived, MessageStatus, TypingChanged
from parley.settings import AccountSettings, Settings

ANNA = "sip:1002@127.0.0.1"


def view_of(qtbot: Any, messages: FakeMessages) -> tuple[ChatView, list[Any]]:
    ran: list[Any] = []

    def run(future: Any, on_result: Any = None, on_error: Any = None) -> None:
        ran.append(future)
        if on_result is not None:
            on_result(future.result())

    view = ChatView(messages, run)
    qtbot.addWidget(view)
    view.resize(420, 500)
    view.show()
    return view, ran


def test_bubbles_in_order_on_their_sides_with_delivery_state(qtbot: Any) -> None:
    messages = FakeMessages(names={ANNA: "Anna Berg"})
    messages.receive(ANNA, "Hi, are you free at 3?", at=time.time() - 60)
    view, _ran = view_of(qtbot, messages)
    view.show_peer(ANNA, "Anna Berg")
    assert view.title.text() == "Anna Berg"
    assert [(b.text, b.ours) for b in view.bubbles] == [("Hi, are you free at 3?", False)]
    view.input.setPlainText("Yes, see you then")
    qtbot.keyClick(view.input, Qt.Key.Key_Return)
    assert messages.calls("send") == [(ANNA, "Yes, see you then", None)]
    assert view.input.toPlainText() == ""
    ours = view.bubbles[-1]
    assert (ours.text, ours.ours) == ("Yes, see you then", True)
    assert ours.meta.endswith("Sending…")
    # Ours are on the right: the bubble's box starts right of the middle.
    qtbot.waitUntil(lambda: ours.box.geometry().right() > ours.width() * 0.8, timeout=5000)
    assert view.bubbles[0].box.geometry().left() < view.bubbles[0].width() * 0.2
    assert ours.message_id == 2
    view.on_status(MessageStatus(message_id=2, to=ANNA, state=MessageDelivery.SENT, status=202))
    assert ours.meta.endswith("Sent")
    view.on_status(MessageStatus(message_id=2, to=ANNA, state=MessageDelivery.DELIVERED))
    assert ours.meta.endswith("Delivered")
    view.input.setPlainText("and bring the slides")
    view.send_button.click()
    last = view.bubbles[-1]
    view.on_status(
        MessageStatus(
            message_id=3, to=ANNA, state=MessageDelivery.FAILED, status=404, reason="Not Found"
        )
    )
    assert last.meta.endswith("Not delivered: 404 Not found")
    assert [b.text for b in view.bubbles] == [
        "Hi, are you free at 3?",
        "Yes, see you then",
        "and bring the slides",
    ]
    # A message from Anna arrives at the bottom.
    view.on_message(MessageReceived(sender=ANNA, text="Great!", at=time.time()))
    assert view.bubbles[-1].text == "Great!" and not view.bubbles[-1].ours
    # One from someone else does not appear here.
    assert not view.on_message(MessageReceived(sender="sip:1003@127.0.0.1", text="psst"))
    assert view.bubbles[-1].text == "Great!"


def test_text_is_text(qtbot: Any) -> None:
    messages = FakeMessages()
    messages.receive(ANNA, "<b>x</b> <img src=http://evil/> &amp; <a href='x'>y</a>")
    view, _ran = view_of(qtbot, messages)
    view.show_peer(ANNA)
    label = view.bubbles[0].text_label
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.text() == "<b>x</b> <img src=http://evil/> &amp; <a href='x'>y</a>"
    # Drawn literally: the label is as wide as the characters, not as a bold "x".
    assert label.sizeHint().width() > label.fontMetrics().horizontalAdvance("<b>x</b>")


def test_enter_sends_shift_enter_breaks_the_line_and_long_text_wraps(qtbot: Any) -> None:
    messages = FakeMessages()
    view, _ran = view_of(qtbot, messages)
    view.show_peer(ANNA)
    qtbot.keyClicks(view.input, "first line")
    qtbot.keyClick(view.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(view.input, "second line")
    assert messages.calls("send") == []
    qtbot.keyClick(view.input, Qt.Key.Key_Enter)
    assert messages.calls("send") == [(ANNA, "first line\nsecond line", None)]
    long = "word " * 400
    view.input.setPlainText(long)
    qtbot.keyClick(view.input, Qt.Key.Key_Return)
    bubble = view.bubbles[-1]
    assert bubble.text_label.wordWrap()
    qtbot.wait(50)
    assert bubble.width() <= view.width()
    # Empty text sends nothing.
    qtbot.keyClick(view.input, Qt.Key.Key_Return)
    assert len(messages.calls("send")) == 2


def test_typing_both_ways(qtbot: Any) -> None:
    messages = FakeMessages()
    view, _ran = view_of(qtbot, messages)
    view.show_peer(ANNA, "Anna")
    qtbot.keyClicks(view.input, "Hel")
    assert messages.calls("typing") == [(ANNA, True)]  # once, not per key
    qtbot.keyClicks(view.input, "lo")
    assert messages.calls("typing") == [(ANNA, True)]
    view.input.clear()
    assert messages.calls("typing") == [(ANNA, True), (ANNA, False)]
    qtbot.keyClicks(view.input, "x")
    qtbot.keyClick(view.input, Qt.Key.Key_Return)  # sent: no longer typing
    assert messages.calls("typing")[-1] == (ANNA, False)
    view.on_typing(TypingChanged(sender=ANNA, active=True))
    assert view.typing_label.text() == "Anna is typing…"
    view.on_typing(TypingChanged(sender="sip:1003@127.0.0.1", active=False))
    assert view.typing_label.text() == "Anna is typing…"  # another's typing
    view.on_typing(TypingChanged(sender=ANNA, active=False))
    assert view.typing_label.text() == ""
    view.on_typing(TypingChanged(sender=ANNA, active=True))
    view.on_message(MessageReceived(sender=ANNA, text="done"))
    assert view.typing_label.text() == ""


def test_a_long_conversation_keeps_the_last_messages(qtbot: Any) -> None:
    messages = FakeMessages()
    for n in range(MAX_BUBBLES + 50):
        messages.receive(ANNA, f"message {n}", at=1_700_000_000 + n)
    view, _ran = view_of(qtbot, messages)
    view.show_peer(ANNA)
    assert len(view.bubbles) == MAX_BUBBLES
    assert view.bubbles[-1].text == f"message {MAX_BUBBLES + 49}"
    for n in range(5):
        view.on_message(MessageReceived(sender=ANNA, text=f"new {n}"))
    assert len(view.bubbles) == MAX_BUBBLES
    assert view.bubbles[-1].text == "new 4"
    qtbot.waitUntil(
        lambda: (
            view.scroller.verticalScrollBar().value() == view.scroller.verticalScrollBar().maximum()
        ),
        timeout=5000,
    )


def test_conversations_with_unread_badges_and_mark_read(qtbot: Any) -> None:
    messages = FakeMessages(names={ANNA: "Anna Berg"})
    messages.receive(ANNA, "one", at=100)
    messages.receive(ANNA, "two", at=200)
    messages.receive("sip:1003@127.0.0.1", "hello", at=50)
    panel = ChatPanel(messages)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.rows[ANNA].badge.text() == "2"
    assert panel.rows[ANNA].name_label.text() == "Anna Berg"
    assert panel.rows[ANNA].last_label.text() == "two"
    assert panel.rows["sip:1003@127.0.0.1"].badge.text() == "1"
    totals: list[int] = []
    panel.unread_changed.connect(totals.append)
    panel.open("1002", "Anna Berg")  # a contact's number finds the conversation
    assert panel.view.peer == ANNA
    assert ("mark_read", (ANNA,)) in messages.made
    assert panel.rows[ANNA].badge.isHidden()
    assert totals[-1] == 1
    # A message for the open conversation is read at once; another counts.
    messages.receive(ANNA, "three")
    panel.on_event(MessageReceived(sender=ANNA, text="three"))
    assert panel.rows[ANNA].badge.isHidden()
    messages.receive("sip:1003@127.0.0.1", "again")
    panel.on_event(MessageReceived(sender="sip:1003@127.0.0.1", text="again"))
    assert panel.rows["sip:1003@127.0.0.1"].badge.text() == "2"


@pytest.fixture
def window(make_app: Any, qtbot: Any) -> Iterator[tuple[MainWindow, Application, FakeMessages]]:
    s = Settings(
        accounts=[AccountSettings(name="office", domain="127.0.0.1:5999", username="1001")]
    )
    s.gui.notify_message = True
    s.gui.message_sound = True
    app = make_app(s)
    messages = FakeMessages(names={ANNA: "Anna Berg"})
    real = app.messages
    app.messages = messages  # the fake in the real facade's place
    app.contacts.add(Contact(first_name="Anna", last_name="Berg", numbers=(PhoneNumber("1002"),)))
    bridge = EngineBridge(app)
    main = MainWindow(bridge)
    qtbot.addWidget(main)
    main.resize(800, 640)
    main.show()
    yield main, app, messages
    bridge.close()
    main.quit()
    app.messages = real  # Application.stop closes its store


def test_the_chat_from_the_call_window_and_a_message_arriving(
    window: tuple[MainWindow, Application, FakeMessages], qtbot: Any, tmp_path: Path
) -> None:
    main, app, messages = window
    features = main.features
    chat = features.chat
    assert chat is not None
    contact = main.items()[0]
    main.select(contact[0], contact[1])
    assert main.call_window.chat_button.isVisible()
    main.call_window.chat_button.click()
    assert main.right.currentWidget() is chat
    assert chat.view.title.text() == "Anna Berg"
    qtbot.keyClicks(chat.view.input, "Lunch today?")
    qtbot.keyClick(chat.view.input, Qt.Key.Key_Return)
    assert messages.calls("send") == [("1002", "Lunch today?", None)]
    # Anna answers (the store has it; the event says so).
    stored = messages.receive(ANNA, "Sure, 12:30 <at the usual place>")
    app._dispatch(TypingChanged(sender=ANNA, active=True))
    qtbot.waitUntil(lambda: chat.view.typing_label.text() == "Anna Berg is typing…", timeout=5000)
    app._dispatch(
        MessageReceived(
            sender=ANNA, text=stored.text, sender_name="Anna", message_id=stored.id, at=stored.at
        )
    )
    qtbot.waitUntil(lambda: chat.view.bubbles[-1].text == stored.text, timeout=5000)
    app._dispatch(MessageStatus(message_id=1, to=ANNA, state=MessageDelivery.DELIVERED))
    qtbot.waitUntil(lambda: chat.view.bubbles[0].meta.endswith("Delivered"), timeout=5000)
    # docs/screenshots/chat.png comes from a real exchange (tests/gui/test_chat_peers.py)
    qtbot.wait(150)
    assert main.grab().save(str(tmp_path / "chat.png"))


def test_a_message_from_another_pops_up_and_counts(
    window: tuple[MainWindow, Application, FakeMessages], qtbot: Any
) -> None:
    main, app, messages = window
    features = main.features
    stored = messages.receive("sip:1003@127.0.0.1", "Call me back please")
    app._dispatch(MessageReceived(sender="sip:1003@127.0.0.1", text=stored.text))
    qtbot.waitUntil(lambda: bool(features.last_actions), timeout=5000)
    actions = features.last_actions
    assert "flash" in actions and "sound" in actions
    assert "notify" in actions or "status" in actions
    if "status" in actions:
        assert "Message from 1003: Call me back please" in main.status.message.text()
    assert features.compact_chat.text() == "1"
    assert "1 unread" in features.compact_chat.toolTip()


def test_the_contact_menu_and_the_compact_bar_open_the_chat(
    window: tuple[MainWindow, Application, FakeMessages], qtbot: Any
) -> None:
    main, _app, messages = window
    kind, item_id, _row = main.items()[0]
    main.select(kind, item_id)
    item = main.entry_list.item(0)
    main._context_menu(main.entry_list.visualItemRect(item).center())
    assert main.last_menu is not None
    action = next(a for a in main.last_menu.actions() if a.text() == "Send a message")
    action.trigger()
    assert main.features.chat is not None
    assert main.right.currentWidget() is main.features.chat
    # Compact mode: the bar's chat button opens the call window with the chat.
    main.select(kind, item_id)  # the contact again, not the chat
    main.set_compact(True)
    qtbot.waitUntil(lambda: not main.right_visible, timeout=5000)
    assert main.features.compact_chat.isVisible()
    main.features.compact_chat.click()
    assert main.right_visible
    assert main.right.currentWidget() is main.features.chat
    main.status.compact_button.click()  # closed again from the status bar
    qtbot.waitUntil(lambda: not main.right_visible, timeout=5000)
    assert messages.calls("conversation")


def test_the_chat_in_german(qtbot: Any) -> None:
    set_language("de")
    try:
        messages = FakeMessages()
        view, _ran = view_of(qtbot, messages)
        view.show_peer(ANNA, "Anna")
        view.on_typing(TypingChanged(sender=ANNA, active=True))
        assert view.typing_label.text() == "Anna schreibt…"
        view.input.setPlainText("Hallo")
        view.send()
        assert view.bubbles[-1].meta.endswith("Wird gesendet…")
        view.on_status(
            MessageStatus(message_id=1, to=ANNA, state=MessageDelivery.FAILED, status=480)
        )
        assert view.bubbles[-1].meta.endswith("Nicht zugestellt: 480 Keine Antwort")
    finally:
        set_language("en")


def test_chat_with_the_party_of_a_call_and_back(
    window: tuple[MainWindow, Application, FakeMessages], qtbot: Any
) -> None:
    from datetime import UTC, datetime

    from parley.app.snapshots import CallInfo

    main, _app, messages = window
    call = CallInfo(
        id=7,
        account="office",
        direction="outgoing",
        state="connected",
        remote=ANNA,
        number="1002",
        contact_name="Anna Berg",
        connected_at=datetime.now(UTC),
    )
    main.call_panel.update_calls([call])
    main._update_right()
    assert main.right.currentWidget() is main.call_panel
    chat = main.features.chat
    assert chat is not None
    assert main.call_panel.chat_button.isVisible()
    main.call_panel.chat_button.click()
    assert main.right.currentWidget() is chat  # the chat, though a call runs
    assert chat.view.peer == ANNA and chat.view.title.text() == "Anna Berg"
    assert ("conversation", (ANNA, 200)) in messages.made
    assert chat.back_button.isVisible()
    chat.back_button.click()
    assert main.right.currentWidget() is main.call_panel
