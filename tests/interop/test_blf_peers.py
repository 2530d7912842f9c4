"""BLF against real peers (issue #9 §3): Kamailio as presence server (pua_dialoginfo
publishes every proxied call), SIPp phones, and Parleys — the console (`parley console
--json`, driven as a user's script would: `blf URI`, `pickup URI`) and Applications.

- a call between two SIPp phones shows ringing (with the caller), busy on both lines
  and idle again on Parley's BLF;
- a Parley that holds its call shows on hold on another Parley watching its line
  directly (Parley as the notifier of its own line; a third-party client reads it too);
- pickup with Replaces: a Parley caller rings a SIPp phone, Parley picks the call up
  from the BLF — the caller's Parley is then connected to the one that picked up, and
  the ringing phone is cancelled;
- pickup with the account's pickup prefix: the INVITE reaches the code's extension;
- on a plain proxy without dialog-info the lines stay unknown and calls go on.

One Kamailio per module (and one plain one); each test has its own users.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from parley_console import Event, ParleyConsole, write_config

from interop.app_rig import Recorder, office_account, start_app
from parley.app import Application
from parley.phone.events import (
    BlfChanged,
    BlfState,
    CallNote,
    CallStateChanged,
    PhoneEvent,
)
from parley.settings import Settings
from peers.common import LOOPBACK, free_port, wait_until
from peers.kamailio import Kamailio, running_kamailio
from peers.presence_rig import SipUser, dialog_states, start_blf_callee, start_blf_caller
from peers.sipp import Sipp

pytestmark = pytest.mark.interop

WAIT = 20.0
USERS = {f"10{i:02d}": f"pass10{i:02d}" for i in range(1, 21)}
PICKUP_CODE_USER = "*81016"  # what the pickup code dials for line 1016
USERS[PICKUP_CODE_USER] = "passpickup"


@pytest.fixture(scope="module")
def kam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    workdir = tmp_path_factory.mktemp("blf") / "kamailio"
    with running_kamailio(workdir, USERS, presence=True) as server:
        yield server


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kamailio]:
    with running_kamailio(tmp_path_factory.mktemp("plain") / "kamailio", USERS) as server:
        yield server


# ------------------------------------------------------------------ peers


def console_for(
    kam: Kamailio, tmp_path: Path, user: str, lines: list[str], **account: Any
) -> ParleyConsole:
    config = write_config(
        tmp_path / f"console-{user}.toml",
        [
            {
                "name": "office",
                "domain": f"{LOOPBACK}:{kam.udp_port}",
                "username": user,
                "password": USERS[user],
                "codecs": ["pcmu"],
                "use_blf": True,
                "blf_extensions": lines,
                **account,
            }
        ],
    )
    return ParleyConsole(config, log_dir=tmp_path)


def blf(uri: str, state: str) -> Callable[[Event], bool]:
    return lambda e: e.get("event") == "blf" and e.get("uri") == uri and e.get("state") == state


def callee(kam: Kamailio, user: str, scenario: str, tmp_path: Path, ring_ms: int = 0) -> Sipp:
    """A SIPp phone registered as `user` at `kam` running `scenario`."""
    return start_blf_callee(kam, user, ring_ms=ring_ms, workdir=tmp_path, scenario=scenario)


def parley(
    kam: Kamailio, tmp_path: Path, user: str, *, direct: bool = False, **account: Any
) -> tuple[Application, Recorder]:
    account.setdefault("local_port", 0)  # Parley picks its own
    settings = Settings(accounts=[office_account(f"{LOOPBACK}:{kam.udp_port}", user, **account)])
    settings.functions.allow_direct_calls = direct
    return start_app(settings, USERS[user], tmp_path / f"data-{user}")


def rtp_in(stats: dict[str, Any]) -> int:
    return int(stats.get("packets_received") or 0)


def call_state(call: int, state: str) -> Callable[[PhoneEvent], bool]:
    return lambda e: isinstance(e, CallStateChanged) and e.call == call and e.state == state


# ------------------------------------------------------------------ tests


def test_a_call_between_two_lines_rings_then_busy_then_idle(kam: Kamailio, tmp_path: Path) -> None:
    console = console_for(kam, tmp_path, "1001", ["1002", "1003"])
    phone = caller = None
    try:
        console.wait_state("registered")
        # Nobody has published a dialog yet: both lines idle.
        console.wait_for(blf("1002", "idle"))
        console.wait_for(blf("1003", "idle"))
        phone = callee(kam, "1003", "blf_callee_rings_pause.xml", tmp_path, ring_ms=3000)
        caller = start_blf_caller(kam, "1002", "1003", talk_ms=3000, workdir=tmp_path)
        ringing = console.wait_for(blf("1003", "ringing"))
        assert "1002" in ringing["caller"], ringing
        assert ringing["call_id"] and ringing["local_tag"] and ringing["remote_tag"]
        assert "ringing" in ringing["text"] and "pickup 1003" in ringing["text"]
        console.wait_for(blf("1003", "busy"))
        busy = console.wait_for(blf("1002", "busy"))
        assert "1003" in busy["caller"], busy
        assert caller.wait(timeout=60) == 0, caller.errors()
        assert phone.wait(timeout=60) == 0, phone.errors()
        console.wait_for(blf("1003", "idle"))
        console.wait_for(blf("1002", "idle"))
        # `blf URI` of a line already watched prints its state.
        console.send("blf 1003")
        reply = console.wait_for(lambda e: e.get("event") == "reply" and "1003" in e["text"])
        assert "free" in reply["text"], reply
    finally:
        for peer in (caller, phone):
            if peer is not None:
                peer.stop()
        console.quit()
        console.stop()


def test_a_parley_line_on_hold_is_shown_held(kam: Kamailio, tmp_path: Path) -> None:
    """Parley 1004 serves its own line; Parley 1005 watches it directly (no presence
    server in between), and so does a third-party client."""
    port = free_port("udp")
    held_phone = watcher = None
    phone = callee(kam, "1006", "blf_callee_rings_pause.xml", tmp_path, ring_ms=500)
    try:
        held_phone, held_events = parley(kam, tmp_path, "1004", direct=True, local_port=port)
        line = f"sip:1004@{LOOPBACK}:{port}"
        watcher, events = parley(kam, tmp_path, "1005", use_blf=True, blf_extensions=[line])

        def lamp(state: BlfState) -> Callable[[PhoneEvent], bool]:
            return lambda e: isinstance(e, BlfChanged) and e.uri == line and e.state == state

        events.wait(lamp(BlfState.IDLE))
        with SipUser((LOOPBACK, port), "1007", USERS["1007"]) as other:
            sub = other.subscribe("1004", "dialog")
            info = held_phone.dial("1006").result(WAIT)
            held_events.wait(call_state(info.id, "connected"))
            events.wait(lamp(BlfState.BUSY))
            other.wait_notify(lambda n: "confirmed" in dialog_states(n.body), call_id=sub.call_id)
            held_phone.hold(info.id).result(WAIT)
            events.wait(lamp(BlfState.HELD))
            held = other.wait_notify(lambda n: 'pvalue="no"' in n.body, call_id=sub.call_id)
            assert "+sip.rendering" in held.body
            held_phone.hangup(info.id).result(WAIT)
            events.wait(lamp(BlfState.IDLE), since=len(events.events) - 1)
            other.wait_notify(lambda n: "terminated" in dialog_states(n.body), call_id=sub.call_id)
        assert [e.state for e in watcher.blf.lines()] == [BlfState.IDLE]
    finally:
        phone.stop()
        for app in (held_phone, watcher):
            if app is not None:
                app.stop()


def test_pickup_of_a_ringing_call_from_the_blf(kam: Kamailio, tmp_path: Path) -> None:
    """Parley 1008 calls 1009 (a SIPp phone that rings until cancelled); Parley 1010
    (the console) sees 1009 ring and picks the call up with Replaces."""
    phone = callee(kam, "1009", "blf_callee_rings_until_cancel.xml", tmp_path)
    console = console_for(kam, tmp_path, "1010", ["1009"])
    caller = None
    try:
        caller, caller_events = parley(kam, tmp_path, "1008")
        console.wait_state("registered")
        console.wait_for(blf("1009", "idle"))
        first = caller.dial("1009").result(WAIT)
        caller_events.wait(call_state(first.id, "ringing"))
        ringing = console.wait_for(blf("1009", "ringing"))
        assert "1008" in ringing["caller"]
        console.send("pickup 1009")
        reply = console.wait_for(lambda e: e.get("event") == "reply" and "picking up" in e["text"])
        assert "1009" in reply["text"]
        # The console's new call is answered by the caller's Parley ...
        connected = console.wait_for(
            lambda e: e.get("event") == "call" and e.get("state") == "connected"
        )
        assert "1008" in connected["remote"]
        # ... which now talks to 1010 instead of ringing at 1009.
        replaced = caller_events.wait(
            lambda e: (
                isinstance(e, CallStateChanged) and e.call != first.id and e.state == "connected"
            )
        )
        assert "1010" in replaced.remote and replaced.note is CallNote.REPLACED
        caller_events.wait(call_state(first.id, "ended"))
        assert phone.wait(timeout=30) == 0, phone.errors()  # its ringing was cancelled
        assert "CANCEL" in phone.messages()
        calls = caller.list_calls()
        assert [(c.state, "1010" in c.remote) for c in calls] == [("connected", True)]
        # Audio flows both ways between the caller and the one who picked up.
        assert wait_until(
            lambda: rtp_in(caller.call_stats(replaced.call).result(WAIT)) > 25, timeout=WAIT
        )
        console.send("stats")
        stats = console.wait_for(
            lambda e: e.get("event") == "reply" and "packets_received" in e["text"]
        )
        assert rtp_in(json.loads(stats["text"])) > 0, stats
        console.wait_for(blf("1009", "idle"))
        console.send("hangup")
        console.wait_for(lambda e: e.get("event") == "call" and e.get("state") == "ended")
    finally:
        phone.stop()
        if caller is not None:
            caller.stop()
        console.quit()
        console.stop()


def test_pickup_prefix_dials_the_code_and_the_extension(kam: Kamailio, tmp_path: Path) -> None:
    code_phone = callee(kam, PICKUP_CODE_USER, "blf_callee_rings_until_cancel.xml", tmp_path)
    console = console_for(kam, tmp_path, "1011", ["1016"], pickup_prefix="*8")
    try:
        console.wait_state("registered")
        console.wait_for(blf("1016", "idle"))
        # The PBX decides whether something rings: the code is dialled whatever the lamp.
        console.send("pickup 1016")
        console.wait_for(lambda e: e.get("event") == "reply" and "picking up" in e["text"])
        console.wait_for(lambda e: e.get("event") == "call" and e.get("state") == "ringing")
        assert wait_until(lambda: "INVITE sip:" in code_phone.messages(), timeout=WAIT)
        invite = code_phone.messages().split("INVITE sip:", 1)[1]
        assert f"To: <sip:{PICKUP_CODE_USER}@" in invite.split("\n\n", 1)[0].replace(
            "To: sip:", "To: <sip:"
        ), invite[:600]
        console.send("hangup")
        assert code_phone.wait(timeout=30) == 0, code_phone.errors()
    finally:
        code_phone.stop()
        console.quit()
        console.stop()


def test_plain_proxy_without_dialog_info_leaves_lines_unknown(
    plain: Kamailio, tmp_path: Path
) -> None:
    console = console_for(plain, tmp_path, "1012", ["1013", "1014"])
    phone = caller = None
    try:
        console.wait_state("registered")
        console.wait_for(blf("1013", "unknown"))
        console.wait_for(blf("1014", "unknown"))
        phone = callee(plain, "1014", "blf_callee_rings_pause.xml", tmp_path, ring_ms=500)
        caller = start_blf_caller(plain, "1013", "1014", talk_ms=1000, workdir=tmp_path)
        assert caller.wait(timeout=60) == 0, caller.errors()
        assert phone.wait(timeout=60) == 0, phone.errors()
        # Nothing broke: the console still answers, the lines are still unknown.
        console.send("blf")
        reply = console.wait_for(lambda e: e.get("event") == "reply" and "1014" in e["text"])
        assert "unknown" in reply["text"]
        states = {e["uri"]: e["state"] for e in console.events if e.get("event") == "blf"}
        assert states == {"1013": "unknown", "1014": "unknown"}
    finally:
        for peer in (caller, phone):
            if peer is not None:
                peer.stop()
        console.quit()
        console.stop()
