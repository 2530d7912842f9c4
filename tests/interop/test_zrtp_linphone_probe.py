"""ZRTP probe against linphonec (bzrtp): our packet parser and state machine on the
packets of a real, independent implementation.

A bare SIP UAC in this test (raw datagrams, no Parley SIP stack) calls linphonec with
ZRTP switched on; linphonec auto-answers and starts ZRTP on the RTP port of our offer.
The test parses linphonec's Hello, checks it against the a=zrtp-hash of its answer
(RFC 6189 §8.1), then runs our `ZrtpSession` on that port until both are secure and
checks that linphonec reports the same SAS; a second call finds the retained secret
of the first on both sides. This is not the call integration (that is
the SRTP transport adapter's work): only the ZRTP core meeting bzrtp on 127.0.0.1.
"""

from __future__ import annotations

import re
import secrets
import socket
import time
from pathlib import Path

import pytest

from parley.media.zrtp import (
    Role,
    ZidCache,
    ZrtpCacheMismatch,
    ZrtpConfig,
    ZrtpEvent,
    ZrtpFailed,
    ZrtpSecure,
    ZrtpSession,
    crypto,
    looks_like_zrtp,
)
from parley.media.zrtp.packets import DHPart1, DHPart2, Hello, Message, Packet, decode_packet
from peers.common import LOOPBACK, free_port
from peers.linphone import ENDED, Linphone

pytestmark = pytest.mark.interop


class ZrtpLinphone(Linphone):
    """linphonec with media_encryption=zrtp (not mandatory)."""

    def rc_text(self) -> str:
        return super().rc_text().replace("media_encryption=none", "media_encryption=zrtp")


def _invite(sip_port: int, to_port: int, rtp_port: int, call_id: str, zrtp_hash: str) -> bytes:
    sdp = (
        "v=0\r\n"
        f"o=probe 1 1 IN IP4 {LOOPBACK}\r\n"
        "s=-\r\n"
        f"c=IN IP4 {LOOPBACK}\r\n"
        "t=0 0\r\n"
        f"m=audio {rtp_port} RTP/AVP 0\r\n"
        "a=rtpmap:0 PCMU/8000\r\n"
        f"a=zrtp-hash:{zrtp_hash}\r\n"
        "a=sendrecv\r\n"
    )
    return (
        f"INVITE sip:1003@{LOOPBACK}:{to_port} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {LOOPBACK}:{sip_port};branch=z9hG4bK{call_id[:10]};rport\r\n"
        "Max-Forwards: 70\r\n"
        f"From: <sip:probe@{LOOPBACK}:{sip_port}>;tag=probe\r\n"
        f"To: <sip:1003@{LOOPBACK}:{to_port}>\r\n"
        f"Call-ID: {call_id}\r\n"
        "CSeq: 1 INVITE\r\n"
        f"Contact: <sip:probe@{LOOPBACK}:{sip_port}>\r\n"
        "Content-Type: application/sdp\r\n"
        f"Content-Length: {len(sdp)}\r\n\r\n{sdp}"
    ).encode()


