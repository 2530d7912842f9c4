"""The OAuth 2.0 device flow (RFC 8628), refresh and token keeping
(parley.contacts.oauth_device): the sans-IO decisions on the documented answers, then the
whole flow against the local stand-in of Microsoft's and Google's endpoints
(tests/peers/oauth_standin.py, 127.0.0.1 only; the real endpoints are never contacted)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import keyring.errors
import pytest

from parley.contacts import oauth_device as oauth
from parley.contacts.oauth_device import (
    DeviceCode,
    OAuthEndpoints,
    OAuthError,
    OAuthProblem,
    PollOutcome,
    TokenLocation,
    Tokens,
    TokenSource,
    TokenStore,
)
from peers.oauth_standin import GOOGLE_SECRET, OAuthStandIn, Scenario

NOW = 1_800_000_000.0


class MemoryKeyring:
    """A keyring backend that works (priority > 0) and keeps what it is given. Not a
    subclass of keyring's KeyringBackend: those are registered and keyring would choose
    it as the process-wide default."""

    priority = 1.0

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.items:
            raise keyring.errors.PasswordDeleteError(username)
        del self.items[(service, username)]


class LockedKeyring(MemoryKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("the keyring is locked")


class NoKeyring(MemoryKeyring):
    priority = 0.0


# --- sans-IO ------------------------------------------------------------------------------


def _ms_error(code: str) -> bytes:
    return json.dumps(
        {"error": code, "error_description": "AADSTS70016: pending", "error_codes": [70016]}
    ).encode()


def test_device_code_answers_of_both_providers() -> None:
    microsoft = oauth.device_code_from_answer(
        200,
        b'{"user_code":"FGH7QK2LM","device_code":"DAQABAAEAAAD","verification_uri":'
        b'"https://microsoft.com/devicelogin","expires_in":900,"interval":5,'
        b'"message":"To sign in, use a web browser"}',
        NOW,
    )
    assert (microsoft.user_code, microsoft.verification_uri) == (
        "FGH7QK2LM",
        "https://microsoft.com/devicelogin",
    )
    assert (microsoft.interval, microsoft.expires_in, microsoft.expires_at) == (5, 900, NOW + 900)
    assert microsoft.message == "To sign in, use a web browser"
    # Google says verification_url.
    google = oauth.device_code_from_answer(
        200,
        b'{"device_code":"4/4-GMMhm","user_code":"GQVQ-JKEC","verification_url":'
        b'"https://www.google.com/device","expires_in":1800,"interval":5}',
        NOW,
    )
    assert google.verification_uri == "https://www.google.com/device"
    assert google.expires_at == NOW + 1800


@pytest.mark.parametrize(
    ("status", "body", "problem"),
    [
        (200, b"<html>", OAuthProblem.BAD_ANSWER),
        (200, b'{"user_code":"X","verification_uri":"https://x"}', OAuthProblem.BAD_ANSWER),
        (
            400,
            b'{"error":"invalid_scope","error_description":"bad scope"}',
            OAuthProblem.INVALID_SCOPE,
        ),
        (401, b'{"error":"invalid_client"}', OAuthProblem.INVALID_CLIENT),
        (502, b"Bad gateway", OAuthProblem.BAD_ANSWER),
    ],
)
def test_device_code_refusals(status: int, body: bytes, problem: OAuthProblem) -> None:
    with pytest.raises(OAuthError) as caught:
        oauth.device_code_from_answer(status, body, NOW)
    assert caught.value.problem is problem


def test_missing_interval_defaults_to_five_seconds() -> None:
    code = oauth.device_code_from_answer(
        200, b'{"device_code":"d","user_code":"u","verification_uri":"https://v"}', NOW
    )
    assert code.interval == 5 and code.expires_in == 900


@pytest.mark.parametrize(
    ("status", "body", "outcome", "interval"),
    [
        (400, _ms_error("authorization_pending"), PollOutcome.PENDING, 5),
        (428, b'{"error":"authorization_pending"}', PollOutcome.PENDING, 5),
        (400, _ms_error("slow_down"), PollOutcome.SLOW_DOWN, 10),
        (403, b'{"error":"slow_down"}', PollOutcome.SLOW_DOWN, 10),
        (400, _ms_error("expired_token"), PollOutcome.EXPIRED, 5),
        (400, _ms_error("authorization_declined"), PollOutcome.DENIED, 5),
        (403, b'{"error":"access_denied"}', PollOutcome.DENIED, 5),
        (400, _ms_error("bad_verification_code"), PollOutcome.FAILED, 5),
        (500, b"oops", PollOutcome.FAILED, 5),
    ],
)
def test_poll_answers(status: int, body: bytes, outcome: PollOutcome, interval: int) -> None:
    result = oauth.poll_result_from_answer(status, body, NOW, 5)
    assert result.outcome is outcome
    assert result.interval == interval
    assert result.tokens is None


def test_poll_success_gives_tokens_with_expiry_from_now() -> None:
    result = oauth.poll_result_from_answer(
        200,
        b'{"token_type":"Bearer","scope":"Contacts.Read","expires_in":3599,'
        b'"access_token":"eyJ0","refresh_token":"M.R3"}',
        NOW,
        5,
    )
    assert result.outcome is PollOutcome.SUCCESS and result.finished
    assert result.tokens == Tokens("eyJ0", "M.R3", NOW + 3599, "Contacts.Read")


def test_token_answer_refused_when_not_bearer() -> None:
    with pytest.raises(OAuthError) as caught:
        oauth.tokens_from_answer(200, b'{"access_token":"a","token_type":"mac"}', NOW)
    assert caught.value.problem is OAuthProblem.BAD_ANSWER


def test_refresh_answer_without_refresh_token_keeps_the_old_one() -> None:
    tokens = oauth.tokens_from_answer(
        200, b'{"access_token":"a2","expires_in":3920,"token_type":"Bearer"}', NOW, "old-rt"
    )
    assert tokens.refresh == "old-rt"


def test_needs_refresh_with_margin() -> None:
    tokens = Tokens("a", "r", NOW + 100)
    assert not tokens.needs_refresh(NOW)
    assert tokens.needs_refresh(NOW + 41)  # within the 60 s margin
    assert tokens.needs_refresh(NOW + 200)


def test_tokens_json_round_trip_and_garbage() -> None:
    tokens = Tokens("a", None, NOW, "s")
    assert Tokens.from_json(tokens.to_json()) == tokens
    assert Tokens.from_json("not json") is None
    assert Tokens.from_json('{"access_token": 5, "expires_at": 1}') is None


def test_poll_after_expiry_sends_nothing() -> None:
    code = DeviceCode("d", "u", "https://v", 5, 900, NOW)
    # An endpoint that cannot be reached: nothing must be sent at all.
    endpoints = OAuthEndpoints("http://127.0.0.1:9/dev", "http://127.0.0.1:9/tok")
    assert oauth.poll(endpoints, "c", code, NOW + 1).outcome is PollOutcome.EXPIRED


def test_microsoft_endpoint_constants() -> None:
    endpoints = oauth.microsoft_endpoints("contoso.onmicrosoft.com")
    assert endpoints.device_authorization == (
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/devicecode"
    )
    assert endpoints.token.endswith("/contoso.onmicrosoft.com/oauth2/v2.0/token")
    assert (
        oauth.GOOGLE_ENDPOINTS.device_authorization == "https://oauth2.googleapis.com/device/code"
    )


# --- against the stand-in -----------------------------------------------------------------


@pytest.fixture(scope="module")
def standin() -> Iterator[OAuthStandIn]:
    with OAuthStandIn() as server:
        yield server


def _ms(standin: OAuthStandIn) -> OAuthEndpoints:
    return OAuthEndpoints(*standin.microsoft("organizations"))


def _google(standin: OAuthStandIn) -> OAuthEndpoints:
    return OAuthEndpoints(*standin.google())


class FakeTime:
    def __init__(self) -> None:
        self.now = NOW
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_microsoft_flow_pending_then_success(standin: OAuthStandIn) -> None:
    standin.scenarios["ms-ok"] = Scenario(pending=3, interval=2)
    code = oauth.start(_ms(standin), "ms-ok", oauth.GRAPH_CONTACTS_SCOPES, now=NOW)
    assert code.verification_uri == "https://microsoft.com/devicelogin"
    assert code.user_code in (code.message or "")
    # What the device endpoint received: the client id and the scopes.
    sent = standin.forms("/organizations/oauth2/v2.0/devicecode")[-1]
    assert sent == {
        "client_id": "ms-ok",
        "scope": "https://graph.microsoft.com/Contacts.Read offline_access",
    }
    fake = FakeTime()
    result = oauth.wait_for_tokens(_ms(standin), "ms-ok", code, clock=fake.clock, sleep=fake.sleep)
    assert result.outcome is PollOutcome.SUCCESS
    assert result.tokens is not None and result.tokens.access in standin.issued_access
    assert result.tokens.refresh in standin.valid_refresh
    assert fake.slept == [2, 2, 2, 2]  # three pending answers, then the tokens
    polls = [f for f in standin.forms("/oauth2/v2.0/token") if f["device_code"] == code.device_code]
    assert len(polls) == 4
    assert polls[0]["grant_type"] == "urn:ietf:params:oauth:grant-type:device_code"


def test_slow_down_adds_five_seconds(standin: OAuthStandIn) -> None:
    standin.scenarios["ms-slow"] = Scenario(pending=1, slow_down_on=frozenset({2}), interval=1)
    code = oauth.start(_ms(standin), "ms-slow", ["Contacts.Read"], now=NOW)
    fake = FakeTime()
    result = oauth.wait_for_tokens(
        _ms(standin), "ms-slow", code, clock=fake.clock, sleep=fake.sleep
    )
    assert result.outcome is PollOutcome.SUCCESS
    # pending, slow_down (then 1 + 5 = 6 s), success
    assert fake.slept == [1, 1, 6]


@pytest.mark.parametrize(
    ("outcome", "expected"), [("denied", PollOutcome.DENIED), ("expired", PollOutcome.EXPIRED)]
)
def test_refusal_and_expiry_end_the_flow(
    standin: OAuthStandIn, outcome: str, expected: PollOutcome
) -> None:
    client = f"ms-{outcome}"
    standin.scenarios[client] = Scenario(pending=1, outcome=outcome)
    code = oauth.start(_ms(standin), client, ["Contacts.Read"], now=NOW)
    fake = FakeTime()
    result = oauth.wait_for_tokens(_ms(standin), client, code, clock=fake.clock, sleep=fake.sleep)
    assert result.outcome is expected and result.tokens is None
    assert len(fake.slept) == 2  # stops at once, no further polling


def test_code_expiry_by_the_clock_stops_polling(standin: OAuthStandIn) -> None:
    standin.scenarios["ms-forever"] = Scenario(pending=10_000, expires_in=30, interval=5)
    code = oauth.start(_ms(standin), "ms-forever", ["Contacts.Read"], now=NOW)
    fake = FakeTime()
    result = oauth.wait_for_tokens(
        _ms(standin), "ms-forever", code, clock=fake.clock, sleep=fake.sleep
    )
    assert result.outcome is PollOutcome.EXPIRED
    polls = [
        f for f in standin.forms("/oauth2/v2.0/token") if f.get("device_code") == code.device_code
    ]
    assert len(polls) == 5  # at 5, 10, 15, 20, 25 s; at 30 s the code is dead


def test_cancel_stops_polling(standin: OAuthStandIn) -> None:
    standin.scenarios["ms-cancel"] = Scenario(pending=10_000)
    code = oauth.start(_ms(standin), "ms-cancel", ["Contacts.Read"], now=NOW)
    fake = FakeTime()
    result = oauth.wait_for_tokens(
        _ms(standin),
        "ms-cancel",
        code,
        clock=fake.clock,
        sleep=fake.sleep,
        cancelled=lambda: len(fake.slept) >= 3,
    )
    assert result.outcome is PollOutcome.PENDING
    polls = [
        f for f in standin.forms("/oauth2/v2.0/token") if f.get("device_code") == code.device_code
    ]
    assert len(polls) == 2


def test_google_flow_with_secret_and_refresh(standin: OAuthStandIn) -> None:
    standin.scenarios["g-ok"] = Scenario(pending=1)
    endpoints = _google(standin)
    with pytest.raises(OAuthError) as caught:
        oauth.start(endpoints, "g-ok", ["email"], now=NOW)  # no secret: Google refuses
    assert caught.value.problem is OAuthProblem.INVALID_CLIENT
    code = oauth.start(endpoints, "g-ok", ["email"], client_secret=GOOGLE_SECRET, now=NOW)
    assert code.verification_uri == "https://www.google.com/device"
    fake = FakeTime()
    result = oauth.wait_for_tokens(
        endpoints, "g-ok", code, client_secret=GOOGLE_SECRET, clock=fake.clock, sleep=fake.sleep
    )
    assert result.outcome is PollOutcome.SUCCESS and result.tokens is not None
    old_refresh = result.tokens.refresh
    assert old_refresh is not None
    fresh = oauth.refresh(endpoints, "g-ok", old_refresh, client_secret=GOOGLE_SECRET, now=NOW)
    assert fresh.access in standin.issued_access and fresh.access != result.tokens.access
    assert fresh.refresh == old_refresh  # Google sends none: the old one stays
    assert standin.forms("/token")[-1] == {
        "client_id": "g-ok",
        "client_secret": GOOGLE_SECRET,
        "grant_type": "refresh_token",
        "refresh_token": old_refresh,
    }


def test_microsoft_refresh_rotates_and_revoked_is_invalid_grant(standin: OAuthStandIn) -> None:
    standin.valid_refresh.add("rt-seed")
    endpoints = _ms(standin)
    fresh = oauth.refresh(endpoints, "ms-any", "rt-seed", now=NOW)
    assert fresh.refresh not in (None, "rt-seed") and fresh.expires_at == NOW + 3599
    with pytest.raises(OAuthError) as caught:
        oauth.refresh(endpoints, "ms-any", "rt-seed", now=NOW)  # used up by rotation
    assert caught.value.problem is OAuthProblem.INVALID_GRANT
    assert "AADSTS70000" in caught.value.detail


def test_unreachable_endpoint_is_a_code() -> None:
    from peers.common import free_port

    port = free_port("tcp")  # nothing listens there
    endpoints = OAuthEndpoints(f"http://127.0.0.1:{port}/d", f"http://127.0.0.1:{port}/t")
    with pytest.raises(OAuthError) as caught:
        oauth.start(endpoints, "c", ["s"], timeout=5)
    assert caught.value.problem is OAuthProblem.UNREACHABLE
    code = DeviceCode("d", "u", "https://v", 5, 900, NOW + 900)
    result = oauth.poll(endpoints, "c", code, NOW, timeout=5)
    assert result.outcome is PollOutcome.FAILED and result.problem is OAuthProblem.UNREACHABLE


# --- keeping tokens -----------------------------------------------------------------------


def test_token_store_uses_the_keyring_under_the_documented_key() -> None:
    backend = MemoryKeyring()
    store = TokenStore(backend)
    tokens = Tokens("a", "r", NOW)
    assert store.save("microsoft", "anna@example.com", tokens) is TokenLocation.KEYRING
    assert store.status().location is TokenLocation.KEYRING
    stored = backend.items[("parley", "oauth:microsoft:anna@example.com")]
    assert json.loads(stored)["refresh_token"] == "r"
    # A new store (Parley started again) finds them in the keyring.
    assert TokenStore(backend).load("microsoft", "anna@example.com") == tokens
    store.delete("microsoft", "anna@example.com")
    assert backend.items == {}
    store.delete("microsoft", "anna@example.com")  # nothing there: not an error


def test_token_store_without_keyring_keeps_memory_only_and_says_so() -> None:
    store = TokenStore(NoKeyring())
    status = store.status()
    assert status.location is TokenLocation.MEMORY and "not usable" in status.reason
    assert store.save("google", "bob", Tokens("a", "r", NOW)) is TokenLocation.MEMORY
    assert store.load("google", "bob") == Tokens("a", "r", NOW)
    assert TokenStore(NoKeyring()).load("google", "bob") is None  # gone with the process


def test_token_store_with_locked_keyring_falls_back_and_says_why() -> None:
    store = TokenStore(LockedKeyring())
    assert store.save("google", "bob", Tokens("a", "r", NOW)) is TokenLocation.MEMORY
    status = store.status()
    assert status.location is TokenLocation.MEMORY and "locked" in status.reason
    assert store.load("google", "bob") == Tokens("a", "r", NOW)


def test_token_store_on_this_machine_without_a_keyring_service() -> None:
    # The test machine has no Secret Service: keyring's default backend is "fail".
    from parley.settings import keyring_status

    if keyring_status().usable:
        pytest.skip("this machine has a usable keyring")
    status = TokenStore().status()
    assert status.location is TokenLocation.MEMORY
    assert "no keyring service" in status.reason


def test_token_source_refreshes_when_due_and_stores_again(standin: OAuthStandIn) -> None:
    backend = MemoryKeyring()
    store = TokenStore(backend)
    standin.valid_refresh.add("rt-src")
    store.save("microsoft", "anna", Tokens("at-stale", "rt-src", NOW + 10))
    fake = FakeTime()
    source = TokenSource(store, "microsoft", "anna", _ms(standin), "ms-any", clock=fake.clock)
    access = source.access_token()  # expires within the margin: refreshed first
    assert access != "at-stale" and access in standin.issued_access
    kept = TokenStore(backend).load("microsoft", "anna")
    assert kept is not None and kept.access == access and kept.refresh != "rt-src"
    assert source.access_token() == access  # still fresh: no new request
    forced = source.refresh_now()
    assert forced != access and forced in standin.issued_access


def test_token_source_without_sign_in() -> None:
    source = TokenSource(
        TokenStore(MemoryKeyring()), "microsoft", "nobody", OAuthEndpoints("x", "y"), "c"
    )
    with pytest.raises(OAuthError) as caught:
        source.access_token()
    assert caught.value.problem is OAuthProblem.NO_TOKENS


def test_refresh_may_name_the_scopes(standin: OAuthStandIn) -> None:
    standin.valid_refresh.add("rt-scoped")
    fresh = oauth.refresh(_ms(standin), "ms-any", "rt-scoped", scopes=["Contacts.Read"], now=NOW)
    assert fresh.scope == "Contacts.Read"
    assert standin.forms("/oauth2/v2.0/token")[-1]["scope"] == "Contacts.Read"
