"""Digest authentication (parley.sip.auth): RFC example vectors and the client's retry rules."""

from __future__ import annotations

import hashlib
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parley.sip.auth import (
    DigestChallenge,
    DigestClient,
    compute_response,
    hash_hex,
    pick_challenges,
)
from parley.sip.headers import SipParseError
from parley.sip.message import Headers, Request, Response


def md5(text: str | bytes) -> str:
    return hashlib.md5(text.encode() if isinstance(text, str) else text).hexdigest()


def fixed_cnonces(*values: str) -> DigestClient:
    it = iter(values)
    return DigestClient(cnonce_factory=lambda: next(it))


def counting_client() -> DigestClient:
    counter = itertools.count(1)
    return DigestClient(cnonce_factory=lambda: f"cn{next(counter)}")


def register(uri: str = "sip:pbx.example.com", body: bytes = b"") -> Request:
    return Request(
        method="REGISTER",
        uri=uri,
        headers=Headers(
            [
                ("Via", "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1"),
                ("From", "<sip:1001@pbx.example.com>;tag=a"),
                ("To", "<sip:1001@pbx.example.com>"),
                ("Call-ID", "c1"),
                ("CSeq", "1 REGISTER"),
            ]
        ),
        body=body,
    )


def challenge(status: int, *values: str, proxy: bool | None = None) -> Response:
    name = "Proxy-Authenticate" if (proxy if proxy is not None else status == 407) else None
    name = name or "WWW-Authenticate"
    return Response(
        status=status, reason="Unauthorized", headers=Headers([(name, v) for v in values])
    )


def params_of(value: str) -> dict[str, str]:
    """Parse an Authorization value back with the module's own challenge parser."""
    assert value.startswith("Digest ")
    # a credentials value has the same syntax as a challenge apart from the required fields
    return DigestChallenge.parse(value + ', nonce="x"' if "nonce=" not in value else value).params


# --------------------------------------------------------------------------- vectors


def test_rfc2617_section_3_5_example() -> None:
    got = compute_response(
        algorithm="MD5",
        username="Mufasa",
        realm="testrealm@host.com",
        password="Circle Of Life",
        nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",
        method="GET",
        uri="/dir/index.html",
        qop="auth",
        nc=1,
        cnonce="0a4f113b",
    )
    assert got == "6629fae49393a05397450978507c4ef1"


RFC7616_NONCE = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
RFC7616_OPAQUE = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
RFC7616_CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"


@pytest.mark.parametrize(
    ("algorithm", "expected"),
    [
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
    ],
)
def test_rfc7616_section_3_9_1_examples_through_the_client(algorithm: str, expected: str) -> None:
    """The whole path: parse the RFC's challenge, answer it, read back the response value."""
    www = (
        f'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm={algorithm}, '
        f'nonce="{RFC7616_NONCE}", opaque="{RFC7616_OPAQUE}"'
    )
    req = Request(method="GET", uri="/dir/index.html", headers=Headers())
    client = fixed_cnonces(RFC7616_CNONCE)
    assert client.authorize(req, challenge(401, www), username="Mufasa", password="Circle of Life")
    value = req.headers.get("Authorization")
    assert value is not None
    p = params_of(value)
    assert p["response"] == expected
    assert p["username"] == "Mufasa"
    assert p["uri"] == "/dir/index.html"
    assert p["qop"] == "auth"
    assert p["nc"] == "00000001"
    assert p["cnonce"] == RFC7616_CNONCE
    assert p["opaque"] == RFC7616_OPAQUE
    assert p["algorithm"] == algorithm


def test_sha512_256_sess_matches_hand_computation() -> None:
    def h(text: str) -> str:
        return hashlib.new("sha512_256", text.encode()).hexdigest()

    user = "J\u00e4s\u00f8n Doe"
    ha1 = h(f"{h(user + ':api@example.org:Secret, or not?')}:nonce:cn")
    ha2 = h("INVITE:sip:bob@127.0.0.1")
    got = compute_response(
        algorithm="sha-512-256-sess",
        username=user,
        realm="api@example.org",
        password="Secret, or not?",
        nonce="nonce",
        method="INVITE",
        uri="sip:bob@127.0.0.1",
        qop="auth",
        nc=10,
        cnonce="cn",
    )
    assert got == h(f"{ha1}:nonce:0000000a:cn:auth:{ha2}")