def _in_dialog(method: str, response: str, sip_port: int, to_port: int, cseq: int) -> bytes:
    to = re.search(r"(?im)^To:.*$", response)
    call_id = re.search(r"(?im)^Call-ID:\s*(.*)$", response)
    assert to and call_id
    branch = secrets.token_hex(6)
    return (
        f"{method} sip:1003@{LOOPBACK}:{to_port} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {LOOPBACK}:{sip_port};branch=z9hG4bK{branch};rport\r\n"
        "Max-Forwards: 70\r\n"
        f"From: <sip:probe@{LOOPBACK}:{sip_port}>;tag=probe\r\n"
        f"{to.group(0).strip()}\r\n"
        f"Call-ID: {call_id.group(1).strip()}\r\n"
        f"CSeq: {cseq} {method}\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()


class ZrtpCall:
    """One call to linphonec with our ZRTP session on the RTP port of our offer."""

    def __init__(self, lp: Linphone, cache: ZidCache) -> None:
        self.lp = lp
        self.session = ZrtpSession(ZrtpConfig(ssrc=0x5A5A0001), cache, 0.0)
        self.events: list[ZrtpEvent] = []
        self.received: list[Packet] = []  # every ZRTP packet linphonec sent us
        self.sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sip.bind((LOOPBACK, 0))
        self.rtp.bind((LOOPBACK, 0))
        self.answer = ""

    def run(self) -> ZrtpSecure:
        sip_port, rtp_port = self.sip.getsockname()[1], self.rtp.getsockname()[1]
        to = (LOOPBACK, self.lp.sip_port)
        start = time.monotonic()
        invite = _invite(
            sip_port, self.lp.sip_port, rtp_port, secrets.token_hex(8), self.session.zrtp_hash
        )
        self.sip.sendto(invite, to)
        self.sip.settimeout(10)
        while not self.answer.startswith("SIP/2.0 200"):
            self.answer = self.sip.recv(65535).decode(errors="replace")
            assert not re.match(r"SIP/2.0 [3-6]", self.answer), self.answer
        self.sip.sendto(_in_dialog("ACK", self.answer, sip_port, self.lp.sip_port, 1), to)
        port = re.search(r"(?m)^m=audio (\d+)", self.answer)
        their_hash = re.search(r"(?m)^a=zrtp-hash:(.+?)\r?$", self.answer)
        assert port and their_hash, f"linphonec's answer lacks m= or a=zrtp-hash:\n{self.answer}"
        self.session.set_peer_zrtp_hash(their_hash.group(1))
        their_rtp = (LOOPBACK, int(port.group(1)))

        # The exchange, our session driven by the monotonic clock.
        self.rtp.settimeout(0.02)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any(
            isinstance(e, ZrtpSecure | ZrtpFailed) for e in self.events
        ):
            for packet in self.session.send_pending():
                self.rtp.sendto(packet, their_rtp)
            try:
                data = self.rtp.recv(65535)
            except TimeoutError:
                data = b""
            now = time.monotonic() - start
            if data and looks_like_zrtp(data):
                self.received.append(decode_packet(data))
                self.session.receive(data, now)
            self.session.handle_timer(now)
            while (event := self.session.next_event()) is not None:
                self.events.append(event)
        for packet in self.session.send_pending():
            self.rtp.sendto(packet, their_rtp)
        secure = [e for e in self.events if isinstance(e, ZrtpSecure)]
        assert secure, f"not secure: {self.events}"
        return secure[0]

    def hang_up(self) -> None:
        sip_port = self.sip.getsockname()[1]
        bye = _in_dialog("BYE", self.answer, sip_port, self.lp.sip_port, 2)
        self.sip.sendto(bye, (LOOPBACK, self.lp.sip_port))
        self.sip.close()
        self.rtp.close()

    def first(self, kind: type[Message]) -> Message:
        return next(p.message for p in self.received if isinstance(p.message, kind))


def test_linphonec_zrtp_secure_with_the_same_sas_and_rs1_on_the_second_call(
    tmp_path: Path,
) -> None:
    lp = ZrtpLinphone(tmp_path / "lp", sip_port=free_port("both"), auto_answer=True)
    cache = ZidCache()
    try:
        lp.start()
        first = ZrtpCall(lp, cache)
        mark = lp.mark()
        secure = first.run()
        hello = first.first(Hello)
        assert isinstance(hello, Hello)
        assert hello.version == b"1.10" and hello.client_id.startswith(b"BZRTP")
        assert "DH3k" in hello.key_agreements
        # linphonec computed the same SAS from its side of the exchange.
        lp.wait_output(rf"Call \d+ is fully encrypted and auth token is {secure.sas}", since=mark)
        first.hang_up()
        lp.wait_output(ENDED, since=mark)
        rs1 = cache.peer(secure.peer_zid).rs1
        assert rs1 is not None

        second = ZrtpCall(lp, cache)
        mark = lp.mark()
        secure2 = second.run()
        lp.wait_output(rf"auth token is {secure2.sas}", since=mark)
        assert not any(isinstance(e, ZrtpCacheMismatch) for e in second.events)
        # linphonec's DHPart names the secret of the first call (rs1ID, §4.3.1).
        part = second.first(DHPart1 if secure2.role is Role.INITIATOR else DHPart2)
        assert isinstance(part, DHPart1 | DHPart2)
        label = b"Responder" if isinstance(part, DHPart1) else b"Initiator"
        assert part.rs1_id == crypto.secret_id(rs1, label)
        print(
            f"our roles: {secure.role.value}, {secure2.role.value}; SAS {secure.sas}, {secure2.sas}"
        )
        second.hang_up()
    finally:
        lp.stop()
