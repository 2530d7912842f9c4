"""Presence against real peers on 127.0.0.1 (issue #9 §2): Kamailio as presence server
(presence, presence_xml), a second Parley, baresip with its presence module, the rig's
small SIP client (`SipUser`) and SIPp.

Parley A (3001) publishes and watches; Parley B (3002) watches A through Kamailio;
SipUser 3003 watches A and reads the PIDF bodies Kamailio passes on; baresip 3004
publishes (online/offline, its only states) and watches A. The peers start once for the
module; each test sets the states it needs. Checked is what the far side received or
shows (NOTIFY bodies, baresip's contact list, B's events, the status of B's call) —
never a flag Parley sets itself.

Also: no presence server (a Kamailio without it answers PUBLISH 404: Parley then answers
a watcher's SUBSCRIBE sent straight to it), a malformed PIDF from a SIPp notifier (refused,
the last state kept), and the console (`presence busy In a meeting`, `watch`) seen as the
JSON presence event on a watcher's console.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from parley_console import ParleyConsole, write_config

from baresip_presence import drop_stale_publications, set_presence
from parley.app import Application
from parley.history.model import CallType
from parley.media.engine import AudioConfig
from parley.phone.events import (
    AccountStateChanged,
    CallStateChanged,
    PhoneEvent,
    PresenceChanged,
    PresenceState,
    PublicationChanged,
    SubscriptionStatus,
)
from parley.settings import AccountSettings, Settings
from peers.baresip import Baresip
from peers.common import LOOPBACK, free_port, wait_until
from peers.kamailio import Kamailio, running_kamailio
from peers.presence_rig import SipMessage, SipUser
from peers.sipp import SCENARIOS, Sipp

pytestmark = pytest.mark.interop

WAIT = 20.0
USERS = {f"30{i:02d}": f"pass30{i:02d}" for i in range(1, 13)}
S = PresenceState
# What a watcher makes of each state we choose: invisible looks offline.
SEEN = {s: (S.OFFLINE if s is S.INVISIBLE else s) for s in S}
# The RPID activity in our PIDF for each state (None: basic closed, no activity).
ACTIVITY = {
    S.ONLINE: "",
    S.AWAY: "<rpid:away/>",
    S.BUSY: "<rpid:busy/>",
    S.LUNCH: "<rpid:meal/>",
    S.ON_THE_PHONE: "<rpid:on-the-phone/>",
    S.BRB: "<rpid:in-transit/>",
    S.OFFLINE: None,
    S.INVISIBLE: None,
}


class Recorder:
    """An Application's events (they arrive on its engine thread)."""

    def __init__(self) -> None:
        self.events: list[PhoneEvent] = []
        self.cond = threading.Condition()

    def __call__(self, event: PhoneEvent) -> None:
        with self.cond:
            self.events.append(event)
            self.cond.notify_all()

    def mark(self) -> int:
        with self.cond:
            return len(self.events)

    def wait(self, match: Callable[[PhoneEvent], bool], since: int = 0) -> Any:
        def found() -> PhoneEvent | None:
            return next((e for e in self.events[since:] if match(e)), None)

        with self.cond:
            self.cond.wait_for(lambda: found() is not None, WAIT)
            event = found()
        assert event is not None, f"no matching event; got {self.events[since:]}"
        return event

    def presence_of(self, user: str) -> list[tuple[PresenceState, str]]:
        with self.cond:
            return [
                (e.state, e.note)
                for e in self.events
                if isinstance(e, PresenceChanged) and not e.own and f"sip:{user}@" in e.uri
            ]


class Peer:
    def __init__(self, app: Application, events: Recorder, user: str) -> None:
        self.app, self.events, self.user = app, events, user

    def sees(self, user: str, state: PresenceState, note: str | None = None) -> PresenceChanged:
        """Wait until this Parley reports `user` in `state` (with `note`)."""
        event: PresenceChanged = self.events.wait(
            lambda e: (
                isinstance(e, PresenceChanged)
                and not e.own
                and f"sip:{user}@" in e.uri
                and e.state is state
                and (note is None or e.note == note)
            ),
            since=self.last_presence(user),
        )
        return event

    def last_presence(self, user: str) -> int:
        """Index of the last presence event about `user` (the current state)."""
        with self.events.cond:
            for index in range(len(self.events.events) - 1, -1, -1):
                e = self.events.events[index]
                if isinstance(e, PresenceChanged) and not e.own and f"sip:{user}@" in e.uri:
                    return index
        return 0


