"""The registration state machine, driven with hand-made responses and a fake clock."""

from __future__ import annotations

import random

import pytest

from parley.cli.texts import registration_text
from parley.sip.auth import DigestClient
from parley.sip.message import Headers, Request, Response
from parley.sip.registration import (
    RegCause,
    RegistrationClient,
    RegistrationConfig,
    RegState,
    SendRegister,
    StateChanged,
    proxy_uri,
    split_host_port,
)


def said(client: RegistrationClient) -> str:
    """What the console says for the client's last state (sentences are the front-ends')."""
    cfg = client.config
    return registration_text(
        account="office",
        state=client.state,
        status=client.last_status,
        reason=client.last_reason,
        cause=client.last_cause,
        detail=client.last_detail,
        user=cfg.username,
        domain=cfg.domain,
        transport=cfg.transport,
    )


def make_client(**overrides: object) -> RegistrationClient:
    cfg = RegistrationConfig(
        **{  # type: ignore[arg-type]
            "username": "1001",
            "domain": "127.0.0.1:5060",
            "password": "pass1001",
            "expires": 600,
            "retry_interval": 30.0,
            "max_retry_interval": 120.0,
            **overrides,
        }
    )
    client = RegistrationClient(
        cfg, rng=random.Random(7), digest=DigestClient(cnonce_factory=lambda: "0a4f113b")
    )
    client.set_local_address("127.0.0.1", 40000)
    return client


def sent(outputs: list[object]) -> Request:
    requests = [o.request for o in outputs if isinstance(o, SendRegister)]
    assert len(requests) == 1, outputs
    return requests[0]


def states(outputs: list[object]) -> list[RegState]:
    return [o.state for o in outputs if isinstance(o, StateChanged)]


def answer(request: Request, status: int, reason: str, *extra: tuple[str, str]) -> Response:
    headers = Headers()
    for name in ("Via", "From", "To", "Call-ID", "CSeq"):
        for value in request.headers.get_all(name):
            headers.add(name, value + (";tag=srv" if name == "To" and status >= 200 else ""))
    for name, value in extra:
        headers.add(name, value)
    return Response(status=status, reason=reason, headers=headers)


def challenge(request: Request, *, stale: bool = False, proxy: bool = False) -> Response:
    name = "Proxy-Authenticate" if proxy else "WWW-Authenticate"
    value = f'Digest realm="127.0.0.1", nonce="n{request.cseq.seq}", qop="auth"'
    if stale:
        value += ", stale=true"
    return answer(request, 407 if proxy else 401, "Unauthorized", (name, value))


def test_register_builds_a_proper_request() -> None:
    client = make_client(display_name="Office")
    outputs = client.register(0.0)
    assert states(outputs) == [RegState.REGISTERING]
    req = sent(outputs)
    assert req.method == "REGISTER"
    assert str(req.uri) == "sip:127.0.0.1:5060"
    assert req.top_via.branch is not None and req.top_via.branch.startswith("z9hG4bK")
    assert req.top_via.has_rport
    assert str(req.from_.uri) == "sip:1001@127.0.0.1:5060"
    assert req.from_.tag
    assert req.to.tag is None
    assert req.contacts[0].uri.host == "127.0.0.1" and req.contacts[0].uri.port == 40000
    assert req.expires == 600
    assert req.cseq.method == "REGISTER"


def test_digest_challenge_then_registered_and_refresh_at_ninety_percent() -> None:
    client = make_client()
    first = sent(client.register(0.0))
    retry = sent(client.on_response(challenge(first), 0.1))
    assert retry.cseq.seq == first.cseq.seq + 1
    assert retry.call_id == first.call_id
    assert retry.top_via.branch != first.top_via.branch
    auth = retry.headers.get("Authorization") or ""
    assert 'username="1001"' in auth and "nc=00000001" in auth
    ok = answer(retry, 200, "OK", ("Contact", "<sip:1001@127.0.0.1:40000>;expires=300"))
    outputs = client.on_response(ok, 0.2)
    assert states(outputs) == [RegState.REGISTERED]
    assert client.granted_expires == 300
    assert client.next_timer() == pytest.approx(0.2 + 270)
    # The refresh carries credentials up front with the next nonce count.
    refresh = sent(client.handle_timer(270.2))
    assert refresh.call_id == first.call_id
    assert "nc=00000002" in (refresh.headers.get("Authorization") or "")
    assert client.state == RegState.REGISTERED  # no flicker to "registering" on refresh


