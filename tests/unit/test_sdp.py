"""SDP parser and serialiser (RFC 4566 / RFC 8866)."""

from __future__ import annotations

import pytest

from parley.sip.sdp import (
    Attribute,
    Connection,
    Crypto,
    MediaDescription,
    RtcpAttribute,
    RtpMap,
    SdpParseError,
    SessionDescription,
    SsrcAttribute,
    parse_fmtp_params,
    parse_sdp,
)

BASIC = (
    "v=0\r\n"
    "o=alice 2890844526 2890844527 IN IP4 192.0.2.1\r\n"
    "s=-\r\n"
    "c=IN IP4 192.0.2.1\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/AVP 0 8 96 101\r\n"
    "a=rtpmap:96 opus/48000/2\r\n"
    "a=fmtp:96 minptime=10; useinbandfec=1\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-16\r\n"
    "a=ptime:20\r\n"
    "a=maxptime:60\r\n"
    "a=rtcp:53020 IN IP4 192.0.2.9\r\n"
    "a=x-vendor-thing:keep me:as is\r\n"
    "a=sendonly\r\n"
)


def test_basic_fields() -> None:
    sdp = parse_sdp(BASIC.encode())
    assert sdp.version == 0
    assert sdp.origin.username == "alice"
    assert sdp.origin.session_id == "2890844526"
    assert sdp.origin.session_version == 2890844527
    assert sdp.origin.address == "192.0.2.1"
    assert sdp.session_name == "-"
    assert sdp.connection == Connection("192.0.2.1", "IP4", "IN")
    assert [(t.start, t.stop) for t in sdp.timings] == [(0, 0)]
    (m,) = sdp.media
    assert (m.media, m.port, m.proto, m.formats) == (
        "audio",
        49170,
        "RTP/AVP",
        ["0", "8", "96", "101"],
    )
    assert m.payload_types == [0, 8, 96, 101]


def test_typed_attribute_views() -> None:
    m = parse_sdp(BASIC).media[0]
    assert m.rtpmaps == {
        96: RtpMap(96, "opus", 48000, 2),
        101: RtpMap(101, "telephone-event", 8000, None),
    }
    assert m.codec(0) == RtpMap(0, "PCMU", 8000, 1)  # static, no rtpmap needed
    assert m.codec(8) == RtpMap(8, "PCMA", 8000, 1)
    assert m.codec(77) is None
    assert m.fmtp(96) == "minptime=10; useinbandfec=1"
    assert parse_fmtp_params(m.fmtp(96) or "") == {"minptime": "10", "useinbandfec": "1"}
    assert parse_fmtp_params(m.fmtp("101") or "") == {"0-16": None}
    assert m.fmtp(0) is None
    assert m.ptime == 20
    assert m.maxptime == 60
    assert m.rtcp == RtcpAttribute(53020, "IN", "IP4", "192.0.2.9")
    assert not m.rtcp_mux
    assert m.direction == "sendonly"
    assert m.attr("x-vendor-thing") == "keep me:as is"


def test_serialises_canonically_with_crlf() -> None:
    sdp = parse_sdp(BASIC)
    assert str(sdp) == BASIC
    assert sdp.to_bytes() == BASIC.encode()


def test_lf_line_ends_trailing_space_and_blank_lines_tolerated() -> None:
    sloppy = BASIC.replace("\r\n", "  \n").replace("t=0 0  \n", "t=0 0\t\n\n") + "\n\n"
    assert parse_sdp(sloppy) == parse_sdp(BASIC)
    assert str(parse_sdp(sloppy)) == BASIC


def test_latin1_body_does_not_fail() -> None:
    body = BASIC.replace("s=-", "s=Büro").encode("latin-1")
    assert parse_sdp(body).session_name == "Büro"


def test_empty_session_name_tolerated() -> None:
    assert parse_sdp(BASIC.replace("s=-", "s=")).session_name == ""


def test_session_level_lines_in_odd_order_accepted() -> None:
    text = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=x\r\nt=0 0\r\nc=IN IP4 192.0.2.1\r\na=foo\r\n"
    sdp = parse_sdp(text)
    assert sdp.connection is not None and sdp.connection.address == "192.0.2.1"
    # Serialising puts the lines in RFC 8866 §5 order.
    assert str(sdp).index("c=") < str(sdp).index("t=")


def test_session_and_media_direction() -> None:
    text = BASIC.replace("a=sendonly\r\n", "").replace("t=0 0\r\n", "t=0 0\r\na=inactive\r\n")
    sdp = parse_sdp(text)
    m = sdp.media[0]
    assert m.direction is None
    assert sdp.direction == "inactive"
    assert sdp.direction_of(m) == "inactive"
    sdp.attributes.clear()
    assert sdp.direction_of(m) == "sendrecv"
    m.set_direction("recvonly")
    assert sdp.direction_of(m) == "recvonly"
    assert [a.name for a in m.attributes].count("recvonly") == 1


