"""20 % loss of SIP packets (issue #11 §6): registration and calls still set up.

Parley (ns a) and baresip (ns b) register at Kamailio (ns server); the relay drops 20 %
of every packet between a phone and the server — all of the signalling, both ways —
with a fixed seed, while the media path a<->b stays clean. RFC 3261's retransmissions
must carry the requests through: REGISTER and INVITE (Timers E and A, doubling),
the 2xx of an INVITE retransmitted by its UAS until the ACK comes (§13.3.1.4), BYE.
What is observed: Kamailio's location table (kamcmd ul.lookup), both ends' call
states, the tone each end hears, and the relay's counters (packets were dropped).
How long it takes is measured by bench/bench_sip_loss.py, not here.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from lossy_rig import BARESIP_TONE, PARLEY_TONE, Rig, newest, running_rig, tone_between
from transfer_rig import is_call

pytestmark = pytest.mark.interop

LOSS = 0.2
SEEDS = (1, 2, 3)
LISTEN = 4.0


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    with running_rig(tmp_path_factory.mktemp("sip-loss"), paths=("a-server", "b-server")) as rig:
        yield rig


def signalling_drops(rig: Rig) -> int:
    server = rig.link.server
    assert server is not None
    stats = rig.link.stats()
    return sum(v["dropped"] for k, v in stats.items() if server.address in k)


@pytest.mark.parametrize("seed", SEEDS)
def test_register_and_calls_both_ways_under_20_percent_sip_loss(rig: Rig, seed: int) -> None:
    dropped_before = signalling_drops(rig)
    rig.link.control(loss=LOSS, seed=seed)
    console, records, far = rig.start(
        f"seed{seed}", parley_args=["--auto-answer"], register_timeout=90
    )
    try:
        contacts = rig.kam.lookup("1001")
        assert any(rig.link.a.address in c for c in contacts), contacts
        # Parley calls baresip.
        console.send(f"dial sip:1002@{rig.registrar}")
        up = console.wait_for(is_call("connected"), timeout=90)
        mark = far.mark()
        far.wait_call_state("CALL_ESTABLISHED", timeout=60)
        time.sleep(LISTEN)
        console.send(f"hangup {up['call']}")
        console.wait_for(is_call("ended", call=up["call"]), timeout=60)
        assert far.wait_event(lambda e: e.get("type") == "CALL_CLOSED", timeout=60, since=mark)
        heard_out = newest(records)
        # baresip calls Parley (Parley's 200 OK must be retransmitted until the ACK).
        mark = far.mark()
        far.dial(f"sip:1001@{rig.registrar}")
        incoming = console.wait_for(is_call("connected", direction="incoming"), timeout=90)
        far.wait_call_state("CALL_ESTABLISHED", timeout=60, since=mark)
        time.sleep(LISTEN)
        far.hangup()
        ended = console.wait_for(is_call("ended", call=incoming["call"]), timeout=60)
        assert ended["cause"] == "hangup" and ended["ended_by"] == "remote", ended
    finally:
        console.quit(timeout=30)
        far.stop()
    dropped = signalling_drops(rig) - dropped_before
    print(f"seed {seed}: {dropped} SIP packets dropped")
    assert dropped > 0  # the loss was real
    # Audio both ways on the outgoing call (the media path is not impaired).
    assert tone_between(heard_out, BARESIP_TONE, 0.5, LISTEN) > 1.5
    assert far.record_wav is not None
    assert tone_between(far.record_wav, PARLEY_TONE, 0, 60) > 1.5