def test_wrong_password_fails_with_a_sentence_and_retries_later() -> None:
    client = make_client(password="wrong")
    first = sent(client.register(0.0))
    retry = sent(client.on_response(challenge(first), 0.1))
    # The server challenges again with a fresh nonce and no stale flag: password rejected.
    rejected = answer(
        retry,
        401,
        "Unauthorized",
        ("WWW-Authenticate", 'Digest realm="127.0.0.1", nonce="other", qop="auth"'),
    )
    outputs = client.on_response(rejected, 0.2)
    change = next(o for o in outputs if isinstance(o, StateChanged))
    assert change.state == RegState.FAILED and change.status == 401
    assert change.cause is RegCause.WRONG_PASSWORD and "password" in said(client)
    assert client.next_timer() == pytest.approx(30.2)


def test_stale_nonce_is_retried_without_failing() -> None:
    client = make_client()
    first = sent(client.register(0.0))
    retry = sent(client.on_response(challenge(first), 0.1))
    again = sent(client.on_response(challenge(retry, stale=True), 0.2))
    assert f'nonce="n{retry.cseq.seq}"' in (again.headers.get("Authorization") or "")
    assert client.state == RegState.REGISTERING


def test_401_then_407_both_answered() -> None:
    client = make_client()
    first = sent(client.register(0.0))
    second = sent(client.on_response(challenge(first), 0.1))
    third = sent(client.on_response(challenge(second, proxy=True), 0.2))
    assert third.headers.get("Authorization") and third.headers.get("Proxy-Authorization")


def test_423_raises_expiry_to_min_expires() -> None:
    client = make_client(expires=60)
    first = sent(client.register(0.0))
    again = sent(
        client.on_response(answer(first, 423, "Interval Too Brief", ("Min-Expires", "1800")), 0.1)
    )
    assert again.expires == 1800
    outputs = client.on_response(answer(again, 200, "OK", ("Expires", "1800")), 0.2)
    assert states(outputs) == [RegState.REGISTERED]
    assert client.granted_expires == 1800


def test_423_without_min_expires_is_a_failure() -> None:
    client = make_client()
    first = sent(client.register(0.0))
    outputs = client.on_response(answer(first, 423, "Interval Too Brief"), 0.1)
    assert states(outputs) == [RegState.FAILED]


def test_timeout_fails_and_backs_off_up_to_the_maximum() -> None:
    client = make_client()
    client.register(0.0)
    now = 0.0
    delays = []
    for _ in range(4):
        now += 32.0
        outputs = client.on_timeout(now)
        assert states(outputs) in ([RegState.FAILED], [])
        assert client.last_status == 408
        assert client.last_cause is RegCause.NO_RESPONSE and "no answer" in said(client)
        deadline = client.next_timer()
        assert deadline is not None
        delays.append(deadline - now)
        now = deadline
        sent(client.handle_timer(now))
    assert delays == [30.0, 60.0, 120.0, 120.0]


def test_failure_sentences_name_the_problem() -> None:
    client = make_client()
    first = sent(client.register(0.0))
    client.on_response(answer(first, 403, "Forbidden"), 0.1)
    assert client.state == RegState.FAILED
    assert client.last_cause is RegCause.REFUSED
    assert "403 Forbidden" in said(client) and "user 1001" in said(client)