@pytest.mark.parametrize(
    ("line", "conn"),
    [
        ("c=IN IP4 192.0.2.5", Connection("192.0.2.5")),
        ("c=IN IP4 233.252.0.1/127", Connection("233.252.0.1", ttl=127)),
        ("c=IN IP4 233.252.0.1/127/3", Connection("233.252.0.1", ttl=127, count=3)),
        ("c=IN IP6 2001:db8::1", Connection("2001:db8::1", "IP6")),
        ("c=IN IP6 ff15::101/3", Connection("ff15::101", "IP6", count=3)),
        ("c=IN IP4 pbx.example.com", Connection("pbx.example.com")),
    ],
)
def test_connection_forms(line: str, conn: Connection) -> None:
    sdp = parse_sdp(f"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n{line}\r\nt=0 0\r\n")
    assert sdp.connection == conn
    assert str(sdp.connection) == line[2:]


def test_null_and_multicast_connections() -> None:
    assert Connection("0.0.0.0").is_null
    assert Connection("::", "IP6").is_null
    assert not Connection("192.0.2.1").is_null
    assert not Connection("pbx.example.com").is_null
    assert Connection("233.252.0.1", ttl=1).is_multicast
    assert not Connection("192.0.2.1").is_multicast


def test_hold_detection_both_styles() -> None:
    base = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 {addr}\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n{attr}"
    for addr, attr, held in [
        ("192.0.2.1", "", False),
        ("192.0.2.1", "a=sendrecv\r\n", False),
        ("192.0.2.1", "a=recvonly\r\n", False),
        ("192.0.2.1", "a=sendonly\r\n", True),
        ("192.0.2.1", "a=inactive\r\n", True),
        ("0.0.0.0", "", True),
        ("0.0.0.0", "a=sendonly\r\n", True),
    ]:
        sdp = parse_sdp(base.format(addr=addr, attr=attr))
        assert sdp.is_hold(sdp.media[0]) is held, (addr, attr)


def test_media_level_connection_overrides_session() -> None:
    text = BASIC.replace("a=ptime:20\r\n", "") + "m=audio 5000 RTP/AVP 0\r\nc=IN IP4 192.0.2.77\r\n"
    sdp = parse_sdp(text)
    assert sdp.connection_for(sdp.media[0]).address == "192.0.2.1"  # type: ignore[union-attr]
    assert sdp.connection_for(sdp.media[1]).address == "192.0.2.77"  # type: ignore[union-attr]


def test_crypto_ssrc_mid_rtcp_mux_kept_as_data() -> None:
    text = BASIC.replace(
        "a=sendonly\r\n",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20|1:32\r\n"
        "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj UNENCRYPTED_SRTP\r\n"
        "a=crypto:broken\r\n"
        "a=ssrc:4000000000 cname:user@example.org\r\n"
        "a=ssrc:12 msid\r\n"
        "a=ssrc:99999999999 cname:too-big\r\n"
        "a=mid:audio0\r\n"
        "a=rtcp-mux\r\n",
    )
    m = parse_sdp(text).media[0]
    assert m.crypto == [
        Crypto(
            1,
            "AES_CM_128_HMAC_SHA1_80",
            "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20|1:32",
        ),
        Crypto(
            2,
            "AES_CM_128_HMAC_SHA1_32",
            "inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj",
            ("UNENCRYPTED_SRTP",),
        ),
    ]
    assert m.ssrcs == [
        SsrcAttribute(4000000000, "cname", "user@example.org"),
        SsrcAttribute(12, "msid", None),
    ]
    assert m.mid == "audio0"
    assert m.rtcp_mux
    assert "a=crypto:broken\r\n" in str(parse_sdp(text))  # unknown forms survive verbatim


def test_port_count_and_non_rtp_formats() -> None:
    text = (
        "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
        "m=video 49170/2 RTP/AVP 31\r\nm=application 9 UDP/BFCP *\r\nm=image 0 udptl t38\r\n"
    )
    sdp = parse_sdp(text)
    assert sdp.media[0].port_count == 2
    assert sdp.media[1].formats == ["*"] and sdp.media[1].payload_types == []
    assert not sdp.media[2].is_rtp and sdp.media[0].is_rtp
    assert str(sdp) == text


def test_rejected_stream_without_formats_tolerated() -> None:
    text = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=video 0 RTP/AVP\r\n"
    assert parse_sdp(text).media[0].formats == []


