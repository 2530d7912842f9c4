"""SDP offer/answer (RFC 3264) for one audio stream."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from parley.sip.offer_answer import (
    CodecSpec,
    OfferAnswerError,
    SessionParams,
    answer_direction,
    hold_offer,
    intersect_directions,
    make_answer,
    make_offer,
    process_answer,
    reverse_direction,
)
from parley.sip.sdp import Direction, RtcpAttribute, RtpMap, SessionDescription, parse_sdp

OPUS = CodecSpec("opus", 48000, 2, "minptime=10;useinbandfec=1")
G722 = CodecSpec("G722", 8000, 1, "", 9)
PCMA = CodecSpec("PCMA", 8000, 1, "", 8)
PCMU = CodecSpec("PCMU", 8000, 1, "", 0)
DEFAULT = [OPUS, G722, PCMA, PCMU]
ME = SessionParams("192.0.2.1", 4000, session_id="1000")


def offer_text(
    formats: str, *lines: str, conn: str = "192.0.2.50", port: int = 30000
) -> SessionDescription:
    body = [
        "v=0",
        "o=them 77 77 IN IP4 192.0.2.50",
        "s=-",
        f"c=IN IP4 {conn}",
        "t=0 0",
        f"m=audio {port} RTP/AVP {formats}",
        *lines,
    ]
    return parse_sdp("\r\n".join(body) + "\r\n")


def wire(sdp: SessionDescription) -> SessionDescription:
    """What the far end would see: bytes and back."""
    return parse_sdp(sdp.to_bytes())


# --- offers ---------------------------------------------------------------------------------


def test_default_offer() -> None:
    offer = make_offer(ME, DEFAULT)
    assert str(offer) == (
        "v=0\r\n"
        "o=- 1000 1000 IN IP4 192.0.2.1\r\n"
        "s=Parley\r\n"
        "c=IN IP4 192.0.2.1\r\n"
        "t=0 0\r\n"
        "m=audio 4000 RTP/AVP 96 9 8 0 97 101\r\n"
        "a=rtpmap:96 opus/48000/2\r\n"
        "a=fmtp:96 minptime=10;useinbandfec=1\r\n"
        "a=rtpmap:9 G722/8000\r\n"
        "a=rtpmap:8 PCMA/8000\r\n"
        "a=rtpmap:0 PCMU/8000\r\n"
        "a=rtpmap:97 telephone-event/48000\r\n"
        "a=fmtp:97 0-16\r\n"
        "a=rtpmap:101 telephone-event/8000\r\n"
        "a=fmtp:101 0-16\r\n"
        "a=ptime:20\r\n"
        "a=sendrecv\r\n"
    )


def test_offer_ipv6_rtcp_and_options() -> None:
    params = SessionParams(
        "2001:db8::1",
        5000,
        rtcp_port=5003,
        ptime=30,
        maxptime=60,
        rtcp_mux=False,
        username="parley",
        session_name="call",
    )
    offer = make_offer(params, [PCMU], rng=random.Random(1))
    assert offer.connection is not None and offer.connection.addrtype == "IP6"
    assert offer.origin.addrtype == "IP6" and offer.origin.username == "parley"
    assert offer.origin.session_id.isdigit()
    m = offer.media[0]
    assert m.formats == ["0", "101"]
    assert m.rtcp == RtcpAttribute(5003)
    assert (m.ptime, m.maxptime) == (30, 60)
    mux = make_offer(SessionParams("192.0.2.1", 4000, rtcp_mux=True), [PCMU]).media[0]
    assert mux.rtcp_mux


def test_offer_session_id_is_random_but_injectable() -> None:
    a = make_offer(SessionParams("192.0.2.1", 4000), [PCMU], rng=random.Random(7))
    b = make_offer(SessionParams("192.0.2.1", 4000), [PCMU], rng=random.Random(7))
    assert a.origin.session_id == b.origin.session_id
    assert a.origin.session_version == int(a.origin.session_id)


def test_telephone_event_per_clock_rate_and_options() -> None:
    only8k = make_offer(ME, [PCMA, PCMU]).media[0]
    assert only8k.formats == ["8", "0", "101"]
    none = make_offer(SessionParams("192.0.2.1", 4000, telephone_event=False), DEFAULT).media[0]
    assert "telephone-event" not in str(none.attributes)
    custom = make_offer(ME, [PCMU, CodecSpec("telephone-event", 8000, 1, "0-15")]).media[0]
    assert custom.fmtp(101) == "0-15"
    assert len(custom.attrs("rtpmap")) == 2


def test_offer_needs_an_audio_codec() -> None:
    with pytest.raises(ValueError):
        make_offer(ME, [])


def test_dynamic_payload_types_never_clash() -> None:
    many = [CodecSpec(f"X{i}", 8000) for i in range(31)]
    pts = make_offer(ME, many).media[0].payload_types
    assert len(set(pts)) == len(pts) == 32
    assert all(96 <= pt <= 127 for pt in pts)
    assert pts[-1] == 101  # telephone-event/8000 still gets its customary number
    with pytest.raises(ValueError, match="dynamic payload"):
        make_offer(ME, [CodecSpec(f"X{i}", 8000) for i in range(32)])


# --- re-offers and o= versions (RFC 3264 §8) ------------------------------------------------


def test_unchanged_reoffer_keeps_version() -> None:
    first = make_offer(ME, DEFAULT)
    again = make_offer(SessionParams("192.0.2.1", 4000, session_id="999"), DEFAULT, previous=first)
    assert again.origin == first.origin
    assert str(again) == str(first)


def test_changed_codec_reoffer_bumps_version_and_keeps_numbers() -> None:
    first = make_offer(ME, DEFAULT)
    second = make_offer(ME, [PCMU], previous=first)
    assert second.origin.session_version == first.origin.session_version + 1
    assert second.origin.session_id == first.origin.session_id
    assert second.media[0].formats == ["0", "101"]
    third = make_offer(ME, [OPUS, PCMU], previous=second)
    # Opus had 96 in the first offer, but the previous SDP no longer lists it: 96 is
    # free again in that SDP, and te/48000 appears fresh.
    assert third.origin.session_version == first.origin.session_version + 2
    assert third.media[0].rtpmaps[101] == RtpMap(101, "telephone-event", 8000)


def test_reoffer_never_reuses_a_number_for_another_codec() -> None:
    previous = offer_text("96 0", "a=rtpmap:96 speex/16000")
    previous.origin.username = "-"
    offer = make_offer(ME, [OPUS, PCMU], previous=previous)
    rtpmaps = offer.media[0].rtpmaps
    assert rtpmaps[0].encoding == "PCMU"
    opus_pt = next(pt for pt, rm in rtpmaps.items() if rm.encoding == "opus")
    assert opus_pt != 96
    assert offer.origin.session_id == "77"
    assert offer.origin.session_version == 78


def test_reoffer_after_answer_keeps_offerers_numbers_and_rejected_streams() -> None:
    remote = parse_sdp(
        "v=0\r\no=x 5 5 IN IP4 192.0.2.50\r\ns=-\r\nc=IN IP4 192.0.2.50\r\nt=0 0\r\n"
        "m=audio 3000 RTP/AVP 111 8 126\r\na=rtpmap:111 opus/48000/2\r\n"
        "a=rtpmap:126 telephone-event/48000\r\nm=video 3002 RTP/AVP 100\r\na=rtpmap:100 VP8/90000\r\n"
    )
    answer, _ = make_answer(remote, DEFAULT, "192.0.2.1", 4000)
    assert [m.port for m in answer.media] == [4000, 0]
    reoffer = make_offer(ME, DEFAULT, previous=answer)
    assert [m.media for m in reoffer.media] == ["audio", "video"]
    assert reoffer.media[1].port == 0
    rm = reoffer.media[0].rtpmaps
    assert rm[111].encoding == "opus" and rm[126].encoding == "telephone-event"
    assert rm[8].encoding == "PCMA"


# --- answers ---------------------------------------------------------------------------------


def test_answer_follows_our_order_with_offerers_numbers() -> None:
    offer = offer_text(
        "0 8 111 9 110",
        "a=rtpmap:111 OPUS/48000/2",
        "a=fmtp:111 useinbandfec=1;maxplaybackrate=16000",
        "a=rtpmap:110 telephone-event/48000",
        "a=ptime:40",
    )
    answer, neg = make_answer(offer, DEFAULT, "192.0.2.1", 4000)
    m = answer.media[0]
    assert m.formats == ["111", "9", "8", "0", "110"]
    assert m.fmtp(111) == OPUS.fmtp  # what WE want to receive
    assert neg.codec == OPUS and neg.payload_type == 111
    assert neg.fmtp == {"useinbandfec": "1", "maxplaybackrate": "16000"}  # what THEY want
    assert neg.telephone_event_pt == 110 and neg.telephone_event_clock_rate == 48000
    assert neg.ptime == 40
    assert neg.codecs == (OPUS, G722, PCMA, PCMU)
    assert set(neg.receive_payload_types) == {111, 9, 8, 0, 110}
    assert (neg.remote_address, neg.remote_port) == ("192.0.2.50", 30000)
    assert (neg.remote_rtcp_address, neg.remote_rtcp_port) == ("192.0.2.50", 30001)
    assert neg.direction == "sendrecv" and not neg.remote_hold
    assert neg.can_send and neg.can_receive


def test_answer_in_their_order_on_request() -> None:
    offer = offer_text("0 8 9")
    answer, neg = make_answer(offer, DEFAULT, "192.0.2.1", 4000, prefer="theirs")
    assert answer.media[0].formats == ["0", "8", "9"]
    assert neg.codec == PCMU


def test_answer_drops_codecs_we_lack_and_orders_telephone_events() -> None:
    offer = offer_text(
        "18 3 0 96 101 97",
        "a=rtpmap:96 opus/48000/2",
        "a=rtpmap:101 telephone-event/8000",
        "a=rtpmap:97 telephone-event/48000",
    )
    answer, neg = make_answer(offer, DEFAULT, "192.0.2.1", 4000)
    assert answer.media[0].formats == ["96", "0", "97", "101"]
    assert neg.telephone_event_pt == 97
    _, neg = make_answer(offer, [PCMU], "192.0.2.1", 4000)
    assert neg.telephone_event_pt == 101


def test_answer_without_telephone_event() -> None:
    offer = offer_text("0 101", "a=rtpmap:101 telephone-event/8000")
    answer, neg = make_answer(
        offer, DEFAULT, "192.0.2.1", 4000, params=SessionParams("x", 1, telephone_event=False)
    )
    assert answer.media[0].formats == ["0"] and neg.telephone_event_pt is None
    _, neg = make_answer(offer_text("0"), DEFAULT, "192.0.2.1", 4000)
    assert neg.telephone_event_pt is None


def test_no_common_codec_is_488_with_a_clear_message() -> None:
    offer = offer_text("18 3", "a=rtpmap:18 G729/8000")
    with pytest.raises(OfferAnswerError) as info:
        make_answer(offer, DEFAULT, "192.0.2.1", 4000)
    assert info.value.status == 488 and info.value.reason == "Not Acceptable Here"
    text = str(info.value)
    assert "no common audio codec" in text and "G729/8000, GSM/8000" in text
    assert "opus/48000/2, G722/8000, PCMA/8000, PCMU/8000" in text


@pytest.mark.parametrize(
    ("sdp", "fragment"),
    [
        ("m=audio 3000 RTP/SAVP 0\r\n", "RTP/SAVP"),
        ("m=video 3000 RTP/AVP 31\r\n", "no active audio stream"),
        ("m=audio 0 RTP/AVP 0\r\n", "no active audio stream"),
        ("m=audio 3000 RTP/AVP 0\r\nc=IN IP4 233.252.0.1/16\r\n", "multicast"),
        ("", "no active audio stream"),
    ],
)
def test_unacceptable_offers(sdp: str, fragment: str) -> None:
    head = "v=0\r\no=- 1 1 IN IP4 192.0.2.50\r\ns=-\r\nt=0 0\r\n"
    if "c=" not in sdp:
        head = head.replace("t=0 0", "c=IN IP4 192.0.2.50\r\nt=0 0")
    with pytest.raises(OfferAnswerError, match=fragment):
        make_answer(parse_sdp(head + sdp), DEFAULT, "192.0.2.1", 4000)


def test_missing_connection_is_refused() -> None:
    offer = parse_sdp(
        "v=0\r\no=- 1 1 IN IP4 192.0.2.50\r\ns=-\r\nt=0 0\r\nm=audio 3000 RTP/AVP 0\r\n"
    )
    with pytest.raises(OfferAnswerError, match="no connection address"):
        make_answer(offer, DEFAULT, "192.0.2.1", 4000)


def test_first_usable_audio_stream_wins_others_port_zero() -> None:
    offer = parse_sdp(
        "v=0\r\no=- 1 1 IN IP4 192.0.2.50\r\ns=-\r\nc=IN IP4 192.0.2.50\r\nt=0 0\r\n"
        "m=audio 3000 RTP/SAVP 0\r\nm=audio 3002 RTP/AVPF 18\r\nm=audio 3004 RTP/AVPF 8\r\n"
        "m=audio 3006 RTP/AVP 0\r\nm=image 3008 udptl t38\r\n"
    )
    answer, neg = make_answer(offer, DEFAULT, "192.0.2.1", 4000)
    assert [m.port for m in answer.media] == [0, 0, 4000, 0, 0]
    assert answer.media[2].proto == "RTP/AVPF"
    assert neg.stream_index == 2 and neg.codec == PCMA
    assert answer.media[4].formats == ["t38"]


def test_g722_16000_and_opus_without_channels_tolerated() -> None:
    offer = offer_text("96 97", "a=rtpmap:96 opus/48000", "a=rtpmap:97 G722/16000")
    _, neg = make_answer(offer, [G722, OPUS], "192.0.2.1", 4000)
    assert neg.codec == G722 and neg.payload_type == 97
    _, neg = make_answer(offer, [OPUS], "192.0.2.1", 4000)
    assert neg.codec == OPUS and neg.payload_type == 96


def test_rtcp_attribute_and_mux_in_answers() -> None:
    offer = offer_text("0", "a=rtcp:31000 IN IP4 192.0.2.51", "a=rtcp-mux")
    answer, neg = make_answer(offer, DEFAULT, "192.0.2.1", 4000)
    assert not neg.rtcp_mux and not answer.media[0].rtcp_mux  # we did not ask for mux
    assert (neg.remote_rtcp_address, neg.remote_rtcp_port) == ("192.0.2.51", 31000)
    params = SessionParams("x", 0, rtcp_mux=True)
    answer, neg = make_answer(offer, DEFAULT, "192.0.2.1", 4000, params=params)
    assert neg.rtcp_mux and answer.media[0].rtcp_mux
    assert (neg.remote_rtcp_address, neg.remote_rtcp_port) == ("192.0.2.50", 30000)
    _, neg = make_answer(offer_text("0"), DEFAULT, "192.0.2.1", 4000, params=params)
    assert not neg.rtcp_mux


def test_odd_ptime_values() -> None:
    _, neg = make_answer(
        offer_text("0", "a=ptime:30.0", "a=maxptime:60"), DEFAULT, "192.0.2.1", 4000
    )
    assert (neg.ptime, neg.maxptime) == (30, 60)
    _, neg = make_answer(offer_text("0", "a=ptime:0"), DEFAULT, "192.0.2.1", 4000)
    assert neg.ptime == 20


# --- directions (RFC 3264 §6.1) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("theirs", "ours", "answer"),
    [
        ("sendrecv", "sendrecv", "sendrecv"),
        ("sendonly", "sendrecv", "recvonly"),
        ("recvonly", "sendrecv", "sendonly"),
        ("inactive", "sendrecv", "inactive"),
        ("sendrecv", "sendonly", "sendonly"),
        ("sendonly", "sendonly", "inactive"),
        ("recvonly", "recvonly", "inactive"),
        ("sendrecv", "inactive", "inactive"),
    ],
)
def test_answer_direction_table(theirs: Direction, ours: Direction, answer: Direction) -> None:
    offer = offer_text("0", f"a={theirs}")
    sdp, neg = make_answer(offer, DEFAULT, "192.0.2.1", 4000, direction=ours)
    assert sdp.media[0].direction == answer
    assert neg.direction == answer
    assert neg.remote_hold is (theirs in ("sendonly", "inactive"))


def test_rfc2543_hold_offer_is_recognised() -> None:
    offer = offer_text("0", conn="0.0.0.0")
    answer, neg = make_answer(offer, DEFAULT, "192.0.2.1", 4000)
    assert neg.remote_hold and neg.direction == "recvonly"
    assert answer.connection is not None and answer.connection.address == "192.0.2.1"
    assert answer_direction(offer, offer.media[0]) == "recvonly"


def test_direction_helpers() -> None:
    assert reverse_direction("sendonly") == "recvonly"
    assert reverse_direction("recvonly") == "sendonly"
    assert reverse_direction("inactive") == "inactive"
    assert intersect_directions("sendrecv", "recvonly") == "recvonly"
    assert intersect_directions("sendonly", "recvonly") == "inactive"


# --- processing answers -------------------------------------------------------------------------


def test_full_exchange_is_symmetric() -> None:
    offer = make_offer(ME, DEFAULT)
    answer, theirs = make_answer(wire(offer), [PCMA, OPUS], "192.0.2.2", 5000)
    ours = process_answer(offer, wire(answer))
    assert ours.codec.name == theirs.codec.name == "PCMA"
    assert ours.payload_type == theirs.payload_type == 8
    assert ours.telephone_event_pt == theirs.telephone_event_pt == 101
    assert (ours.remote_address, ours.remote_port) == ("192.0.2.2", 5000)
    assert (theirs.remote_address, theirs.remote_port) == ("192.0.2.1", 4000)
    assert ours.direction == theirs.direction == "sendrecv"
    assert ours.codec == CodecSpec("PCMA", 8000, 1, "", 8)
    assert ours.codecs == (PCMA, CodecSpec("opus", 48000, 2, OPUS.fmtp))


def test_process_answer_returns_callers_codec_objects() -> None:
    offer = make_offer(ME, DEFAULT)
    answer, _ = make_answer(wire(offer), DEFAULT, "192.0.2.2", 5000)
    neg = process_answer(offer, wire(answer), DEFAULT)
    assert neg.codec is OPUS
    assert neg.receive_payload_types[96] is OPUS


def test_answerer_with_own_payload_numbers() -> None:
    offer = make_offer(ME, [OPUS, PCMU])
    answer = parse_sdp(
        "v=0\r\no=b 1 1 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\n"
        "m=audio 5000 RTP/AVP 120 0 121\r\na=rtpmap:120 opus/48000/2\r\na=fmtp:120 stereo=0\r\n"
        "a=rtpmap:121 telephone-event/48000\r\na=ptime:40\r\n"
    )
    neg = process_answer(offer, answer)
    assert neg.payload_type == 120 and neg.codec.name == "opus"
    assert neg.fmtp == {"stereo": "0"}
    assert neg.telephone_event_pt == 121
    assert neg.receive_payload_types[96].name == "opus"  # our number, what they should use
    assert neg.receive_payload_types[120].name == "opus"  # theirs, in case they use it
    assert neg.ptime == 40


def test_answer_may_lean_on_offered_rtpmap() -> None:
    offer = make_offer(ME, [OPUS, PCMU])
    answer = parse_sdp(
        "v=0\r\no=b 1 1 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\nm=audio 5000 RTP/AVP 96\r\n"
    )
    assert process_answer(offer, answer).codec.name == "opus"


@pytest.mark.parametrize(
    ("media", "fragment"),
    [
        ("m=audio 5000 RTP/AVP 18\r\n", "No common audio codec"),
        ("m=audio 0 RTP/AVP 0\r\n", "rejected the audio"),
        ("m=video 5000 RTP/AVP 31\r\n", "m=video"),
        ("m=audio 5000 RTP/AVP 0\r\nm=audio 5002 RTP/AVP 0\r\n", "2 media lines"),
        ("", "0 media lines"),
    ],
)
def test_bad_answers(media: str, fragment: str) -> None:
    offer = make_offer(ME, [PCMU])
    answer = parse_sdp(
        "v=0\r\no=b 1 1 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\n" + media
    )
    with pytest.raises(OfferAnswerError, match=fragment):
        process_answer(offer, answer)


def test_answer_without_connection_and_offer_without_audio() -> None:
    offer = make_offer(ME, [PCMU])
    answer = parse_sdp(
        "v=0\r\no=b 1 1 IN IP4 192.0.2.2\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n"
    )
    with pytest.raises(OfferAnswerError, match="no connection"):
        process_answer(offer, answer)
    video = parse_sdp(
        "v=0\r\no=b 1 1 IN IP4 192.0.2.2\r\ns=-\r\nt=0 0\r\nm=video 5000 RTP/AVP 31\r\n"
    )
    with pytest.raises(OfferAnswerError, match="no active audio"):
        process_answer(video, video)


def test_answer_directions_seen_by_offerer() -> None:
    held_offer = make_offer(SessionParams("192.0.2.1", 4000, direction="sendonly"), [PCMU])
    answer, theirs = make_answer(wire(held_offer), [PCMU], "192.0.2.2", 5000)
    assert theirs.direction == "recvonly" and theirs.remote_hold
    ours = process_answer(held_offer, wire(answer))
    assert ours.direction == "sendonly" and not ours.remote_hold
    # The far end holds us in its answer (it was holding when we re-offered).
    answer, _ = make_answer(
        wire(make_offer(ME, [PCMU])), [PCMU], "192.0.2.2", 5000, direction="sendonly"
    )
    ours = process_answer(make_offer(ME, [PCMU]), wire(answer))
    assert ours.direction == "recvonly" and ours.remote_hold


def test_late_offer_both_ways() -> None:
    # INVITE without SDP: the callee offers in its 200, the caller answers in the ACK.
    callee_offer = make_offer(SessionParams("192.0.2.2", 5000), [PCMU, PCMA])
    ack_body, caller = make_answer(wire(callee_offer), DEFAULT, "192.0.2.1", 4000)
    callee = process_answer(callee_offer, wire(ack_body))
    assert caller.codec.name == callee.codec.name == "PCMA"  # the caller's (answerer's) order
    # An offerless re-INVITE is answered with the unchanged session: same o= version.
    again = make_offer(SessionParams("192.0.2.2", 5000), [PCMU, PCMA], previous=callee_offer)
    assert again.origin.session_version == callee_offer.origin.session_version


def test_answer_version_follows_previous() -> None:
    offer = offer_text("0 8")
    first, _ = make_answer(offer, DEFAULT, "192.0.2.1", 4000)
    same, _ = make_answer(offer, DEFAULT, "192.0.2.1", 4000, previous=first)
    assert same.origin == first.origin and str(same) == str(first)
    changed, _ = make_answer(offer_text("8"), DEFAULT, "192.0.2.1", 4000, previous=first)
    assert changed.origin.session_version == first.origin.session_version + 1


# --- hold ------------------------------------------------------------------------------------


def test_hold_rfc3264() -> None:
    active = make_offer(ME, [PCMU])
    held = hold_offer(active)
    assert held.media[0].direction == "sendonly"
    assert held.connection == active.connection
    assert held.origin.session_version == active.origin.session_version + 1
    lines = set(str(held).splitlines()) ^ set(str(active).splitlines())
    assert lines == {
        "a=sendrecv",
        "a=sendonly",
        f"o=- 1000 {active.origin.session_version} IN IP4 192.0.2.1",
        f"o=- 1000 {held.origin.session_version} IN IP4 192.0.2.1",
    }
    # Holding while they hold us: inactive.
    recvonly = make_offer(SessionParams("192.0.2.1", 4000, direction="recvonly"), [PCMU])
    assert hold_offer(recvonly).media[0].direction == "inactive"
    assert hold_offer(held).media[0].direction == "sendonly"


def test_hold_rfc2543_and_resume() -> None:
    active = make_offer(ME, [PCMU])
    held = hold_offer(active, "rfc2543")
    assert held.connection is not None and held.connection.address == "0.0.0.0"
    assert held.media[0].direction == "sendonly"
    assert held.media[0].port == 4000
    far = wire(held)
    assert far.is_hold(far.media[0])
    resumed = make_offer(ME, [PCMU], previous=held)
    assert resumed.connection is not None and resumed.connection.address == "192.0.2.1"
    assert resumed.media[0].direction == "sendrecv"
    assert resumed.origin.session_version == held.origin.session_version + 1


def test_hold_rfc2543_ipv6_and_media_level_connection() -> None:
    sdp = parse_sdp(
        "v=0\r\no=- 1 1 IN IP6 2001:db8::1\r\ns=-\r\nt=0 0\r\na=sendrecv\r\n"
        "m=audio 4000 RTP/AVP 0\r\nc=IN IP6 2001:db8::1\r\n"
    )
    held = hold_offer(sdp, "rfc2543")
    assert held.media[0].connections[0].address == "::"
    assert held.direction is None and held.media[0].direction == "sendonly"


def test_hold_errors() -> None:
    with pytest.raises(ValueError):
        hold_offer(make_offer(ME, [PCMU]), "shout")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        hold_offer(SessionDescription())


# --- codec data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeCodecInfo:
    name: str
    clock_rate: int
    sample_rate: int
    channels: int
    static_pt: int | None
    fmtp: str
    key: str


def test_codec_spec_from_media_like_object() -> None:
    info = FakeCodecInfo("opus", 48000, 48000, 2, None, "useinbandfec=1", "opus")
    spec = CodecSpec.of(info)
    assert spec == CodecSpec("opus", 48000, 2, "useinbandfec=1", None)
    assert str(spec) == "opus/48000/2" and str(PCMU) == "PCMU/8000"
    assert spec.rtpmap(111) == RtpMap(111, "opus", 48000, 2)
    assert PCMU.rtpmap(0) == RtpMap(0, "PCMU", 8000, None)
    assert PCMU.matches(RtpMap(0, "pcmu", 8000, 1))
    assert not PCMU.matches(RtpMap(0, "PCMU", 16000))
    assert not PCMU.matches(RtpMap(0, "PCMU", 8000, 2))
