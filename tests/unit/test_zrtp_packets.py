"""ZRTP wire format (RFC 6189 §5): CRC-32C, every message round-trips, the packets of a
real exchange (bzrtp's published capture) parse, verify and re-encode byte for byte,
and malformed input is refused with ZrtpError and nothing else."""

from __future__ import annotations

import hashlib
import hmac
import struct

import pytest
import zrtp_vectors as v
from hypothesis import given, settings
from hypothesis import strategies as st

from parley.media.zrtp.crc32c import crc32c, crc32c_bytes
from parley.media.zrtp.crypto import cfb_decrypt, hash_chain
from parley.media.zrtp.errors import ZrtpError
from parley.media.zrtp.packets import (
    ClearAck,
    Commit,
    Conf2Ack,
    Confirm1,
    Confirm2,
    ConfirmBody,
    DHPart1,
    DHPart2,
    Error,
    ErrorAck,
    GoClear,
    Hello,
    HelloAck,
    Ping,
    PingAck,
    RelayAck,
    SasRelay,
    decode_message,
    decode_packet,
    encode_message,
    encode_packet,
    looks_like_zrtp,
    mac_matches,
    with_mac,
)

# --- CRC-32C -----------------------------------------------------------------------------


def test_crc32c_matches_the_published_check_values() -> None:
    # The catalogue check value and the iSCSI test patterns of RFC 3720 §B.4.
    assert crc32c(b"123456789") == 0xE3069283
    assert crc32c(bytes(32)) == 0x8A9136AA
    assert crc32c(b"\xff" * 32) == 0x62A8AB43
    assert crc32c(bytes(range(32))) == 0x46DD794E
    assert crc32c(bytes(range(31, -1, -1))) == 0x113FDB5C


@pytest.mark.parametrize("packet", v.PACKETS, ids=lambda p: p[16:24].decode().strip())
def test_crc_of_each_captured_packet_is_the_one_on_the_wire(packet: bytes) -> None:
    assert crc32c_bytes(packet[:-4]) == packet[-4:]


# --- the captured exchange -----------------------------------------------------------------


@pytest.mark.parametrize("packet", v.PACKETS, ids=lambda p: p[16:24].decode().strip())
def test_captured_packets_parse_and_encode_back_byte_for_byte(packet: bytes) -> None:
    parsed = decode_packet(packet)
    assert parsed.message_bytes == packet[12:-4]
    assert encode_message(parsed.message) == parsed.message_bytes
    assert encode_packet(parsed.message_bytes, parsed.sequence, parsed.ssrc) == packet
    assert looks_like_zrtp(packet)


def test_captured_hello_fields() -> None:
    hello = decode_packet(v.HELLO_A)
    assert (hello.sequence, hello.ssrc) == (0x09F1, 0x12345678)
    msg = hello.message
    assert isinstance(msg, Hello)
    assert msg.version == b"1.10"
    assert msg.client_id == b"LINPHONE-ZRTPCPP"
    assert msg.h3 == v.H_A[3]
    assert msg.hash_types == ("S256",)
    assert msg.cipher_types == ("AES1",)
    assert msg.auth_tags == ("HS32", "HS80")
    assert msg.key_agreements == ("DH3k", "DH2k", "Mult")
    assert msg.sas_types == ("B32 ",)
    assert not (msg.passive or msg.mitm or msg.signature_capable)


def test_pjsip_hello_with_seven_kinds_of_algorithms() -> None:
    msg = decode_packet(v.PJSIP_HELLO).message
    assert isinstance(msg, Hello)
    assert msg.client_id == b"PJS ZRTP 3.0.0  "
    assert msg.cipher_types == ("2FS3", "AES3", "2FS1", "AES1")
    assert msg.key_agreements == ("EC25", "DH3k", "EC38", "DH2k", "Mult")


