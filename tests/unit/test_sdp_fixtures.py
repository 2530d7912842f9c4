"""Real-world SDP bodies (tests/data/sdp, see its README for which are captured or rebuilt)."""

from __future__ import annotations

from pathlib import Path

import pytest

from parley.sip.offer_answer import CodecSpec, OfferAnswerError, make_answer, process_answer
from parley.sip.sdp import Connection, RtcpAttribute, RtpMap, parse_sdp

DATA = Path(__file__).resolve().parent.parent / "data" / "sdp"
FILES = sorted(DATA.glob("*.sdp"))

OURS = [
    CodecSpec("opus", 48000, 2, "minptime=10;useinbandfec=1"),
    CodecSpec("G722", 8000, 1, "", 9),
    CodecSpec("PCMA", 8000, 1, "", 8),
    CodecSpec("PCMU", 8000, 1, "", 0),
]


def load(name: str) -> bytes:
    return (DATA / name).read_bytes()


def test_fixtures_present() -> None:
    assert len(FILES) >= 10


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_fixture_parses_and_round_trips(path: Path) -> None:
    sdp = parse_sdp(path.read_bytes())
    assert sdp.media
    text = str(sdp)
    assert parse_sdp(text) == sdp
    assert str(parse_sdp(text)) == text


@pytest.mark.parametrize(
    "name",
    [
        "baresip-1.0-offer.sdp",
        "linphone-5.1-offer.sdp",
        "asterisk-18-pjsip-offer.sdp",
        "3cx-v18-offer.sdp",
        "kamailio-rtpengine-offer.sdp",
        "freepbx-13-chansip-audio-video-offer.sdp",
    ],
)
def test_crlf_fixtures_serialise_byte_for_byte(name: str) -> None:
    assert parse_sdp(load(name)).to_bytes() == load(name)


def test_baresip_offer() -> None:
    sdp = parse_sdp(load("baresip-1.0-offer.sdp"))
    assert sdp.attr("tool") == "baresip 1.0.0"
    m = sdp.media[0]
    assert m.payload_types == [0, 8, 9, 96, 101]
    assert m.codec(96) == RtpMap(96, "opus", 48000, 2)
    assert m.fmtp(101) == "0-15"
    assert m.ptime == 20 and m.attr("minptime") == "20"
    assert m.ssrcs[0].attribute == "cname"
    answer, neg = make_answer(sdp, OURS, "127.0.0.1", 40000)
    assert neg.codec.name == "opus" and neg.payload_type == 96
    assert neg.fmtp == {"stereo": "1", "sprop-stereo": "1"}
    # baresip offers telephone-event only at 8000: better that than no DTMF.
    assert neg.telephone_event_pt == 101 and neg.telephone_event_clock_rate == 8000
    assert answer.media[0].formats == ["96", "9", "8", "0", "101"]


def test_linphone_offer_ipv6_static_without_rtpmap() -> None:
    sdp = parse_sdp(load("linphone-5.1-offer.sdp"))
    assert sdp.connection == Connection("2001:db8::2", "IP6")
    m = sdp.media[0]
    assert m.codec(18) == RtpMap(18, "G729", 8000, 1)  # static type, only an fmtp given
    assert sdp.attr("rtcp-xr") is not None
    _, neg = make_answer(sdp, OURS[2:], "2001:db8::99", 40000)
    assert neg.codec.name == "PCMA" and neg.payload_type == 8
    assert neg.telephone_event_pt == 101
    assert neg.remote_address == "2001:db8::2"
    _, neg = make_answer(sdp, OURS, "2001:db8::99", 40000)
    assert (neg.payload_type, neg.telephone_event_pt) == (96, 99)  # te/48000 goes with opus


