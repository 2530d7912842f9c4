"""`Phone.voicemail` (MWI) on the phone pair's fake network and virtual clock: the
SUBSCRIBE it sends for its own mailbox, and unsolicited NOTIFYs — taken from the
account's server only, a bad body refused with 400 and the counts kept, nothing taken
for an account with MWI off. Plus the console's sentence for the counts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from phonepair import REGISTRAR_PORT, PhonePair

from parley.cli.texts import event_data, mwi_text
from parley.phone.events import MwiChanged
from parley.phone.voicemail import read_summary
from parley.sip.message import Response
from parley.sip.message_summary import MessageSummary

SUMMARY = "application/simple-message-summary"


def make_pair(mwi: bool) -> PhonePair:
    return PhonePair(a_account={"mwi": mwi})


@pytest.fixture
def pair() -> Iterator[PhonePair]:
    p = make_pair(True)
    try:
        yield p
    finally:
        p.close()


def unsolicited(pair: PhonePair, src_port: int, call_id: str, body: bytes) -> int:
    raw = (
        f"NOTIFY sip:1001@127.0.0.1:5061 SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:{src_port};branch=z9hG4bK{call_id}\r\n"
        f"From: <sip:vm@127.0.0.1>;tag=v{call_id}\r\n"
        f"To: <sip:1001@127.0.0.1>\r\n"
        f"Call-ID: {call_id}\r\nCSeq: 1 NOTIFY\r\nMax-Forwards: 70\r\n"
        f"Event: message-summary\r\nSubscription-State: active\r\n"
        f"Content-Type: {SUMMARY}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    pair.do(lambda: pair.network.send(raw, ("127.0.0.1", src_port), ("127.0.0.1", 5061)))
    pair.run(pair.settle(0.2))
    [answer] = [
        p.message.status
        for p in pair.network.between(src=5061)
        if isinstance(p.message, Response) and p.message.call_id == call_id
    ][:1]
    return answer


def shown(pair: PhonePair) -> list[tuple[int, int, int]]:
    return [(e.new, e.old, e.urgent_new) for e in pair.a.events if isinstance(e, MwiChanged)]


def test_subscribes_to_its_own_mailbox(pair: PhonePair) -> None:
    pair.run(pair.start())
    pair.run(pair.settle(1))
    [sub] = [r for r in pair.network.requests("SUBSCRIBE", src=5061)][:1]
    assert sub.headers.get("Event") == "message-summary"
    assert sub.headers.get("Accept") == SUMMARY
    assert (sub.uri.user, sub.uri.host) == ("1001", "127.0.0.1")  # our own address of record


def test_unsolicited_only_from_the_server_and_bad_bodies_refused(pair: PhonePair) -> None:
    pair.run(pair.start())
    good = b"Messages-Waiting: yes\r\nVoice-Message: 2/5 (1/0)\r\n"
    assert unsolicited(pair, REGISTRAR_PORT, "n1", good) == 200
    assert shown(pair) == [(2, 5, 1)]
    assert unsolicited(pair, 5099, "n2", b"Messages-Waiting: yes\r\nVoice-Message: 9/9\r\n") == 403
    assert unsolicited(pair, REGISTRAR_PORT, "n3", b"\xff\xfe not a summary") == 400
    assert unsolicited(pair, REGISTRAR_PORT, "n4", good) == 200  # the same again: no event
    assert shown(pair) == [(2, 5, 1)]
    summary = pair.a.phone.voicemail.summary("alice")
    assert summary is not None and (summary.new, summary.old, summary.waiting) == (2, 5, True)


def test_nothing_with_mwi_off() -> None:
    pair = make_pair(False)
    try:
        pair.run(pair.start())
        pair.run(pair.settle(1))
        assert not [
            r
            for r in pair.network.requests("SUBSCRIBE", src=5061)
            if r.headers.get("Event") == "message-summary"
        ]
        body = b"Messages-Waiting: yes\r\nVoice-Message: 1/0\r\n"
        assert unsolicited(pair, REGISTRAR_PORT, "m1", body) == 403
        assert shown(pair) == []
    finally:
        pair.close()


def test_read_summary() -> None:
    assert read_summary(SUMMARY, b"") is None
    assert read_summary("", b"  \r\n") is None
    found = read_summary(SUMMARY, b"Messages-Waiting: no\r\n")
    assert isinstance(found, MessageSummary) and not found.waiting
    assert isinstance(read_summary("text/html", b"<b>1</b>"), str)
    assert isinstance(read_summary(SUMMARY, b"garbage"), str)


def test_console_sentence_and_json() -> None:
    event = MwiChanged(account="office", new=2, old=5, urgent_new=1)
    assert mwi_text(event) == "Voicemail of office: 2 new voice messages (1 urgent), 5 old."
    assert (
        mwi_text(MwiChanged("office", 1, 0)) == "Voicemail of office: 1 new voice message, 0 old."
    )
    assert "no voice messages" in mwi_text(MwiChanged("office", 0, 0))
    data = event_data(event)
    assert {k: data[k] for k in ("event", "account", "new", "old", "urgent_new")} == {
        "event": "mwi",
        "account": "office",
        "new": 2,
        "old": 5,
        "urgent_new": 1,
    }
