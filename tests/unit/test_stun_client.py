"""The sans-IO STUN client (RFC 5389): the RFC 5769 test vectors, our own requests,
malformed responses refused, and the retransmission schedule of §7.2.1."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parley.net.stun import (
    ATTR_MAPPED_ADDRESS,
    BINDING_ERROR,
    BINDING_SUCCESS,
    HEADER,
    MAGIC_COOKIE,
    BindingState,
    BindingTransaction,
    StunError,
    binding_request,
    looks_like_stun,
    parse_response,
)

TID = bytes.fromhex("b7e7a701bc34d686fa87dfae")

# RFC 5769 §2.2 and §2.3: sample IPv4 and IPv6 Binding success responses.
RFC5769_IPV4 = bytes.fromhex(
    "0101003c2112a442b7e7a701bc34d686fa87dfae"
    "8022000b7465737420766563746f7220"
    "002000080001a147e112a643"
    "000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7"
    "80280004c07d4c96"
)
RFC5769_IPV6 = bytes.fromhex(
    "010100482112a442b7e7a701bc34d686fa87dfae"
    "8022000b7465737420766563746f7220"
    "002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9"
    "00080014a382954e4be67bf11784c97c8292c275bfe3ed41"
    "80280004c8fb0b4c"
)


def success(tid: bytes, attrs: bytes) -> bytes:
    return HEADER.pack(BINDING_SUCCESS, len(attrs), MAGIC_COOKIE, tid) + attrs


def test_rfc5769_ipv4_response() -> None:
    r = parse_response(RFC5769_IPV4)
    assert r.transaction_id == TID
    assert r.mapped == ("192.0.2.1", 32853)
    assert r.software == "test vector"


def test_rfc5769_ipv6_response() -> None:
    r = parse_response(RFC5769_IPV6)
    assert r.mapped == ("2001:db8:1234:5678:11:2233:4455:6677", 32853)


def test_a_changed_fingerprint_is_refused() -> None:
    bad = RFC5769_IPV4[:-1] + bytes([RFC5769_IPV4[-1] ^ 1])
    with pytest.raises(StunError, match="FINGERPRINT"):
        parse_response(bad)


def test_classic_mapped_address_of_rfc3489_servers() -> None:
    value = struct.pack("!BBH", 0, 1, 5060) + bytes([203, 0, 113, 7])
    data = success(TID, struct.pack("!HH", ATTR_MAPPED_ADDRESS, len(value)) + value)
    assert parse_response(data).mapped == ("203.0.113.7", 5060)


def test_our_request_carries_a_valid_fingerprint() -> None:
    req = binding_request(TID, software="Parley")
    assert looks_like_stun(req)
    assert req[:2] == b"\x00\x01" and req[8:20] == TID
    assert struct.unpack("!H", req[2:4])[0] == len(req) - 20
    # The FINGERPRINT checks out with the same rule a server applies.
    import zlib

    crc = struct.unpack("!I", req[-4:])[0]
    assert crc == (zlib.crc32(req[:-8]) & 0xFFFFFFFF) ^ 0x5354554E


def test_error_response_gives_code_and_reason() -> None:
    reason = b"Bad Request"
    value = b"\0\0" + bytes([4, 0]) + reason
    attrs = struct.pack("!HH", 0x0009, len(value)) + value + b"\0" * (-len(value) % 4)
    data = HEADER.pack(BINDING_ERROR, len(attrs), MAGIC_COOKIE, TID) + attrs
    r = parse_response(data)
    assert (r.error_code, r.error_reason, r.mapped) == (400, "Bad Request", None)


@pytest.mark.parametrize(
    "data, words",
    [
        (b"SIP/2.0 200 OK\r\n\r\n", "not a STUN"),
        (RFC5769_IPV4[:-4], "length"),  # cut short
        (binding_request(TID), "not a Binding response"),  # a request, not a response
        (success(TID, b""), "without a mapped address"),
        (success(TID, struct.pack("!HH", 0x0020, 40) + b"\0" * 8), "runs past"),
        (success(TID, struct.pack("!HH", 0x0020, 8) + bytes([0, 9, 0, 1, 1, 2, 3, 4])), "family"),
        (success(TID, struct.pack("!HH", 0x0020, 4) + b"\0\x01\0\0"), "too short"),
    ],
)
def test_malformed_responses_are_refused(data: bytes, words: str) -> None:
    with pytest.raises(StunError, match=words):
        parse_response(data)


@given(st.binary(max_size=120))
def test_any_bytes_raise_only_stun_error(data: bytes) -> None:
    for candidate in (data, HEADER.pack(BINDING_SUCCESS, len(data) & ~3, MAGIC_COOKIE, TID) + data):
        try:
            parse_response(candidate)
        except StunError:
            pass


def test_retransmissions_rto_doubles_seven_sends_then_16_rto() -> None:
    tx = BindingTransaction(("192.0.2.1", 3478), transaction_id=TID)
    sends = [0.0]
    assert tx.start(0.0)
    now = 0.0
    while tx.state is BindingState.WAITING:
        deadline = tx.next_timer()
        assert deadline is not None
        assert tx.handle_timer(deadline - 0.01) is None  # never early
        now = deadline
        if tx.handle_timer(now) is not None:
            sends.append(now)
    # RFC 5389 §7.2.1's example: 0, 500, 1500, 3500, 7500, 15500 and 31500 ms, then
    # failure at 39500 ms.
    assert sends == [0.0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5]
    assert tx.state is BindingState.TIMED_OUT and now == 39.5


def test_the_answer_ends_the_wait_and_others_are_ignored() -> None:
    tx = BindingTransaction(("192.0.2.1", 3478), transaction_id=TID)
    tx.start(0.0)
    other = success(b"x" * 12, b"")
    assert not tx.receive(other, ("192.0.2.1", 3478))  # someone else's transaction
    assert not tx.receive(RFC5769_IPV4[:-4], ("192.0.2.1", 3478))  # not a whole message
    assert tx.state is BindingState.WAITING
    assert tx.receive(RFC5769_IPV4, ("192.0.2.1", 3478))
    assert tx.state is BindingState.DONE and tx.mapped == ("192.0.2.1", 32853)
    assert tx.next_timer() is None
