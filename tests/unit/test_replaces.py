"""The Replaces header (RFC 3891) as written, read back, and carried in a Refer-To URI."""

from __future__ import annotations

import pytest

from parley.sip.headers import SipParseError
from parley.sip.replaces import Replaces
from parley.sip.uri import SipURI


def test_parse_and_print_round_trip() -> None:
    text = "98732@sip.example.com;from-tag=r33th4x0r;to-tag=ff87ff"
    r = Replaces.parse(text)
    assert (r.call_id, r.to_tag, r.from_tag, r.early_only) == (
        "98732@sip.example.com",
        "ff87ff",
        "r33th4x0r",
        False,
    )
    assert Replaces.parse(str(r)) == r


def test_early_only_and_case_of_parameter_names() -> None:
    r = Replaces.parse("abc;TO-TAG=1; From-Tag=2 ;early-only")
    assert r == Replaces("abc", "1", "2", True)
    assert str(r).endswith(";early-only")


@pytest.mark.parametrize(
    "value",
    ["", "abc", "abc;to-tag=1", "abc;from-tag=2", ";to-tag=1;from-tag=2", "abc;to-tag=;from-tag=2"],
)
def test_missing_parts_are_a_400(value: str) -> None:
    with pytest.raises(SipParseError) as err:
        Replaces.parse(value)
    assert err.value.status == 400
    assert "to-tag" in str(err.value)


def test_carried_escaped_in_a_refer_to_uri_and_read_back() -> None:
    r = Replaces("a1@10.0.0.1", "as9f8-1", "x.y!z~")
    uri = r.in_uri(SipURI.parse("sip:1003@127.0.0.1:5060"))
    text = str(uri)
    assert "?Replaces=" in text and ";to-tag" not in text.split("?", 1)[1]
    back = SipURI.parse(text)
    assert Replaces.from_uri(back) == r
    assert Replaces.from_uri(SipURI.parse("sip:1003@127.0.0.1")) is None
