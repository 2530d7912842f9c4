"""Typed header values (RFC 3261 §20) and the auth-param splitter."""

from __future__ import annotations

import pytest

from parley.sip.headers import (
    AuthChallenge,
    Credentials,
    CSeq,
    MediaType,
    NameAddr,
    SipParseError,
    Via,
    format_params,
    parse_auth_params,
    parse_delta_seconds,
    parse_max_forwards,
    parse_media_list,
    parse_params,
    parse_token_list,
    split_commas,
)
from parley.sip.uri import SipURI

# -- Via ----------------------------------------------------------------------------------


def test_via_fields_and_serialisation() -> None:
    via = Via.parse(
        "SIP/2.0/udp 192.0.2.1:5060;branch=z9hG4bK74bf9;received=198.51.100.7;rport=4711"
    )
    assert via.transport == "UDP"
    assert (via.host, via.port) == ("192.0.2.1", 5060)
    assert via.branch == "z9hG4bK74bf9"
    assert via.received == "198.51.100.7"
    assert via.rport == 4711 and via.has_rport
    assert (
        str(via)
        == "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK74bf9;received=198.51.100.7;rport=4711"
    )


def test_via_empty_rport_and_absent_rport() -> None:
    via = Via.parse("SIP/2.0/TCP host.example.com;rport;branch=z9hG4bKx")
    assert via.has_rport and via.rport is None
    assert str(via) == "SIP/2.0/TCP host.example.com;rport;branch=z9hG4bKx"
    plain = Via.parse("SIP/2.0/TLS h")
    assert not plain.has_rport and plain.rport is None and plain.branch is None


def test_via_ipv6_and_received_ipv6() -> None:
    via = Via.parse("SIP/2.0/UDP [2001:db8::1]:5060;received=2001:db8::9;branch=z9hG4bKa")
    assert via.host == "[2001:db8::1]" and via.port == 5060
    assert via.received == "2001:db8::9"
    assert Via.parse(str(via)) == via


def test_via_list_with_folding_and_lws() -> None:
    vias = Via.parse_list(
        "SIP / 2.0 / UDP a.example.com ; branch = z9hG4bK1 ,\r\n SIP/2.0/TCP b:5070"
    )
    assert [(v.transport, v.host, v.port, v.branch) for v in vias] == [
        ("UDP", "a.example.com", None, "z9hG4bK1"),
        ("TCP", "b", 5070, None),
    ]


@pytest.mark.parametrize(
    "value",
    [
        "",
        "SIP/2.0/UDP",
        "SIP/2.0 UDP host",
        "HTTP/1.1/TCP host",
        "SIP/2.0/UDP host;;",
        "SIP/2.0/UDP h:99999",
        "SIP/2.0/UDP h,",
    ],
)
def test_via_malformed(value: str) -> None:
    with pytest.raises(SipParseError):
        Via.parse_list(value)


def test_via_parse_requires_single_value() -> None:
    with pytest.raises(SipParseError):
        Via.parse("SIP/2.0/UDP a, SIP/2.0/UDP b")


# -- name-addr ----------------------------------------------------------------------------


def test_name_addr_forms() -> None:
    quoted = NameAddr.parse('"Alice \\"A\\" Smith" <sip:alice@example.com>;tag=abc')
    assert quoted.display_name == 'Alice "A" Smith'
    assert quoted.tag == "abc"
    assert str(quoted) == '"Alice \\"A\\" Smith" <sip:alice@example.com>;tag=abc'

    token = NameAddr.parse("Bob Jones <sip:bob@example.com>")
    assert token.display_name == "Bob Jones"

    bare = NameAddr.parse("sip:carol@example.com;tag=9")
    assert bare.display_name is None
    assert bare.uri == SipURI.parse("sip:carol@example.com")
    assert bare.params == {"tag": "9"}
    assert str(bare) == "<sip:carol@example.com>;tag=9"  # always the <uri> form

    empty = NameAddr.parse('"" <sip:x@y>')
    assert empty.display_name == ""


def test_name_addr_uri_params_vs_header_params() -> None:
    inside = NameAddr.parse("<sip:a@b;lr>;expires=60")
    assert inside.uri.params == {"lr": None} and inside.params == {"expires": "60"}
    assert inside.expires == 60


def test_name_addr_list_respects_quotes_and_brackets() -> None:
    items = NameAddr.parse_list('"Doe, John" <sip:j@a;x=1>;q=0.5, <sip:k@b>, sip:l@c;expires=5')
    assert [i.display_name for i in items] == ["Doe, John", None, None]
    assert [i.uri.user for i in items] == ["j", "k", "l"]
    assert items[0].q == 0.5 and items[2].expires == 5


def test_name_addr_quoted_param_value_is_unquoted_and_requoted() -> None:
    na = NameAddr.parse('<sip:a@b>;+sip.instance="<urn:uuid:1234>";reg-id=1')
    assert na.params["+sip.instance"] == "<urn:uuid:1234>"
    assert str(na) == '<sip:a@b>;+sip.instance="<urn:uuid:1234>";reg-id=1'


def test_with_tag() -> None:
    na = NameAddr.parse("<sip:a@b>")
    tagged = na.with_tag("xyz")
    assert tagged.tag == "xyz" and na.tag is None