def start_parley(
    server: tuple[str, int],
    user: str,
    password: str,
    data: Path,
    *,
    functions: dict[str, Any] | None = None,
    **account: Any,
) -> Peer:
    host, port = server
    settings = Settings.model_validate(
        {
            "accounts": [
                AccountSettings(
                    name="office",
                    domain=f"{host}:{port}",
                    username=user,
                    transport="udp",
                    codecs=["pcmu"],
                    local_port=free_port("udp"),
                    **account,
                ).model_dump()
            ],
            "functions": functions or {},
        }
    )
    app = Application(
        settings=settings,
        passwords={"office": password},
        use_keyring=False,
        data_dir=data,
        bind_host=LOOPBACK,
        audio=AudioConfig(),
    )
    events = Recorder()
    app.subscribe(events)
    try:
        app.start().result(WAIT)
        events.wait(lambda e: isinstance(e, AccountStateChanged) and e.state == "registered")
    except BaseException:
        app.stop()
        raise
    return Peer(app, events, user)


# ------------------------------------------------------------------ the peers, once


@pytest.fixture(scope="module")
def kam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    with running_kamailio(
        tmp_path_factory.mktemp("presence") / "kamailio", USERS, presence=True
    ) as server:
        yield server


def aor(kam: Kamailio, user: str) -> str:
    return f"sip:{user}@{LOOPBACK}:{kam.udp_port}"


@pytest.fixture(scope="module")
def parley_a(kam: Kamailio, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peer]:
    peer = start_parley(
        (LOOPBACK, kam.udp_port),
        "3001",
        USERS["3001"],
        tmp_path_factory.mktemp("parley-a"),
        publish_presence=True,
        subscribe_presence=True,
        functions={"auto_reject_presence": ["busy"], "reject_with": "busy"},
    )
    try:
        yield peer
    finally:
        peer.app.stop()


@pytest.fixture(scope="module")
def parley_b(kam: Kamailio, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peer]:
    peer = start_parley(
        (LOOPBACK, kam.udp_port),
        "3002",
        USERS["3002"],
        tmp_path_factory.mktemp("parley-b"),
        subscribe_presence=True,
    )
    try:
        peer.app.presence.watch("3001").result(WAIT)
        yield peer
    finally:
        peer.app.stop()


@pytest.fixture(scope="module")
def rig_user(kam: Kamailio) -> Iterator[SipUser]:
    with SipUser(kam, "3003", USERS["3003"]) as watcher:
        yield watcher


@pytest.fixture(scope="module")
def baresip(
    kam: Kamailio, parley_a: Peer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Baresip]:
    far = Baresip(
        tmp_path_factory.mktemp("baresip"),
        sip_port=free_port("both"),
        user="3004",
        password=USERS["3004"],
        registrar=f"{LOOPBACK}:{kam.udp_port}",
        presence=True,
        publish_interval=600,
        watch=[aor(kam, "3001")],
    )
    far.start()
    try:
        drop_stale_publications(kam, "3004")
        yield far
    finally:
        far.stop()


def set_state(peer: Peer, state: PresenceState, note: str = "") -> None:
    peer.app.presence.set_state(state, note).result(WAIT)


def body_says(body: str, state: PresenceState, note: str) -> bool:
    """The PIDF body Kamailio passed on says what we published for `state` and `note`."""
    activity = ACTIVITY[state]
    basic = "<basic>closed</basic>" if activity is None else "<basic>open</basic>"
    if basic not in body:
        return False
    if activity and activity not in body:
        return False
    if activity is not None and not activity and "<rpid:" in body.replace("<rpid:activities", ""):
        return False
    return (f"<note>{note}</note>" in body) if note else ("<note>" not in body)


# ------------------------------------------------------------------ the tests


