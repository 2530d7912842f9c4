"""The REGISTER after an address change (`RegistrationClient.address_changed`): the new
Contact bound, the old one removed in the same request (RFC 3261 §10.2.2)."""

from __future__ import annotations

import random

from parley.sip.auth import DigestClient
from parley.sip.message import Headers, Request, Response
from parley.sip.registration import RegistrationClient, RegistrationConfig, RegState, SendRegister


def client() -> RegistrationClient:
    c = RegistrationClient(
        RegistrationConfig(username="1001", domain="198.51.100.10:5060", password="x"),
        rng=random.Random(1),
        digest=DigestClient(cnonce_factory=lambda: "c"),
    )
    c.set_local_address("10.1.0.2", 5070)
    return c


def sent(outputs: list[object]) -> Request:
    [request] = [o.request for o in outputs if isinstance(o, SendRegister)]
    return request


def ok(request: Request) -> Response:
    headers = Headers()
    for name in ("Via", "From", "To", "Call-ID", "CSeq"):
        for value in request.headers.get_all(name):
            headers.add(name, value + (";tag=srv" if name == "To" else ""))
    headers.add("Expires", "600")
    return Response(status=200, reason="OK", headers=headers)


def contacts(request: Request) -> list[tuple[str, str | None]]:
    return [(f"{c.uri.host}:{c.uri.port}", c.params.get("expires")) for c in request.contacts]


def test_the_register_from_the_new_address_removes_the_old_binding() -> None:
    c = client()
    first = sent(c.register(0.0))
    c.on_response(ok(first), 0.1)
    assert c.state is RegState.REGISTERED
    moved = sent(c.address_changed("10.2.0.2", 5070, 5.0))
    assert contacts(moved) == [("10.2.0.2:5070", None), ("10.1.0.2:5070", "0")]
    assert moved.top_via.host == "10.2.0.2"
    assert moved.call_id == first.call_id  # the same registration (§10.2.4)
    c.on_response(ok(moved), 5.1)
    assert c.state is RegState.REGISTERED
    # once answered, the old binding is not named again (the next refresh)
    refresh = sent(c.handle_timer(1000.0))
    assert contacts(refresh) == [("10.2.0.2:5070", None)]


def test_before_any_answer_there_is_no_old_binding_to_remove() -> None:
    c = client()
    c.register(0.0)  # never answered
    moved = sent(c.address_changed("10.2.0.2", 5070, 5.0))
    assert contacts(moved) == [("10.2.0.2:5070", None)]