@pytest.mark.parametrize(
    "value",
    [
        "",
        '"unterminated <sip:a@b>',
        "< sip:a@b>",
        "<sip:a@b",
        "Last, First <sip:a@b>",
        "sip:a@b?subject=x",
        '"name" sip:a@b',
        "<sip:a@b> junk",
        "<sip:a@b>;tag=",
    ],
)
def test_name_addr_malformed(value: str) -> None:
    with pytest.raises(SipParseError):
        NameAddr.parse(value)


def test_name_addr_expires_out_of_range() -> None:
    na = NameAddr.parse("<sip:a@b>;expires=280297596632815")
    with pytest.raises(SipParseError):
        _ = na.expires


# -- CSeq, media types, numbers, tokens -----------------------------------------------------


def test_cseq() -> None:
    assert CSeq.parse(" 0042  INVITE ") == CSeq(42, "INVITE")
    assert str(CSeq(7, "BYE")) == "7 BYE"
    assert CSeq.parse("4294967295 ACK").seq == 2**32 - 1
    for bad in ("4294967296 ACK", "1", "x INVITE", "1 INV ITE", "-1 BYE", "9" * 5000 + " A"):
        with pytest.raises(SipParseError):
            CSeq.parse(bad)


def test_media_type() -> None:
    mt = MediaType.parse('Application/SDP ; charset="utf-8"')
    assert mt.mime == "application/sdp"
    assert mt.params == {"charset": "utf-8"}
    assert str(MediaType("text", "plain", {"charset": "utf-8"})) == "text/plain;charset=utf-8"
    assert MediaType("*", "*").matches("application/sdp")
    assert MediaType("application", "*").matches("Application/Sdp")
    assert not MediaType("text", "*").matches("application/sdp")
    with pytest.raises(SipParseError):
        MediaType.parse("application")


def test_media_list() -> None:
    assert [m.mime for m in parse_media_list("application/sdp, text/plain;q=0.5")] == [
        "application/sdp",
        "text/plain",
    ]
    assert parse_media_list("  ") == []


def test_numbers() -> None:
    assert parse_delta_seconds(" 3600 ") == 3600
    assert parse_delta_seconds("0") == 0
    assert parse_max_forwards("0068") == 68
    for bad in ("", "-1", "1.5", "4294967296", "1" * 100, "٣"):
        with pytest.raises(SipParseError):
            parse_delta_seconds(bad)
    with pytest.raises(SipParseError):
        parse_max_forwards("256")


def test_token_list() -> None:
    assert parse_token_list("replaces, 100rel ,timer,,") == ["replaces", "100rel", "timer"]
    assert parse_token_list("") == []
    with pytest.raises(SipParseError):
        parse_token_list("ok, not ok")


def test_split_commas() -> None:
    assert split_commas('a, "b,c" <d,e>, f') == ["a", '"b,c" <d,e>', "f"]
    assert split_commas("x,,y") == ["x", "y"]
    with pytest.raises(SipParseError):
        split_commas('"open, ended')


def test_params_helpers() -> None:
    params = parse_params(' ; a = 1 ; b ; c="x y"')
    assert params == {"a": "1", "b": None, "c": "x y"}
    assert format_params(params) == ';a=1;b;c="x y"'
    with pytest.raises(SipParseError):
        parse_params(";a=1 junk")


# -- authentication -------------------------------------------------------------------------


def test_auth_params_digest_challenge() -> None:
    value = (
        'Digest realm="asterisk", nonce="1a2b\\"3c", algorithm=MD5,\r\n'
        ' qop="auth,auth-int", opaque="", stale=FALSE'
    )
    scheme, params = parse_auth_params(value)
    assert scheme == "Digest"
    assert params == {
        "realm": "asterisk",
        "nonce": '1a2b"3c',
        "algorithm": "MD5",
        "qop": "auth,auth-int",
        "opaque": "",
        "stale": "FALSE",
    }
    ch = AuthChallenge.parse(value)
    assert ch.realm == "asterisk" and ch.qop_options == ["auth", "auth-int"] and not ch.stale
    assert AuthChallenge.parse(str(ch)) == ch


def test_auth_param_names_are_lower_cased() -> None:
    assert parse_auth_params("Digest REALM=x,Nonce=y") == ("Digest", {"realm": "x", "nonce": "y"})


def test_credentials_serialisation_quotes_the_right_params() -> None:
    cred = Credentials(
        "Digest",
        {
            "username": "1001",
            "realm": "pbx",
            "nonce": "n",
            "uri": "sip:pbx",
            "response": "abc",
            "algorithm": "MD5",
            "qop": "auth",
            "nc": "00000001",
            "cnonce": "c",
        },
    )
    text = str(cred)
    assert text == (
        'Digest username="1001", realm="pbx", nonce="n", uri="sip:pbx", response="abc", '
        'algorithm=MD5, qop=auth, nc=00000001, cnonce="c"'
    )
    assert Credentials.parse(text) == cred
    assert cred.username == "1001"


def test_auth_token68_and_bare_scheme() -> None:
    assert parse_auth_params("Basic QWxhZGRpbjpvcGVu==") == (
        "Basic",
        {"token68": "QWxhZGRpbjpvcGVu=="},
    )
    assert str(Credentials("Basic", {"token68": "abc="})) == "Basic abc="
    assert parse_auth_params("Negotiate") == ("Negotiate", {})


@pytest.mark.parametrize(
    "value", ["", "Digest realm=x,", 'Digest realm="x', "Digest a=b c=d", "Dig/est x=y"]
)
def test_auth_malformed(value: str) -> None:
    with pytest.raises(SipParseError):
        parse_auth_params(value)