def test_userhash_sends_hashed_username() -> None:
    www = 'Digest realm="r", nonce="n", qop="auth", algorithm=SHA-256, userhash=true'
    req = register()
    assert counting_client().authorize(req, challenge(401, www), username="u", password="p")
    p = params_of(req.headers.get("Authorization") or "")
    assert p["username"] == hash_hex("SHA-256", "u:r")
    assert p["userhash"] == "true"


def test_no_qop_legacy_rfc2069_form() -> None:
    www = 'Digest realm="asterisk", nonce="4a1b2c3d"'
    req = register()
    assert counting_client().authorize(req, challenge(401, www), username="1001", password="pw")
    value = req.headers.get("Authorization") or ""
    p = params_of(value)
    ha1 = md5("1001:asterisk:pw")
    ha2 = md5("REGISTER:sip:pbx.example.com")
    assert p["response"] == md5(f"{ha1}:4a1b2c3d:{ha2}")
    assert "nc" not in p and "cnonce" not in p and "qop" not in p
    assert "opaque" not in p


def test_auth_int_hashes_the_body() -> None:
    body = b"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"
    www = 'Digest realm="r", nonce="n1", qop="auth-int"'
    req = register(body=body)
    assert fixed_cnonces("c0ffee").authorize(req, challenge(401, www), username="u", password="p")
    p = params_of(req.headers.get("Authorization") or "")
    ha1 = md5("u:r:p")
    ha2 = md5(f"REGISTER:sip:pbx.example.com:{md5(body)}")
    assert p["qop"] == "auth-int"
    assert p["response"] == md5(f"{ha1}:n1:00000001:c0ffee:auth-int:{ha2}")


def test_auth_preferred_over_auth_int_when_both_offered() -> None:
    req = register(body=b"x")
    www = 'Digest realm="r", nonce="n1", qop="auth-int,auth"'
    assert counting_client().authorize(req, challenge(401, www), username="u", password="p")
    assert params_of(req.headers.get("Authorization") or "")["qop"] == "auth"


def test_md5_sess_uses_session_key() -> None:
    www = 'Digest realm="r", nonce="n1", qop=auth, algorithm=MD5-sess'
    req = register()
    assert fixed_cnonces("cc").authorize(req, challenge(401, www), username="u", password="p")
    p = params_of(req.headers.get("Authorization") or "")
    ha1 = md5(f"{md5('u:r:p')}:n1:cc")
    ha2 = md5("REGISTER:sip:pbx.example.com")
    assert p["algorithm"] == "MD5-sess"
    assert p["response"] == md5(f"{ha1}:n1:00000001:cc:auth:{ha2}")


# --------------------------------------------------------------------------- parsing


def test_parse_challenge_fields() -> None:
    ch = DigestChallenge.parse(
        'Digest realm="a \\"quoted\\" realm",nonce=abc, algorithm=sha-256-SESS,'
        ' qop="auth,auth-int", opaque="o", stale=TRUE, domain="sip:a sip:b"'
    )
    assert ch.realm == 'a "quoted" realm'
    assert ch.nonce == "abc"
    assert ch.algorithm == "SHA-256-sess"
    assert ch.qop == ("auth", "auth-int")
    assert ch.opaque == "o"
    assert ch.stale is True
    assert ch.domain == "sip:a sip:b"
    assert ch.supported


def test_parse_all_skips_other_schemes_and_splits_challenges() -> None:
    value = (
        'Basic realm="x", Digest realm="r1", nonce="n1", algorithm=MD5, '
        'Negotiate abc==, Digest realm="r2", nonce="n2"'
    )
    got = DigestChallenge.parse_all(value)
    assert [(c.realm, c.nonce) for c in got] == [("r1", "n1"), ("r2", "n2")]


@pytest.mark.parametrize(
    "value",
    [
        'Digest nonce="n"',  # no realm
        'Digest realm="r"',  # no nonce
        'Digest realm="r, nonce="n',  # unterminated quote
        "Digest realm=, nonce=n",  # empty token value
        'Basic realm="r"',  # not Digest
        '=Digest realm="r"',
        'Digest realm="r" nonce="n"',  # missing comma
        "",
    ],
)
def test_parse_rejects_bad_challenges(value: str) -> None:
    with pytest.raises(SipParseError):
        DigestChallenge.parse(value)


