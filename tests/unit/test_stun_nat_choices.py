"""STUN's public address in the registration (Via, Contact, re-REGISTER on a new
mapping, rport still winning), and the account's NAT choices (which STUN server, which
RTP ports)."""

from __future__ import annotations

import random

from parley.phone.nat import effective_stun, rtp_port_range
from parley.settings.model import AccountSettings, Settings
from parley.settings.network import StunSettings
from parley.sip.auth import DigestClient
from parley.sip.message import Headers, Request, Response
from parley.sip.registration import (
    RegistrationClient,
    RegistrationConfig,
    RegState,
    SendRegister,
)


def client(rport: bool = False) -> RegistrationClient:
    c = RegistrationClient(
        RegistrationConfig(username="1001", domain="192.0.2.10:5060", password="x", rport=rport),
        rng=random.Random(1),
        digest=DigestClient(cnonce_factory=lambda: "c"),
    )
    c.set_local_address("10.0.0.2", 5070)
    return c


def sent(outputs: list[object]) -> Request:
    [request] = [o.request for o in outputs if isinstance(o, SendRegister)]
    return request


def ok(request: Request, via: str | None = None) -> Response:
    headers = Headers()
    for name in ("Via", "From", "To", "Call-ID", "CSeq"):
        for value in request.headers.get_all(name):
            headers.add(name, value + (";tag=srv" if name == "To" else ""))
    if via is not None:
        headers.set("Via", via)
    headers.add("Expires", "600")
    return Response(status=200, reason="OK", headers=headers)


def test_stun_address_goes_into_via_and_contact() -> None:
    c = client()
    assert c.set_mapped_address("203.0.113.1", 40001, 0.0) == []  # not registering yet
    request = sent(c.register(0.0))
    assert (request.top_via.host, request.top_via.port) == ("203.0.113.1", 40001)
    contact = request.contacts[0].uri
    assert (contact.host, contact.port) == ("203.0.113.1", 40001)


def test_a_new_mapping_while_registered_re_registers_with_it() -> None:
    c = client()
    c.set_mapped_address("203.0.113.1", 40001, 0.0)
    c.on_response(ok(sent(c.register(0.0))), 0.1)
    assert c.state is RegState.REGISTERED
    assert c.set_mapped_address("203.0.113.1", 40001, 5.0) == []  # the same: nothing to do
    again = sent(c.set_mapped_address("203.0.113.1", 40777, 10.0))
    assert again.contacts[0].uri.port == 40777
    assert again.top_via.port == 40777


def test_rport_still_wins_over_stun() -> None:
    c = client(rport=True)
    c.set_mapped_address("203.0.113.1", 40001, 0.0)
    first = sent(c.register(0.0))
    via = (first.headers.get("Via") or "").replace(";rport", ";rport=50000;received=198.51.100.9")
    again = sent(c.on_response(ok(first, via), 0.1))
    contact = again.contacts[0].uri
    assert (contact.host, contact.port) == ("198.51.100.9", 50000)


def test_a_new_local_address_forgets_the_stun_mapping() -> None:
    c = client()
    c.set_mapped_address("203.0.113.1", 40001, 0.0)
    c.address_changed("10.0.0.3", 5070, 1.0)
    assert c.mapped_address is None


def acct(**kw: object) -> AccountSettings:
    return AccountSettings(name="a", domain="192.0.2.10", username="1001", **kw)  # type: ignore[arg-type]


def test_which_stun_server_an_account_uses() -> None:
    glob = Settings(stun=StunSettings(enabled=True, server="stun.example.org", refresh=90))
    custom = acct(stun="custom", stun_server="192.0.2.5", stun_port=3479, stun_refresh=20)
    assert effective_stun(glob, custom) == effective_stun(Settings(), custom)
    s = effective_stun(glob, custom)
    assert s is not None and (s.host, s.port, s.refresh) == ("192.0.2.5", 3479, 20)
    g = effective_stun(glob, acct(stun="global"))
    assert g is not None and (g.host, g.port, g.refresh) == ("stun.example.org", 3478, 90)
    assert effective_stun(glob, acct()) is None  # "none", the default
    assert effective_stun(Settings(), acct(stun="global")) is None  # global switched off
    assert effective_stun(glob, acct(stun="custom")) is None  # custom without a server


def test_rtp_port_choices() -> None:
    s = Settings()
    assert rtp_port_range(s, acct()) == (s.media.rtp_port_min, s.media.rtp_port_max)
    assert rtp_port_range(s, acct(rtp_port=0)) == (32000, 65535)
    low, high = rtp_port_range(s, acct(rtp_port=40000))
    assert low == 40000 and high > 40001
