"""Call transfer (REFER, RFC 3515) between Parley and real phones through a real Kamailio.

Each phone plays its own tone (Parley consoles with ``--play``, baresip with its aufile
source) and records what it hears (Parley with ``--record-dir``, baresip through its
paced speaker). After a transfer, the two remaining parties must hear each other's tone
in their recordings, and the transferor's call must have ended as transferred.

- Parley transfers baresip (``call_transfer`` on) to a second Parley;
- Parley transfers a second Parley to baresip;
- baresip transfers Parley to another baresip (Parley as transferee).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from parley_console import ParleyConsole
from test_calls_baresip import Rig
from transfer_rig import (
    HEARD,
    LISTEN_SECONDS,
    TONES,
    is_call,
    is_transfer,
    parley,
    tone_seconds,
    tone_wav,
)

from peers.baresip import Baresip
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop


@pytest.fixture
def rig(kamailio: Kamailio, tmp_path: Path) -> Iterator[Rig]:
    r = Rig(kamailio, tmp_path)
    try:
        yield r
    finally:
        r.close()


def baresip(rig: Rig, tmp_path: Path, user: str, **kw: object) -> Baresip:
    return rig.baresip(
        user=user,
        play_wav=tone_wav(tmp_path / f"tone-{user}.wav", TONES[user]),
        play_loop=True,
        record_wav=tmp_path / f"heard-{user}.wav",
        record_rate=8000,
        **kw,  # type: ignore[arg-type]
    )


def newest(records: Path) -> Path:
    files = sorted(records.glob("*.wav"), key=lambda p: p.stat().st_mtime)
    assert files, f"no recording in {records}"
    return files[-1]


def talk_then_check(console: ParleyConsole, user: str, records: Path, phone: Baresip) -> None:
    """The two parties left after a transfer talk for a while, then the Parley
    `console` (of `user`, recording into `records`) hangs up: each must have heard the
    other's tone."""
    time.sleep(LISTEN_SECONDS)
    console.send("hangup")
    console.wait_for(is_call("ended"), timeout=20)
    phone.stop()
    assert phone.record_wav is not None
    assert tone_seconds(newest(records), TONES[phone.user]) > HEARD
    assert tone_seconds(phone.record_wav, TONES[user]) > HEARD


def test_parley_transfers_baresip_to_a_second_parley(rig: Rig, tmp_path: Path) -> None:
    alice, _ = parley(rig, tmp_path, "1001")
    carol, carol_heard = parley(rig, tmp_path, "1003", auto_answer=True)
    bob = baresip(rig, tmp_path, "1002", auto_answer=True, call_transfer=True)

    alice.send(f"dial {rig.uri('1002')}")
    first = alice.wait_for(is_call("connected"), timeout=20)
    alice.send(f"transfer 1003 {first['call']}")
    alice.wait_for(is_transfer("trying"), timeout=10)
    done = alice.wait_for(is_transfer("done"), timeout=30)
    assert done["call"] == first["call"] and done["status"] == 200
    ended = alice.wait_for(is_call("ended", call=first["call"]), timeout=20)
    assert ended["note"] == "transferred"
    carol.wait_for(is_call("connected"), timeout=20)
    talk_then_check(carol, "1003", carol_heard, bob)


def test_parley_transfers_a_second_parley_to_baresip(rig: Rig, tmp_path: Path) -> None:
    alice, _ = parley(rig, tmp_path, "1001")
    bob, bob_heard = parley(rig, tmp_path, "1002", auto_answer=True)
    carol = baresip(rig, tmp_path, "1003", auto_answer=True)

    alice.send(f"dial {rig.uri('1002')}")
    first = alice.wait_for(is_call("connected"), timeout=20)
    bob_first = bob.wait_for(is_call("connected"), timeout=20)
    alice.send("transfer 1003")
    bob.wait_for(is_transfer("accepted"), timeout=20)
    alice.wait_for(is_transfer("done"), timeout=30)
    ended = alice.wait_for(is_call("ended", call=first["call"]), timeout=20)
    assert ended["note"] == "transferred"
    bob.wait_for(is_transfer("done"), timeout=20)
    old = bob.wait_for(is_call("ended", call=bob_first["call"]), timeout=20)
    assert old["note"] == "transferred"
    carol.wait_call_state("CALL_ESTABLISHED", timeout=20)
    talk_then_check(bob, "1002", bob_heard, carol)
    # The new call's INVITE told who referred it (RFC 3892).
    assert "Referred-By: <sip:1001@" in bob.stderr_path.read_text(errors="replace")


def test_baresip_transfers_parley_to_another_baresip(rig: Rig, tmp_path: Path) -> None:
    bob, bob_heard = parley(rig, tmp_path, "1002", auto_answer=True)
    alice = baresip(rig, tmp_path, "1001")
    carol = baresip(rig, tmp_path, "1003", auto_answer=True)

    alice.dial(rig.uri("1002"))
    first = bob.wait_for(is_call("connected"), timeout=20)
    alice.wait_call_state("CALL_ESTABLISHED", timeout=20)
    alice.command("transfer", rig.uri("1003"))
    bob.wait_for(is_transfer("accepted"), timeout=20)
    bob.wait_for(is_transfer("done"), timeout=30)
    old = bob.wait_for(is_call("ended", call=first["call"]), timeout=20)
    assert old["note"] == "transferred"
    carol.wait_call_state("CALL_ESTABLISHED", timeout=20)
    talk_then_check(bob, "1002", bob_heard, carol)