@given(st.text(max_size=80))
def test_parse_never_raises_anything_but_sip_parse_error(value: str) -> None:
    try:
        DigestChallenge.parse_all(value)
    except SipParseError:
        pass


@given(st.text(max_size=80))
def test_authorize_never_raises_on_garbage(value: str) -> None:
    req = register()
    result = counting_client().authorize(req, challenge(401, value), username="u", password="p")
    assert isinstance(result, bool)


def test_pick_strongest_algorithm_per_realm() -> None:
    chs = [
        DigestChallenge.parse('Digest realm="r", nonce="a", algorithm=MD5'),
        DigestChallenge.parse('Digest realm="r", nonce="b", algorithm=SHA-256'),
        DigestChallenge.parse('Digest realm="r", nonce="c", algorithm=SHA-1'),
        DigestChallenge.parse('Digest realm="other", nonce="d"'),
    ]
    picked = pick_challenges(chs)
    assert sorted((c.realm, c.nonce) for c in picked) == [("other", "d"), ("r", "b")]


def test_several_challenges_in_one_response_pick_sha256() -> None:
    resp = challenge(
        401,
        'Digest realm="r", nonce="a", algorithm=MD5, qop="auth"',
        'Digest realm="r", nonce="b", algorithm=SHA-256, qop="auth"',
    )
    req = register()
    assert counting_client().authorize(req, resp, username="u", password="p")
    values = req.headers.get_all("Authorization")
    assert len(values) == 1
    assert params_of(values[0])["algorithm"] == "SHA-256"


def test_unsupported_algorithm_is_not_retried() -> None:
    req = register()
    resp = challenge(401, 'Digest realm="r", nonce="n", algorithm=AKAv1-MD5')
    assert not counting_client().authorize(req, resp, username="u", password="p")
    assert "Authorization" not in req.headers


def test_unsupported_qop_is_not_retried() -> None:
    req = register()
    resp = challenge(401, 'Digest realm="r", nonce="n", qop="auth-conf"')
    assert not counting_client().authorize(req, resp, username="u", password="p")


# --------------------------------------------------------------------------- the client's rules


def test_407_answers_with_proxy_authorization() -> None:
    req = register()
    resp = challenge(407, 'Digest realm="proxy", nonce="pn", qop=auth')
    assert counting_client().authorize(req, resp, username="u", password="p")
    assert "Authorization" not in req.headers
    assert params_of(req.headers.get("Proxy-Authorization") or "")["realm"] == "proxy"


def test_auth_user_differs_from_from_user() -> None:
    req = register()
    resp = challenge(401, 'Digest realm="r", nonce="n", qop=auth')
    assert counting_client().authorize(req, resp, username="auth-77", password="p")
    p = params_of(req.headers.get("Authorization") or "")
    assert p["username"] == "auth-77"
    assert req.from_.uri.user == "1001"


def test_wrong_password_same_nonce_is_detected() -> None:
    client = counting_client()
    req = register()
    www = 'Digest realm="r", nonce="n1", qop=auth'
    assert client.authorize(req, challenge(401, www), username="u", password="bad")
    assert not client.authorize(req, challenge(401, www), username="u", password="bad")


def test_rejected_answer_with_new_nonce_but_not_stale_is_a_failure() -> None:
    client = counting_client()
    req = register()
    assert client.authorize(
        req, challenge(401, 'Digest realm="r", nonce="n1", qop=auth'), username="u", password="x"
    )
    assert not client.authorize(
        req, challenge(401, 'Digest realm="r", nonce="n2", qop=auth'), username="u", password="x"
    )


