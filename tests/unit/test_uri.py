"""SipURI parsing and serialising (RFC 3261 §19.1, RFC 3966)."""

from __future__ import annotations

import pytest

from parley.sip.headers import SipParseError
from parley.sip.uri import SipURI


def test_full_sip_uri() -> None:
    uri = SipURI.parse("sip:alice:secret@pbx.example.com:5080;transport=TCP;lr?subject=hi&x=y")
    assert uri.scheme == "sip"
    assert (uri.user, uri.password) == ("alice", "secret")
    assert (uri.host, uri.port) == ("pbx.example.com", 5080)
    assert uri.params == {"transport": "TCP", "lr": None}
    assert uri.headers == {"subject": "hi", "x": "y"}
    assert uri.transport == "tcp"
    assert uri.host_port == "pbx.example.com:5080"
    assert str(uri) == "sip:alice:secret@pbx.example.com:5080;transport=TCP;lr?subject=hi&x=y"


def test_minimal_and_sips() -> None:
    uri = SipURI.parse("SIPS:example.com")
    assert uri.scheme == "sips" and uri.user is None and uri.port is None
    assert uri.is_sip
    assert str(uri) == "sips:example.com"


def test_ipv6_reference_keeps_brackets() -> None:
    uri = SipURI.parse("sip:bob@[2001:db8::10]:5062;maddr=[::1]")
    assert uri.host == "[2001:db8::10]" and uri.port == 5062
    assert uri.params == {"maddr": "[::1]"}
    assert str(uri) == "sip:bob@[2001:db8::10]:5062;maddr=[::1]"
    assert SipURI.parse("sip:[::1]").host == "[::1]"


def test_escapes_are_decoded_and_reencoded() -> None:
    uri = SipURI.parse("sip:%61lice%20smith@example.com;n%61me=a%3Bb")
    assert uri.user == "alice smith"
    assert uri.params == {"name": "a;b"}
    assert str(uri) == "sip:alice%20smith@example.com;name=a%3Bb"
    # Equal however it was spelt (RFC 3261 §19.1.4).
    assert SipURI.parse(str(uri)) == uri
    assert SipURI.parse("sip:alice%20smith@example.com;name=a%3bb") == uri


def test_non_utf8_escape_survives_round_trip() -> None:
    uri = SipURI.parse("sip:caf%E9@example.com")
    assert str(uri) == "sip:caf%E9@example.com"


def test_case_insensitive_param_lookup() -> None:
    uri = SipURI.parse("sip:a@b;Transport=UDP;LR")
    assert uri.transport == "udp"
    assert uri.param("lr") is None and uri.has_param("lr")
    assert not uri.has_param("maddr")


def test_with_and_without_params_copy() -> None:
    uri = SipURI.parse("sip:a@b;transport=udp")
    other = uri.with_params(lr=None, transport="tcp")
    assert str(other) == "sip:a@b;transport=tcp;lr"
    assert str(uri) == "sip:a@b;transport=udp"  # unchanged
    assert str(other.without_params("TRANSPORT")) == "sip:a@b;lr"


def test_tel_uri() -> None:
    uri = SipURI.parse("tel:+1-201-555-0123;phone-context=example.com")
    assert uri.scheme == "tel" and uri.user == "+1-201-555-0123" and uri.host == ""
    assert uri.params == {"phone-context": "example.com"}
    assert str(uri) == "tel:+1-201-555-0123;phone-context=example.com"
    assert SipURI.parse("tel:7042;phone-context=+49221").user == "7042"


def test_unknown_scheme_is_416_but_parse_any_keeps_it() -> None:
    with pytest.raises(SipParseError) as info:
        SipURI.parse("urn:service:sos")
    assert info.value.status == 416
    uri = SipURI.parse_any("urn:service:sos")
    assert (uri.scheme, uri.host) == ("urn", "service:sos")
    assert str(uri) == "urn:service:sos"
    assert not uri.is_sip


@pytest.mark.parametrize(
    "text",
    [
        "",
        "sip:",
        "sip:alice@",
        "sip:alice@exa mple.com",
        "sip:alice@example.com:99999",
        "sip:alice@example.com:5x",
        "sip:al<ice@example.com",
        "sip:[::1",
        "sip:[::1]x",
        "sip:a@b;=x",
        "sip:a@b?noequals",
        "sip:a@b;p=%zz",
        "<sip:a@b>",
        "tel:abc-xyz",
        "1nvalid:scheme",
        "http:has space",
    ],
)
def test_malformed_uris_raise_400(text: str) -> None:
    with pytest.raises(SipParseError) as info:
        SipURI.parse_any(text)
    assert info.value.status == 400
    assert str(info.value)


def test_huge_port_digits_do_not_raise_value_error() -> None:
    with pytest.raises(SipParseError):
        SipURI.parse("sip:a@b:" + "9" * 5000)