def test_each_state_is_seen_by_a_second_parley_and_the_rig_user(
    kam: Kamailio, parley_a: Peer, parley_b: Peer, rig_user: SipUser
) -> None:
    sub = rig_user.subscribe("3001", "presence", accept="application/pidf+xml")
    for state in S:
        note = "" if state is S.INVISIBLE else f"{state.value} note"
        since = rig_user.mark()
        set_state(parley_a, state, f"{state.value} note")  # invisible: the note stays home
        seen = parley_b.sees("3001", SEEN[state], note)
        assert seen.account == "office"
        notify: SipMessage = rig_user.wait_notify(
            lambda n, s=state, t=note: body_says(n.body, s, t),  # type: ignore[misc]
            call_id=sub.call_id,
            since=since,
            timeout=WAIT,
        )
        assert notify.header("Content-Type") == "application/pidf+xml"
        assert f'entity="sip:3001@{LOOPBACK}' in notify.body
    # Kamailio holds one publication of 3001: each change modified it (SIP-If-Match).
    held = [p for p in kam.presentities() if p["user"] == "3001"]
    assert len(held) == 1, held
    rig_user.unsubscribe(sub)


def test_baresip_shows_what_it_can_of_our_states(
    parley_a: Peer, baresip: Baresip, kam: Kamailio
) -> None:
    # baresip 1.0 knows online, offline and busy; what it makes of the others (its
    # presence module reads RPID away as closed):
    shown = {
        S.ONLINE: "online",
        S.BUSY: "busy",
        S.ON_THE_PHONE: "busy",
        S.AWAY: "offline",
        S.LUNCH: "online",
        S.BRB: "online",
        S.OFFLINE: "offline",
        S.INVISIBLE: "offline",
    }
    uri = aor(kam, "3001")
    results: dict[PresenceState, str | None] = {}
    sequence = (S.ONLINE, S.BUSY, S.OFFLINE, S.ON_THE_PHONE, S.INVISIBLE, S.LUNCH, S.AWAY)
    for state in (*sequence, S.BRB, S.OFFLINE, S.ONLINE):
        set_state(parley_a, state)
        if not baresip.wait_watched_presence(uri, shown[state], timeout=WAIT):
            results[state] = baresip.watched_presence().get(uri)
    assert not results, f"baresip showed {results} (expected {shown})"


def test_parley_sees_baresip_and_still_does_while_invisible(
    parley_a: Peer, parley_b: Peer, baresip: Baresip, kam: Kamailio
) -> None:
    parley_a.app.presence.watch("3004").result(WAIT)
    parley_a.sees("3004", S.ONLINE)
    set_state(parley_a, S.INVISIBLE)
    parley_b.sees("3001", S.OFFLINE)  # others see A offline...
    set_presence(baresip, kam, "3004", online=False)
    parley_a.sees("3004", S.OFFLINE)  # ...while A still sees them
    set_presence(baresip, kam, "3004", online=True)
    parley_a.sees("3004", S.ONLINE)
    watched = parley_a.app.presence.watched()
    assert [e.state for uri, e in watched.items() if "sip:3004@" in uri] == [S.ONLINE]
    set_state(parley_a, S.ONLINE)


def test_on_the_phone_during_a_call_and_back_after(parley_a: Peer, parley_b: Peer) -> None:
    set_state(parley_a, S.AWAY, "at my desk")
    parley_b.sees("3001", S.AWAY, "at my desk")
    since = parley_a.events.mark()
    call = parley_b.app.dial("3001").result(WAIT)
    ringing: CallStateChanged = parley_a.events.wait(
        lambda e: isinstance(e, CallStateChanged) and e.state == "incoming", since
    )
    parley_a.app.answer(ringing.call).result(WAIT)
    parley_b.sees("3001", S.ON_THE_PHONE, "at my desk")
    assert parley_a.app.presence.state() == (S.AWAY, "at my desk")  # the choice is kept
    parley_b.app.hangup(call.id).result(WAIT)
    parley_b.sees("3001", S.AWAY, "at my desk")


def test_busy_rejects_calls_486_and_the_history_says_rejected(
    parley_a: Peer, parley_b: Peer
) -> None:
    set_state(parley_a, S.BUSY, "do not disturb")
    parley_b.sees("3001", S.BUSY)
    since = parley_b.events.mark()
    call = parley_b.app.dial("3001").result(WAIT)
    ended: CallStateChanged = parley_b.events.wait(
        lambda e: isinstance(e, CallStateChanged) and e.call == call.id and e.state == "ended",
        since,
    )
    assert ended.status == 486, ended  # the caller got 486 Busy Here on the wire
    assert wait_until(
        lambda: any(
            e.type is CallType.REJECTED_INCOMING and e.number == "3002"
            for e in parley_a.app.history_entries()
        ),
        timeout=WAIT,
    ), parley_a.app.history_entries()
    set_state(parley_a, S.ONLINE)


