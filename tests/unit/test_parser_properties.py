"""Property-based tests: parsing inverts serialising, and bad input only raises SipParseError."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parley.sip.headers import CSeq, MediaType, NameAddr, SipParseError, Via
from parley.sip.message import Headers, Request, Response
from parley.sip.parser import StreamParser, parse_message
from parley.sip.uri import SipURI

DATA = Path(__file__).resolve().parent.parent / "data" / "rfc4475"
VECTORS = [p.read_bytes() for p in sorted(DATA.glob("*.dat"))]

TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~"
tokens = st.text(TOKEN_CHARS, min_size=1, max_size=12)
# Header text: anything printable on one line (RFC 3261 TEXT-UTF8 and quoted-pairs).
line_text = st.text(
    st.characters(exclude_characters="\r\n", exclude_categories=["Cs"]), max_size=20
)

hostnames = st.from_regex(
    r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?){0,3}", fullmatch=True
)
ipv4 = st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t)))
ipv6 = st.ip_addresses(v=6).map(lambda a: f"[{a}]")
hosts = st.one_of(hostnames, ipv4, ipv6)
ports = st.none() | st.integers(0, 65535)

uri_params = st.dictionaries(
    st.text(min_size=1, max_size=8), st.none() | st.text(max_size=8), max_size=3
)
sip_uris = st.builds(
    SipURI,
    scheme=st.sampled_from(["sip", "sips"]),
    user=st.none() | st.text(min_size=1, max_size=12),
    password=st.none(),
    host=hosts,
    port=ports,
    params=uri_params,
    headers=st.dictionaries(st.text(min_size=1, max_size=6), st.text(max_size=8), max_size=2),
)
sip_uris_with_password = st.builds(
    lambda u, pw: SipURI(u.scheme, u.user or "u", pw, u.host, u.port, u.params, u.headers),
    sip_uris,
    st.text(max_size=8),
)
tel_uris = st.builds(
    SipURI,
    scheme=st.just("tel"),
    user=st.from_regex(r"\+?[0-9][0-9\-.()]{0,12}", fullmatch=True),
    host=st.just(""),
    params=uri_params,
)
request_uris = st.one_of(
    sip_uris.map(lambda u: SipURI(u.scheme, u.user, u.password, u.host, u.port, u.params, {})),
    tel_uris,
)

header_params = st.dictionaries(tokens, st.none() | tokens | line_text, max_size=3)
name_addrs = st.builds(
    NameAddr,
    display_name=st.none() | line_text,
    uri=st.one_of(sip_uris, sip_uris_with_password, tel_uris),
    params=header_params,
)
vias = st.builds(
    Via,
    transport=st.sampled_from(["UDP", "TCP", "TLS", "WS", "WSS", "SCTP"]),
    host=hosts,
    port=ports,
    params=header_params,
)
methods = st.one_of(
    st.sampled_from(["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "MESSAGE", "INFO"]),
    tokens,
)
extension_headers = st.lists(
    st.tuples(tokens.map(lambda t: "X-" + t), line_text.map(lambda v: v.strip(" \t"))), max_size=4
)
bodies = st.binary(max_size=64)


@st.composite
def messages(draw: st.DrawFn) -> Request | Response:
    body = draw(bodies)
    is_request = draw(st.booleans())
    method = draw(methods)
    items: list[tuple[str, str]] = [
        ("Via", str(v)) for v in draw(st.lists(vias, min_size=1, max_size=3))
    ]
    items += [
        ("From", str(draw(name_addrs))),
        ("To", str(draw(name_addrs))),
        ("Call-ID", draw(tokens) + "@" + draw(hostnames)),
        ("CSeq", str(CSeq(draw(st.integers(0, 2**32 - 1)), method))),
    ]
    items += draw(extension_headers)
    if draw(st.booleans()):
        items.append(
            (
                "Contact",
                ", ".join(str(n) for n in draw(st.lists(name_addrs, min_size=1, max_size=2))),
            )
        )
    if body:
        items.append(
            ("Content-Type", str(MediaType(draw(tokens), draw(tokens), draw(header_params))))
        )
    # to_bytes() writes Content-Length last; put it there so the header lists compare equal.
    items.append(("Content-Length", str(len(body))))
    headers = Headers([*draw(st.permutations(items[:-1])), items[-1]])
    if is_request:
        return Request(headers=headers, body=body, method=method, uri=draw(request_uris))
    return Response(
        headers=headers, body=body, status=draw(st.integers(100, 699)), reason=draw(line_text)
    )


@given(sip_uris | sip_uris_with_password | tel_uris)
def test_uri_round_trip(uri: SipURI) -> None:
    assert SipURI.parse(str(uri)) == uri


@given(name_addrs)
def test_name_addr_round_trip(na: NameAddr) -> None:
    assert NameAddr.parse(str(na)) == na


@given(st.lists(name_addrs, min_size=1, max_size=4))
def test_name_addr_list_round_trip(items: list[NameAddr]) -> None:
    assert NameAddr.parse_list(", ".join(map(str, items))) == items


@given(st.lists(vias, min_size=1, max_size=4))
def test_via_round_trip(items: list[Via]) -> None:
    assert Via.parse_list(",".join(map(str, items))) == items


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(messages())
def test_message_round_trip(msg: Request | Response) -> None:
    data = msg.to_bytes()
    assert parse_message(data) == msg
    # The same bytes framed on a stream, split anywhere, give the same message.
    parser = StreamParser()
    cut = len(data) // 3
    assert parser.feed(data[:cut]) + parser.feed(data[cut:]) == [msg]


def exercise(msg: Request | Response) -> None:
    """Every typed accessor either works or raises SipParseError; serialising works."""
    for name in (
        "call_id",
        "cseq",
        "from_",
        "to",
        "vias",
        "top_via",
        "contacts",
        "routes",
        "record_routes",
        "expires",
        "min_expires",
        "max_forwards",
        "content_type",
    ):
        try:
            getattr(msg, name)
        except SipParseError:
            pass
    for name in ("Require", "Supported", "Allow"):
        try:
            msg.tokens(name)
        except SipParseError:
            pass
    msg.to_bytes()


def parse_or_error(data: bytes) -> None:
    try:
        msg = parse_message(data)
    except SipParseError as exc:
        assert str(exc) and 400 <= exc.status <= 599
        return
    exercise(msg)


@given(st.binary(max_size=300))
def test_random_bytes_only_raise_parse_error(data: bytes) -> None:
    parse_or_error(data)
    for item in StreamParser().feed(data):
        assert not isinstance(item, Exception) or isinstance(item, SipParseError)


@given(st.binary(max_size=120))
def test_random_bytes_after_a_start_line(data: bytes) -> None:
    parse_or_error(b"INVITE sip:a@b SIP/2.0\r\n" + data + b"\r\n\r\n")
    parse_or_error(b"SIP/2.0 200 OK\r\nVia: " + data + b"\r\n\r\n")


mutation = st.tuples(
    st.sampled_from(["replace", "insert", "delete"]),
    st.floats(0, 1, exclude_max=True),
    st.binary(min_size=1, max_size=4)
    | st.sampled_from([b"\r\n", b" ", b",", b";", b'"', b"<", b">", b":", b"%", b"\x00", b"\xff"]),
)


def mutate(data: bytes, edits: list[tuple[str, float, bytes]]) -> bytes:
    buf = bytearray(data)
    for kind, where, chunk in edits:
        pos = int(where * len(buf)) if buf else 0
        if kind == "replace":
            buf[pos : pos + len(chunk)] = chunk
        elif kind == "insert":
            buf[pos:pos] = chunk
        else:
            del buf[pos : pos + len(chunk)]
    return bytes(buf)


@settings(max_examples=300)
@given(st.sampled_from(VECTORS), st.lists(mutation, min_size=1, max_size=4))
def test_mutated_torture_messages_only_raise_parse_error(
    data: bytes, edits: list[tuple[str, float, bytes]]
) -> None:
    mutated = mutate(data, edits)
    parse_or_error(mutated)
    parser = StreamParser()
    half = len(mutated) // 2
    for item in parser.feed(mutated[:half]) + parser.feed(mutated[half:]):
        if isinstance(item, (Request, Response)):
            exercise(item)
        else:
            assert not isinstance(item, Exception) or isinstance(item, SipParseError)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(messages(), st.lists(mutation, min_size=1, max_size=3))
def test_mutated_generated_messages_only_raise_parse_error(
    msg: Request | Response, edits: list[tuple[str, float, bytes]]
) -> None:
    parse_or_error(mutate(msg.to_bytes(), edits))