def test_captured_hash_chains_and_message_macs_verify() -> None:
    """§9: H1 = hash(H0) ..., Hello's MAC keyed with H2, Commit's with H1, DHPart's
    with H0; a wrong key does not verify."""
    assert hash_chain(v.H_A[0]) == tuple(v.H_A)
    assert hash_chain(v.H_B[0]) == tuple(v.H_B)
    hello_a, hello_b, _, commit, dh1, dh2, *_ = (decode_packet(p) for p in v.PACKETS)
    assert mac_matches(hello_a.message_bytes, v.H_A[2])
    assert mac_matches(hello_b.message_bytes, v.H_B[2])
    assert mac_matches(commit.message_bytes, v.H_B[1])
    assert mac_matches(dh1.message_bytes, v.H_A[0])
    assert mac_matches(dh2.message_bytes, v.H_B[0])
    assert not mac_matches(hello_a.message_bytes, v.H_A[1])
    assert not mac_matches(commit.message_bytes, v.H_A[1])
    # Each message reveals the image before the one already known.
    assert isinstance(commit.message, Commit) and commit.message.h2 == v.H_B[2]
    assert isinstance(dh1.message, DHPart1) and dh1.message.h1 == v.H_A[1]
    assert isinstance(dh2.message, DHPart2) and dh2.message.h1 == v.H_B[1]


def test_with_mac_reproduces_the_captured_macs() -> None:
    for packet, key in ((v.HELLO_A, v.H_A[2]), (v.COMMIT_B, v.H_B[1]), (v.DHPART1_A, v.H_A[0])):
        parsed = decode_packet(packet)
        msg = parsed.message
        assert isinstance(msg, Hello | Commit | DHPart1)
        assert encode_message(with_mac(msg, key)) == parsed.message_bytes


def test_zrtp_hash_of_captured_hellos() -> None:
    """§8.1: a=zrtp-hash is the SHA-256 of the Hello message (no header, no CRC)."""
    for packet, expected in (
        (v.HELLO_A, v.ZRTP_HASH_A),
        (v.HELLO_B, v.ZRTP_HASH_B),
        (v.PJSIP_HELLO, v.PJSIP_ZRTP_HASH),
    ):
        digest = hashlib.sha256(decode_packet(packet).message_bytes).hexdigest()
        assert f"1.10 {digest}" == expected


def test_captured_commit_hvi_is_hash_of_dhpart2_and_responder_hello() -> None:
    commit = decode_packet(v.COMMIT_B).message
    assert isinstance(commit, Commit)
    expected = hashlib.sha256(
        decode_packet(v.DHPART2_B).message_bytes + decode_packet(v.HELLO_A).message_bytes
    ).digest()
    assert commit.hvi == expected


@pytest.mark.parametrize(
    ("packet", "mackey", "zrtpkey", "h0"),
    [
        (v.CONFIRM1_A, v.MACKEYR, v.ZRTPKEYR, v.H_A[0]),
        (v.CONFIRM2_B, v.MACKEYI, v.ZRTPKEYI, v.H_B[0]),
    ],
    ids=["Confirm1", "Confirm2"],
)
def test_captured_confirms_verify_and_decrypt(
    packet: bytes, mackey: bytes, zrtpkey: bytes, h0: bytes
) -> None:
    msg = decode_packet(packet).message
    assert isinstance(msg, Confirm1 | Confirm2)
    expected_mac = hmac.new(mackey, msg.encrypted, hashlib.sha256).digest()[:8]
    assert msg.confirm_mac == expected_mac
    body = ConfirmBody.decode(cfb_decrypt(zrtpkey, msg.iv, msg.encrypted))
    assert body.h0 == h0
    assert body.cache_expiry == 0xFFFFFFFF
    assert not (body.sas_verified or body.allow_clear or body.disclosure or body.pbx_enrollment)
    assert body.signature == b""


# --- our own messages ------------------------------------------------------------------------

H = bytes(range(32))
ZID = bytes(range(100, 112))