def test_unregister_sends_expires_zero_and_ends_unregistered() -> None:
    client = make_client()
    first = sent(client.register(0.0))
    client.on_response(answer(first, 200, "OK", ("Expires", "600")), 0.1)
    outputs = client.unregister(1.0)
    bye = sent(outputs)
    assert bye.expires == 0
    assert states(outputs) == [RegState.UNREGISTERING]
    done = client.on_response(answer(bye, 200, "OK"), 1.1)
    assert states(done) == [RegState.UNREGISTERED]
    assert client.next_timer() is None


def test_a_server_that_never_answered_has_no_binding_to_wait_for() -> None:
    # The account's unregister waits for the answer only when the registrar ever
    # answered: a wrong port must not hold up removing the account (found in the
    # new-user trial: correcting the port waited for the dead server first).
    client = make_client()
    assert sent(client.register(0.0)).expires != 0
    assert not client.answered
    # Removed while the REGISTER is still unanswered: Expires 0 is still said, for
    # good measure, but nothing has ever come back.
    assert sent(client.unregister(3.0)).expires == 0
    assert not client.answered
    other = make_client()
    attempt = sent(other.register(0.0))
    other.on_response(challenge(attempt), 0.1)
    assert other.answered


def test_responses_to_old_attempts_are_ignored() -> None:
    client = make_client()
    first = sent(client.register(0.0))
    retry = sent(client.on_response(challenge(first), 0.1))
    assert client.on_response(answer(first, 200, "OK"), 0.2) == []
    assert client.state == RegState.REGISTERING
    assert retry is client.pending_request


def test_rport_learning_rebinds_the_public_address() -> None:
    client = make_client()
    first = sent(client.register(0.0))
    ok = answer(first, 200, "OK", ("Expires", "600"))
    via = ok.headers.get("Via") or ""
    ok.headers.set("Via", via.replace(";rport", ";rport=61000;received=198.51.100.7"))
    again = sent(client.on_response(ok, 0.1))
    contact = again.contacts[0].uri
    assert (contact.host, contact.port) == ("198.51.100.7", 61000)


def test_tcp_contact_and_outbound_proxy_route() -> None:
    client = make_client(transport="tcp", outbound_proxy="127.0.0.1:5070")
    req = sent(client.register(0.0))
    assert req.top_via.transport == "TCP"
    assert req.contacts[0].uri.params.get("transport") == "tcp"
    assert str(req.routes[0].uri) == "sip:127.0.0.1:5070;transport=tcp;lr"


def test_helpers() -> None:
    assert split_host_port("pbx.example.com:5070") == ("pbx.example.com", 5070)
    assert split_host_port("[::1]:5062") == ("[::1]", 5062)
    assert split_host_port("[::1]") == ("[::1]", None)
    assert split_host_port("pbx") == ("pbx", None)
    assert proxy_uri("sip:proxy.example.com;lr", "udp") == "sip:proxy.example.com;lr"
    assert proxy_uri("proxy.example.com", "tls") == "sips:proxy.example.com;lr"


def test_auth_username_differs() -> None:
    """The digest user may differ from the user in From/To/Contact (manual: authorization
    user name)."""
    client = make_client(auth_username="auth-7")
    first = sent(client.register(0.0))
    retry = sent(client.on_response(challenge(first), 0.1))
    auth = retry.headers.get("Authorization") or ""
    assert 'username="auth-7"' in auth
    assert retry.from_.uri.user == "1001"
    assert retry.contacts[0].uri.user == "1001"


def test_public_and_local_hosts_are_both_known() -> None:
    """RPort media needs both: our own address and the one the registrar saw."""
    client = make_client()
    first = sent(client.register(0.0))
    ok = answer(first, 200, "OK", ("Expires", "600"))
    via = ok.headers.get("Via") or ""
    ok.headers.set("Via", via.replace(";rport", ";rport=61000;received=198.51.100.7"))
    client.on_response(ok, 0.1)
    assert client.local_host == "127.0.0.1"
    assert client.public_host == "198.51.100.7"
