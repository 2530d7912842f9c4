"""Voicemail counts (MWI, RFC 3842) against real peers on 127.0.0.1.

Kamailio with presence and presence_mwi is the server (once for the module); the
voicemail simulator is the rig's (`publish_mwi` in Python, `sipp_publish_mwi` and
`sipp_notify_mwi` with SIPp). Parley runs as an Application (and once as the console,
as a user's script would). What is checked is what Parley shows (its events and
`app.voicemail.summary`), what reached the peers (SIPp's answers and message trace, the
INVITE a registered phone received) — each test with its own users:

- Parley subscribes to its own message-summary and shows what the simulator
  publishes, and each change (urgent ones too);
- an unsolicited NOTIFY relayed by the account's server is taken; the same sent straight
  to Parley's port from a stranger is refused (403) and changes nothing;
- `mwi` off: no SUBSCRIBE for message-summary leaves Parley (a SIPp registrar watches),
  and switching it on in the settings shows the counts without a restart;
- `app.voicemail.call` dials the account's voicemail extension (the phone registered
  for it gets the INVITE); without an extension it says to set one;
- the console prints the JSON `mwi` line with its sentence, and `voicemail` calls.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from parley_console import ParleyConsole, write_config

from interop import app_rig
from interop.app_rig import Recorder, office_account
from parley.app import AppError, Application
from parley.phone.events import (
    AccountStateChanged,
    MwiChanged,
    SubscriptionChanged,
    SubscriptionStatus,
)
from parley.settings import Settings
from peers.common import LOOPBACK, free_port
from peers.kamailio import Kamailio, running_kamailio
from peers.presence_rig import SipUser, publish_mwi, sipp_notify_mwi, sipp_publish_mwi
from peers.sipp import SCENARIOS, Sipp

pytestmark = pytest.mark.interop

WAIT = 30.0
USERS = {f"31{i:02d}": f"pass31{i:02d}" for i in range(1, 21)}


def mwi(events: Recorder) -> list[MwiChanged]:
    with events.cond:
        return [e for e in events.events if isinstance(e, MwiChanged)]


def counts(event: MwiChanged) -> tuple[int, int, int, int, bool]:
    return (event.new, event.old, event.urgent_new, event.urgent_old, event.waiting)


@pytest.fixture(scope="module")
def kam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    workdir = tmp_path_factory.mktemp("mwi") / "kamailio"
    with running_kamailio(workdir, USERS, presence=True) as server:
        yield server


def start_app(settings: Settings, password: str, data: Path) -> tuple[Application, Recorder]:
    return app_rig.start_app(settings, password, data, timeout=WAIT)


def mwi_subscribed(events: Recorder) -> SubscriptionChanged:
    return events.wait(  # type: ignore[no-any-return]
        lambda e: (
            isinstance(e, SubscriptionChanged)
            and e.package == "message-summary"
            and e.state is SubscriptionStatus.ACTIVE
        )
    )


@pytest.fixture(scope="module")
def parley(
    kam: Kamailio, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Application, Recorder]]:
    """Parley as 3101 with MWI on; its voicemail extension is 3102 (a phone of the rig)."""
    settings = Settings(
        accounts=[
            office_account(
                f"{LOOPBACK}:{kam.udp_port}", "3101", mwi=True, voicemail_extension="3102"
            )
        ]
    )
    data = tmp_path_factory.mktemp("parley")
    with app_rig.stopped_after(start_app(settings, USERS["3101"], data)) as started:
        yield started


def test_subscribes_to_its_mailbox_and_shows_what_is_published(
    kam: Kamailio, parley: tuple[Application, Recorder], tmp_path: Path
) -> None:
    app, events = parley
    active = mwi_subscribed(events)
    assert active.uri.startswith("sip:3101@127.0.0.1")
    assert active.account == "office"
    # Kamailio's first NOTIFY is empty (nobody published): nothing known yet.
    assert app.voicemail.summary("office") is None
    published = publish_mwi(kam, "3101", 2, 5, urgent_new=1)
    assert published.status == 200, published
    shown = events.wait(lambda e: isinstance(e, MwiChanged) and e.new == 2)
    assert (shown.account, counts(shown)) == ("office", (2, 5, 1, 0, True))
    assert app.voicemail.summary("office") == shown
    # The SIPp simulator publishes again: the change is shown, urgent old ones too.
    sipp = sipp_publish_mwi(kam, "3101", 0, 7, urgent_old=2, workdir=tmp_path)
    assert sipp.wait(timeout=WAIT) == 0, sipp.errors()
    later = events.wait(lambda e: isinstance(e, MwiChanged) and e.old == 7)
    assert counts(later) == (0, 7, 0, 2, False)
    assert app.voicemail.summary("office") == later
    sipp = sipp_publish_mwi(kam, "3101", 3, 4, urgent_new=3, workdir=tmp_path)
    assert sipp.wait(timeout=WAIT) == 0, sipp.errors()
    third = events.wait(lambda e: isinstance(e, MwiChanged) and e.new == 3)
    assert counts(third) == (3, 4, 3, 0, True)


def test_unsolicited_notify_through_the_server_is_taken_a_strangers_refused(
    kam: Kamailio, parley: tuple[Application, Recorder], tmp_path: Path
) -> None:
    app, events = parley
    mwi_subscribed(events)
    relayed = sipp_notify_mwi(
        (kam.host, kam.udp_port),
        "3101",
        6,
        1,
        urgent_new=2,
        workdir=tmp_path,
        credentials=("3103", USERS["3103"]),
    )
    assert relayed.wait(timeout=WAIT) == 0, relayed.errors()  # Parley answered 200
    shown = events.wait(lambda e: isinstance(e, MwiChanged) and e.new == 6)
    assert counts(shown) == (6, 1, 2, 0, True)
    # Straight to Parley's port from the simulator's own address: not the server.
    port = app.settings.accounts[0].local_port
    stranger = sipp_notify_mwi((LOOPBACK, port), "3101", 9, 9, workdir=tmp_path)
    assert stranger.wait(timeout=WAIT) != 0  # the scenario wanted a 200
    assert "SIP/2.0 403" in stranger.messages(), stranger.messages()
    assert app.voicemail.summary("office") == shown
    assert not [e for e in mwi(events) if e.new == 9]


def test_voicemail_call_dials_the_extension(
    kam: Kamailio, parley: tuple[Application, Recorder]
) -> None:
    app, _events = parley
    with SipUser(kam, "3102", USERS["3102"]) as mailbox:
        assert mailbox.register().status == 200
        info = app.voicemail.call("office").result(WAIT)
        invite = mailbox.wait_request("INVITE", timeout=WAIT)
        assert invite.start.startswith("INVITE sip:3102@"), invite.start
        assert "sip:3101@" in invite.header("From")
        assert info.remote.startswith("sip:3102@") or "3102" in info.remote
        # The rig's mailbox answers 200 without SDP, so the call may have ended by itself
        # already (media failed): hanging up is only tidying up.
        with contextlib.suppress(AppError):
            app.hangup(info.id).result(WAIT)
        assert mailbox.register(expires=0).status == 200
    with pytest.raises(AppError, match="no enabled account"):
        app.voicemail.call("home").result(WAIT)


def test_mwi_off_sends_no_subscribe_then_on_without_restart(kam: Kamailio, tmp_path: Path) -> None:
    # A SIPp registrar watches what a phone with mwi off sends after registering.
    def watched(mwi: bool) -> list[str]:
        sipp = Sipp(
            SCENARIOS / "registrar_watch.xml",
            local_port=free_port("udp"),
            media_port=free_port("udp"),
            workdir=tmp_path,
        ).start()
        try:
            settings = Settings(
                accounts=[office_account(f"{LOOPBACK}:{sipp.local_port}", "9", mwi=mwi)]
            )
            app, _events = start_app(settings, "secret", tmp_path / f"data-{mwi}")
            try:
                sipp.wait(timeout=WAIT)  # the 4 s it watches
            finally:
                app.stop()
            return [
                block
                for block in sipp.messages().split("message received")[1:]
                if "SUBSCRIBE sip:" in block and "message-summary" in block.lower()
            ]
        finally:
            sipp.stop()

    assert watched(mwi=False) == []
    assert watched(mwi=True), "the watching registrar saw no SUBSCRIBE with mwi on"

    # Against Kamailio: counts published for 3104 show once mwi is switched on.
    published = publish_mwi(kam, "3104", 1, 2)
    assert published.status == 200, published
    settings = Settings(accounts=[office_account(f"{LOOPBACK}:{kam.udp_port}", "3104", mwi=False)])
    app, events = start_app(settings, USERS["3104"], tmp_path / "data-toggle")
    try:
        assert app.voicemail.summary("office") is None
        new = app.settings.model_copy(deep=True)
        new.accounts[0].mwi = True
        app.update_settings(new).result(WAIT)
        shown = events.wait(lambda e: isinstance(e, MwiChanged) and e.account == "office")
        assert counts(shown) == (1, 2, 0, 0, True)
        assert app.voicemail.summary("office") == shown
        off = app.settings.model_copy(deep=True)
        off.accounts[0].mwi = False
        since = events.mark()
        app.update_settings(off).result(WAIT)
        assert app.voicemail.summary("office") is None
        # On again: subscribed anew, the counts are shown again.
        app.update_settings(new).result(WAIT)
        again = events.wait(lambda e: isinstance(e, MwiChanged), since=since)
        assert counts(again) == (1, 2, 0, 0, True)
        assert app.voicemail.summary("office") == again
        # Nothing was shown while it was off (not even the unsubscribe's last NOTIFY).
        events.wait(
            lambda e: isinstance(e, AccountStateChanged) and e.state == "registered", since=since
        )
        assert [e for e in events.events[since:] if isinstance(e, MwiChanged)] == [again]
        with pytest.raises(AppError, match="no voicemail extension"):
            app.voicemail.call().result(WAIT)
    finally:
        app.stop()


def test_console_prints_the_mwi_line_and_calls_the_voicemail(kam: Kamailio, tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "parley.toml",
        [
            {
                "name": "office",
                "domain": f"{LOOPBACK}:{kam.udp_port}",
                "username": "3105",
                "password": USERS["3105"],
                "transport": "udp",
                "codecs": ["pcmu"],
                "local_port": free_port("udp"),
                "mwi": True,
                "voicemail_extension": "3106",
            }
        ],
    )
    console = ParleyConsole(config, log_dir=tmp_path)
    try:
        console.wait_state("registered")
        console.wait_for(
            lambda e: (
                e.get("event") == "subscription"
                and e.get("package") == "message-summary"
                and e.get("state") == "active"
            )
        )
        published = publish_mwi(kam, "3105", 2, 5, urgent_new=1)
        assert published.status == 200, published
        line = console.wait_for(lambda e: e.get("event") == "mwi")
        assert {k: line[k] for k in ("account", "new", "old", "urgent_new")} == {
            "account": "office",
            "new": 2,
            "old": 5,
            "urgent_new": 1,
        }
        assert "2 new voice messages (1 urgent), 5 old" in line["text"]
        with SipUser(kam, "3106", USERS["3106"]) as mailbox:
            assert mailbox.register().status == 200
            console.send("voicemail")
            reply = console.wait_for(lambda e: e.get("event") == "reply")
            assert "dialing the voicemail" in reply["text"], reply
            invite = mailbox.wait_request("INVITE", timeout=WAIT)
            assert invite.start.startswith("INVITE sip:3106@")
            assert mailbox.register(expires=0).status == 200
        assert console.quit() == 0
    finally:
        console.stop()
