"""The installed-app flow (parley.contacts.oauth_loopback: authorization code, PKCE,
loopback redirect) against the local stand-in of Google's and Microsoft's endpoints
(tests/peers/oauth_standin.py, 127.0.0.1 only). The "browser" is an HTTP client that
follows the stand-in's redirect back to Parley's loopback receiver."""

from __future__ import annotations

import base64
import hashlib
import urllib.parse
from collections.abc import Iterator

import httpx
import pytest

from parley.contacts import oauth_loopback as loopback
from parley.contacts.oauth_device import (
    GOOGLE_CARDDAV_SCOPES,
    OAuthEndpoints,
    OAuthError,
    OAuthProblem,
)
from peers.common import free_port
from peers.oauth_standin import GOOGLE_SECRET, OAuthStandIn, Scenario


@pytest.fixture(scope="module")
def standin() -> Iterator[OAuthStandIn]:
    with OAuthStandIn() as server:
        yield server


class Browser:
    """Opens the page like a browser would: follows the redirect to the loopback URI."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.landed: list[httpx.Response] = []

    def __call__(self, url: str) -> None:
        self.opened.append(url)
        self.landed.append(httpx.get(url, follow_redirects=True, trust_env=False, timeout=10))


def test_pkce_pair_is_s256() -> None:
    verifier, challenge = loopback.pkce_pair()
    assert 43 <= len(verifier) <= 128
    digest = hashlib.sha256(verifier.encode()).digest()
    assert challenge == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_redirect_answers() -> None:
    assert loopback.code_from_redirect({"state": "s", "code": "c"}, "s") == "c"
    for query, problem in [
        ({"state": "other", "code": "c"}, OAuthProblem.BAD_ANSWER),
        ({"state": "s", "error": "access_denied"}, OAuthProblem.REFUSED),
        ({"state": "s"}, OAuthProblem.BAD_ANSWER),
    ]:
        with pytest.raises(OAuthError) as caught:
            loopback.code_from_redirect(query, "s")
        assert caught.value.problem is problem


def test_google_sign_in_with_the_browser(standin: OAuthStandIn) -> None:
    endpoints = OAuthEndpoints(*standin.google(), authorization=standin.authorize_url(True))
    browser = Browser()
    tokens = loopback.sign_in_with_browser(
        endpoints,
        "g-desktop",
        GOOGLE_CARDDAV_SCOPES,
        browser,
        client_secret=GOOGLE_SECRET,
        port=free_port("tcp"),
        timeout=30,
    )
    assert tokens.access in standin.issued_access and tokens.refresh in standin.valid_refresh
    # The page opened asked for a code with PKCE and a loopback redirect.
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(browser.opened[0]).query))
    assert query["scope"] == "https://www.googleapis.com/auth/carddav"
    assert query["code_challenge_method"] == "S256"
    assert query["redirect_uri"].startswith("http://127.0.0.1:")
    # The person's browser landed on Parley's "you can close this window" page.
    assert (
        browser.landed[0].status_code == 200 and b"close this window" in browser.landed[0].content
    )
    # What the token endpoint got: the code, the same redirect URI and the verifier.
    form = standin.forms("/token")[-1]
    assert form["grant_type"] == "authorization_code"
    assert form["redirect_uri"] == query["redirect_uri"]
    digest = hashlib.sha256(form["code_verifier"].encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == query["code_challenge"]


def test_refusal_in_the_browser(standin: OAuthStandIn) -> None:
    standin.scenarios["ms-no"] = Scenario(outcome="denied")
    endpoints = OAuthEndpoints(*standin.microsoft(), authorization=standin.authorize_url(False))
    with pytest.raises(OAuthError) as caught:
        loopback.sign_in_with_browser(
            endpoints, "ms-no", ["Contacts.Read"], Browser(), port=free_port("tcp"), timeout=30
        )
    assert caught.value.problem is OAuthProblem.REFUSED and "access_denied" in caught.value.detail


def test_nobody_comes_back() -> None:
    endpoints = OAuthEndpoints("", "http://127.0.0.1:9/t", authorization="http://127.0.0.1:9/a")
    with pytest.raises(OAuthError) as caught:
        loopback.sign_in_with_browser(
            endpoints, "c", ["s"], lambda url: None, port=free_port("tcp"), timeout=0.5
        )
    assert caught.value.problem is OAuthProblem.UNREACHABLE
