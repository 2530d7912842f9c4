"""Instant messaging in the desktop app against real phones through Kamailio.

A person opens the chat with a contact, types and presses Enter: baresip shows the text
(its own output) and our bubble turns "Delivered"; baresip answers "<b>hi</b>" and it
appears on the left as those characters, not bold; while the conversation is not shown
a new message counts as unread (badge, compact bar) and raises the notification the GUI
settings ask for (offscreen there is no tray: the status bar says it), and the count
goes when the conversation is shown. A message to a number nobody has fails with the
reason. A message kept by the server (Kamailio's msilo) while Parley was not running
arrives when it starts. "is typing…" comes and goes between this Parley and a second Parley (an
Application); the chat opens from a real call's call window (and back to the call), and after the
call from the compact bar.
With PARLEY_SCREENSHOTS set, docs/screenshots/chat.png is taken from the real exchange.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from gui_rig import PASSWORDS, GuiRig, account, registered_rig
from PySide6.QtCore import Qt

from interop.app_rig import aor, start_parley
from interop.message_rig import MessagingBaresip
from parley.contacts.model import Contact, PhoneNumber
from parley.gui.chat_view import ChatPanel
from parley.phone.events import MessageReceived, TypingChanged
from parley.settings import Settings
from peers.baresip import Baresip
from peers.common import wait_until
from peers.kamailio import Kamailio, running_kamailio
from peers.presence_rig import SipUser

pytestmark = pytest.mark.interop

WAIT = 20.0


@pytest.fixture
def baresip(
    kamailio: Kamailio, far_phones: Callable[..., Baresip]
) -> Callable[..., MessagingBaresip]:
    """`baresip(user="1002", **options)`: a baresip that sends its messages to 1001."""

    def make(user: str = "1002", **options: Any) -> MessagingBaresip:
        target = aor(kamailio, "1001")
        phone = far_phones(kamailio, user, kind=MessagingBaresip, target=target, **options)
        assert isinstance(phone, MessagingBaresip)
        return phone

    return make


def gui_parley(make_rig: Callable[..., GuiRig], kam: Kamailio, user: str = "1001") -> GuiRig:
    settings = Settings(accounts=[account(f"127.0.0.1:{kam.udp_port}", user=user)])
    settings.gui.notify_message = True
    settings.gui.message_sound = True
    return registered_rig(make_rig, settings, user)


def chat_of(rig: GuiRig) -> ChatPanel:
    chat = rig.window.features.chat
    assert chat is not None, "no app.messages facade"
    return chat


def open_contact_chat(rig: GuiRig, name: str, number: str) -> ChatPanel:
    """Select the contact in the list and press the call window's chat button."""
    first, _, last = name.partition(" ")
    stored = rig.app.contacts.add(
        Contact(first_name=first, last_name=last, numbers=(PhoneNumber(number),))
    )
    w = rig.window
    w.views.setCurrentIndex(0)
    w.refresh_list()
    assert stored.id is not None
    w.select("contact", stored.id)
    rig.wait(lambda: w.call_window.chat_button.isVisible())
    w.call_window.chat_button.click()
    chat = chat_of(rig)
    assert w.right.currentWidget() is chat
    return chat


def type_and_send(rig: GuiRig, chat: ChatPanel, text: str, extra: str = "") -> None:
    """Type `text` key by key (ASCII: QTest aborts on other characters), paste `extra`
    (umlauts, an emoji), then Enter."""
    rig.qtbot.keyClicks(chat.view.input, text)
    if extra:
        chat.view.input.insertPlainText(extra)
    rig.qtbot.keyClick(chat.view.input, Qt.Key.Key_Return)


def shows(far: MessagingBaresip, sender: str, text: str) -> bool:
    return wait_until(lambda: f'{sender}: "{text}"' in far.log_text(), timeout=WAIT)


