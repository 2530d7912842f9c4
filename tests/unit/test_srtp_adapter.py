"""The SRTP transport adapter (`parley.media.srtp`): protect → unprotect round trips per
suite, RTCP too, tampered and foreign packets counted and dropped, new keys mid-call."""

from __future__ import annotations

import struct

import pytest

from parley.media.srtp import SrtpTransport, supported_suites
from parley.media.transport import Address
from parley.sip.sdes import SRTP_SUITES

FAR: Address = ("127.0.0.1", 40000)


class Wire:
    """A fake inner transport: what is sent is kept, what is received is handed up."""

    def __init__(self) -> None:
        self.sent_rtp: list[bytes] = []
        self.sent_rtcp: list[bytes] = []
        self.on_rtp = lambda data, src: False
        self.on_rtcp = lambda data, src: None

    local_address: Address = ("127.0.0.1", 30000)
    remote_rtp: Address | None = FAR
    remote_rtcp: Address | None = ("127.0.0.1", 40001)

    def attach(self, on_rtp, on_rtcp) -> None:  # type: ignore[no-untyped-def]
        self.on_rtp, self.on_rtcp = on_rtp, on_rtcp

    def set_remote(self, rtp: Address | None, rtcp: Address | None) -> None:
        pass

    def send_rtp(self, data: bytes) -> bool:
        self.sent_rtp.append(data)
        return True

    def send_rtcp(self, data: bytes) -> bool:
        self.sent_rtcp.append(data)
        return True

    def close(self) -> None:
        pass


def rtp(seq: int, payload: bytes = b"\x55" * 160, ssrc: int = 0x1234) -> bytes:
    return struct.pack("!BBHII", 0x80, 0, seq, seq * 160, ssrc) + payload


def rtcp_rr(ssrc: int = 0x1234) -> bytes:
    return struct.pack("!BBHI", 0x80, 201, 1, ssrc)


def pair(suite: str) -> tuple[SrtpTransport, Wire, SrtpTransport, Wire, list[bytes], list[bytes]]:
    """Two adapters with crossed keys: a's send key is b's receive key."""
    size = SRTP_SUITES[suite].key_salt_length
    ka, kb = bytes([1]) * size, bytes([2]) * size
    wa, wb = Wire(), Wire()
    a = SrtpTransport(wa, suite, ka, kb)  # type: ignore[arg-type]
    b = SrtpTransport(wb, suite, kb, ka)  # type: ignore[arg-type]
    got_rtp: list[bytes] = []
    got_rtcp: list[bytes] = []
    b.attach(lambda d, s: got_rtp.append(d) or True, lambda d, s: got_rtcp.append(d))
    a.attach(lambda d, s: True, lambda d, s: None)
    return a, wa, b, wb, got_rtp, got_rtcp


def test_every_suite_name_has_a_profile() -> None:
    assert set(SRTP_SUITES) == set(supported_suites())


@pytest.mark.parametrize("suite", list(SRTP_SUITES))
def test_round_trip_rtp_and_rtcp(suite: str) -> None:
    a, wa, b, wb, got_rtp, got_rtcp = pair(suite)
    for seq in range(1, 6):
        assert a.send_rtp(rtp(seq))
    assert a.send_rtcp(rtcp_rr())
    for packet in wa.sent_rtp:
        assert packet[12:172] != b"\x55" * 160  # the payload is encrypted on the wire
        assert packet[:12] == rtp(1)[:2] + packet[2:12]  # the header stays readable
        wb.on_rtp(packet, FAR)
    assert wa.sent_rtcp[0] != rtcp_rr()
    wb.on_rtcp(wa.sent_rtcp[0], FAR)
    assert got_rtp == [rtp(seq) for seq in range(1, 6)]
    assert got_rtcp == [rtcp_rr()]
    assert b.counters.unprotected == 5 and b.counters.rejected_rtp == 0


@pytest.mark.parametrize("suite", list(SRTP_SUITES))
def test_tampered_replayed_and_plain_packets_are_dropped(suite: str) -> None:
    a, wa, b, wb, got_rtp, got_rtcp = pair(suite)
    a.send_rtp(rtp(1))
    a.send_rtp(rtp(2))
    good, second = wa.sent_rtp
    tampered = bytearray(good)
    tampered[20] ^= 0x01
    assert wb.on_rtp(bytes(tampered), FAR) is False
    assert wb.on_rtp(rtp(3), FAR) is False  # plain RTP on an SRTP call
    assert wb.on_rtp(b"\x80", FAR) is False  # too short to be anything
    assert wb.on_rtp(good, FAR) is True
    assert wb.on_rtp(good, FAR) is False  # a replay
    wb.on_rtcp(rtcp_rr(), FAR)  # plain RTCP
    assert got_rtp == [rtp(1)] and got_rtcp == []
    assert b.counters.rejected_rtp == 4 and b.counters.rejected_rtcp == 1
    assert wb.on_rtp(second, FAR) is True  # and the call goes on


def test_new_keys_mid_call_and_late_packets_of_the_old_key() -> None:
    suite = "AES_CM_128_HMAC_SHA1_80"
    a, wa, b, wb, got_rtp, _ = pair(suite)
    a.send_rtp(rtp(1))
    a.send_rtp(rtp(2))
    late = wa.sent_rtp[1]
    wb.on_rtp(wa.sent_rtp[0], FAR)
    new_a, new_b = bytes([7]) * 30, bytes([8]) * 30
    a.set_keys(suite, new_a, new_b)
    b.set_keys(suite, new_b, new_a)
    a.send_rtp(rtp(3))
    assert wb.on_rtp(wa.sent_rtp[2], FAR) is True  # the new key
    assert wb.on_rtp(late, FAR) is True  # one sent with the old key, arriving late
    assert got_rtp == [rtp(1), rtp(3), rtp(2)]
    # The same keys again (a hold re-INVITE) change nothing.
    a.set_keys(suite, new_a, new_b)
    a.send_rtp(rtp(4))
    assert wb.on_rtp(wa.sent_rtp[3], FAR) is True


def test_pending_adapter_drops_everything_until_keys_or_plain() -> None:
    wire = Wire()
    got: list[bytes] = []
    pending = SrtpTransport.pending(wire)  # type: ignore[arg-type]
    pending.attach(lambda d, s: got.append(d) or True, lambda d, s: None)
    assert pending.send_rtp(rtp(1)) is False and wire.sent_rtp == []
    assert wire.on_rtp(rtp(1), FAR) is False  # cannot latch, is not played
    assert not pending.active
    pending.set_plain()  # the optional mode got a plain answer
    assert pending.send_rtp(rtp(2)) and wire.sent_rtp == [rtp(2)]
    assert wire.on_rtp(rtp(3), FAR) is True and got == [rtp(3)]
    pending.set_keys("AES_CM_128_HMAC_SHA1_80", bytes(30), bytes(30))
    assert pending.active and not pending.plain
    pending.set_plain()  # once keys were in use, never plain again
    assert not pending.plain
    assert wire.on_rtp(rtp(4), FAR) is False
