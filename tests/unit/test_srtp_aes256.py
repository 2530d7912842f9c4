"""Our own AES counter-mode SRTP transform (media/srtp_aes256.py) for RFC 6188's
AES_256_CM_HMAC_SHA1_80/_32: the RFCs' vectors, libsrtp's packet vectors, byte-for-byte
agreement with pylibsrtp where both run the same thing (the AES-128 variant of the same
code), rollover, replay, tampering, SRTCP, and the adapter choosing it for that suite."""

from __future__ import annotations

import struct
from typing import Any

import pylibsrtp
import pytest

from parley.media.srtp import SrtpTransport, supported_suites
from parley.media.srtp_aes256 import (
    REPLAY_WINDOW,
    AesCmSession,
    SrtpError,
    _Ecb,
    derive_session_key,
)
from parley.sip.sdes import SRTP_SUITES, SdesPolicy, parse_crypto

H = bytes.fromhex

# RFC 3711 appendix B.3 (AES-128 key derivation).
B3_KEY = H("E1F97A0D3E018BE0D64FA32C06DE4139")
B3_SALT = H("0EC675AD498AFEEBB6960B3AABE6")
# RFC 6188 §7.2 (AES_256_CM_PRF key derivation).
R6188_KEY = H("f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6")
R6188_SALT = H("3b04803de51ee7c96423ab5b78d2")

PLAIN = H("800f1234decafbadcafebabe" + "ab" * 16)  # libsrtp's srtp_driver packet


def rtp(seq: int, *, ssrc: int = 0x11223344, payload: bytes = b"\x55" * 160, ts: int = 0) -> bytes:
    return struct.pack("!BBHII", 0x80, 0, seq & 0xFFFF, ts, ssrc) + payload


# --- key derivation and key stream ------------------------------------------------------


def test_rfc3711_b3_key_derivation() -> None:
    assert derive_session_key(B3_KEY, B3_SALT, 0, 16) == H("C61E7A93744F39EE10734AFE3FF7A087")
    assert derive_session_key(B3_KEY, B3_SALT, 2, 14) == H("30CBBC08863D8C85D49DB34A9AE1")
    # 94 bytes: the auth key runs over several counter blocks.
    assert derive_session_key(B3_KEY, B3_SALT, 1, 94) == H(
        "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCE"
        "E049646C43D9327AD175578EF72270986371C10C9A369AC2F94A8C5FBCDDDC25"
        "6D6E919A48B610EF17C2041E474035766B68642C59BBFC2F34DB60DBDFB2"
    )


def test_rfc6188_7_2_aes_256_key_derivation() -> None:
    assert derive_session_key(R6188_KEY, R6188_SALT, 0, 32) == H(
        "5ba1064e30ec51613cad926c5a28ef731ec7fb397f70a960653caf06554cd8c4"
    )
    assert derive_session_key(R6188_KEY, R6188_SALT, 2, 14) == H("fa31791685ca444a9e07c6c64e93")
    assert derive_session_key(R6188_KEY, R6188_SALT, 1, 20) == H(
        "fd9c32d39ed5fbb5a9dc96b30818454d1313dc05"
    )


def test_rfc3711_b2_aes_cm_key_stream() -> None:
    ecb = _Ecb(H("2B7E151628AED2A6ABF7158809CF4F3C"))
    stream = ecb.keystream(0xF0F1F2F3F4F5F6F7F8F9FAFBFCFD0000, 48)
    assert stream[:16] == H("E03EAD0935C95E80E166B16DD92B4EB4")
    assert stream[16:32] == H("D23513162B02D0F72A43A2FE4A5F97AB")
    assert stream[32:] == H("41E95B3BB0A2E8DD477901E4FCA894C0")


# --- packets: published vectors and libsrtp ---------------------------------------------


def test_aes_256_cm_hmac_sha1_80_packet_vector() -> None:
    """libsrtp's srtp_driver AES-256 vector (RFC 6188 keys)."""
    want = H(
        "800f1234decafbadcafebabe"
        "f1d9de17ff251ff1aa007774b0b4b40d"  # the payload, encrypted
        "a08d9d9a5b3a55d8873b"  # 80-bit tag
    )
    tx = AesCmSession("AES_256_CM_HMAC_SHA1_80", R6188_KEY + R6188_SALT)
    assert tx.protect(PLAIN) == want
    rx = AesCmSession("AES_256_CM_HMAC_SHA1_80", R6188_KEY + R6188_SALT)
    assert rx.unprotect(want) == PLAIN


def test_aes_256_cm_hmac_sha1_32_is_the_same_packet_with_a_short_tag() -> None:
    s80 = AesCmSession("AES_256_CM_HMAC_SHA1_80", R6188_KEY + R6188_SALT).protect(PLAIN)
    s32 = AesCmSession("AES_256_CM_HMAC_SHA1_32", R6188_KEY + R6188_SALT).protect(PLAIN)
    assert s32 == s80[: len(PLAIN) + 4]