def test_build_and_edit_model() -> None:
    sdp = SessionDescription(connection=Connection("192.0.2.1"))
    m = MediaDescription("audio", 4000, "RTP/AVP", ["0"], attributes=[Attribute("sendrecv")])
    sdp.media.append(m)
    m.add_attr("ptime", "20")
    m.remove_attr("sendrecv")
    assert parse_sdp(str(sdp)) == sdp
    assert sdp.copy() == sdp and sdp.copy() is not sdp


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "v=0"),
        ("v=1\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\n", "v=0"),
        ("v=0\r\ns=-\r\no=- 1 1 IN IP4 a\r\nt=0 0\r\n", "o= and s="),
        ("v=0\r\no=- 1 1 IN IP4\r\ns=-\r\nt=0 0\r\n", "o= needs 6 fields"),
        ("v=0\r\no=- 1 x IN IP4 a\r\ns=-\r\nt=0 0\r\n", "session version"),
        ("v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\n", "no t= line"),
        ("v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nm=audio 1 RTP/AVP 0\r\n", "no t= line"),
        ("v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nbogus\r\n", "<type>=<value>"),
        ("v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nA=x\r\n", "<type>=<value>"),
        ("v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nx=unknown\r\n", "x= is not allowed"),
        (
            "v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\nt=0 0\r\n",
            "t= is not allowed",
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\ni=a\r\ni=b\r\n",
            "more than one i=",
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nc=IN IP4 a\r\nc=IN IP4 b\r\nt=0 0\r\n",
            "more than one c=",
        ),
        ("v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nc=IN IP4\r\nt=0 0\r\n", "c= needs 3 fields"),
        ("v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nc=IN IP4 233.252.0.1/300\r\nt=0 0\r\n", "TTL"),
        ("v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nc=IN IP6 ff15::1/2/3\r\nt=0 0\r\n", "c= address"),
        ("v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nb=AS\r\nt=0 0\r\n", "b= line"),
        ("v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nb=AS:x\r\nt=0 0\r\n", "bandwidth"),
        ("v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0\r\n", "t= needs 2 fields"),
        ("v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nr=1 2 3\r\nt=0 0\r\n", "r= without"),
        ("v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nz=1\r\n", "z= line"),
        (
            "v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio 70000 RTP/AVP 0\r\n",
            "port out of range",
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio x RTP/AVP 0\r\n",
            "port is not a number",
        ),
        ("v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio 4000\r\n", "m= needs"),
        ("v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP\r\n", "without formats"),
        ("v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\na=:x\r\n", "attribute name"),
        (
            "v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 96\r\na=rtpmap:96\r\n",
            "rtpmap",
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 96\r\na=rtpmap:200 x/8000\r\n",
            "rtpmap",
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 96\r\na=rtpmap\r\n",
            "needs a value",
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 96\r\na=ptime:fast\r\n",
            "ptime",
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 96\r\na=rtcp:99999\r\n",
            "rtcp",
        ),
        ("v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 96\r\na=fmtp:\r\n", "fmtp"),
        (
            "v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 96\r\n"
            "a=rtpmap:96 opus/48000/2\r\na=rtpmap:96 PCMU/8000\r\n",
            "two different rtpmap",
        ),
        ("v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\ni=a\x00b\r\n", "NUL"),
        ("v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\ni=a\rb\r\n", "CR"),
        ("v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\n" + "a=x\r\n" * 20000, "too large"),
    ],
)
def test_structure_errors(text: str, fragment: str) -> None:
    with pytest.raises(SdpParseError) as info:
        parse_sdp(text.encode())
    assert fragment in str(info.value)
    assert info.value.status == 400


def test_error_names_the_line() -> None:
    with pytest.raises(SdpParseError) as info:
        parse_sdp("v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\nc=IN\r\n")
    assert info.value.line == 6
    assert str(info.value).startswith("SDP line 6:")


def test_duplicate_identical_rtpmap_tolerated() -> None:
    text = (
        "v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/AVP 96\r\n"
        "a=rtpmap:96 opus/48000/2\r\na=rtpmap:96 opus/48000/2\r\n"
    )
    assert parse_sdp(text).media[0].rtpmaps == {96: RtpMap(96, "opus", 48000, 2)}


def test_fmtp_params_edge_cases() -> None:
    assert parse_fmtp_params("") == {}
    assert parse_fmtp_params(" ;; a=1 ;b= 2;flag; c=x=y") == {
        "a": "1",
        "b": "2",
        "flag": None,
        "c": "x=y",
    }


def test_parse_classmethod_and_str_input() -> None:
    assert SessionDescription.parse(BASIC) == parse_sdp(BASIC.encode())