def test_stale_nonce_is_retried_with_new_nonce_and_nc_restarts() -> None:
    client = counting_client()
    req = register()
    assert client.authorize(
        req, challenge(401, 'Digest realm="r", nonce="n1", qop=auth'), username="u", password="p"
    )
    # a later refresh is pre-authorised with the cached nonce...
    refresh = register()
    assert client.preauthorize(refresh)
    p = params_of(refresh.headers.get("Authorization") or "")
    assert (p["nonce"], p["nc"]) == ("n1", "00000002")
    # ...which has expired meanwhile: stale=true, retry silently with the new nonce
    stale = challenge(401, 'Digest realm="r", nonce="n2", qop=auth, stale=true')
    assert client.authorize(refresh, stale, username="u", password="p")
    values = refresh.headers.get_all("Authorization")
    assert len(values) == 1
    p = params_of(values[0])
    assert (p["nonce"], p["nc"], p["cnonce"]) == ("n2", "00000001", "cn2")
    # the retry is rejected again without stale: now it is the password
    again = challenge(401, 'Digest realm="r", nonce="n3", qop=auth')
    assert not client.authorize(refresh, again, username="u", password="p")


def test_stale_for_the_nonce_just_used_is_a_loop_and_stops() -> None:
    client = counting_client()
    req = register()
    assert client.authorize(
        req, challenge(401, 'Digest realm="r", nonce="n1", qop=auth'), username="u", password="p"
    )
    stale_same = challenge(401, 'Digest realm="r", nonce="n1", qop=auth, stale=true')
    assert not client.authorize(req, stale_same, username="u", password="p")


def test_rejected_preauthorization_with_new_nonce_is_retried_once() -> None:
    client = counting_client()
    first = register()
    assert client.authorize(
        first, challenge(401, 'Digest realm="r", nonce="n1", qop=auth'), username="u", password="p"
    )
    refresh = register()
    assert client.preauthorize(refresh)
    # a server that forgot to say stale=true: the pre-authorisation earns one retry
    assert client.authorize(
        refresh,
        challenge(401, 'Digest realm="r", nonce="n2", qop=auth'),
        username="u",
        password="p",
    )


def test_nonce_count_increments_per_request() -> None:
    client = counting_client()
    req = register()
    assert client.authorize(
        req, challenge(401, 'Digest realm="r", nonce="n1", qop=auth'), username="u", password="p"
    )
    ncs = []
    for _ in range(3):
        r = register()
        assert client.preauthorize(r)
        ncs.append(params_of(r.headers.get("Authorization") or "")["nc"])
    assert ncs == ["00000002", "00000003", "00000004"]
    assert client.realms == ["r"]
    client.forget("r")
    assert not client.preauthorize(register())


def test_401_and_407_in_one_response() -> None:
    resp = Response(
        status=407,
        reason="Proxy Authentication Required",
        headers=Headers(
            [
                ("Proxy-Authenticate", 'Digest realm="proxy", nonce="pn", qop=auth'),
                ("WWW-Authenticate", 'Digest realm="pbx", nonce="wn", qop=auth'),
            ]
        ),
    )
    req = register()
    assert counting_client().authorize(req, resp, username="u", password="p")
    assert params_of(req.headers.get("Proxy-Authorization") or "")["realm"] == "proxy"
    assert params_of(req.headers.get("Authorization") or "")["realm"] == "pbx"


def test_407_then_401_keeps_proxy_credentials_with_next_nc() -> None:
    client = counting_client()
    req = Request(
        method="INVITE",
        uri="sip:2000@pbx.example.com",
        headers=Headers([("From", "<sip:1001@pbx.example.com>;tag=1")]),
    )
    assert client.authorize(
        req,
        challenge(407, 'Digest realm="proxy", nonce="pn", qop=auth'),
        username="u",
        password="p",
    )
    assert client.authorize(
        req, challenge(401, 'Digest realm="pbx", nonce="wn", qop=auth'), username="u", password="p"
    )
    proxy = params_of(req.headers.get("Proxy-Authorization") or "")
    www = params_of(req.headers.get("Authorization") or "")
    assert (proxy["realm"], proxy["nc"]) == ("proxy", "00000002")
    assert (www["realm"], www["nc"]) == ("pbx", "00000001")
    assert len(req.headers.get_all("Proxy-Authorization")) == 1


def test_preauthorize_without_cache_adds_nothing() -> None:
    req = register()
    assert not DigestClient().preauthorize(req)
    assert "Authorization" not in req.headers


def test_default_cnonce_is_random_hex() -> None:
    req = register()
    DigestClient().authorize(
        req, challenge(401, 'Digest realm="r", nonce="n", qop=auth'), username="u", password="p"
    )
    cnonce = params_of(req.headers.get("Authorization") or "")["cnonce"]
    assert len(cnonce) == 16
    int(cnonce, 16)