def test_aes_128_variant_matches_libsrtp_vector() -> None:
    tx = AesCmSession((16, 10), B3_KEY + B3_SALT)
    assert tx.protect(PLAIN) == H(
        "800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb"
    )


def _libsrtp(key: bytes, profile: int, outbound: bool) -> pylibsrtp.Session:
    policy = pylibsrtp.Policy(
        key=key,
        ssrc_type=(
            pylibsrtp.Policy.SSRC_ANY_OUTBOUND if outbound else pylibsrtp.Policy.SSRC_ANY_INBOUND
        ),
        srtp_profile=profile,
    )
    policy.window_size = 1024
    return pylibsrtp.Session(policy)


@pytest.mark.parametrize(
    ("tag", "profile"),
    [
        (10, pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_80),
        (4, pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_32),
    ],
)
def test_shared_parts_agree_with_libsrtp_byte_for_byte(tag: int, profile: int) -> None:
    """The same code at 128 bits against libsrtp: every packet across a sequence number
    wrap (the ROC), with CSRCs and a header extension, and SRTCP both ways."""
    key = bytes(range(30))
    ours = AesCmSession((16, tag), key)
    lib_tx = _libsrtp(key, profile, True)
    ours_rx = AesCmSession((16, tag), key)
    lib_rx = _libsrtp(key, profile, False)
    for n in range(65530, 65550):
        packet = rtp(n, payload=bytes([n & 0xFF]) * (n % 7 + 150))
        mine = ours.protect(packet)
        assert mine == lib_tx.protect(packet), n
        assert lib_rx.unprotect(mine) == packet
        assert ours_rx.unprotect(mine) == packet
    # CSRCs (CC=2) and a one-word header extension stay in clear.
    ext = struct.pack("!BBHII", 0x92, 0, 20, 0, 0x11223344) + H("0102030405060708")
    ext += H("BEDE0001") + H("10ff0000") + b"\x01" * 40
    mine = ours.protect(ext)
    assert mine == lib_tx.protect(ext)
    assert mine[: 12 + 8 + 8] == ext[: 12 + 8 + 8]
    assert ours_rx.unprotect(mine) == ext
    for i in range(3):
        report = H("81c8000bcafebabe") + bytes([i]) * 40
        mine = ours.protect_rtcp(report)
        assert mine == lib_tx.protect_rtcp(report)
        assert lib_rx.unprotect_rtcp(mine) == report
        assert ours_rx.unprotect_rtcp(mine) == report


# --- the receiver's rules ----------------------------------------------------------------


@pytest.mark.parametrize("suite", ["AES_256_CM_HMAC_SHA1_80", "AES_256_CM_HMAC_SHA1_32"])
def test_round_trip_across_the_rollover(suite: str) -> None:
    key = bytes(range(46))
    tx, rx = AesCmSession(suite, key), AesCmSession(suite, key)
    for n in range(65000, 65536 + 1000, 7):
        packet = rtp(n, payload=n.to_bytes(4, "big") * 40)
        protected = tx.protect(packet)
        assert protected[12:172] != packet[12:172]
        assert rx.unprotect(protected) == packet
    assert rx._rtp_streams[0x11223344].roc == 1


def test_reordered_packets_across_the_wrap_take_the_right_rollover_counter() -> None:
    key = bytes(range(46))
    tx, rx = (
        AesCmSession("AES_256_CM_HMAC_SHA1_80", key),
        AesCmSession("AES_256_CM_HMAC_SHA1_80", key),
    )
    sent = {n: tx.protect(rtp(n)) for n in (65533, 65534, 65535, 65536, 65537)}
    for n in (65533, 65536, 65534, 65537, 65535):  # 65534/65535 arrive after the wrap
        assert rx.unprotect(sent[n]) == rtp(n)


def test_tampered_packet_and_wrong_key_are_refused() -> None:
    key = bytes(range(46))
    tx, rx = (
        AesCmSession("AES_256_CM_HMAC_SHA1_80", key),
        AesCmSession("AES_256_CM_HMAC_SHA1_80", key),
    )
    protected = bytearray(tx.protect(rtp(1)))
    protected[20] ^= 1
    with pytest.raises(SrtpError):
        rx.unprotect(bytes(protected))
    other = AesCmSession("AES_256_CM_HMAC_SHA1_80", bytes(46))
    with pytest.raises(SrtpError):
        other.unprotect(tx.protect(rtp(2)))
    # A refused packet moved nothing: the next good one decrypts.
    assert rx.unprotect(tx.protect(rtp(3))) == rtp(3)


def test_replays_and_packets_older_than_the_window_are_refused() -> None:
    key = bytes(range(46))
    tx, rx = (
        AesCmSession("AES_256_CM_HMAC_SHA1_80", key),
        AesCmSession("AES_256_CM_HMAC_SHA1_80", key),
    )
    old = tx.protect(rtp(100))
    first = tx.protect(rtp(101))
    assert rx.unprotect(first) == rtp(101)
    with pytest.raises(SrtpError, match="replay"):
        rx.unprotect(first)
    assert rx.unprotect(old) == rtp(100)  # late but inside the window: fine once
    with pytest.raises(SrtpError, match="replay"):
        rx.unprotect(old)
    ahead = tx.protect(rtp(101 + REPLAY_WINDOW + 5))
    late = tx.protect(rtp(102))
    assert rx.unprotect(ahead)
    with pytest.raises(SrtpError, match="older"):
        rx.unprotect(late)


