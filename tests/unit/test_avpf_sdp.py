"""RTP/AVPF in offer/answer (RFC 4585 §4, RFC 3264 §6): `parley.sip.avpf` through
`make_offer`, `make_answer` and `process_answer`, and with SDES SRTP."""

from __future__ import annotations

import pytest

from parley.sip.avpf import (
    Feedback,
    RtcpFb,
    feedback_profile,
    parse_rtcp_fb,
    plain_profile,
)
from parley.sip.offer_answer import (
    CodecSpec,
    SessionParams,
    hold_offer,
    make_answer,
    make_offer,
    process_answer,
)
from parley.sip.sdes import AVP_PROTOS, SAVP_PROTOS, SdesPolicy, answer_crypto, offer_crypto
from parley.sip.sdp import SessionDescription, parse_sdp

PCMU = CodecSpec("PCMU", 8000, 1, "", 0)
ME = SessionParams("192.0.2.1", 4000, session_id="1000")
FB = SessionParams("192.0.2.1", 4000, session_id="1000", rtcp_feedback=True)

# What linphonec 5.1 with avpf=1 offers (seen on the wire, test_avpf_linphone.py).
LINPHONE_LINES = ("a=rtcp-fb:* trr-int 3000", "a=rtcp-fb:* ccm tmmbr")


def offer_text(proto: str, *lines: str) -> SessionDescription:
    body = [
        "v=0",
        "o=them 77 77 IN IP4 192.0.2.50",
        "s=-",
        "c=IN IP4 192.0.2.50",
        "t=0 0",
        f"m=audio 30000 {proto} 0 96",
        "a=rtpmap:96 telephone-event/8000",
        *lines,
    ]
    return parse_sdp("\r\n".join(body) + "\r\n")


def wire(sdp: SessionDescription) -> SessionDescription:
    return parse_sdp(sdp.to_bytes())


def answer_to(offer: SessionDescription, params: SessionParams = ME, **kw: object):
    return make_answer(
        wire(offer),
        [PCMU],
        "192.0.2.1",
        4000,
        params=params,
        **kw,  # type: ignore[arg-type]
    )


# --- our offers ---------------------------------------------------------------------------


def test_setting_on_offers_avpf_with_trr_int_only() -> None:
    offer = wire(make_offer(FB, [PCMU]))
    m = offer.media[0]
    assert m.proto == "RTP/AVPF"
    assert m.attrs("rtcp-fb") == ["* trr-int 5000"]
    assert "m=audio 4000 RTP/AVPF 0 101\r\n" in str(offer)


def test_setting_off_offers_plain_avp() -> None:
    m = wire(make_offer(ME, [PCMU])).media[0]
    assert m.proto == "RTP/AVP"
    assert m.attrs("rtcp-fb") == []


def test_reoffer_and_hold_keep_the_profile_and_the_version_when_unchanged() -> None:
    first = make_offer(FB, [PCMU])
    again = make_offer(FB, [PCMU], previous=first)
    assert again.origin.session_version == first.origin.session_version  # RFC 3264 §8
    held = wire(hold_offer(again))
    assert held.media[0].proto == "RTP/AVPF"
    assert held.media[0].attrs("rtcp-fb") == ["* trr-int 5000"]
    assert held.media[0].direction == "sendonly"


@pytest.mark.parametrize(
    ("mode", "proto"), [("mandatory", "RTP/SAVPF"), ("optional", "RTP/AVPF"), ("off", "RTP/AVPF")]
)
def test_srtp_keeps_the_feedback_profile(mode: str, proto: str) -> None:
    offer = make_offer(FB, [PCMU])
    policy = SdesPolicy(mode=mode, keys_allowed=True)  # type: ignore[arg-type]
    offer_crypto(policy, offer.media[0], key_source=lambda n: bytes(n))
    m = wire(offer).media[0]
    assert m.proto == proto
    assert bool(m.attrs("crypto")) == (mode != "off")
    assert m.attrs("rtcp-fb") == ["* trr-int 5000"]