OWN_MESSAGES = [
    Hello(
        b"1.10",
        b"Parley          ",
        H,
        ZID,
        False,
        True,
        True,
        ("S256",),
        ("AES1", "AES3"),
        ("HS32", "HS80"),
        ("EC25", "DH3k"),
        ("B32 ",),
        b"\x01" * 8,
    ),
    Hello(b"1.10", b"x" * 16, H, ZID, True, False, False, (), (), (), (), ()),
    HelloAck(),
    Commit(H, ZID, "S256", "AES3", "HS32", "DH3k", "B32 ", hvi=H[::-1], mac=b"\x02" * 8),
    Commit(H, ZID, "S256", "AES1", "HS80", "Mult", "B32 ", nonce=b"n" * 16, mac=b"m" * 8),
    Commit(H, ZID, "S256", "AES1", "HS80", "Prsh", "B32 ", nonce=b"n" * 16, key_id=b"k" * 8),
    DHPart1(H, b"1" * 8, b"2" * 8, b"3" * 8, b"4" * 8, b"p" * 384, b"\x03" * 8),
    DHPart2(H, b"1" * 8, b"2" * 8, b"3" * 8, b"4" * 8, b"p" * 64, b"\x04" * 8),
    Confirm1(b"c" * 8, b"i" * 16, b"e" * 40),
    Confirm2(b"c" * 8, b"i" * 16, b"e" * 48),
    Conf2Ack(),
    Error(0x62),
    ErrorAck(),
    GoClear(b"g" * 8),
    ClearAck(),
    SasRelay(b"m" * 8, b"i" * 16, b"e" * 40),
    RelayAck(),
    Ping(b"1.10", b"h" * 8),
    PingAck(b"1.10", b"h" * 8, b"r" * 8, 0xDEADBEEF),
]


