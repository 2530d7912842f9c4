"""The RTP port choices of the Network page, per account, seen in the INVITE's SDP that
SIPp (registrar and far end) received: the media range (empty), a random pair above
32000 (0), or a fixed pair (a port). The SIP port choice (`local_port`: 0 is random
above 32000, a port is fixed) is proven by test_register_kamailio.py."""

from __future__ import annotations

from typing import Any

import pytest
from test_call_settings_wire import Rig, finish, is_call, received, rig, sdp_lines

from peers.common import free_port

pytestmark = pytest.mark.interop
_ = rig  # the fixture, imported for this module's tests


def offered_port(rig: Rig, account: dict[str, Any]) -> int:
    sipp = rig.sipp("reg_nat_call.xml", calls=2)
    c = rig.parley(
        f"127.0.0.1:{sipp.local_port}",
        account=account,
        media={"input_device": "null", "output_device": "null"},
    )
    c.send(f"dial sip:callee@127.0.0.1:{sipp.local_port}")
    c.wait_for(is_call("connected"))
    c.send("hangup")
    c.wait_for(is_call("ended"))
    finish(sipp)
    [invite] = received(sipp, "INVITE")
    return int(sdp_lines(invite, "m=audio")[0].split()[1])


def test_fixed_rtp_port(rig: Rig) -> None:
    port = free_port("udp")
    port -= port % 2  # an even RTP port, its RTCP port above it
    assert offered_port(rig, {"rtp_port": port}) == port


def test_random_rtp_port_above_32000(rig: Rig) -> None:
    assert offered_port(rig, {"rtp_port": 0}) > 32000


def test_rtp_port_from_the_media_range_when_empty(rig: Rig) -> None:
    assert 16384 <= offered_port(rig, {}) <= 32767