def test_srtp_without_feedback_stays_avp_or_savp() -> None:
    for mode, proto in (("mandatory", "RTP/SAVP"), ("optional", "RTP/AVP")):
        offer = make_offer(ME, [PCMU])
        offer_crypto(SdesPolicy(mode=mode, keys_allowed=True), offer.media[0])  # type: ignore[arg-type]
        assert offer.media[0].proto == proto


# --- answering ------------------------------------------------------------------------------


def test_avpf_offer_answered_avpf_keeping_only_trr_int_when_on() -> None:
    offer = offer_text(
        "RTP/AVPF",
        *LINPHONE_LINES,
        "a=rtcp-fb:0 nack",
        "a=rtcp-fb:0 nack pli",
        "a=rtcp-fb:* goog-remb",
    )
    answer, neg = answer_to(offer, FB)
    m = wire(answer).media[0]
    assert m.proto == "RTP/AVPF"  # RFC 3264 §6: the offer's profile
    assert m.attrs("rtcp-fb") == ["* trr-int 3000"]  # unchanged (RFC 4585 §4.2)
    assert neg.feedback == Feedback(avpf=True, trr_int_ms=3000)


def test_avpf_offer_answered_avpf_without_feedback_when_off() -> None:
    answer, neg = answer_to(offer_text("RTP/AVPF", *LINPHONE_LINES), ME)
    m = wire(answer).media[0]
    assert m.proto == "RTP/AVPF"
    assert m.attrs("rtcp-fb") == []
    assert neg.feedback == Feedback(avpf=True, trr_int_ms=0)


def test_avp_offer_with_rtcp_fb_lines_answered_plainly() -> None:
    # linphonec with avpf=0 still writes rtcp-fb lines into its RTP/AVP offers.
    answer, neg = answer_to(offer_text("RTP/AVP", *LINPHONE_LINES), FB)
    m = wire(answer).media[0]
    assert m.proto == "RTP/AVP"
    assert m.attrs("rtcp-fb") == []
    assert neg.feedback == Feedback()


def test_savpf_offer_answered_savpf() -> None:
    offer = offer_text(
        "RTP/SAVPF",
        "a=rtcp-fb:* trr-int 1000",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz",
    )
    answer, neg = answer_to(offer, FB, accept_protos=AVP_PROTOS + SAVP_PROTOS)
    policy = SdesPolicy(mode="optional", keys_allowed=True)
    keys = answer_crypto(policy, offer.media[0], answer.media[0], key_source=lambda n: bytes(n))
    m = wire(answer).media[0]
    assert m.proto == "RTP/SAVPF"
    assert keys is not None and m.attrs("crypto")
    assert m.attrs("rtcp-fb") == ["* trr-int 1000"]
    assert neg.feedback == Feedback(avpf=True, trr_int_ms=1000)


def test_malformed_rtcp_fb_lines_are_dropped_not_fatal() -> None:
    offer = offer_text(
        "RTP/AVPF",
        "a=rtcp-fb:",
        "a=rtcp-fb:999 nack",
        "a=rtcp-fb:* trr-int lots",
        "a=rtcp-fb:*",
        "a=rtcp-fb:* trr-int 99999999999",
    )
    answer, neg = answer_to(offer, FB)
    # Only the last, well-formed (if silly) trr-int survives, capped at an hour.
    assert wire(answer).media[0].attrs("rtcp-fb") == ["* trr-int 99999999999"]
    assert neg.feedback == Feedback(avpf=True, trr_int_ms=3_600_000)


# --- reading answers --------------------------------------------------------------------------


def avpf_answer(proto: str, *lines: str) -> SessionDescription:
    body = [
        "v=0",
        "o=far 5 5 IN IP4 192.0.2.9",
        "s=-",
        "c=IN IP4 192.0.2.9",
        "t=0 0",
        f"m=audio 5000 {proto} 0 101",
        *lines,
    ]
    return parse_sdp("\r\n".join(body) + "\r\n")


