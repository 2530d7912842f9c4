"""Publishing presence (RFC 3903) from a real Phone to SIPp playing the presence server.

The Phone runs in this process with one account whose server is SIPp (not registered:
PUBLISH needs no binding). What SIPp received is read back from its message log: the
PIDF bodies (parsed with our own codec and checked for what baresip's regular
expressions look for), SIP-If-Match with the tag SIPp gave, the fresh PUBLISH after 412,
the removal at stop.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from phone_rig import office_settings, started_phone, until

from parley.phone.events import PhoneEvent, PublicationChanged, SubscriptionStatus
from parley.phone.phone import Phone
from parley.sip.pidf import CONTENT_TYPE, PresenceState, build, parse
from parley.sip.publication import PubState
from peers.common import free_port
from peers.sipp import SCENARIOS, Sipp

pytestmark = [pytest.mark.interop, pytest.mark.asyncio]


@asynccontextmanager
async def phone_at(sipp: Sipp, tmp_path: Path) -> AsyncIterator[tuple[Phone, list[PhoneEvent]]]:
    settings = office_settings(
        f"127.0.0.1:{sipp.local_port}",
        register_on_startup=False,
        publish_presence=True,
        subscription_expiry=60,
        sip={"t1": 0.1, "t2": 1.0, "t4": 1.0},
    )
    async with started_phone(settings, "pass1001") as (phone, events):
        yield phone, events


def start_sipp(scenario: str, tmp_path: Path) -> Sipp:
    sipp = Sipp(
        SCENARIOS / scenario,
        local_port=free_port("udp"),
        media_port=free_port("udp"),
        workdir=tmp_path,
    )
    return sipp.start()


def received_publishes(sipp: Sipp) -> list[tuple[dict[str, str], bytes]]:
    """(headers by lower-case name, body) of each PUBLISH SIPp received, in order."""
    out = []
    for block in sipp.messages().split("message received")[1:]:
        text = block.split("\n", 1)[1] if "\n" in block else ""
        text = text.split("----------------------------------------------- ")[0]
        text = text.lstrip("\r\n")
        if not text.startswith("PUBLISH "):
            continue
        head, _, body = text.replace("\r\n", "\n").partition("\n\n")
        headers = {}
        for line in head.split("\n")[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        out.append((headers, body.encode()[:length]))
    return out


async def test_publish_refresh_412_modify_remove(tmp_path: Path) -> None:
    sipp = start_sipp("publish_presence.xml", tmp_path)
    try:
        async with phone_at(sipp, tmp_path) as (phone, events):
            account = phone.accounts["office"]
            aor = str(account.registration.aor)
            busy = build(aor, PresenceState.BUSY, "in a meeting", "t1")
            pub = phone.publications.publish(account, "presence", CONTENT_TYPE, busy)
            # 401 → retry → 200 etag-1 (2 s) → refresh → 412 → fresh PUBLISH → 200 etag-2
            await until(lambda: pub.client.etag == "etag-2")
            assert pub.state is PubState.PUBLISHED
            pub.modify(build(aor, PresenceState.AWAY, "back soon", "t1"))
            await until(lambda: pub.client.etag == "etag-3")
        # stop() removed the publication: SIPp got Expires: 0 with etag-3 and ended.
        code = await asyncio.to_thread(sipp.wait, 30)
        assert code == 0, f"SIPp exit {code}\n{sipp.errors()}\n{sipp.messages()[-4000:]}"
        assert pub.state is PubState.REMOVED
        assert not [e for e in events if isinstance(e, PublicationChanged)]
    finally:
        sipp.stop()

    publishes = received_publishes(sipp)
    assert len(publishes) == 6, [h for h, _ in publishes]
    (
        (first, _),
        (authed, body1),
        (refresh, body2),
        (fresh, body3),
        (modify, body4),
        (
            remove,
            body5,
        ),
    ) = publishes
    assert "authorization" not in first and "authorization" in authed
    assert {h["call-id"] for h, _ in publishes} == {first["call-id"]}
    cseqs = [int(h["cseq"].split()[0]) for h, _ in publishes]
    assert cseqs == sorted(set(cseqs)), cseqs
    for headers, _ in publishes:
        assert headers["event"] == "presence"
        assert re.match(r"<?sip:1001@127\.0\.0\.1:\d+>?", headers["to"])

    # The PIDF carries the state: busy, with the note, as watchers read it.
    doc = parse(body1)
    assert (doc.state, doc.note, doc.entity) == (PresenceState.BUSY, "in a meeting", aor)
    text = body1.decode()
    assert re.search(r"<basic[ \t]*>open</basic[ \t]*>", text)  # baresip's expression
    assert re.search(r"<rpid:busy[ \t]*/>", text)  # baresip's, for busy
    assert authed["content-type"] == CONTENT_TYPE

    # The refresh: the tag SIPp gave, no body.
    assert refresh["sip-if-match"] == "etag-1"
    assert body2 == b"" and "content-type" not in refresh

    # After 412: a fresh PUBLISH, no tag, the current body.
    assert "sip-if-match" not in fresh
    assert parse(body3).state is PresenceState.BUSY

    # The change: the new tag and the new state.
    assert modify["sip-if-match"] == "etag-2"
    assert (parse(body4).state, parse(body4).note) == (PresenceState.AWAY, "back soon")
    assert re.search(r"<rpid:away[ \t]*/>", body4.decode())

    # The removal at stop.
    assert remove["expires"] == "0" and remove["sip-if-match"] == "etag-3"
    assert body5 == b""


async def test_489_is_reported_as_a_failed_presence_publication(tmp_path: Path) -> None:
    sipp = start_sipp("publish_489.xml", tmp_path)
    try:
        async with phone_at(sipp, tmp_path) as (phone, events):
            account = phone.accounts["office"]
            aor = str(account.registration.aor)
            pub = phone.publications.publish(
                account, "presence", CONTENT_TYPE, build(aor, PresenceState.ONLINE)
            )
            await until(lambda: any(isinstance(e, PublicationChanged) for e in events))
            (failed,) = [e for e in events if isinstance(e, PublicationChanged)]
            assert failed.state is SubscriptionStatus.FAILED
            assert (failed.package, failed.status, failed.reason) == ("presence", 489, "Bad Event")
            assert (failed.uri, failed.account) == (aor, "office")
            assert pub.state is PubState.FAILED
            assert pub.client.next_timer() is None  # no retry armed
        code = await asyncio.to_thread(sipp.wait, 30)
        assert code == 0, f"SIPp exit {code}\n{sipp.errors()}\n{sipp.messages()[-4000:]}"
        assert len(received_publishes(sipp)) == 1  # nothing to remove at stop
    finally:
        sipp.stop()
