"""Attended transfer with Parley in all three roles, through a real Kamailio.

Three `parley console` processes — Alice 1001 (transferor), Bob 1002 (transferee),
Carol 1003 (target) — each play their own tone and record what each call hears
(``--record-dir``: one WAV per call). Alice calls Bob, then Carol, and connects them
with ``attended``: Bob's INVITE carrying Replaces reaches Carol, whose phone replaces
its call with Alice by the new one (old call ends, note "replaced"); Alice's two calls
end as "transferred"; Bob and Carol hear each other's tone in their new calls'
recordings.

- manual: Alice's dial of Carol holds Bob (a query call), then ``attended``;
- automatic: Bob is taken off hold again before ``attended``, so the transfer holds
  him by itself (Bob's phone sees the hold) before the REFER;
- blind transfer of a call still ringing at Bob: deflected with 302, which Alice's phone
  follows through Kamailio to Carol.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from parley_console import Event, ParleyConsole
from test_calls_baresip import Rig
from transfer_rig import (
    HEARD,
    LISTEN_SECONDS,
    TONES,
    is_call,
    is_transfer,
    other_call,
    parley,
    recording,
    replaced,
    tone_seconds,
    transferred,
)

from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop


@pytest.fixture
def rig(kamailio: Kamailio, tmp_path: Path) -> Iterator[Rig]:
    r = Rig(kamailio, tmp_path)
    try:
        yield r
    finally:
        r.close()


def transfer_and_check(
    rig: Rig, tmp_path: Path, *, automatic: bool
) -> tuple[Event, Event, ParleyConsole]:
    alice, _ = parley(rig, tmp_path, "1001")
    bob, bob_heard = parley(rig, tmp_path, "1002", auto_answer=True)
    carol, carol_heard = parley(rig, tmp_path, "1003", auto_answer=True)

    alice.send(f"dial {rig.uri('1002')}")
    a_bob = alice.wait_for(is_call("connected"), timeout=20)
    b_old = bob.wait_for(is_call("connected"), timeout=20)
    alice.send(f"dial {rig.uri('1003')}")  # a query call: Bob is held first
    alice.wait_for(is_call("held", call=a_bob["call"]), timeout=10)
    a_carol = alice.wait_for(other_call("connected", a_bob["call"]), timeout=20)
    c_old = carol.wait_for(is_call("connected"), timeout=20)
    bob.wait_for(is_call("held", call=b_old["call"]), timeout=10)
    if automatic:
        # Both calls up and talking: the transfer has to hold Bob by itself.
        alice.send(f"resume {a_bob['call']}")
        alice.wait_for(
            lambda e: is_call("connected", call=a_bob["call"])(e) and e.get("held") is None,
            timeout=10,
        )
        bob.wait_for(is_call("connected", call=b_old["call"]), timeout=10)
    alice.send(f"attended {a_bob['call']} {a_carol['call']}")
    alice.wait_for(is_transfer("trying"), timeout=10)
    if automatic:
        bob.wait_for(is_call("held", call=b_old["call"]), timeout=10)
    done = alice.wait_for(is_transfer("done"), timeout=30)
    assert done["call"] == a_bob["call"] and done["status"] == 200
    for call in (a_bob["call"], a_carol["call"]):
        ended = alice.wait_for(is_call("ended", call=call), timeout=20)
        assert ended["note"] == "transferred", ended

    # Bob's side: the REFER accepted, the new call up, the old one ended as transferred.
    bob.wait_for(is_transfer("accepted"), timeout=10)
    bob.wait_for(is_transfer("done"), timeout=20)
    b_new = transferred(bob, b_old["call"])
    # Carol's side: the new call replaced her call with Alice.
    c_new = replaced(carol, c_old["call"])

    time.sleep(LISTEN_SECONDS)
    bob.send(f"hangup {b_new['call']}")
    bob.wait_for(is_call("ended", call=b_new["call"]), timeout=20)
    carol.wait_for(is_call("ended", call=c_new["call"]), timeout=20)
    assert tone_seconds(recording(bob_heard, b_new["call"]), TONES["1003"]) > HEARD
    assert tone_seconds(recording(carol_heard, c_new["call"]), TONES["1002"]) > HEARD
    # Neither hears Alice any more: her tone is not in the new calls.
    assert tone_seconds(recording(bob_heard, b_new["call"]), TONES["1001"]) < 0.5
    assert tone_seconds(recording(carol_heard, c_new["call"]), TONES["1001"]) < 0.5
    # The replacing INVITE reached Carol with Replaces and Referred-By (RFC 3891, 3892).
    trace = carol.stderr_path.read_text(errors="replace")
    assert "Replaces: " in trace and "Referred-By: <sip:1001@" in trace
    return done, b_new, alice


def test_attended_transfer_manual_between_three_parleys(rig: Rig, tmp_path: Path) -> None:
    transfer_and_check(rig, tmp_path, automatic=False)


def test_attended_transfer_automatic_holds_the_partner_itself(rig: Rig, tmp_path: Path) -> None:
    transfer_and_check(rig, tmp_path, automatic=True)


def test_blind_transfer_of_a_ringing_call_between_three_parleys(rig: Rig, tmp_path: Path) -> None:
    """Alice calls Bob; while it rings Bob types ``transfer 1003``: Alice's phone gets
    302 through Kamailio, follows it to Carol, and Alice and Carol hear each other."""
    alice, alice_heard = parley(rig, tmp_path, "1001")
    bob, _ = parley(rig, tmp_path, "1002")
    carol, carol_heard = parley(rig, tmp_path, "1003", auto_answer=True)

    alice.send(f"dial {rig.uri('1002')}")
    ringing = bob.wait_for(is_call("incoming"), timeout=20)
    bob.send("transfer 1003")
    done = bob.wait_for(is_transfer("done"), timeout=10)
    assert done["call"] == ringing["call"] and done["status"] == 302
    ended = bob.wait_for(is_call("ended", call=ringing["call"]), timeout=10)
    assert ended["note"] == "deflected", ended
    a_call = alice.wait_for(is_call("connected"), timeout=20)
    assert a_call["note"] == "redirected", a_call
    c_call = carol.wait_for(is_call("connected"), timeout=20)
    time.sleep(LISTEN_SECONDS)
    alice.send("hangup")
    alice.wait_for(is_call("ended", call=a_call["call"]), timeout=20)
    carol.wait_for(is_call("ended", call=c_call["call"]), timeout=20)
    assert tone_seconds(recording(alice_heard, a_call["call"]), TONES["1003"]) > HEARD
    assert tone_seconds(recording(carol_heard, c_call["call"]), TONES["1001"]) > HEARD
