"""Transfers against what PBXs and phones do, played by SIPp against the real console.

Parley dials a SIPp callee directly (registered at Kamailio, so it has a server), then
transfers the call with the console's ``transfer`` command. Each scenario checks the
REFER's Refer-To and Referred-By; the test checks the events Parley reports and that the
call is kept and resumed when the transfer fails:

- the REFER refused with 403 and with 501;
- 202, then a NOTIFY whose sipfrag says 503 (the transferee's new call failed);
- 202, then silence: no NOTIFY ever (Parley must give up by itself);
- attended transfer between two Parleys and a SIPp target (Replaces support in its 2xx):
  the transferee's INVITE must carry the Replaces of the consultation call;
- ``transfer`` of a call ringing here: 302 to the target (no REFER); of our call still
  ringing at the far end: refused with the reason;
- Parley as transferee of a REFER whose Replaces names a dialog the target (SIPp) does
  not know: the target's 481 comes back in the NOTIFY and the call stays up.

The rest of the issue's SIPp list is in `test_redirect_sipp.py`: an INVITE with Replaces
for an unknown dialog to Parley (481), 302 with several Contacts, a 3xx loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from parley_console import Event, ParleyConsole
from test_calls_baresip import Rig as BaresipRig
from test_calls_sipp import Rig, finish, is_call

from parley.sip.headers import NameAddr
from parley.sip.refer import DEFAULT_TIMEOUT
from parley.sip.replaces import Replaces
from peers.common import free_port
from peers.kamailio import Kamailio
from peers.sipp import SCENARIOS, Sipp

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


# ---------------------------------------------------------------- attended transfer


def sipp_invites(log: str) -> list[str]:
    """The INVITEs SIPp received, as text, in order."""
    invites = []
    for part in log.split("message received")[1:]:
        text = part.split("\n", 1)[-1].lstrip()
        if text.startswith("INVITE "):
            invites.append(text)
    return invites


def header(message: str, name: str) -> str:
    for line in message.splitlines():
        if line.lower().startswith(name.lower() + ":"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no {name} in {message}")


def test_attended_transfer_to_a_sipp_target_sends_replaces(
    kamailio: Kamailio, tmp_path: Path
) -> None:
    """Alice (Parley) holds Bob (Parley, transferee), calls the SIPp target, then joins
    them: Bob's INVITE to the target must carry Replaces naming Alice's consultation call."""
    rig = BaresipRig(kamailio, tmp_path)
    target = Sipp(
        SCENARIOS / "transfer_target_replaces.xml",
        local_port=free_port("udp"),
        media_port=free_port("udp"),
        calls=2,
        workdir=tmp_path,
    )
    try:
        alice = rig.parley(user="1001", codecs=["pcmu"])
        bob = rig.parley(user="1002", codecs=["pcmu"], auto_answer=True)
        target.start()
        alice.send(f"dial {rig.uri('1002')}")
        first = alice.wait_for(is_call("connected"), timeout=20)
        bob_call = bob.wait_for(is_call("connected"), timeout=20)
        alice.send(f"hold {first['call']}")  # manual: the person holds, then dials
        alice.wait_for(is_call("held", call=first["call"]), timeout=10)
        alice.send(f"dial sip:target@127.0.0.1:{target.local_port}")
        consult = alice.wait_for(
            lambda e: is_call("connected")(e) and e["call"] != first["call"], timeout=20
        )
        alice.send(f"attended {first['call']} {consult['call']}")
        done = alice.wait_for(is_transfer("done"), timeout=30)
        assert done["call"] == first["call"]
        for call in (first["call"], consult["call"]):
            ended = alice.wait_for(is_call("ended", call=call), timeout=20)
            assert ended["note"] == "transferred"
        old = bob.wait_for(is_call("ended", call=bob_call["call"]), timeout=20)
        assert old["note"] == "transferred"
        bob.send("hangup")
        finish(target)
    finally:
        target.stop()
        rig.close()
    invites = sipp_invites(target.messages())
    assert len(invites) == 2, invites
    consult_invite, replacing = invites
    replaces = Replaces.parse(header(replacing, "Replaces"))
    assert replaces.call_id == header(consult_invite, "Call-ID")
    assert replaces.from_tag == NameAddr.parse(header(consult_invite, "From")).tag
    assert replaces.to_tag.endswith("target1")  # the target's own tag of call 1
    assert header(replacing, "Referred-By").startswith("<sip:1001@")


# ---------------------------------------------------------------- a ringing call


def test_transfer_of_a_ringing_call_deflects_it_with_302(rig: Rig) -> None:
    """`transfer TARGET` while a call rings here: no dialog to REFER in, so the caller
    gets 302 with the target as Contact and the call ends as deflected."""
    console = rig.parley()
    caller = rig.sipp("deflected_after_ringing.xml", calls_parley=True)
    incoming = console.wait_for(is_call("incoming"), timeout=20)
    console.send("transfer 1003")  # no CALL: the ringing one
    trying = console.wait_for(is_transfer("trying"), timeout=10)
    done = console.wait_for(is_transfer("done"), timeout=10)
    assert trying["call"] == done["call"] == incoming["call"]
    assert done["status"] == 302 and "(302)" in done["text"]
    ended = console.wait_for(is_call("ended", call=incoming["call"]), timeout=10)
    assert ended["note"] == "deflected" and ended["status"] == 302
    finish(caller)
    [moved] = [m for m in caller.messages().split("message received")[1:] if "SIP/2.0 302" in m]
    assert f"<sip:1003@127.0.0.1:{rig.kamailio.udp_port}>" in header(moved, "Contact")
    assert "REFER" not in caller.messages()


def test_transfer_of_our_call_still_ringing_at_the_far_end_is_refused(rig: Rig) -> None:
    console = rig.parley()
    callee = rig.sipp("call_no_answer.xml", calls_parley=False)
    console.send(f"dial sip:callee@127.0.0.1:{callee.local_port}")
    ringing = console.wait_for(is_call("ringing"), timeout=20)
    console.send("transfer 1003")
    reply = console.wait_for(
        lambda e: e.get("event") == "reply" and "transfer" in e.get("text", ""), timeout=10
    )
    assert "not been answered" in reply["text"] and "no confirmed dialog" in reply["text"]
    assert not any(e.get("event") == "transfer" for e in console.events)
    console.send(f"hangup {ringing['call']}")
    console.wait_for(is_call("ended", call=ringing["call"]), timeout=20)
    finish(callee)  # CANCEL, 487, ACK: and nothing else (a REFER would fail it)


# ---------------------------------------------------------------- Parley as transferee


def test_refer_with_replaces_for_an_unknown_dialog_reports_481(rig: Rig) -> None:
    """A PBX asks Parley to replace a dialog the target does not know: Parley's INVITE
    carries the Replaces, the target answers 481, Parley's NOTIFY says 481 and its call
    with the PBX stays up."""
    console = rig.parley("--auto-answer")
    target = Sipp(
        SCENARIOS / "transfer_target_481.xml",
        local_port=free_port("udp"),
        media_port=free_port("udp"),
        workdir=rig.tmp_path,
    )
    rig.sipps.append(target)
    target.start()
    pbx = rig.sipp(
        "transfer_refer_replaces_unknown.xml", calls_parley=True, target_port=str(target.local_port)
    )
    call = console.wait_for(is_call("connected"), timeout=20)
    accepted = console.wait_for(is_transfer("accepted"), timeout=20)
    assert accepted["role"] == "transferee" and accepted["status"] == 202
    failed = console.wait_for(is_transfer("failed"), timeout=20)
    assert failed["call"] == call["call"] and failed["status"] == 481, failed
    finish(target)  # the INVITE had Replaces and Referred-By; it got 481
    finish(pbx)  # 202, NOTIFY 100, NOTIFY 481, then its BYE was answered
    ended = console.wait_for(is_call("ended", call=call["call"]), timeout=20)
    assert ended.get("note") != "transferred" and ended.get("ended_by") == "remote", ended
