"""The phone's publications (`phone/publications.py`) on the phone pair's fake network and
virtual clock: a presence server beside the registrar answers PUBLISH with digest and
entity tags; hours pass in an instant. What is checked is what crossed the wire."""

from __future__ import annotations

import asyncio
import hashlib
import re
from dataclasses import dataclass, field

from phonepair import HOST, REGISTRAR_PORT, PhonePair
from test_phone_pair import registered

from parley.phone.account import Account
from parley.phone.events import PublicationChanged, SubscriptionStatus
from parley.phone.publications import Publication
from parley.sip.message import Request
from parley.sip.parser import parse_message
from parley.sip.pidf import CONTENT_TYPE, PresenceState, build, parse
from parley.sip.publication import PubState
from parley.sip.responses import make_response

REALM = "pair.test"  # the registrar's: the PUBLISH may reuse its credentials


@dataclass
class PresenceServer:
    """Answers PUBLISH at the registrar's address (RFC 3903 §6), the rest goes on to the
    registrar. `refuse`: a status for every PUBLISH (403, 489...)."""

    pair: PhonePair
    etag: str | None = None
    count: int = 0
    refuse: int | None = None
    challenges: int = 0
    received: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        network = self.pair.network
        where = (HOST, REGISTRAR_PORT)
        self.registrar = network.nodes[where]
        network.detach(where)
        network.attach(where, self._receive)

    def forget(self) -> None:
        """A restart: our tag is gone."""
        self.etag = None

    def _receive(self, data: bytes, src: tuple[str, int]) -> None:
        message = parse_message(data)
        if not isinstance(message, Request) or message.method != "PUBLISH":
            self.registrar(data, src)
            return
        self.received.append(message)
        auth = message.headers.get("Authorization")
        if auth is None or not self._valid(auth, message):
            self.challenges += 1
            challenge = f'Digest realm="{REALM}", nonce="pub{self.challenges}", qop="auth"'
            self._send(
                make_response(message, 401, to_tag="ps", headers=[("WWW-Authenticate", challenge)]),
                src,
            )
            return
        if self.refuse is not None:
            self._send(
                make_response(
                    message, self.refuse, "Bad Event" if self.refuse == 489 else None, to_tag="ps"
                ),
                src,
            )
            return
        match = message.headers.get("SIP-If-Match")
        if match is not None and match != self.etag:
            self._send(make_response(message, 412, "Conditional Request Failed", to_tag="ps"), src)
            return
        if match is None and not message.body:
            self._send(make_response(message, 400, to_tag="ps"), src)
            return
        expires = message.expires or 0
        self.count += 1
        self.etag = None if expires == 0 else f"tag{self.count}"
        headers = [("Expires", str(expires))]
        if self.etag:
            headers.append(("SIP-ETag", self.etag))
        self._send(make_response(message, 200, to_tag="ps", headers=headers), src)

    def _valid(self, header: str, request: Request) -> bool:
        params = {k: a or b for k, a, b in re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]*))', header)}

        def md5(text: str) -> str:
            return hashlib.md5(text.encode()).hexdigest()

        ha1 = md5(f"1001:{REALM}:secret1")
        ha2 = md5(f"PUBLISH:{params.get('uri', '')}")
        expected = md5(
            f"{ha1}:{params.get('nonce')}:{params.get('nc')}:{params.get('cnonce')}:auth:{ha2}"
        )
        return params.get("response") == expected

    def _send(self, response: object, dst: tuple[str, int]) -> None:
        self.pair.network.send(response.to_bytes(), (HOST, REGISTRAR_PORT), dst)  # type: ignore[attr-defined]


def publish_presence(
    pair: PhonePair, state: PresenceState, note: str = ""
) -> tuple[Account, Publication]:
    """alice publishes `state` (and `note`) as her presence."""
    account = pair.a.phone.accounts["alice"]
    body = build(str(account.registration.aor), state, note)
    return account, pair.a.phone.publications.publish(account, "presence", CONTENT_TYPE, body)


def test_refreshed_for_hours_then_412_then_removed_with_the_account(
    phone_pair: PhonePair,
) -> None:
    pair = phone_pair
    server = PresenceServer(pair)

    async def scenario() -> None:
        await registered(pair)
        account, pub = publish_presence(pair, PresenceState.LUNCH, "kantine")
        aor = str(account.registration.aor)
        await pair.until(lambda: pub.state is PubState.PUBLISHED)
        first = server.received[-1]
        assert parse(first.body).state is PresenceState.LUNCH
        assert first.headers.get("Expires") == "600"  # the account's subscription expiry
        # Three hours: a refresh every 540 s, each with the tag of the last answer.
        await asyncio.sleep(3 * 3600)
        refreshes = server.received[1:]
        assert 18 <= len(refreshes) <= 21, len(refreshes)
        for n, refresh in enumerate(refreshes, start=2):
            assert refresh.headers.get("SIP-If-Match") == f"tag{n - 1}"
            assert refresh.body == b""
        assert pub.state is PubState.PUBLISHED
        # The server restarts: the next refresh gets 412, then a fresh PUBLISH with body.
        server.forget()
        before = len(server.received)
        await asyncio.sleep(600)
        lost, fresh = server.received[before : before + 2]
        assert lost.headers.get("SIP-If-Match") is not None
        assert fresh.headers.get("SIP-If-Match") is None
        assert parse(fresh.body).state is PresenceState.LUNCH
        assert server.etag is not None and pub.state is PubState.PUBLISHED
        # A change of state, then the account goes: the publication is taken back.
        count = server.count
        pub.modify(build(aor, PresenceState.ONLINE))
        await pair.until(lambda: server.count > count)
        assert parse(server.received[-1].body).state is PresenceState.ONLINE
        await pair.a.phone.remove_account("alice")
        removal = server.received[-1]
        assert removal.headers.get("Expires") == "0"
        assert removal.headers.get("SIP-If-Match") is not None
        assert server.etag is None
        assert pub.state is PubState.REMOVED
        assert not [e for e in pair.a.events if isinstance(e, PublicationChanged)]
        # Credentials came from the registration: no PUBLISH was ever challenged.
        assert server.challenges == 0

    pair.run(scenario())


def test_a_refusal_is_a_failed_publication_event(phone_pair: PhonePair) -> None:
    pair = phone_pair
    server = PresenceServer(pair, refuse=403)

    async def scenario() -> None:
        await registered(pair)
        account, pub = publish_presence(pair, PresenceState.BUSY)
        await pair.until(lambda: pub.state is PubState.FAILED)
        (event,) = [e for e in pair.a.events if isinstance(e, PublicationChanged)]
        assert (event.state, event.package, event.status, event.account) == (
            SubscriptionStatus.FAILED,
            "presence",
            403,
            "alice",
        )
        assert event.uri == str(account.registration.aor)
        await asyncio.sleep(3600)  # a refusal is not tried again
        assert len(server.received) == 1

    pair.run(scenario())


def test_stop_removes_every_publication(phone_pair: PhonePair) -> None:
    pair = phone_pair
    server = PresenceServer(pair)

    async def scenario() -> None:
        await registered(pair)
        _account, pub = publish_presence(pair, PresenceState.AWAY)
        await pair.until(lambda: pub.state is PubState.PUBLISHED)
        await pair.a.phone.stop(timeout=2.0)
        assert server.received[-1].headers.get("Expires") == "0"
        assert pub.state is PubState.REMOVED

    pair.run(scenario())
