"""Property tests: SDP round-trips, and bad input raises only the documented errors."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parley.sip.offer_answer import (
    CodecSpec,
    OfferAnswerError,
    SessionParams,
    make_answer,
    make_offer,
    process_answer,
)
from parley.sip.sdp import (
    Attribute,
    Bandwidth,
    Connection,
    MediaDescription,
    Origin,
    SdpParseError,
    SessionDescription,
    Timing,
    parse_sdp,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "sdp"
FIXTURES = [p.read_bytes() for p in sorted(DATA.glob("*.sdp"))]
CODECS = [
    CodecSpec("opus", 48000, 2, "minptime=10;useinbandfec=1"),
    CodecSpec("G722", 8000, 1, "", 9),
    CodecSpec("PCMA", 8000, 1, "", 8),
    CodecSpec("PCMU", 8000, 1, "", 0),
]
OUR_OFFER = make_offer(SessionParams("192.0.2.1", 4000, session_id="1"), CODECS)

TOKEN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~#$&^{|}"
tokens = st.text(TOKEN, min_size=1, max_size=10)
words = st.text(TOKEN + ":/=@[]", min_size=1, max_size=12)  # no white space
# Free text of a line: anything but NUL, CR, LF, not ending in white space (that is trimmed).
line_text = st.text(
    st.characters(exclude_characters="\x00\r\n", exclude_categories=["Cs"]), max_size=20
).filter(lambda s: s == s.rstrip(" \t"))
numbers = st.integers(0, 10**19)
small = st.integers(1, 10**6)


def joined(parts: st.SearchStrategy[list[str]]) -> st.SearchStrategy[str]:
    return parts.map(" ".join)


@st.composite
def connections(draw: st.DrawFn) -> Connection:
    addrtype = draw(st.sampled_from(["IP4", "IP6", "X-NET"]))
    address = draw(st.text(TOKEN + ":", min_size=1, max_size=15))
    ttl = count = None
    if addrtype == "IP4" and draw(st.booleans()):
        ttl = draw(st.integers(0, 255))
        count = draw(st.none() | small)
    elif addrtype == "IP6":
        count = draw(st.none() | small)
    return Connection(address, addrtype, draw(tokens), ttl, count)


bandwidths = st.builds(Bandwidth, tokens, numbers)
plain_attributes = st.builds(
    Attribute,
    tokens.filter(lambda n: n not in ("rtpmap", "fmtp", "ptime", "maxptime", "rtcp")),
    st.none() | line_text,
)
typed_attributes = st.one_of(
    st.builds(
        lambda pt, n, r: Attribute("rtpmap", f"{pt} {n}/{r}"), st.integers(0, 127), tokens, small
    ),
    st.builds(
        lambda pt, p: Attribute("fmtp", f"{pt} {p}".rstrip()), st.integers(0, 127), line_text
    ),
    st.builds(lambda v: Attribute("ptime", str(v)), st.integers(0, 1000)),
    st.builds(lambda v: Attribute("maxptime", str(v)), st.integers(0, 1000)),
    st.builds(lambda v: Attribute("rtcp", str(v)), st.integers(0, 65535)),
    st.sampled_from([Attribute(d) for d in ("sendrecv", "sendonly", "recvonly", "inactive")]),
)
attributes = st.lists(st.one_of(plain_attributes, typed_attributes), max_size=5).filter(
    # one payload type may not be mapped to two encodings
    lambda attrs: (
        len({a.value.split()[0] for a in attrs if a.name == "rtpmap" and a.value})
        == len([a for a in attrs if a.name == "rtpmap"])
    )
)


@st.composite
def media_descriptions(draw: st.DrawFn) -> MediaDescription:
    port = draw(st.integers(0, 65535))
    formats = draw(st.lists(tokens, min_size=0 if port == 0 else 1, max_size=5))
    return MediaDescription(
        media=draw(tokens),
        port=port,
        proto=draw(words),
        formats=formats,
        port_count=draw(st.none() | st.integers(0, 100)),
        title=draw(st.none() | line_text),
        connections=draw(st.lists(connections(), max_size=2)),
        bandwidths=draw(st.lists(bandwidths, max_size=2)),
        key=draw(st.none() | line_text),
        attributes=draw(attributes),
    )


sessions = st.builds(
    SessionDescription,
    origin=st.builds(Origin, words, words, numbers, words, words, words),
    session_name=line_text,
    information=st.none() | line_text,
    uri=st.none() | line_text,
    emails=st.lists(line_text, max_size=2),
    phones=st.lists(line_text, max_size=2),
    connection=st.none() | connections(),
    bandwidths=st.lists(bandwidths, max_size=2),
    timings=st.lists(
        st.builds(
            Timing,
            numbers,
            numbers,
            st.lists(joined(st.lists(words, min_size=3, max_size=4)), max_size=2),
        ),
        min_size=1,
        max_size=2,
    ),
    zone=st.none() | joined(st.lists(words, min_size=1, max_size=2).map(lambda w: w * 2)),
    key=st.none() | line_text,
    attributes=attributes,
    media=st.lists(media_descriptions(), max_size=3),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(sessions)
def test_round_trip(sdp: SessionDescription) -> None:
    text = str(sdp)
    parsed = parse_sdp(text.encode())
    assert parsed == sdp
    assert str(parsed) == text


@settings(max_examples=300)
@given(st.binary(max_size=300))
def test_random_bytes_raise_only_parse_errors(data: bytes) -> None:
    try:
        parse_sdp(b"v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\n" + data)
    except SdpParseError:
        pass
    try:
        parse_sdp(data)
    except SdpParseError:
        pass


# Mostly plausible lines (so that many bodies parse and reach offer/answer), some garbage.
PLAUSIBLE = {
    "a": [
        "rtpmap:96 opus/48000/2",
        "rtpmap:0 PCMU/8000",
        "rtpmap:8 PCMA/8000",
        "fmtp:96 x=1",
        "rtpmap:101 telephone-event/8000",
        "rtpmap:9 G722/16000",
        "ptime:20",
        "ptime:0",
        "maxptime:1",
        "rtcp:65535",
        "rtcp:1 IN IP4 a",
        "rtcp-mux",
        "sendonly",
        "recvonly",
        "inactive",
        "sendrecv",
        "crypto:1 X inline:y",
        "ssrc:1 cname:x",
        "mid:0",
    ],
    "c": [
        "IN IP4 0.0.0.0",
        "IN IP6 ::/2",
        "IN IP4 233.252.0.1/3/2",
        "IN IP4 192.0.2.1",
        "IN IP6 2001:db8::1",
        "IN IP4 host.example",
        "ATM NSAP 47.0091",
    ],
    "m": [
        "audio 4000 RTP/AVP 0 8 96",
        "audio 0 RTP/AVP",
        "video 5 RTP/SAVP 31",
        "audio 65535 RTP/AVPF 96 101 9",
        "audio 1/2 RTP/AVP 200 x 0",
        "image 9 udptl t38",
    ],
    "b": ["AS:64", "TIAS:0"],
    "t": ["0 0"],
}
any_value = st.one_of(
    line_text, joined(st.lists(st.one_of(words, st.integers(-5, 70000).map(str)), max_size=7))
)
random_lines = st.lists(
    st.one_of(
        st.sampled_from([(k, v) for k, vs in PLAUSIBLE.items() for v in vs]),
        st.tuples(st.sampled_from("vosiuepcbtrzkam"), any_value),
    ),
    max_size=25,
)


def exercise(data: bytes) -> None:
    """Parse, answer, and read as an answer: only the documented errors may come out."""
    try:
        sdp = parse_sdp(data)
    except SdpParseError:
        return
    str(sdp)
    for media in sdp.media:
        media.rtpmaps, media.crypto, media.ssrcs, media.ptime, media.rtcp  # noqa: B018
        sdp.is_hold(media)
    try:
        _, neg = make_answer(sdp, CODECS, "192.0.2.1", 4000)
        assert neg.codec in CODECS
    except OfferAnswerError:
        pass
    try:
        process_answer(OUR_OFFER, sdp, CODECS)
    except OfferAnswerError:
        pass


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(random_lines, st.sampled_from(["\r\n", "\n"]), st.booleans())
def test_structured_garbage(lines: list[tuple[str, str]], eol: str, in_media: bool) -> None:
    head = "v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n"
    if in_media:
        head += "m=audio 4000 RTP/AVP 0 8 96 101 9\r\n"
    exercise((head + "".join(f"{k}={v}{eol}" for k, v in lines)).encode())


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(FIXTURES),
    st.lists(
        st.tuples(st.integers(0, 2000), st.integers(0, 255), st.integers(0, 3)),
        min_size=1,
        max_size=6,
    ),
)
def test_mutated_fixtures(base: bytes, edits: list[tuple[int, int, int]]) -> None:
    data = bytearray(base)
    for pos, byte, how in edits:
        pos %= len(data) + 1
        if how == 0:
            data[pos : pos + 1] = bytes([byte])
        elif how == 1:
            del data[pos : pos + 3]
        elif how == 2:
            data[pos:pos] = bytes([byte])
        else:
            data[pos:pos] = b"\r\n"
    exercise(bytes(data))


@settings(max_examples=200)
@given(st.sampled_from(FIXTURES), st.permutations(list(range(12))))
def test_shuffled_fixture_lines(base: bytes, order: list[int]) -> None:
    lines = base.splitlines()
    head, rest = lines[:3], lines[3:]
    picked = [rest[i] for i in order if i < len(rest)] + rest[12:]
    exercise(b"\r\n".join(head + picked))
