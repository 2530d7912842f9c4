"""The awkward cases of subscriptions (RFC 6665) and MWI bodies (RFC 3842), with SIPp as
the misbehaving notifier, against a real Phone (those of test_subscription_sipp.py and
test_publish_sipp.py are not repeated here):

- message-summary NOTIFYs whose body is no summary — garbage text, binary bytes that
  are not UTF-8, a huge body — are each answered 400; the phone goes on (a good NOTIFY
  afterwards is taken) and the counts shown stay those of the last good one. SIPp is
  the account's registrar and its mailbox notifier at once; its scenario checks each
  answer code;
- terminated;reason=rejected: the subscription ends and no new SUBSCRIBE goes out;
- terminated;reason=probation;retry-after=3: subscribed again, not before 3 s;
- 481 to our refresh: a fresh SUBSCRIBE outside the old dialog.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import pytest
from phone_rig import office_settings, registered, started_phone, until
from test_subscription_sipp import finish, registered_phone, unique

from parley.phone.events import (
    MwiChanged,
    PhoneEvent,
    SubscriptionStatus,
)
from parley.phone.phone import Phone
from peers.common import free_port
from peers.kamailio import Kamailio
from peers.sipp import Sipp, header, received

pytestmark = [pytest.mark.interop, pytest.mark.asyncio]

SUMMARY = "application/simple-message-summary"


# ------------------------------------------------------------------ MWI bodies


def _send_notify(cseq: int, state: str, body: bytes | None = None) -> bytes:
    """The mailbox's NOTIFY in the subscription's dialog (with `body`: a summary)."""
    content = (
        b"Content-Type: application/simple-message-summary\n      Content-Length: [len]\n\n" + body
        if body is not None
        else b"Content-Length: 0\n"
    )
    return b"""
  <send retrans="500">
    <![CDATA[

      NOTIFY [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:vm@[local_ip]:[local_port]>;tag=[pid]vm[call_number]
      To:[$from]
      Call-ID: [call_id]
      CSeq: %d NOTIFY
      Contact: <sip:vm@[local_ip]:[local_port]>
      Max-Forwards: 70
      Event: message-summary
      Subscription-State: %s
      %s
    ]]>
  </send>
""" % (cseq, state.encode(), content)


def _notify(cseq: int, body: bytes, answer: int, state: str = "active;expires=600") -> bytes:
    return _send_notify(cseq, state, body) + b'\n  <recv response="%d"/>\n' % answer


def mailbox_scenario(notifies: list[tuple[bytes, int]]) -> bytes:
    """A registrar (REGISTER → 200, the unregister → 200) that is also the mailbox's
    notifier: the SUBSCRIBE for message-summary → 200, then each (body, expected answer)
    as a NOTIFY, then the unsubscribe → 200 and NOTIFY terminated. Run with -m 2."""
    pause = b'\n  <pause milliseconds="200"/>\n'
    steps = pause.join(_notify(n, body, answer) for n, (body, answer) in enumerate(notifies, 1))
    end = len(notifies) + 1
    return b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="registrar and voicemail notifier with bad bodies">
  <recv request="REGISTER" optional="true" next="register"/>
  <recv request="SUBSCRIBE" rrs="true">
    <action>
      <ereg regexp="message-summary" search_in="hdr" header="Event:" check_it="true" assign_to="event"/>
      <ereg regexp="application/simple-message-summary" search_in="hdr" header="Accept:" check_it="true" assign_to="accept"/>
      <ereg regexp=".*" search_in="hdr" header="From:" assign_to="from"/>
    </action>
  </recv>
  <send>
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]vm[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:vm@[local_ip]:[local_port]>
      Expires: 600
      Content-Length: 0

    ]]>
  </send>
%s
  <recv request="SUBSCRIBE"/>
  <send>
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Expires: 0
      Content-Length: 0

    ]]>
  </send>
%s  <recv response="200" next="end"/>

  <label id="register"/>
  <send>
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]reg
      [last_Call-ID:]
      [last_CSeq:]
      [last_Contact:];expires=600
      Content-Length: 0

    ]]>
  </send>
  <recv request="REGISTER"/>
  <send>
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]reg
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
  <label id="end"/>
  <Reference variables="event,accept"/>
</scenario>
""" % (steps, _send_notify(end, "terminated;reason=timeout"))


@asynccontextmanager
async def mailbox_phone(sipp: Sipp) -> AsyncIterator[tuple[Phone, list[PhoneEvent]]]:
    """A Phone with MWI on, registered at the SIPp mailbox scenario."""
    settings = office_settings(f"127.0.0.1:{sipp.local_port}", codecs=["pcmu"], mwi=True)
    async with started_phone(settings, "x") as (phone, events):
        await until(registered(events))
        yield phone, events


def good(new: int, old: int) -> bytes:
    return b"Messages-Waiting: yes\r\nVoice-Message: %d/%d (0/0)\r\n" % (new, old)


async def test_bad_summaries_are_refused_and_the_counts_kept(tmp_path: Path) -> None:
    huge = b"\r\n".join([b"x" * 78] * 700)  # ~56 KB of lines that are no headers
    notifies = [
        (good(2, 5), 200),
        (b"this is no message summary\r\n", 400),
        (bytes(range(0x80, 0xFF)) + b"\r\n", 400),  # binary, not UTF-8
        (b"Messages-Waiting: yes\r\nVoice-Message: lots/none\r\n", 400),
        (huge, 400),
        (good(3, 5), 200),
    ]
    scenario = tmp_path / "mailbox_bad_bodies.xml"
    scenario.write_bytes(mailbox_scenario(notifies))
    sipp = Sipp(
        scenario,
        local_port=free_port("udp"),
        media_port=free_port("udp"),
        calls=2,
        workdir=tmp_path,
    ).start()
    try:
        async with mailbox_phone(sipp) as (phone, events):

            def shown() -> list[tuple[int, int]]:
                return [(e.new, e.old) for e in events if isinstance(e, MwiChanged)]

            await until(lambda: (3, 5) in shown())
            # Nothing but the good ones was shown; the bad ones in between changed nothing.
            assert shown() == [(2, 5), (3, 5)]
            summary = phone.voicemail.summary("office")
            assert summary is not None and (summary.new, summary.old) == (3, 5)
        await finish(sipp)  # each NOTIFY got the answer the scenario expected (400s)
    finally:
        sipp.stop()
    answers = [m.splitlines()[0] for m in received(sipp, "SIP/2.0 ") if "NOTIFY" in m]
    assert [a.split()[1] for a in answers[:6]] == ["200", "400", "400", "400", "400", "200"]


# ------------------------------------------------------------------ notifier's ends


def _sent_at(sipp: Sipp, marker: str) -> datetime:
    """When SIPp logged the message containing `marker` (its trace's time stamps)."""
    log = sipp.messages()
    index = log.index(marker)
    stamps = list(re.finditer(r"(\d{4}-\d\d-\d\d\s+\d\d:\d\d:\d\d(?:\.\d+)?)", log[:index]))
    assert stamps, log[:2000]
    return datetime.fromisoformat(stamps[-1].group(1).replace("  ", " "))


async def test_rejected_is_not_subscribed_again(kamailio: Kamailio, tmp_path: Path) -> None:
    async with registered_phone(kamailio, tmp_path) as rig:
        sipp = rig.notifier("subscribe_rejected.xml")
        rig.subscribe(sipp)
        [ended] = await rig.changed(SubscriptionStatus.TERMINATED)
        assert ended.reason == "rejected"
        await finish(sipp)  # it watched 6 s after the NOTIFY terminated
        subscribes = unique(received(sipp, "SUBSCRIBE "))
        assert len(subscribes) == 1, subscribes
        assert [c.state for c in rig.changes()] == [
            SubscriptionStatus.ACTIVE,
            SubscriptionStatus.TERMINATED,
        ]


async def test_probation_is_retried_after_retry_after(kamailio: Kamailio, tmp_path: Path) -> None:
    async with registered_phone(kamailio, tmp_path) as rig:
        sipp = rig.notifier("subscribe_probation.xml", calls=2)
        rig.subscribe(sipp)
        await finish(sipp)
        first, second = unique(received(sipp, "SUBSCRIBE "))[:2]
        assert header(first, "Call-ID") != header(second, "Call-ID")
        assert "tag=" not in header(second, "To")
        ended = _sent_at(sipp, "reason=probation;retry-after=3")
        again = _sent_at(sipp, header(second, "Call-ID"))
        assert (again - ended).total_seconds() >= 2.9, (ended, again)
        probation = [c for c in rig.changes() if c.reason == "probation"]
        assert probation and probation[0].state is SubscriptionStatus.TERMINATED


async def test_481_to_the_refresh_subscribes_afresh(kamailio: Kamailio, tmp_path: Path) -> None:
    async with registered_phone(kamailio, tmp_path, expiry=60) as rig:
        sipp = rig.notifier("subscribe_refresh_481.xml", calls=2)
        rig.subscribe(sipp)
        await finish(sipp, timeout=60)
        subscribes = unique(received(sipp, "SUBSCRIBE "))
        first, refresh, fresh = subscribes[:3]
        assert header(refresh, "Call-ID") == header(first, "Call-ID")
        assert "tag=" in header(refresh, "To")  # the refresh is in the dialog...
        assert header(fresh, "Call-ID") != header(first, "Call-ID")  # ...the next is new
        assert "tag=" not in header(fresh, "To")
        log = sipp.messages()
        assert log.index("481 Call/Transaction") < log.index(header(fresh, "Call-ID"))
        assert len([n for n in rig.notices if n.body.strip() == b"call 2"]) == 1