def test_a_malformed_pidf_is_refused_and_the_last_state_kept(
    parley_b: Peer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sipp = Sipp(
        SCENARIOS / "presence_malformed_pidf.xml",
        local_port=free_port("udp"),
        media_port=free_port("udp"),
        workdir=tmp_path,
    ).start()
    target = f"sip:alice@{LOOPBACK}:{sipp.local_port}"
    try:
        with caplog.at_level(logging.WARNING, logger="parley.phone.presence"):
            parley_b.app.presence.watch(target).result(WAIT)
            parley_b.sees("alice", S.ONLINE)
            assert sipp.wait(timeout=WAIT) == 0, sipp.errors()
        # busy, then (two refused bodies, nothing shown), then online.
        assert parley_b.events.presence_of("alice") == [
            (S.BUSY, "in a meeting"),
            (S.ONLINE, ""),
        ]
        refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
        assert len(refused) == 2, refused
        assert "not well-formed" in refused[0]
        assert "not a presence document" in refused[1], refused[1]
        assert parley_b.app.list_calls() == []  # and the phone goes on
    finally:
        parley_b.app.presence.unwatch(target).result(WAIT)
        sipp.stop()


def test_without_a_presence_server_the_watcher_subscribes_to_parley_directly(
    kamailio: Kamailio, tmp_path: Path
) -> None:
    # The plain Kamailio keeps no presence: PUBLISH is answered 404.
    server = (LOOPBACK, kamailio.udp_port)
    alice = start_parley(
        server,
        "1001",
        "pass1001",
        tmp_path / "alice",
        publish_presence=True,
        functions={"allow_direct_calls": True, "presence": "lunch", "presence_note": "back at 2"},
    )
    bob = None
    try:
        failed: PublicationChanged = alice.events.wait(lambda e: isinstance(e, PublicationChanged))
        assert failed.state is SubscriptionStatus.FAILED and failed.status in (404, 489, 501)
        bob = start_parley(server, "1002", "pass1002", tmp_path / "bob", subscribe_presence=True)
        port = alice.app.settings.accounts[0].local_port
        bob.app.presence.watch(f"sip:1001@{LOOPBACK}:{port}").result(WAIT)
        bob.sees("1001", S.LUNCH, "back at 2")
        set_state(alice, S.BUSY, "call later")
        bob.sees("1001", S.BUSY, "call later")
        set_state(alice, S.INVISIBLE)
        bob.sees("1001", S.OFFLINE, "")
    finally:
        alice.app.stop()
        if bob is not None:
            bob.app.stop()


def test_the_console_presence_command_reaches_a_watching_console(
    kam: Kamailio, tmp_path: Path
) -> None:
    def config(user: str, **keys: Any) -> Path:
        return write_config(
            tmp_path / f"{user}.toml",
            [
                {
                    "name": "office",
                    "domain": f"{LOOPBACK}:{kam.udp_port}",
                    "username": user,
                    "password": USERS[user],
                    "transport": "udp",
                    "local_port": free_port("udp"),
                    **keys,
                }
            ],
            allow_plaintext_passwords=True,
        )

    publisher = ParleyConsole(config("3005", publish_presence=True), log_dir=tmp_path)
    watcher = ParleyConsole(config("3006", subscribe_presence=True), log_dir=tmp_path)
    try:
        publisher.wait_state("registered")
        watcher.wait_state("registered")
        watcher.send("watch 3005")
        watcher.wait_for(lambda e: e.get("text") == "watching 3005")
        watcher.wait_for(lambda e: e.get("event") == "presence" and "3005" in e.get("uri", ""))
        publisher.send("presence busy In a meeting")
        reply = publisher.wait_for(lambda e: e.get("event") == "reply")
        assert reply["text"] == "presence: busy — In a meeting"
        seen = watcher.wait_for(lambda e: e.get("event") == "presence" and e.get("state") == "busy")
        assert (seen["note"], seen["uri"]) == ("In a meeting", aor(kam, "3005"))
        publisher.send("presence napping")
        error = publisher.wait_for(lambda e: e.get("text", "").startswith("error:"))
        assert "online, invisible, away, busy, offline, lunch, on-the-phone, brb" in error["text"]
    finally:
        assert publisher.quit() == 0
        assert watcher.quit() == 0
        publisher.stop()
        watcher.stop()
