"""The console's words for messages: free text after the command, the status
sentences, and the JSON lines the issue fixes."""

from __future__ import annotations

import json

import pytest

from parley.cli.commands_messages import event_line, text_after
from parley.cli.texts import event_data, message_status_text, typing_text
from parley.phone.events import MessageDelivery, MessageReceived, MessageStatus, TypingChanged


@pytest.mark.parametrize(
    ("line", "words", "rest"),
    [
        ("message 1002 hello  there", 2, "hello  there"),
        ("  message   sip:b@h   a\tb  ", 2, "a\tb"),
        ("message 1002", 2, ""),
        ("message", 2, ""),
    ],
)
def test_the_rest_of_the_line_is_the_text_as_typed(line: str, words: int, rest: str) -> None:
    assert text_after(line, words) == rest


def status(state: MessageDelivery, code: int | None = None, reason: str = "") -> MessageStatus:
    return MessageStatus(7, "sip:1002@pbx", state, code, reason, "office")


def test_status_sentences() -> None:
    assert message_status_text(status(MessageDelivery.SENDING)).endswith("sending…")
    assert "delivered" in message_status_text(status(MessageDelivery.DELIVERED, 200, "OK"))
    sent = message_status_text(status(MessageDelivery.SENT, 202, "Accepted"))
    assert "may be delivered later" in sent
    failed = message_status_text(status(MessageDelivery.FAILED, 404, "Not Found"))
    assert failed == "Message 7 to sip:1002@pbx failed: unknown recipient (404 Not Found)."
    assert "no answer" in message_status_text(status(MessageDelivery.FAILED, 408, "Timeout"))
    odd = message_status_text(status(MessageDelivery.FAILED, 499, "Odd"))
    assert "(499 Odd)" in odd
    lost = message_status_text(status(MessageDelivery.FAILED, None, "connection refused"))
    assert lost.endswith("failed: connection refused.")


def test_json_lines_have_the_fields_of_the_issue() -> None:
    msg = event_data(MessageReceived("sip:1002@pbx", "hi <b>", "office", "Bob", 3, 1.5))
    assert json.loads(json.dumps(msg))["event"] == "message"
    assert (msg["from"], msg["text"]) == ("sip:1002@pbx", "hi <b>")  # the text, untouched
    assert "sender" not in msg
    typing = event_data(TypingChanged("sip:1002@pbx", True, "office"))
    assert (typing["event"], typing["from"], typing["active"]) == ("typing", "sip:1002@pbx", True)
    assert (
        typing["text"]
        == typing_text(TypingChanged("sip:1002@pbx", True))
        == ("sip:1002@pbx is typing…")
    )
    st = event_data(status(MessageDelivery.FAILED, 404, "Not Found"))
    assert (st["event"], st["state"], st["status"]) == ("message status", "failed", 404)


def test_plain_console_lines() -> None:
    msg = event_data(MessageReceived("sip:1002@pbx", "hi", "office", "Bob"))
    assert event_line(msg) == "message from sip:1002@pbx (Bob): hi"
    typing = event_data(TypingChanged("sip:1002@pbx", False))
    assert event_line(typing) == "sip:1002@pbx stopped typing."