def test_srtcp_has_the_e_bit_the_index_and_an_80_bit_tag_also_for_the_32_suite() -> None:
    key = bytes(range(46))
    tx, rx = (
        AesCmSession("AES_256_CM_HMAC_SHA1_32", key),
        AesCmSession("AES_256_CM_HMAC_SHA1_32", key),
    )
    report = H("81c8000bcafebabe") + b"\xab" * 40
    first, second = tx.protect_rtcp(report), tx.protect_rtcp(report)
    assert len(first) == len(report) + 4 + 10
    assert first[:8] == report[:8] and first[8:48] != report[8:48]
    assert struct.unpack("!I", first[48:52])[0] == 0x80000001
    assert struct.unpack("!I", second[48:52])[0] == 0x80000002
    assert rx.unprotect_rtcp(second) == report
    assert rx.unprotect_rtcp(first) == report
    with pytest.raises(SrtpError, match="replay"):
        rx.unprotect_rtcp(first)
    bad = bytearray(second)
    bad[10] ^= 0x40
    with pytest.raises(SrtpError):
        rx.unprotect_rtcp(bytes(bad))


@pytest.mark.parametrize(
    "junk", [b"", b"\x80" * 5, b"\x00" * 40, H("90000001000000000000000000000004") + b"\0" * 10]
)
def test_malformed_packets_raise_only_srtp_error(junk: bytes) -> None:
    s = AesCmSession("AES_256_CM_HMAC_SHA1_80", bytes(46))
    for method in (s.unprotect, s.unprotect_rtcp):
        with pytest.raises(SrtpError):
            method(junk)


# --- wiring: the adapter and SDES pick it for these suites only ------------------------


class _Inner:
    """A media transport stub: records what the adapter sends."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []


@pytest.mark.parametrize("suite", ["AES_256_CM_HMAC_SHA1_80", "AES_256_CM_HMAC_SHA1_32"])
def test_the_adapter_runs_the_aes_256_suites_on_our_transform(suite: str) -> None:
    from parley.media import srtp as srtp_module

    a_key, b_key = bytes(range(46)), bytes(range(1, 47))
    session = srtp_module._session(suite, a_key, outbound=True)
    assert isinstance(session, AesCmSession)
    assert not isinstance(
        srtp_module._session("AES_CM_128_HMAC_SHA1_80", a_key[:30], outbound=True), AesCmSession
    )
    a = SrtpTransport(_Inner(), suite, a_key, b_key)  # type: ignore[arg-type]
    b = SrtpTransport(_Inner(), suite, b_key, a_key)  # type: ignore[arg-type]
    protected = a.protect_rtp(rtp(5))
    assert protected is not None and len(protected) == 172 + (10 if suite.endswith("80") else 4)
    assert b.unprotect_rtp(protected) == rtp(5)
    assert b.unprotect_rtp(protected) is None  # a replay is dropped and counted
    assert b.counters.rejected_rtp == 1
    assert suite in supported_suites()


def test_sdes_offers_and_parses_the_aes_256_suites() -> None:
    from parley.sip.sdes import offer_crypto
    from parley.sip.sdp import MediaDescription

    assert SRTP_SUITES["AES_256_CM_HMAC_SHA1_80"].key_salt_length == 46
    media = MediaDescription("audio", 4000, "RTP/AVP", ["0"])
    policy = SdesPolicy(mode="optional", suites=("AES_256_CM_HMAC_SHA1_80",), keys_allowed=True)
    offer_crypto(policy, media)
    (line,) = [parse_crypto(v) for v in media.attrs("crypto")]
    assert line.suite == "AES_256_CM_HMAC_SHA1_80" and len(line.keys[0].key_salt) == 46


@pytest.mark.parametrize("suite", ["AES_256_CM_HMAC_SHA1_80", "AES_256_CM_HMAC_SHA1_32"])
def test_two_phones_talk_over_aes_256_cm(make_phone_pair: Any, suite: str) -> None:
    """Parley to Parley on real UDP sockets: the suite agreed in SDP, media both ways
    through our transform, nothing rejected."""
    from test_phone_pair import connected

    account = {"srtp": "mandatory", "srtp_over_plain_signalling": True, "srtp_suites": [suite]}
    pair = make_phone_pair(a_account=account, b_account=account)
    a_call, b_call = pair.run(connected(pair))
    pair.run(pair.settle(1.0))
    for call in (a_call, b_call):
        stats = call.stats()
        assert stats["srtp_suite"] == suite, stats
        assert stats["packets_received"] > 20, stats
        assert stats["srtp_rejected_rtp"] == 0, stats