def test_three_cx_crypto_in_plain_rtp_profile() -> None:
    sdp = parse_sdp(load("3cx-v18-offer.sdp"))
    m = sdp.media[0]
    assert [c.suite for c in m.crypto] == ["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32"]
    assert m.crypto[1].session_params == ("UNENCRYPTED_SRTCP",)
    answer, neg = make_answer(sdp, OURS, "192.0.2.99", 40000)
    assert neg.codec.name == "G722"
    assert not answer.media[0].crypto  # no SRTP yet: we answer plain RTP


def test_cisco_lf_and_trailing_space() -> None:
    raw = load("cisco-cucm-12-offer.sdp")
    assert b"\r" not in raw and b" \n" in raw
    sdp = parse_sdp(raw)
    assert sdp.origin.address == "10.20.30.1"
    assert [str(b) for b in sdp.bandwidths] == ["TIAS:64000", "AS:64"]
    assert sdp.media[0].direction is None
    _, neg = make_answer(sdp, OURS, "192.0.2.99", 40000)
    assert neg.direction == "sendrecv" and neg.codec.name == "PCMA"


def test_cisco_hold_is_detected() -> None:
    sdp = parse_sdp(load("cisco-cucm-12-hold.sdp"))
    assert sdp.connection is not None and sdp.connection.is_null
    assert sdp.is_hold(sdp.media[0])
    answer, neg = make_answer(sdp, OURS, "192.0.2.99", 40000)
    assert neg.remote_hold and neg.direction == "inactive"
    assert answer.media[0].direction == "inactive"


def test_asterisk_moh_hold() -> None:
    sdp = parse_sdp(load("asterisk-18-pjsip-moh-hold.sdp"))
    answer, neg = make_answer(sdp, OURS, "192.0.2.99", 40000)
    assert neg.remote_hold and neg.direction == "recvonly"
    assert answer.media[0].direction == "recvonly"


def test_freepbx_video_rejected_with_port_zero() -> None:
    sdp = parse_sdp(load("freepbx-13-chansip-audio-video-offer.sdp"))
    assert sdp.media[1].codec(34) == RtpMap(34, "H263", 90000, None)
    answer, neg = make_answer(sdp, OURS, "192.0.2.99", 40000)
    assert [m.port for m in answer.media] == [40000, 0]
    assert answer.media[1].media == "video" and answer.media[1].formats == ["99", "34"]
    assert neg.stream_index == 0
    # The far end reads our answer back: same result the other way round.
    back = process_answer(sdp, parse_sdp(answer.to_bytes()))
    assert back.codec.name == "PCMA"


def test_rtpengine_offer_and_ipv6_answer() -> None:
    sdp = parse_sdp(load("kamailio-rtpengine-offer.sdp"))
    assert sdp.attr("rtpengine") == "6c1b3bb2a2d4"
    assert sdp.media[0].mid == "0"
    assert sdp.media[0].rtcp == RtcpAttribute(30011)
    _, neg = make_answer(sdp, OURS, "192.0.2.99", 40000)
    assert (neg.remote_rtcp_address, neg.remote_rtcp_port) == ("192.0.2.50", 30011)
    v6 = parse_sdp(load("rtpengine-ipv6-answer.sdp"))
    m = v6.media[0]
    assert m.rtcp == RtcpAttribute(40120, "IN", "IP6", "2001:db8::50")
    assert m.rtcp_mux


def test_every_line_type() -> None:
    sdp = parse_sdp(load("every-line-type.sdp"))
    assert sdp.information and sdp.uri and sdp.emails and sdp.phones
    assert sdp.connection == Connection("233.252.0.7", ttl=32, count=2)
    assert [t.repeats for t in sdp.timings] == [["7d 1h 0 25h"], []]
    assert sdp.zone == "3724394400 -1h 3737000000 0"
    assert sdp.key == "prompt" and sdp.media[0].key == "prompt"
    assert sdp.media[0].port_count == 2 and sdp.media[0].title == "Voice"
    assert sdp.media[0].maxptime == 120
    assert sdp.media[1].formats == ["wb"]
    with pytest.raises(OfferAnswerError, match="multicast"):
        make_answer(sdp, OURS, "192.0.2.99", 40000)
