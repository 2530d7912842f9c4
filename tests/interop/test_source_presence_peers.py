"""A contact source's "Use this account for presence" against real peers on 127.0.0.1:
Kamailio as registrar and presence server, baresip (user 3004) publishing its presence,
and a Parley with two accounts, A (3001) and B (3002), each sending through its own
SIP tap (a recording relay used as the account's outbound proxy), so that the test sees
which account a SUBSCRIBE left from and what it carried.

The contact source is an XML phone book file whose one entry has 3004 as its business
number. With the source's presence account B, the SUBSCRIBE for sip:3004@… leaves
through B (From and digest user 3002), none through A, and baresip's online → offline →
online reaches Parley's presence state and the console's presence lines. With the
presence account taken away the subscription ends (SUBSCRIBE Expires: 0 through B) and
no SUBSCRIBE for 3004 goes out any more.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from baresip_presence import drop_stale_publications, set_presence
from parley.app import Application
from parley.app.contact_sources import ContactSourceChanged
from parley.cli.console import Console
from parley.cli.texts import event_data
from parley.contacts.source import SourceKind
from parley.media.engine import AudioConfig
from parley.phone.events import AccountStateChanged, PhoneEvent, PresenceChanged, PresenceState
from parley.settings import AccountSettings, Settings
from parley.settings.contact_sources import ContactSourceSettings, ContactsSettings
from peers.baresip import Baresip
from peers.common import LOOPBACK, free_port, wait_until
from peers.kamailio import Kamailio, running_kamailio
from peers.sip_tap import SipTap, Tapped

pytestmark = pytest.mark.interop

WAIT = 20.0
USERS = {"3001": "pass3001", "3002": "pass3002", "3004": "pass3004"}
BOOK = b"""<?xml version="1.0" encoding="UTF-8"?>
<YealinkIPPhoneDirectory>
  <DirectoryEntry><Name>Bea Baresip</Name><Telephone>3004</Telephone></DirectoryEntry>
