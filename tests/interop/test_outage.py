"""A network outage in the middle of a call (issue #11 §6): the call resumes when the
network returns, or ends with a reason a person understands — never a ghost call.

    ns a: Parley console (10.77.1.2)  --\\
                                         relay (tests/peers/impair.py) -- ns server: Kamailio
    ns b: baresip (10.77.2.2)         --/

Parley calls baresip through Kamailio; each plays its own tone (Parley 500 Hz, baresip
700 Hz) and records what it hears. Then host a is cut off the network
(`link.control(cut=[link.a])`: every packet from or to it dropped, the server's too, as
when a Wi-Fi drops) and brought back. Audio is judged in the recordings, window by
window: the far tone before the outage, none during it, and again after it.

- 30 s outage: both ends still have the call afterwards, audio flows both ways again,
  and Parley's registration — which failed during the outage (5 s keep-alive, 60 s
  expiry) — is back in Kamailio's location table (kamcmd ul.lookup).
- 60 s outage (longer than the 45 s Parley waits for audio): Parley ends the call
  while the network is still down, cause "media timeout" (worded by the console);
  its BYE, retransmitted, reaches baresip once the network is back: baresip hangs up
  too (its log shows the BYE), no ghost at either end.
- The far end gives up during the outage (baresip hangs up 10 s into it): its BYE,
  retransmitted by Kamailio, reaches Parley after the outage, or Parley's own media
  timeout ends the call: either way Parley ends it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from lossy_rig import (
    BARESIP_TONE,
    PARLEY_TONE,
    Rig,
    first_tone_after,
    newest,
    running_rig,
    tone_between,
)
from parley_console import ParleyConsole
from transfer_rig import is_call

from peers.baresip import Baresip

pytestmark = pytest.mark.interop

OUTAGE = 30.0
LONG_OUTAGE = 60.0  # longer than parley.phone.media_watch.NO_MEDIA_TIMEOUT (45 s)


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    with running_rig(tmp_path_factory.mktemp("outage")) as rig:
        yield rig


def connect(console: ParleyConsole, rig: Rig, far: Baresip) -> tuple[dict[str, Any], float]:
    console.send(f"dial sip:1002@{rig.registrar}")
    up = console.wait_for(is_call("connected"), timeout=30)
    connected_at = time.monotonic()
    far.wait_call_state("CALL_ESTABLISHED", timeout=15)
    assert far.wait_audio(15), far.log_text()[-3000:]
    return up, connected_at


def account_states(console: ParleyConsole) -> list[str]:
    return [e["state"] for e in console.events if e.get("event") == "account"]


def test_a_30_second_outage_is_survived_with_audio_both_ways_after(rig: Rig) -> None:
    console, records, far = rig.start("short")
    try:
        up, t0 = connect(console, rig, far)
        assert far.first_audio_at is not None
        time.sleep(6)
        cut_at = time.monotonic()
        rig.link.control(cut=[rig.link.a])
        time.sleep(OUTAGE)
        restored_at, restored_wall = time.monotonic(), time.time()
        rig.link.control(cut=[])
        # Registration failed during the outage and comes back after it.
        console.wait_for(lambda e: e.get("event") == "account" and e.get("state") != "registered")
        again = console.wait_state("registered", timeout=40)
        time.sleep(8)
        end_at = time.monotonic()
        # Both ends still have the call: no ended event at Parley, none at baresip.
        ended = [e for e in console.events if is_call("ended")(e)]
        assert not ended, ended
        assert not [e for e in far.events() if e.get("type") == "CALL_CLOSED"]
        assert "1001" in far.call_status() or "ESTABLISHED" in far.call_status().upper()
        contacts = rig.kam.lookup("1001")
        assert any(rig.link.a.address in c for c in contacts), contacts
        stats = rig.link.stats()
        assert sum(v.get("cut", 0) for v in stats.values()) > 1000, stats  # RTP was lost
        console.send(f"hangup {up['call']}")
        console.wait_for(is_call("ended"), timeout=20)
        far.wait_event(lambda e: e.get("type") == "CALL_CLOSED", timeout=20)
    finally:
        console.quit()
        far.stop()
    print("Parley account states:", account_states(console))
    print(f"registered again {again['at'] - restored_wall:.1f} s after the network returned")
    # What Parley heard (its recording starts when the call connects)...
    heard = newest(records)
    before = tone_between(heard, BARESIP_TONE, cut_at - t0 - 5, cut_at - t0 - 0.5)
    during = tone_between(heard, BARESIP_TONE, cut_at - t0 + 1.5, restored_at - t0 - 0.5)
    after = tone_between(heard, BARESIP_TONE, restored_at - t0 + 2, end_at - t0 - 0.5)
    assert before > 3.0
    assert during < 1.0
    assert after > 0.6 * (end_at - restored_at - 2.5), after
    back = first_tone_after(heard, BARESIP_TONE, restored_at - t0)
    print(f"Parley hears baresip again {back} s after the network returned")
    # ... and what baresip heard (its recording starts with its first sample).
    assert far.record_wav is not None
    f0 = far.first_audio_at
    assert f0 is not None
    before = tone_between(far.record_wav, PARLEY_TONE, cut_at - f0 - 5, cut_at - f0 - 0.5)
    during = tone_between(far.record_wav, PARLEY_TONE, cut_at - f0 + 1.5, restored_at - f0 - 0.5)
    after = tone_between(far.record_wav, PARLEY_TONE, restored_at - f0 + 2, end_at - f0 - 0.5)
    assert before > 3.0
    assert during < 1.0
    assert after > 0.6 * (end_at - restored_at - 2.5), after
    back = first_tone_after(far.record_wav, PARLEY_TONE, restored_at - f0)
    print(f"baresip hears Parley again {back} s after the network returned")


def test_an_outage_too_long_ends_the_call_at_both_ends_with_a_reason(rig: Rig) -> None:
    console, _records, far = rig.start("long")
    try:
        up, _t0 = connect(console, rig, far)
        time.sleep(3)
        rig.link.control(cut=[rig.link.a])
        cut_at = time.monotonic()
        ended = console.wait_for(is_call("ended", call=up["call"]), timeout=LONG_OUTAGE)
        ended_after = time.monotonic() - cut_at
        assert ended_after < LONG_OUTAGE  # while the network was still down
        assert ended["cause"] == "media timeout", ended
        assert ended["text"] == "Connection lost: no audio arrived", ended
        # Baresip still has the call: it cannot know yet.
        assert not [e for e in far.events() if e.get("type") == "CALL_CLOSED"]
        time.sleep(max(0.0, LONG_OUTAGE - (time.monotonic() - cut_at)))
        rig.link.control(cut=[])
        restored_at = time.monotonic()
        closed = far.wait_event(lambda e: e.get("type") == "CALL_CLOSED", timeout=40)
        assert closed is not None, far.log_text()[-4000:]
        print(f"baresip hung up {time.monotonic() - restored_at:.1f} s after the network returned")
        assert "BYE sip:" in far.log_text()  # Parley's BYE got through after the outage
    finally:
        console.quit()
        far.stop()
    print(f"ended {ended_after:.1f} s into the outage: {ended}")


def test_the_far_end_giving_up_during_the_outage_ends_the_call(rig: Rig) -> None:
    console, _records, far = rig.start("gaveup")
    try:
        up, _t0 = connect(console, rig, far)
        time.sleep(3)
        rig.link.control(cut=[rig.link.a])
        time.sleep(10)
        far.hangup()
        far.wait_event(lambda e: e.get("type") == "CALL_CLOSED", timeout=60)
        time.sleep(OUTAGE - 10)
        rig.link.control(cut=[])
        restored_wall = time.time()
        ended = console.wait_for(is_call("ended", call=up["call"]), timeout=60)
        print(f"Parley's call ended {ended['at'] - restored_wall:.1f} s after the network returned")
        assert ended["cause"] in ("hangup", "media timeout"), ended
        if ended["cause"] == "hangup":
            assert ended["ended_by"] == "remote", ended
    finally:
        console.quit()
        far.stop()
