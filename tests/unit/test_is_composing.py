"""RFC 3994 isComposing: the codec (defusedxml) and the two timing machines."""

from __future__ import annotations

import datetime

import pytest

from parley.sip.is_composing import (
    IDLE_AFTER,
    ComposingSender,
    ComposingState,
    ComposingWatch,
    IsComposing,
    IsComposingError,
    decode,
    encode,
)

RFC_EXAMPLE = b"""<?xml version="1.0" encoding="UTF-8"?>
<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="urn:ietf:params:xml:ns:im-composing iscomposing.xsd">
  <state>active</state>
  <contenttype>text/plain</contenttype>
  <refresh>90</refresh>
</isComposing>
"""


def test_the_rfc_example_is_read() -> None:
    doc = decode(RFC_EXAMPLE)
    assert doc == IsComposing(ComposingState.ACTIVE, 90, None, "text/plain")


def test_what_we_write_reads_back() -> None:
    when = datetime.datetime(2026, 12, 2, 13, 50, tzinfo=datetime.UTC)
    doc = IsComposing(ComposingState.ACTIVE, 60, when, "text/plain")
    body = encode(doc)
    assert b"urn:ietf:params:xml:ns:im-iscomposing" in body
    assert b"<lastactive>2026-12-02T13:50:00Z</lastactive>" in body
    assert decode(body) == doc


def test_idle_is_written_without_refresh() -> None:
    body = encode(IsComposing(ComposingState.IDLE, refresh=60))
    assert b"<refresh>" not in body
    assert decode(body).state is ComposingState.IDLE


def test_a_document_without_namespace_is_tolerated() -> None:
    assert decode(b"<isComposing><state>IDLE</state></isComposing>").state is ComposingState.IDLE


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"", "not XML"),
        (b"<isComposing><state>active</state>", "not XML"),
        (b"<presence/>", "not an isComposing"),
        (b'<isComposing xmlns="urn:x"><state>active</state></isComposing>', "not an isComposing"),
        (b"<isComposing><state>typing</state></isComposing>", "neither active nor idle"),
        (b"<isComposing></isComposing>", "neither active nor idle"),
        (b"<isComposing><state>active</state><refresh>soon</refresh></isComposing>", "refresh"),
        (b"<isComposing><state>active</state><refresh>-5</refresh></isComposing>", "range"),
        (b"<isComposing><state>active</state>" + b" " * 9000 + b"</isComposing>", "too long"),
    ],
)
def test_bad_documents_give_a_clear_error(body: bytes, words: str) -> None:
    with pytest.raises(IsComposingError, match=words):
        decode(body)


def test_entity_tricks_are_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b"<isComposing><state>&b;</state></isComposing>"
    )
    with pytest.raises(IsComposingError, match="refused"):
        decode(bomb)


def test_a_bad_lastactive_is_dropped_not_fatal() -> None:
    doc = decode(b"<isComposing><state>idle</state><lastactive>noon</lastactive></isComposing>")
    assert doc.lastactive is None


# ------------------------------------------------------------------ our side


def test_typing_announces_active_at_once_then_at_most_every_half_refresh() -> None:
    sender = ComposingSender(refresh=60)
    first = sender.typed(0.0)
    assert first is not None and first.state is ComposingState.ACTIVE and first.refresh == 60
    sent_at = [0.0]
    for t in range(1, 95):  # a keystroke every second for 94 s
        if sender.typed(float(t)) is not None:
            sent_at.append(float(t))
    assert sent_at == [0.0, 30.0, 60.0, 90.0]


def test_idle_after_fifteen_seconds_without_typing() -> None:
    sender = ComposingSender()
    sender.typed(10.0)
    sender.typed(12.0)
    assert sender.next_timer() == 12.0 + IDLE_AFTER
    assert sender.handle_timer(20.0) is None
    idle = sender.handle_timer(12.0 + IDLE_AFTER)
    assert idle is not None and idle.state is ComposingState.IDLE
    assert sender.next_timer() is None
    again = sender.typed(40.0)  # typing again: active is said at once
    assert again is not None and again.state is ComposingState.ACTIVE


def test_stopping_says_idle_once() -> None:
    sender = ComposingSender()
    assert sender.stopped(0.0) is None  # never active: nothing to say
    sender.typed(1.0)
    stopped = sender.stopped(2.0)
    assert stopped is not None and stopped.state is ComposingState.IDLE
    assert sender.stopped(3.0) is None


def test_sending_the_message_ends_composing_without_a_word() -> None:
    sender = ComposingSender()
    sender.typed(1.0)
    sender.message_sent()
    assert sender.state is ComposingState.IDLE and sender.next_timer() is None
    assert sender.typed(2.0) is not None  # the next keystroke is news again


# ------------------------------------------------------------------ their side


def test_an_active_state_expires_after_its_refresh() -> None:
    watch = ComposingWatch()
    active = IsComposing(ComposingState.ACTIVE, refresh=60)
    assert watch.received("sip:b@h", active, 0.0) is True
    assert watch.received("sip:b@h", active, 30.0) is False  # a refresh is no news
    assert watch.next_timer() == 90.0
    assert watch.expire(89.0) == []
    assert watch.expire(90.0) == ["sip:b@h"]
    assert not watch.active("sip:b@h")


def test_without_refresh_an_active_state_lasts_120_seconds() -> None:
    watch = ComposingWatch()
    watch.received("p", IsComposing(ComposingState.ACTIVE), 5.0)
    assert watch.next_timer() == 125.0


def test_idle_or_a_message_ends_it_at_once() -> None:
    watch = ComposingWatch()
    watch.received("p", IsComposing(ComposingState.ACTIVE, 60), 0.0)
    assert watch.received("p", IsComposing(ComposingState.IDLE), 1.0) is True
    assert watch.received("p", IsComposing(ComposingState.IDLE), 2.0) is False
    watch.received("p", IsComposing(ComposingState.ACTIVE, 60), 3.0)
    assert watch.message_received("p") is True
    assert watch.message_received("p") is False
    assert watch.next_timer() is None