</YealinkIPPhoneDirectory>
"""


class Events:
    def __init__(self) -> None:
        self.events: list[PhoneEvent] = []
        self.cond = threading.Condition()

    def __call__(self, event: PhoneEvent) -> None:
        with self.cond:
            self.events.append(event)
            self.cond.notify_all()

    def wait(self, match: Callable[[PhoneEvent], bool], since: int = 0) -> Any:
        def found() -> PhoneEvent | None:
            return next((e for e in self.events[since:] if match(e)), None)

        with self.cond:
            self.cond.wait_for(lambda: found() is not None, WAIT)
            event = found()
        assert event is not None, f"no matching event; got {self.events[since:]}"
        return event

    def mark(self) -> int:
        with self.cond:
            return len(self.events)


def subscribes_to(tap: SipTap, user: str) -> list[Tapped]:
    return [m for m in tap.requests("SUBSCRIBE") if f"sip:{user}@" in m.header("To")]


def sees(events: Events, state: PresenceState, since: int = 0) -> PresenceChanged:
    event: PresenceChanged = events.wait(
        lambda e: (
            isinstance(e, PresenceChanged)
            and not e.own
            and "sip:3004@" in e.uri
            and e.state is state
        ),
        since,
    )
    return event


@pytest.fixture
def kam(tmp_path: Path) -> Iterator[Kamailio]:
    with running_kamailio(tmp_path / "kamailio", USERS, presence=True) as server:
        yield server


@pytest.fixture
def bea(kam: Kamailio, tmp_path: Path) -> Iterator[Baresip]:
    far = Baresip(
        tmp_path / "baresip",
        sip_port=free_port("both"),
        user="3004",
        password=USERS["3004"],
        registrar=f"{LOOPBACK}:{kam.udp_port}",
        presence=True,
        publish_interval=600,
    )
    far.start()
    try:
        drop_stale_publications(kam, "3004")
        yield far
    finally:
        far.stop()


def test_a_source_contact_is_watched_through_the_sources_presence_account(
    kam: Kamailio, bea: Baresip, tmp_path: Path
) -> None:
    book = tmp_path / "book.xml"
    book.write_bytes(BOOK)
    server = (LOOPBACK, kam.udp_port)
    with SipTap(server) as tap_a, SipTap(server) as tap_b:
        settings = Settings(
            accounts=[
                AccountSettings(
                    name=name,
                    domain=f"{LOOPBACK}:{kam.udp_port}",
                    username=user,
                    transport="udp",
                    codecs=["pcmu"],
                    local_port=free_port("udp"),
                    outbound_proxy=f"{LOOPBACK}:{tap.port}",
                    subscribe_presence=False,  # only the source's choice watches
                )
                for name, user, tap in (("a", "3001", tap_a), ("b", "3002", tap_b))
            ],
            contacts=ContactsSettings(
                sources=[
                    ContactSourceSettings(
                        id="book",
                        name="PBX book",
                        kind=SourceKind.XML_PHONEBOOK,
                        location=str(book),
                        presence_account=None,  # at first
                    )
                ]
            ),
        )
        app = Application(
            settings=settings,
            passwords={"a": USERS["3001"], "b": USERS["3002"]},
            use_keyring=False,
            data_dir=tmp_path / "data",
            bind_host=LOOPBACK,
            audio=AudioConfig(),
        )
        events = Events()
        app.subscribe(events)
        try:
            since = events.mark()
            app.start().result(WAIT)
            events.wait(lambda e: isinstance(e, ContactSourceChanged) and e.state == "ok", since)
            for name, tap in (("a", tap_a), ("b", tap_b)):
                events.wait(
                    lambda e, n=name: (  # type: ignore[misc]
                        isinstance(e, AccountStateChanged)
                        and e.account == n
                        and e.state == "registered"
                    )
                )
                # Registered again at the address Kamailio saw (rport: the tap's), so
                # that what Kamailio sends to the Contact passes the tap too.
                assert wait_until(lambda t=tap: learned(t), timeout=WAIT), tap.seen()
            # No presence account: the source's contact is not watched.
            assert subscribes_to(tap_a, "3004") == subscribes_to(tap_b, "3004") == []
            # Account B chosen for the source's presence.
            new = app.settings.model_copy(deep=True)
            new.contacts.source("book").presence_account = "b"
            app.update_settings(new).result(WAIT)
            online = sees(events, PresenceState.ONLINE)
            assert online.account == "b"
            # On the wire: the SUBSCRIBE left through B, as B, answered by digest as B.
            sent = subscribes_to(tap_b, "3004")
            assert sent, [m.start_line for m in tap_b.seen()]
            assert all("sip:3002@" in m.header("From") for m in sent)
            assert m_event(sent) == {"presence"}
            # (Kamailio challenges requests it proxies with 407: Proxy-Authorization.)
            authorised = [m for m in sent if credentials(m)]
            assert authorised, [m.data for m in sent]
            assert all('username="3002"' in credentials(m) for m in authorised)
            assert subscribes_to(tap_a, "3004") == []  # and not through A
            # baresip's changes reach Parley's presence state and the console's lines.
            since = events.mark()
            set_presence(bea, kam, "3004", online=False)
            offline = sees(events, PresenceState.OFFLINE, since)
            line = event_data(offline)
            assert line["event"] == "presence" and "sip:3004@" in str(line["uri"])
            assert line["state"] == "offline", line
            since = events.mark()
            set_presence(bea, kam, "3004", online=True)
            sees(events, PresenceState.ONLINE, since)
            known = app.presence.watched()
            assert [e.state for u, e in known.items() if "sip:3004@" in u] == [PresenceState.ONLINE]
            # The console's listing of everyone watched.
            listed = console_lines(app, "watching")
            assert [line for line in listed if "sip:3004@" in line] == [
                f"sip:3004@{LOOPBACK}:{kam.udp_port} is online. (through b)"
            ], listed
            # No presence account: the subscription ends. The unsubscribe follows the
            # dialog's route set (Kamailio), past the tap; Kamailio's last NOTIFY, sent
            # back the way the SUBSCRIBE came, says it ended.
            new = app.settings.model_copy(deep=True)
            new.contacts.source("book").presence_account = None
            app.update_settings(new).result(WAIT)
            assert wait_until(
                lambda: any(
                    m.header("Subscription-State").startswith("terminated")
                    for m in notifies_from(tap_b, "3004")
                ),
                timeout=WAIT,
            ), [m.start_line for m in tap_b.seen()]
            since = events.mark()
            app.contact_sources.sync("book")  # a sync does not bring it back either
            events.wait(
                lambda e: (
                    getattr(e, "kind", "") == "contact_source" and getattr(e, "state", "") == "ok"
                ),
                since,
            )
            ended = len(subscribes_to(tap_b, "3004"))
            set_presence(bea, kam, "3004", online=False)
            assert len(subscribes_to(tap_b, "3004")) == ended
            assert subscribes_to(tap_a, "3004") == []
            assert app.presence.plan().by_account == {}
        finally:
            app.stop()


def notifies_from(tap: SipTap, user: str) -> list[Tapped]:
    return [
        m
        for m in tap.seen()
        if not m.outgoing and m.method == "NOTIFY" and f"sip:{user}@" in m.header("From")
    ]


def console_lines(app: Application, line: str) -> list[str]:
    """What the console answers to `line` (its plain-text lines)."""
    console = Console(app, as_json=False)
    out: list[str] = []
    console._print = out.append  # type: ignore[method-assign,assignment]
    console.line = line
    console._command(line.split())
    return out


def learned(tap: SipTap) -> bool:
    """The client registered with the tap's address as its Contact (and got 200)."""
    return any(
        not m.outgoing
        and m.start_line.startswith("SIP/2.0 200")
        and f"127.0.0.1:{tap.back_port}>" in m.header("Contact")
        and "REGISTER" in m.header("CSeq")
        for m in tap.seen()
    )


def credentials(message: Tapped) -> str:
    return str(message.header("Authorization") or message.header("Proxy-Authorization"))


def m_event(messages: list[Tapped]) -> set[str]:
    return {m.header("Event") for m in messages}