def test_answer_keeping_our_trr_int() -> None:
    offer = wire(make_offer(FB, [PCMU]))
    neg = process_answer(offer, avpf_answer("RTP/AVPF", "a=rtcp-fb:* trr-int 5000"), [PCMU])
    assert neg.feedback == Feedback(avpf=True, trr_int_ms=5000)


def test_answer_altering_trr_int_is_not_honoured() -> None:
    offer = wire(make_offer(FB, [PCMU]))
    neg = process_answer(offer, avpf_answer("RTP/AVPF", "a=rtcp-fb:* trr-int 100"), [PCMU])
    assert neg.feedback == Feedback(avpf=True, trr_int_ms=0)


def test_far_end_falling_back_to_avp_is_a_plain_call() -> None:
    offer = wire(make_offer(FB, [PCMU]))
    neg = process_answer(offer, avpf_answer("RTP/AVP"), [PCMU])
    assert neg.feedback == Feedback()
    assert neg.codec == PCMU and neg.remote_port == 5000


# --- the little helpers -----------------------------------------------------------------------


def test_profiles() -> None:
    assert feedback_profile("RTP/AVP") == "RTP/AVPF"
    assert feedback_profile("RTP/SAVP") == "RTP/SAVPF"
    assert feedback_profile("RTP/AVPF") == "RTP/AVPF"
    assert feedback_profile("UDP/TLS/RTP/SAVPF") == "UDP/TLS/RTP/SAVPF"
    assert feedback_profile("udptl") == "udptl"
    assert plain_profile("RTP/SAVPF") == "RTP/SAVP"
    assert plain_profile("RTP/AVP") == "RTP/AVP"


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("* trr-int 5000", RtcpFb("*", "trr-int", "5000")),
        ("96 nack pli", RtcpFb("96", "nack", "pli")),
        ("* ccm tmmbr smaxpr=120", RtcpFb("*", "ccm", "tmmbr smaxpr=120")),
        ("0 nack", RtcpFb("0", "nack")),
        ("128 nack", None),
        ("x nack", None),
        ("*", None),
        ("", None),
        ("* nack\x00", None),
    ],
)
def test_parse_rtcp_fb(value: str, parsed: RtcpFb | None) -> None:
    assert parse_rtcp_fb(value) == parsed
    if parsed is not None:
        assert parse_rtcp_fb(str(parsed)) == parsed


# --- re-offers keep the session's profile ---------------------------------------------------


def test_reoffer_after_answering_avp_stays_avp_with_the_setting_on() -> None:
    answer, _ = answer_to(offer_text("RTP/AVP", *LINPHONE_LINES), FB)
    hold = wire(make_offer(FB, [PCMU], previous=answer))
    assert hold.media[0].proto == "RTP/AVP"
    assert hold.media[0].attrs("rtcp-fb") == []


def test_reoffer_after_answering_avpf_stays_avpf_with_the_setting_off() -> None:
    answer, _ = answer_to(offer_text("RTP/AVPF", *LINPHONE_LINES), ME)
    again = wire(make_offer(ME, [PCMU], previous=answer))
    assert again.media[0].proto == "RTP/AVPF"
    assert again.media[0].attrs("rtcp-fb") == []
    answer_on, _ = answer_to(offer_text("RTP/AVPF", *LINPHONE_LINES), FB)
    again_on = wire(make_offer(FB, [PCMU], previous=answer_on))
    assert again_on.media[0].proto == "RTP/AVPF"
    assert again_on.media[0].attrs("rtcp-fb") == ["* trr-int 3000"]  # what was agreed
    # Nothing changed: the same SDP, the o= version kept (RFC 3264 §8).
    same = make_offer(FB, [PCMU], previous=answer_on)
    assert same.to_lines() == answer_on.to_lines()