@pytest.mark.parametrize("message", OWN_MESSAGES, ids=lambda m: type(m).__name__)
def test_every_message_round_trips_inside_a_packet(message: object) -> None:
    raw = encode_message(message)  # type: ignore[arg-type]
    assert len(raw) % 4 == 0
    assert struct.unpack_from("!HH", raw) == (0x505A, len(raw) // 4)
    packet = encode_packet(raw, 0xFFFF, 0x01020304)
    parsed = decode_packet(packet)
    assert parsed.message == message
    assert (parsed.sequence, parsed.ssrc) == (0xFFFF, 0x01020304)


def test_message_lengths_are_those_of_the_rfc() -> None:
    """§5: lengths in words of the fixed-size messages."""
    words = {type(m).__name__: len(encode_message(m)) // 4 for m in OWN_MESSAGES}  # type: ignore[arg-type]
    assert words["HelloAck"] == words["Conf2Ack"] == words["ErrorAck"] == 3
    assert words["Error"] == 4
    assert words["GoClear"] == 5
    assert words["Ping"] == 6
    assert words["PingAck"] == 9
    assert len(encode_message(OWN_MESSAGES[3])) // 4 == 29  # DH Commit
    assert len(encode_message(OWN_MESSAGES[6])) // 4 == 117  # DHPart1 with DH3k
    assert len(encode_message(OWN_MESSAGES[8])) // 4 == 19  # Confirm without signature


def test_confirm_body_flags_and_signature_round_trip() -> None:
    body = ConfirmBody(H, pbx_enrollment=True, sas_verified=True, cache_expiry=86400,
                       signature=b"s" * 8)  # fmt: skip
    raw = body.encode()
    assert raw[32:36] == bytes([0, 0, 2, 0b1100])  # sig len 2 words, flags E and V
    assert ConfirmBody.decode(raw) == body
    assert ConfirmBody.decode(ConfirmBody(H, disclosure=True).encode()).disclosure


# --- malformed input ----------------------------------------------------------------------------


def _repacket(message_bytes: bytes) -> bytes:
    return encode_packet(message_bytes, 1, 2)


@pytest.mark.parametrize("cut", [0, 1, 11, 12, 15, 27, 100, 135])
def test_truncated_packets_are_refused(cut: int) -> None:
    with pytest.raises(ZrtpError):
        decode_packet(v.HELLO_A[:cut])


def test_truncated_message_with_a_correct_crc_is_refused() -> None:
    for cut in range(12, len(v.HELLO_A) - 4, 4):
        with pytest.raises(ZrtpError):
            decode_packet(_repacket(v.HELLO_A[12:cut]))


def test_any_flipped_bit_fails_the_crc() -> None:
    for at in range(len(v.COMMIT_B)):
        damaged = bytearray(v.COMMIT_B)
        damaged[at] ^= 0x01
        with pytest.raises(ZrtpError):
            decode_packet(bytes(damaged))


def test_wrong_length_field_is_refused() -> None:
    raw = bytearray(decode_packet(v.HELLOACK_A).message_bytes)
    raw[3] = 4  # says four words; it has three
    with pytest.raises(ZrtpError, match="length"):
        decode_packet(_repacket(bytes(raw)))


@pytest.mark.parametrize(
    ("message_bytes", "match"),
    [
        (b"\x50\x5b\x00\x03HelloACK", "preamble"),
        (b"\x50\x5a\x00\x03Goodbye ", "unknown message type"),
        (b"\x50\x5a\x00\x04Error   \x00", "length"),
        (b"\x50\x5a\x00\x05Error   \x00\x00\x00\x10\x00\x00\x00\x00", "Error"),
        (b"\x50\x5a\x00\x04HelloACK\x00\x00\x00\x00", "HelloACK"),
        (b"\x50\x5a\x00\x04Conf2ACK\x00\x00\x00\x00", "Conf2ACK"),
        (b"\x50\x5a\x00\x04GoClear \x00\x00\x00\x00", "GoClear"),
        (b"\x50\x5a\x00\x04Ping    \x00\x00\x00\x00", "Ping"),
    ],
)
def test_malformed_messages_are_refused(message_bytes: bytes, match: str) -> None:
    with pytest.raises(ZrtpError, match=match):
        decode_packet(_repacket(message_bytes))


def test_bad_magic_cookie_and_first_byte_are_refused() -> None:
    good = bytearray(v.HELLOACK_A)
    for at, value in ((4, ord("X")), (0, 0x80)):
        bad = bytearray(good)
        bad[at] = value
        bad[-4:] = crc32c_bytes(bytes(bad[:-4]))
        with pytest.raises(ZrtpError):
            decode_packet(bytes(bad))
        assert not looks_like_zrtp(bytes(bad))


def test_hello_with_more_than_seven_algorithms_is_refused() -> None:
    raw = bytearray(decode_packet(v.HELLO_A).message_bytes)
    raw[12 + 64 + 1] = 0x08  # hc = 8
    with pytest.raises(ZrtpError, match="seven"):
        decode_message(bytes(raw))


def test_hello_whose_counts_disagree_with_its_length_is_refused() -> None:
    raw = bytearray(decode_packet(v.HELLO_A).message_bytes)
    raw[12 + 64 + 3] = 0x41  # kc = 4 where three are listed
    with pytest.raises(ZrtpError, match="Hello"):
        decode_message(bytes(raw))


def test_dhpart_with_a_public_value_too_short_is_refused() -> None:
    raw = encode_message(DHPart1(H, *(b"i" * 8,) * 4, b"p" * 32))
    with pytest.raises(ZrtpError, match="DHPart1"):
        decode_message(raw)


def test_commit_with_wrong_size_for_its_mode_is_refused() -> None:
    dh = encode_message(Commit(H, ZID, "S256", "AES1", "HS32", "DH3k", "B32 ", hvi=H))
    as_mult = dh.replace(b"DH3k", b"Mult")
    with pytest.raises(ZrtpError, match="Multistream"):
        decode_message(as_mult)


def test_confirm_whose_signature_length_disagrees_is_refused() -> None:
    raw = bytearray(ConfirmBody(H).encode())
    raw[34] = 1  # claims a one-word signature that is not there
    with pytest.raises(ZrtpError):
        ConfirmBody.decode(bytes(raw))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_random_datagrams_only_ever_raise_zrtp_error(data: bytes) -> None:
    try:
        decode_packet(data)
    except ZrtpError:
        pass


_TYPES = [m.TYPE for m in OWN_MESSAGES]


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(_TYPES), st.binary(max_size=520).map(lambda b: b[: len(b) // 4 * 4]))
def test_random_bodies_with_valid_header_and_crc_only_raise_zrtp_error(
    kind: bytes, body: bytes
) -> None:
    """Past the CRC every parser sees attacker-chosen bytes of the right overall shape."""
    message = struct.pack("!HH8s", 0x505A, 3 + len(body) // 4, kind) + body
    try:
        parsed = decode_packet(_repacket(message))
    except ZrtpError:
        return
    assert type(parsed.message).TYPE == kind
