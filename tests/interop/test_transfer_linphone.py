"""Transfers with linphonec (Belledonne's stack) through a real Kamailio.

Each phone plays its own tone: Parley consoles with ``--play`` and ``--record-dir``
(one WAV per call), linphonec in files mode (``play``/``record``). After each
transfer the two remaining parties must hear each other's tone.

- linphonec as transferee: Parley transfers it blind, and attended (REFER with
  Replaces), to a second Parley;
- linphonec as transferor: its ``transfer URI`` (blind) and ``transfer ID --to-call
  ID`` (attended) between two Parleys — Parley as transferee and as target;
- linphonec as target: Parley's attended transfer of a second Parley to it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from parley_console import ParleyConsole
from test_calls_baresip import PASSWORDS, Rig
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
    tone_wav,
    transferred,
)

from peers.common import free_port
from peers.kamailio import Kamailio
from peers.linphone import CONNECTED, ENDED, MEDIA_UP, Linphone

pytestmark = pytest.mark.interop


class LinphoneRig(Rig):
    def __init__(self, kam: Kamailio, tmp_path: Path) -> None:
        super().__init__(kam, tmp_path)
        self.linphones: list[Linphone] = []

    def linphone(self, user: str, *, auto_answer: bool = True) -> Linphone:
        phone = Linphone(
            self.tmp / f"linphone-{user}",
            sip_port=free_port("both"),
            user=user,
            password=PASSWORDS[user],
            registrar=self.registrar,
            codecs=["PCMU"],
            play_wav=tone_wav(self.tmp / f"tone-{user}.wav", TONES[user], seconds=60.0),
            record_wav=self.tmp / f"heard-{user}.wav",
            auto_answer=auto_answer,
        )
        self.linphones.append(phone)
        phone.start(timeout=30)
        return phone

    def close(self) -> None:
        super().close()
        for phone in self.linphones:
            phone.stop()


@pytest.fixture
def rig(kamailio: Kamailio, tmp_path: Path) -> Iterator[LinphoneRig]:
    r = LinphoneRig(kamailio, tmp_path)
    try:
        yield r
    finally:
        r.close()


def heard_by(lp: Linphone) -> Path:
    lp.stop()  # completes its recording
    assert lp.record_wav is not None and lp.record_wav.exists()
    return lp.record_wav


def talk_then_hang_up(console: ParleyConsole, call: int, lp: Linphone) -> None:
    time.sleep(LISTEN_SECONDS)
    mark = lp.mark()
    console.send(f"hangup {call}")
    console.wait_for(is_call("ended", call=call), timeout=20)
    lp.wait_output(ENDED, timeout=20, since=mark)


# ---------------------------------------------------------------- linphonec transferee


@pytest.mark.parametrize("kind", ["blind", "attended"])
def test_parley_transfers_linphonec_to_a_second_parley(
    rig: LinphoneRig, tmp_path: Path, kind: str
) -> None:
    alice, _ = parley(rig, tmp_path, "1001")
    carol, carol_heard = parley(rig, tmp_path, "1002", auto_answer=True)
    bob = rig.linphone("1003")

    alice.send(f"dial {rig.uri('1003')}")
    first = alice.wait_for(is_call("connected"), timeout=30)
    bob.wait_output(MEDIA_UP, timeout=20)
    if kind == "blind":
        alice.send(f"transfer 1002 {first['call']}")
    else:
        alice.send(f"dial {rig.uri('1002')}")
        consult = alice.wait_for(other_call("connected", first["call"]), timeout=20)
        carol_old = carol.wait_for(is_call("connected"), timeout=20)
        alice.send(f"attended {first['call']} {consult['call']}")
    done = alice.wait_for(is_transfer("done"), timeout=30)
    assert done["call"] == first["call"] and done["status"] == 200
    ended = alice.wait_for(is_call("ended", call=first["call"]), timeout=20)
    assert ended["note"] == "transferred"
    if kind == "blind":
        new = carol.wait_for(is_call("connected"), timeout=20)
    else:
        new = replaced(carol, carol_old["call"])
        gone = alice.wait_for(is_call("ended", call=consult["call"]), timeout=20)
        assert gone["note"] == "transferred", gone
    talk_then_hang_up(carol, new["call"], bob)
    assert tone_seconds(recording(carol_heard, new["call"]), TONES["1003"]) > HEARD
    assert tone_seconds(heard_by(bob), TONES["1002"]) > HEARD


# ---------------------------------------------------------------- linphonec transferor


def test_linphonec_transfers_parley_blind_to_a_second_parley(
    rig: LinphoneRig, tmp_path: Path
) -> None:
    bob, bob_heard = parley(rig, tmp_path, "1001", auto_answer=True)
    carol, carol_heard = parley(rig, tmp_path, "1002", auto_answer=True)
    alice = rig.linphone("1003")

    alice.call(rig.uri("1001"))
    first = bob.wait_for(is_call("connected"), timeout=30)
    alice.wait_output(MEDIA_UP, timeout=20)
    alice.command(f"transfer {rig.uri('1002')}")
    bob.wait_for(is_transfer("accepted"), timeout=20)
    bob.wait_for(is_transfer("done"), timeout=30)
    old = bob.wait_for(is_call("ended", call=first["call"]), timeout=20)
    assert old["note"] == "transferred"
    new = bob.wait_for(other_call("connected", first["call"]), timeout=20)
    c_new = carol.wait_for(is_call("connected"), timeout=20)
    time.sleep(LISTEN_SECONDS)
    bob.send(f"hangup {new['call']}")
    carol.wait_for(is_call("ended", call=c_new["call"]), timeout=20)
    assert tone_seconds(recording(bob_heard, new["call"]), TONES["1002"]) > HEARD
    assert tone_seconds(recording(carol_heard, c_new["call"]), TONES["1001"]) > HEARD


def test_linphonec_attended_transfer_between_two_parleys(rig: LinphoneRig, tmp_path: Path) -> None:
    """linphonec calls Bob, then Carol (Bob paused), then ``transfer 1 --to-call 2``:
    Bob (transferee) calls Carol with Replaces, Carol (target) replaces her call."""
    bob, bob_heard = parley(rig, tmp_path, "1001", auto_answer=True)
    carol, carol_heard = parley(rig, tmp_path, "1002", auto_answer=True)
    alice = rig.linphone("1003")

    alice.call(rig.uri("1001"))
    b_old = bob.wait_for(is_call("connected"), timeout=30)
    first_id = alice.wait_output(r"Call (\d+) with .* connected\.", timeout=20).group(1)
    mark = alice.mark()
    alice.pause()
    bob.wait_for(is_call("held", call=b_old["call"]), timeout=20)
    alice.call(rig.uri("1002"))
    c_old = carol.wait_for(is_call("connected"), timeout=30)
    second = alice.wait_output(r"Call (\d+) with .* connected\.", timeout=20, since=mark)
    alice.command(f"transfer {first_id} --to-call {second.group(1)}")
    bob.wait_for(is_transfer("accepted"), timeout=20)
    b_new = bob.wait_for(other_call("connected", b_old["call"]), timeout=30)
    bob.wait_for(is_transfer("done"), timeout=20)
    b_end = bob.wait_for(is_call("ended", call=b_old["call"]), timeout=20)
    assert b_end["note"] == "transferred", b_end
    c_new = replaced(carol, c_old["call"])
    time.sleep(LISTEN_SECONDS)
    bob.send(f"hangup {b_new['call']}")
    carol.wait_for(is_call("ended", call=c_new["call"]), timeout=20)
    assert tone_seconds(recording(bob_heard, b_new["call"]), TONES["1002"]) > HEARD
    assert tone_seconds(recording(carol_heard, c_new["call"]), TONES["1001"]) > HEARD
    assert re.search(r"Replaces: ", carol.stderr_path.read_text(errors="replace"))


# ---------------------------------------------------------------- linphonec target


def test_parley_attended_transfer_to_linphonec(rig: LinphoneRig, tmp_path: Path) -> None:
    alice, _ = parley(rig, tmp_path, "1001")
    bob, bob_heard = parley(rig, tmp_path, "1002", auto_answer=True)
    carol = rig.linphone("1003")

    alice.send(f"dial {rig.uri('1002')}")
    first = alice.wait_for(is_call("connected"), timeout=20)
    b_old = bob.wait_for(is_call("connected"), timeout=20)
    alice.send(f"dial {rig.uri('1003')}")
    consult = alice.wait_for(other_call("connected", first["call"]), timeout=30)
    carol.wait_output(CONNECTED, timeout=20)
    mark = carol.mark()
    alice.send(f"attended {first['call']} {consult['call']}")
    done = alice.wait_for(is_transfer("done"), timeout=30)
    assert done["call"] == first["call"]
    for call in (first["call"], consult["call"]):
        ended = alice.wait_for(is_call("ended", call=call), timeout=20)
        assert ended["note"] == "transferred", ended
    b_new = transferred(bob, b_old["call"])
    carol.wait_output(CONNECTED, timeout=20, since=mark)  # the replacing call
    talk_then_hang_up(bob, b_new["call"], carol)
    assert tone_seconds(recording(bob_heard, b_new["call"]), TONES["1003"]) > HEARD
    assert tone_seconds(heard_by(carol), TONES["1002"]) > HEARD
