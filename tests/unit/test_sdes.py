"""SDES (RFC 4568): the a=crypto codec and the offer/answer rules of `parley.sip.sdes`,
also through `make_offer`/`make_answer` as the call uses them."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parley.sip.offer_answer import CodecSpec, SessionParams, make_answer, make_offer
from parley.sip.sdes import (
    SRTP_SUITES,
    CryptoAttribute,
    CryptoError,
    KeyParam,
    SdesPolicy,
    SrtpKeys,
    SrtpProblem,
    answer_crypto,
    crypto_lines,
    offer_crypto,
    parse_crypto,
    read_answer,
    unusable_reason,
)
from parley.sip.sdp import MediaDescription, parse_sdp

KEY30 = bytes(range(30))
KEY44 = bytes(range(44))
B64_30 = base64.b64encode(KEY30).decode()
PCMU = CodecSpec("PCMU", 8000, static_pt=0)


def keys_from(start: int) -> Callable[[int], bytes]:  # deterministic keys for the tests
    n = itertools.count(start)
    return lambda size: bytes([next(n) % 256]) * size


# --- the codec ----------------------------------------------------------------------------


def test_parse_rfc4568_example() -> None:
    # RFC 4568 §3's example line.
    line = parse_crypto(
        "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32"
    )
    assert line.tag == 1 and line.suite == "AES_CM_128_HMAC_SHA1_80"
    (key,) = line.keys
    assert len(key.key_salt) == 30
    assert key.lifetime == 1 << 20
    assert key.mki == (1, 32)
    assert str(line) == (
        "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32"
    )
    assert unusable_reason(line) == "MKI (more than one key) is not supported"


def test_parse_session_params_and_round_trip() -> None:
    text = f"7 AEAD_AES_256_GCM inline:{base64.b64encode(KEY44).decode()} WSH=128 -FOO=1"
    line = parse_crypto(text)
    assert line.session_params == ("WSH=128", "-FOO=1")
    assert str(line) == text
    assert unusable_reason(line) is None


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ("KDR=3", "key derivation"),
        ("UNENCRYPTED_SRTP", "weaken"),
        ("UNAUTHENTICATED_SRTP", "weaken"),
        ("FEC_KEY=inline:abc", "FEC"),
        ("FOO=1", "unknown session parameter FOO"),
    ],
)
def test_session_params_we_cannot_honour(params: str, reason: str) -> None:
    line = parse_crypto(f"1 AES_CM_128_HMAC_SHA1_80 inline:{B64_30} {params}")
    assert reason in (unusable_reason(line) or "")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "x AES_CM_128_HMAC_SHA1_80 inline:" + B64_30,
        "1 AES_CM_128_HMAC_SHA1_80",
        "1 AES_CM_128_HMAC_SHA1_80 key:" + B64_30,
        "1 AES_CM_128_HMAC_SHA1_80 inline:!!!!",
        "1 AES_CM_128_HMAC_SHA1_80 inline:" + base64.b64encode(bytes(29)).decode(),
        "1 AEAD_AES_128_GCM inline:" + B64_30,  # GCM wants 28 bytes
        "1 AES_CM_128_HMAC_SHA1_80 inline:" + B64_30 + "|1:999",
    ],
)
def test_malformed_lines_refused(text: str) -> None:
    with pytest.raises(CryptoError):
        parse_crypto(text)


@given(st.text(max_size=200))
def test_parser_raises_only_its_error(text: str) -> None:
    try:
        parse_crypto(text)
    except CryptoError:
        pass


def test_unknown_suite_parses_but_is_never_used() -> None:
    line = parse_crypto("3 F8_128_HMAC_SHA1_80 inline:" + B64_30)
    assert unusable_reason(line) == "suite F8_128_HMAC_SHA1_80 is not supported"


# --- offer/answer -----------------------------------------------------------------------


def audio(proto: str = "RTP/AVP", *lines: str) -> MediaDescription:
    m = MediaDescription("audio", 4000, proto, ["0"])
    for line in lines:
        m.attributes.append(CryptoAttribute(0, "", ()).attribute())
        m.attributes[-1].value = line
    return m


def line(tag: int, suite: str, key: bytes) -> str:
    return str(CryptoAttribute(tag, suite, (KeyParam(key),)))


ALLOWED = dict(keys_allowed=True)


def test_offer_optional_is_avp_with_one_line_per_suite() -> None:
    policy = SdesPolicy("optional", ("AES_CM_128_HMAC_SHA1_32", "AEAD_AES_128_GCM"), **ALLOWED)
    m = audio()
    offer_crypto(policy, m, key_source=keys_from(1))
    assert m.proto == "RTP/AVP"
    lines = crypto_lines(m)
    assert [(c.tag, c.suite) for c in lines] == [
        (1, "AES_CM_128_HMAC_SHA1_32"),
        (2, "AEAD_AES_128_GCM"),
    ]
    assert [len(c.keys[0].key_salt) for c in lines] == [30, 28]
    assert lines[0].keys[0].key_salt != lines[1].keys[0].key_salt[:30]
    # A re-offer keeps each suite's key (baresip 1.0 never takes a new one mid-call);
    # a suite offered for the first time gets a fresh key.
    wider = SdesPolicy("optional", ("AES_CM_128_HMAC_SHA1_32", "AEAD_AES_256_GCM"), **ALLOWED)
    again = audio()
    offer_crypto(wider, again, previous=m, key_source=keys_from(9))
    renewed = crypto_lines(again)
    assert renewed[0].keys[0].key_salt == lines[0].keys[0].key_salt
    assert renewed[1].keys[0].key_salt == bytes([9]) * 44


def test_offer_mandatory_is_savp_and_off_adds_nothing() -> None:
    m = audio()
    offer_crypto(SdesPolicy("mandatory", **ALLOWED), m)
    assert m.proto == "RTP/SAVP" and len(crypto_lines(m)) == len(SRTP_SUITES)
    plain = audio()
    offer_crypto(SdesPolicy("off", **ALLOWED), plain)
    assert plain.proto == "RTP/AVP" and plain.attrs("crypto") == []


def test_no_keys_over_plain_signalling_without_the_choice() -> None:
    m = audio()
    offer_crypto(SdesPolicy("optional", keys_allowed=False), m)
    assert m.attrs("crypto") == []
    offer = audio("RTP/AVP", line(1, "AES_CM_128_HMAC_SHA1_80", KEY30))
    assert answer_crypto(SdesPolicy("optional"), offer, audio()) is None
    with pytest.raises(CryptoError) as e:
        answer_crypto(SdesPolicy("mandatory"), offer, audio())
    assert e.value.problem is SrtpProblem.NEEDS_TLS


def test_answer_picks_our_order_and_echoes_the_tag() -> None:
    offer = audio(
        "RTP/SAVP",
        line(1, "AES_CM_128_HMAC_SHA1_80", KEY30),
        line(2, "AEAD_AES_256_GCM", KEY44),
    )
    policy = SdesPolicy("optional", ("AEAD_AES_256_GCM", "AES_CM_128_HMAC_SHA1_80"), **ALLOWED)
    answer = audio("RTP/SAVP")
    keys = answer_crypto(policy, offer, answer, key_source=keys_from(5))
    assert keys is not None
    assert (keys.suite, keys.tag, keys.receive_key) == ("AEAD_AES_256_GCM", 2, KEY44)
    (ours,) = crypto_lines(answer)
    assert (ours.tag, ours.suite, ours.keys[0].key_salt) == (2, "AEAD_AES_256_GCM", keys.send_key)
    assert len(keys.send_key) == 44


def test_answer_skips_lines_it_cannot_honour() -> None:
    offer = audio(
        "RTP/SAVP",
        line(1, "AES_CM_128_HMAC_SHA1_80", KEY30) + " UNENCRYPTED_SRTP",
        line(2, "AES_CM_128_HMAC_SHA1_80", KEY30),
    )
    keys = answer_crypto(SdesPolicy("mandatory", **ALLOWED), offer, audio("RTP/SAVP"))
    assert keys is not None and keys.tag == 2


def test_mandatory_refuses_plain_offer_optional_takes_it() -> None:
    plain = audio()
    with pytest.raises(CryptoError) as e:
        answer_crypto(SdesPolicy("mandatory", **ALLOWED), plain, audio())
    assert e.value.problem is SrtpProblem.REQUIRED
    assert answer_crypto(SdesPolicy("optional", **ALLOWED), plain, audio()) is None


def test_off_refuses_savp_and_ignores_crypto_in_avp() -> None:
    savp = audio("RTP/SAVP", line(1, "AES_CM_128_HMAC_SHA1_80", KEY30))
    with pytest.raises(CryptoError) as e:
        answer_crypto(SdesPolicy("off", **ALLOWED), savp, audio())
    assert e.value.problem is SrtpProblem.NOT_ENABLED
    avp = audio("RTP/AVP", line(1, "AES_CM_128_HMAC_SHA1_80", KEY30))
    answer = audio()
    assert answer_crypto(SdesPolicy("off", **ALLOWED), avp, answer) is None
    assert answer.attrs("crypto") == []


def test_no_common_suite() -> None:
    offer = audio("RTP/SAVP", line(1, "AES_CM_128_HMAC_SHA1_32", KEY30))
    policy = SdesPolicy("optional", ("AEAD_AES_128_GCM",), **ALLOWED)
    with pytest.raises(CryptoError) as e:
        answer_crypto(policy, offer, audio())
    assert e.value.problem is SrtpProblem.NO_COMMON_SUITE
    # In RTP/AVP the optional mode falls back to plain RTP.
    avp = audio("RTP/AVP", line(1, "AES_CM_128_HMAC_SHA1_32", KEY30))
    assert answer_crypto(policy, avp, audio()) is None


def test_reanswer_keeps_our_key_while_theirs_stays_and_renews_it_when_theirs_changes() -> None:
    policy = SdesPolicy("optional", **ALLOWED)
    offer = audio("RTP/AVP", line(1, "AES_CM_128_HMAC_SHA1_80", KEY30))
    first = answer_crypto(policy, offer, audio(), key_source=keys_from(1))
    assert first is not None
    same = answer_crypto(policy, offer, audio(), current=first, key_source=keys_from(50))
    assert same is not None and same.send_key == first.send_key
    new_theirs = audio("RTP/AVP", line(1, "AES_CM_128_HMAC_SHA1_80", bytes(30)))
    renewed = answer_crypto(policy, new_theirs, audio(), current=first, key_source=keys_from(50))
    assert renewed is not None and renewed.send_key != first.send_key
    assert renewed.receive_key == bytes(30)


def test_read_answer() -> None:
    policy = SdesPolicy("optional", **ALLOWED)
    offer = audio()
    offer_crypto(policy, offer, key_source=keys_from(1))
    sent = {c.tag: c for c in crypto_lines(offer)}
    answer = audio("RTP/AVP", line(3, "AEAD_AES_128_GCM", bytes(28)))
    keys = read_answer(policy, offer, answer)
    assert keys == SrtpKeys("AEAD_AES_128_GCM", sent[3].keys[0].key_salt, bytes(28), 3)
    # A plain answer: plain RTP in optional mode, the end of the call in mandatory mode.
    assert read_answer(policy, offer, audio()) is None
    with pytest.raises(CryptoError) as e:
        read_answer(SdesPolicy("mandatory", **ALLOWED), offer, audio())
    assert e.value.problem is SrtpProblem.REQUIRED
    # A tag we never offered, or the suite changed under the tag.
    for bad in (line(9, "AEAD_AES_128_GCM", bytes(28)), line(1, "AEAD_AES_128_GCM", bytes(28))):
        with pytest.raises(CryptoError) as e:
            read_answer(policy, offer, audio("RTP/AVP", bad))
        assert e.value.problem is SrtpProblem.BAD_ANSWER


def test_through_make_offer_and_make_answer() -> None:
    """Both ends as the call does it: our offer, their answer over SDP text, our reading."""
    ours = SdesPolicy("mandatory", **ALLOWED)
    offer = make_offer(SessionParams("127.0.0.1", 4000), [PCMU])
    offer_crypto(ours, offer.media[0])
    wire = parse_sdp(offer.to_bytes())
    assert wire.media[0].proto == "RTP/SAVP"
    theirs = SdesPolicy("optional", ("AES_CM_128_HMAC_SHA1_32",), **ALLOWED)
    answer, neg = make_answer(wire, [PCMU], "127.0.0.1", 5000, accept_protos=theirs.accept_protos)
    their_keys = answer_crypto(theirs, wire.media[0], answer.media[neg.stream_index])
    assert answer.media[0].proto == "RTP/SAVP"
    our_keys = read_answer(ours, offer.media[0], parse_sdp(answer.to_bytes()).media[0])
    assert their_keys is not None and our_keys is not None
    assert our_keys.suite == their_keys.suite == "AES_CM_128_HMAC_SHA1_32"
    assert our_keys.send_key == their_keys.receive_key
    assert our_keys.receive_key == their_keys.send_key


def test_plain_make_answer_refuses_savp_when_srtp_is_off() -> None:
    offer = make_offer(SessionParams("127.0.0.1", 4000, proto="RTP/SAVP"), [PCMU])
    with pytest.raises(ValueError):
        make_answer(offer, [PCMU], "127.0.0.1", 5000, accept_protos=SdesPolicy().accept_protos)
