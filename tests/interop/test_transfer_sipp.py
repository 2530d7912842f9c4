"""Transfers against what PBXs and phones do, played by SIPp against the real console.

Parley dials a SIPp callee directly (registered at Kamailio, so it has a server), then
transfers the call with the console's ``transfer`` command. Each scenario checks the
REFER's Refer-To and Referred-By; the test checks the events Parley reports and that the
call is kept and resumed when the transfer fails:

- the REFER refused with 403 and with 501;
- 202, then a NOTIFY whose sipfrag says 503 (the transferee's new call failed);
- 202, then silence: no NOTIFY ever (Parley must give up by itself).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from parley_console import Event, ParleyConsole
from test_calls_sipp import Rig, finish, is_call

from parley.sip.refer import DEFAULT_TIMEOUT
from peers.kamailio import Kamailio
from peers.sipp import Sipp

pytestmark = pytest.mark.interop


@pytest.fixture
def rig(kamailio: Kamailio, tmp_path: Path) -> Iterator[Rig]:
    r = Rig(kamailio, tmp_path)
    yield r
    for console in r.consoles:
        console.stop()
    for sipp in r.sipps:
        sipp.stop()


def is_transfer(state: str) -> Callable[[Event], bool]:
    return lambda e: e.get("event") == "transfer" and e.get("state") == state


def transfer_call(rig: Rig, scenario: str, **keys: str) -> tuple[ParleyConsole, Sipp, Event]:
    """Parley calls the SIPp callee and asks it to call 1003."""
    console = rig.parley()
    sipp = rig.sipp(scenario, calls_parley=False, **keys)
    console.send(f"dial sip:callee@127.0.0.1:{sipp.local_port}")
    call = console.wait_for(is_call("connected"), timeout=20)
    console.send("transfer 1003")
    console.wait_for(is_transfer("trying"), timeout=10)
    return console, sipp, call


def kept_and_resumed(console: ParleyConsole, sipp: Sipp, call: Event) -> None:
    """After a failed transfer the call is connected again (not held) and still ours."""
    console.wait_for(is_call("held", call=call["call"]), timeout=10)
    console.wait_for(is_call("connected", call=call["call"]), timeout=20)
    console.send("hangup")
    ended = console.wait_for(is_call("ended", call=call["call"]), timeout=20)
    assert ended.get("note") is None  # not "transferred": we hung up ourselves
    finish(sipp)


@pytest.mark.parametrize(("status", "reason"), [("403", "Forbidden"), ("501", "Not Implemented")])
def test_refer_refused(rig: Rig, status: str, reason: str) -> None:
    console, sipp, call = transfer_call(rig, f"transfer_refer_{status}.xml")
    failed = console.wait_for(is_transfer("failed"), timeout=20)
    assert failed["status"] == int(status) and failed["call"] == call["call"]
    assert status in failed["text"] and "kept" in failed["text"]
    kept_and_resumed(console, sipp, call)


def test_notify_with_503_sipfrag_fails_the_transfer(rig: Rig) -> None:
    console, sipp, call = transfer_call(rig, "transfer_notify_503.xml")
    accepted = console.wait_for(is_transfer("accepted"), timeout=20)
    assert accepted["status"] == 202
    trying = console.wait_for(is_transfer("accepted"), timeout=20)
    assert trying["status"] == 100
    failed = console.wait_for(is_transfer("failed"), timeout=20)
    assert failed["status"] == 503
    kept_and_resumed(console, sipp, call)


def test_accepted_then_silence_ends_as_failed(rig: Rig) -> None:
    console, sipp, call = transfer_call(rig, "transfer_refer_silence.xml")
    console.wait_for(is_transfer("accepted"), timeout=20)
    failed = console.wait_for(is_transfer("failed"), timeout=DEFAULT_TIMEOUT + 15)
    assert failed["status"] is None and failed["reason"] == "timeout"
    kept_and_resumed(console, sipp, call)
