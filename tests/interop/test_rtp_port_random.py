"""The Network page's "open random port above 32000" for RTP (issue #11, section 5):
an account with ``rtp_port = 0`` offers, in the SDP baresip receives, an even RTP port
above 32000, a different one on the next call (random, not the first free one); a fixed
``rtp_port`` is offered as it is; without one, a port of the media range. The settings
dialog's side: tests/gui/test_rtp_port_setting.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_calls_baresip import Rig, call_event
from test_srtp_baresip import rtp_pair

from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop


@pytest.fixture
def rig(kamailio: Kamailio, tmp_path: Path) -> Iterator[Rig]:
    r = Rig(kamailio, tmp_path)
    try:
        yield r
    finally:
        r.close()


def offered_ports(trace: str) -> list[int]:
    """The m=audio port of every SDP of Parley's (s=Parley) baresip received."""
    ports = []
    for sdp in trace.split("v=0")[1:]:
        if "s=Parley" not in sdp.split("m=")[0]:
            continue
        m = re.search(r"^m=audio (\d+) ", sdp, re.MULTILINE)
        if m:
            ports.append(int(m.group(1)))
    return ports


def _calls(rig: Rig, account: dict[str, object], calls: int, **top: object) -> list[int]:
    parley = rig.parley(codecs=["pcmu"], account=account, **top)
    far = rig.baresip(codec="pcmu", auto_answer=True, sip_trace=True)
    for _ in range(calls):
        mark = far.mark()
        parley.send(f"dial {rig.uri('1002')}")
        parley.wait_for(call_event("connected"), timeout=30)
        far.wait_call_state("CALL_ESTABLISHED", timeout=30, since=mark)
        parley.send("hangup")
        parley.wait_for(call_event("ended"), timeout=30)
        far.wait_call_state("CALL_CLOSED", timeout=30, since=mark)
    return offered_ports(far.log_text())


def test_rtp_port_0_offers_a_random_even_port_above_32000(rig: Rig) -> None:
    ports = _calls(rig, {"rtp_port": 0}, 3)
    assert len(ports) == 3, ports
    assert all(p > 32000 and p % 2 == 0 for p in ports), ports
    assert len(set(ports)) > 1, ports  # random: not the same first free pair every time


def test_a_fixed_rtp_port_is_offered_as_it_is(rig: Rig) -> None:
    port = rtp_pair()
    ports = _calls(rig, {"rtp_port": port}, 1)
    assert ports == [port], ports


def test_without_rtp_port_the_media_range_is_used(rig: Rig) -> None:
    low = rtp_pair()
    ports = _calls(rig, {}, 1, media={"rtp_port_min": low, "rtp_port_max": low + 1})
    assert ports == [low], ports