def screenshot(rig: GuiRig, name: str) -> None:
    folder = os.environ.get("PARLEY_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        rig.qtbot.wait(200)
        assert rig.window.grab().save(str(Path(folder) / name))


def test_a_chat_with_baresip_from_the_contact(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    baresip: Callable[..., MessagingBaresip],
) -> None:
    far = baresip("1002")
    us = gui_parley(make_rig, kamailio)
    w = us.window
    features = w.features
    chat = open_contact_chat(us, "Erika Mustermann", "1002")
    assert chat.view.title.text() == "Erika Mustermann"

    type_and_send(us, chat, "Hallo Erika, ", "Grüße aus Köln — ½ Maß? ✓")
    assert shows(far, aor(kamailio, "1001"), "Hallo Erika, Grüße aus Köln — ½ Maß? ✓"), (
        far.log_text()
    )
    ours = chat.view.bubbles[0]
    assert ours.ours and ours.text == "Hallo Erika, Grüße aus Köln — ½ Maß? ✓"
    us.wait(lambda: ours.meta.endswith("Delivered"))

    # Their answer, with markup: on the left, the characters as they came.
    far.send_message("<b>hi</b> & <i>bye</i>")
    us.wait(lambda: len(chat.view.bubbles) == 2)
    theirs = chat.view.bubbles[1]
    assert not theirs.ours and theirs.text == "<b>hi</b> & <i>bye</i>"
    assert theirs.text_label.textFormat() == Qt.TextFormat.PlainText
    assert "hi" in theirs.text_label.text() and theirs.box.objectName() == "theirBubble"
    (row,) = [r for peer, r in chat.rows.items() if "1002@" in peer]
    assert row.badge.isHidden()  # read: the conversation is shown

    # Away from the chat: a new message is unread and notified.
    w.features.close_chat()
    assert w.right.currentWidget() is not chat
    far.send_message("Bist du noch da?")
    us.wait(lambda: features.compact_chat.text() == "1")
    (row,) = [r for peer, r in chat.rows.items() if "1002@" in peer]
    assert row.badge.text() == "1" and row.badge.isVisibleTo(chat)
    assert "1 unread" in features.compact_chat.toolTip()
    actions = features.last_actions
    assert "sound" in actions and ("notify" in actions or "status" in actions), actions
    if "status" in actions:  # offscreen: no tray, the status bar says it
        assert "Bist du noch da?" in w.status.message.text()
        assert "Erika Mustermann" in w.status.message.text()
    assert features.notifier.sounds >= 1

    # Shown again: read, the count gone.
    w.call_window.chat_button.click()
    assert w.right.currentWidget() is chat
    us.wait(lambda: features.compact_chat.text() == "")
    (row,) = [r for peer, r in chat.rows.items() if "1002@" in peer]
    assert row.badge.isHidden()
    assert [b.text for b in chat.view.bubbles][-1] == "Bist du noch da?"
    type_and_send(us, chat, "Ja, bis gleich!")
    assert shows(far, aor(kamailio, "1001"), "Ja, bis gleich!")
    us.wait(lambda: chat.view.bubbles[-1].meta.endswith("Delivered"))
    stored = us.app.messages.conversation(chat.view.peer)
    assert [m.direction for m in stored] == ["out", "in", "in", "out"]
    assert all(m.read for m in stored if m.direction == "in")
    screenshot(us, "chat.png")


def test_a_message_to_nobody_shows_failed_with_the_reason(
    kamailio: Kamailio, make_rig: Callable[..., GuiRig]
) -> None:
    us = gui_parley(make_rig, kamailio)
    chat = open_contact_chat(us, "Niemand Da", "1009")
    type_and_send(us, chat, "is anybody there?")
    bubble = chat.view.bubbles[0]
    us.wait(lambda: "Not delivered" in bubble.meta)
    assert bubble.meta.endswith("Not delivered: 404 Not found"), bubble.meta  # our words
    assert bubble.meta_label.objectName() == "failed"


def test_a_message_kept_by_the_server_arrives_when_the_app_starts(
    make_rig: Callable[..., GuiRig], tmp_path: Path
) -> None:
    """Kamailio's msilo keeps a message to 1001 while no Parley runs (202) and sends it
    at Parley's REGISTER: it arrives unread, with the notification, at the time it was
    written, the text intact."""
    with running_kamailio(tmp_path / "kam-msilo", PASSWORDS, presence=True) as kam:
        with SipUser(kam, "1002", PASSWORDS["1002"], display="Erika Mustermann") as erika:
            written = time.time()
            kept = erika.message("1001", "Ruf mich zurück – danke!")
            assert kept.status == 202, kept
        time.sleep(2.0)  # so that "written" and "arrived" differ
        started = time.time()
        us = gui_parley(make_rig, kam)
        features = us.window.features
        us.wait(lambda: features.compact_chat.text() == "1")
        chat = chat_of(us)
        ((peer, row),) = chat.rows.items()
        assert "1002@" in peer and row.badge.text() == "1"
        assert row.name_label.text() == "1002"  # msilo keeps no display name
        actions = features.last_actions
        assert "sound" in actions and ("notify" in actions or "status" in actions), actions
        features.open_chat(peer)
        (bubble,) = chat.view.bubbles
        assert not bubble.ours and bubble.text == "Ruf mich zurück – danke!"
        assert written - 1 <= bubble.at <= written + 2 < started
        us.wait(lambda: features.compact_chat.text() == "")


def test_typing_between_the_gui_and_another_parley(
    kamailio: Kamailio, make_rig: Callable[..., GuiRig], tmp_path: Path
) -> None:
    other, seen = start_parley(kamailio, "1003", PASSWORDS["1003"], tmp_path / "p1003")
    try:
        us = gui_parley(make_rig, kamailio)
        chat = open_contact_chat(us, "Max Muster", "1003")
        # We type: the other Parley hears of it.
        us.qtbot.keyClicks(chat.view.input, "Moin")
        on = seen.wait(lambda e: isinstance(e, TypingChanged) and e.active)
        assert on.sender == aor(kamailio, "1001")
        # They type: "is typing…" appears, and goes when they stop.
        other.messages.typing("1001", True).result(WAIT)
        us.wait(lambda: chat.view.typing_label.text() == "Max Muster is typing…")
        other.messages.typing("1001", False).result(WAIT)
        us.wait(lambda: chat.view.typing_label.text() == "")
        other.messages.typing("1001", True).result(WAIT)
        us.wait(lambda: chat.view.typing_label.text() == "Max Muster is typing…")
        # Their message ends their typing; ours ends ours.
        other.messages.send("1001", "Moin zurück").result(WAIT)
        us.wait(lambda: chat.view.bubbles and chat.view.bubbles[-1].text == "Moin zurück")
        assert chat.view.typing_label.text() == ""
        us.qtbot.keyClick(chat.view.input, Qt.Key.Key_Return)
        got: MessageReceived = seen.wait(lambda e: isinstance(e, MessageReceived))
        assert got.text == "Moin"
        assert wait_until(
            lambda: [e.active for e in seen.events if isinstance(e, TypingChanged)][-1:] == [False],
            timeout=WAIT,
        )
    finally:
        other.stop()


def test_the_chat_during_a_call_and_from_the_compact_bar(
    kamailio: Kamailio,
    make_rig: Callable[..., GuiRig],
    baresip: Callable[..., MessagingBaresip],
) -> None:
    far = baresip("1002", auto_answer=True)
    us = gui_parley(make_rig, kamailio)
    w = us.window
    panel = w.call_panel
    us.qtbot.keyClicks(w.search, "1002")
    us.qtbot.keyClick(w.search, Qt.Key.Key_Return)
    us.wait(lambda: panel.current is not None and panel.current.state == "connected")
    assert w.right.currentWidget() is panel

    # The call window's chat button: the chat with the party of the call.
    assert panel.chat_button.isVisible()
    panel.chat_button.click()
    chat = chat_of(us)
    assert w.right.currentWidget() is chat
    assert "1002@" in chat.view.peer and chat.back_button.isVisible()
    type_and_send(us, chat, "Ich schicke dir die Nummer: 0221 1234567")
    assert shows(far, aor(kamailio, "1001"), "Ich schicke dir die Nummer: 0221 1234567")
    us.wait(lambda: chat.view.bubbles[-1].meta.endswith("Delivered"))
    far.send_message("Danke, notiert")
    us.wait(lambda: chat.view.bubbles[-1].text == "Danke, notiert")
    chat.back_button.click()
    assert w.right.currentWidget() is panel
    assert panel.current is not None and panel.current.state == "connected"

    panel.hangup_button.click()
    far.wait_call_state("CALL_CLOSED", timeout=WAIT)
    us.wait(lambda: not panel.calls)

    # Compact mode (no call: the call window is closed): the compact bar's chat button
    # opens the chat with the selected contact, the conversation of the call.
    stored = us.app.contacts.add(
        Contact(first_name="Erika", last_name="Mustermann", numbers=(PhoneNumber("1002"),))
    )
    w.views.setCurrentIndex(0)
    w.refresh_list()
    assert stored.id is not None
    w.select("contact", stored.id)
    w.set_compact(True)
    us.wait(lambda: not w.right_visible)
    features = w.features
    assert features.compact_chat.isVisible()
    features.compact_chat.click()
    us.wait(lambda: w.right_visible and w.right.currentWidget() is chat)
    assert "1002@" in chat.view.peer and chat.view.title.text() == "Erika Mustermann"
    assert [b.text for b in chat.view.bubbles][-2:] == [
        "Ich schicke dir die Nummer: 0221 1234567",
        "Danke, notiert",
    ]
    type_and_send(us, chat, "kompakt")
    assert shows(far, aor(kamailio, "1001"), "kompakt")
    us.wait(lambda: chat.view.bubbles[-1].meta.endswith("Delivered"))
