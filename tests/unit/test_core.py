"""The user-agent core without sockets: routing, the RFC 3261 answers, Allow derived from
what is registered, digest retry of the non-INVITE client, one timer for everything."""

from __future__ import annotations

import random

from uapair import Pair

from parley.sip.auth import DigestClient
from parley.sip.core import Transmit, UserAgentCore
from parley.sip.dialog import DialogId
from parley.sip.ids import IdSource
from parley.sip.invite_usage import register_invite_usage
from parley.sip.message import Request, Response
from parley.sip.parser import parse_message
from parley.sip.request_client import ClientCallbacks, Credentials
from parley.sip.responses import make_response
from parley.sip.transaction_server import ServerTransaction

SRC = ("198.51.100.7", 5060)
OFFER = b"v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
ANSWER = OFFER.replace(b"o=a", b"o=b")


def request(method: str, *, to_tag: str | None = None, extra: str = "", cseq: int = 1) -> Request:
    to = "<sip:bob@127.0.0.1>" + (f";tag={to_tag}" if to_tag else "")
    text = (
        f"{method} sip:bob@127.0.0.1 SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bK{method.lower()}{cseq}{to_tag or ''}\r\n"
        "Max-Forwards: 70\r\n"
        "From: <sip:alice@198.51.100.7>;tag=far\r\n"
        f"To: {to}\r\n"
        "Call-ID: c1@198.51.100.7\r\n"
        f"CSeq: {cseq} {method}\r\n"
        "Contact: <sip:alice@198.51.100.7>\r\n"
        f"{extra}"
        "Content-Length: 0\r\n\r\n"
    )
    msg = parse_message(text.encode())
    assert isinstance(msg, Request)
    return msg


def sent(core: UserAgentCore) -> list[Response]:
    """The responses the core put on the wire (parsed again, as the far end sees them)."""
    out = []
    for o in core.take_outputs():
        if isinstance(o, Transmit) and isinstance(o.message, Response):
            again = parse_message(o.message.to_bytes())
            assert isinstance(again, Response)
            out.append(again)
    return out


class FakeUsage:
    """A usage that takes the methods it is given and records what it got."""

    def __init__(self, methods: set[str], deadline: float | None = None) -> None:
        self.methods = methods
        self.got: list[str] = []
        self.deadline = deadline
        self.fired: list[float] = []
        self.finished = False

    def accepts(self, request: Request) -> bool:
        return request.method in self.methods

    def on_request(self, request: Request, tx: ServerTransaction, now: float) -> None:
        self.got.append(request.method)

    def on_ack(self, ack: Request, now: float) -> None:
        self.got.append("ACK")

    def on_stray_response(self, response: Response, now: float) -> None:
        self.got.append(f"stray {response.status}")

    def next_timer(self) -> float | None:
        return self.deadline

    def handle_timer(self, now: float) -> None:
        self.fired.append(now)
        self.deadline = None


def test_in_dialog_requests_go_to_the_usage_that_takes_them() -> None:
    core = UserAgentCore()
    register_invite_usage(core)
    core.capabilities.add(methods=["NOTIFY"], accept=["message/sipfrag"])
    dialog = DialogId("c1@198.51.100.7", "mine", "far")
    session, subscription = FakeUsage({"BYE", "INFO"}), FakeUsage({"NOTIFY"})
    core.bind_dialog(dialog, session)
    core.bind_dialog(dialog, subscription)  # RFC 5057: two usages share one dialog
    assert core.usages_of(dialog) == [session, subscription]
    core.receive(request("NOTIFY", to_tag="mine", cseq=2), SRC, 0.0)
    core.receive(request("INFO", to_tag="mine", cseq=3), SRC, 0.0)
    assert subscription.got == ["NOTIFY"] and session.got == ["INFO"]
    assert sent(core) == []  # the usages answer, not the core
    # The same dialog id with another remote tag is another dialog: 481.
    core.receive(request("BYE", to_tag="other", cseq=4), SRC, 0.0)
    assert [r.status for r in sent(core)] == [481]
    # Once the usages are gone, the dialog is gone too.
    core.detach(session)
    core.detach(subscription)
    core.receive(request("BYE", to_tag="mine", cseq=5), SRC, 0.0)
    assert [r.status for r in sent(core)] == [481]


def test_dialog_set_takes_requests_of_dialogs_not_yet_bound() -> None:
    core = UserAgentCore()
    register_invite_usage(core)
    usage = FakeUsage({"BYE", "INVITE", "ACK"})
    core.attach(usage, call_id="c1@198.51.100.7", local_tag="mine")
    core.receive(request("BYE", to_tag="mine", cseq=2), SRC, 0.0)
    core.receive(request("ACK", to_tag="mine", cseq=1), SRC, 0.0)
    assert usage.got == ["BYE", "ACK"]


def test_rfc3261_answers_for_what_nobody_handles() -> None:
    core = UserAgentCore(user_agent="Parley/test")
    register_invite_usage(core)
    core.receive(request("SUBSCRIBE", extra="Event: presence\r\n"), SRC, 0.0)
    core.receive(request("FOO"), SRC, 0.0)
    core.receive(request("BYE", to_tag="nosuch", cseq=2), SRC, 0.0)
    core.receive(request("CANCEL"), SRC, 0.0)
    core.receive(request("INVITE", extra="Require: foo, 100rel\r\n", cseq=7), SRC, 0.0)
    answers = sent(core)
    statuses = [r.status for r in answers if r.status != 100]
    assert statuses == [405, 501, 481, 481, 420]
    allow = answers[0].headers.get("Allow") or ""
    assert [m.strip() for m in allow.split(",")] == [
        "INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "PRACK", "UPDATE", "INFO"
    ]  # fmt: skip
    refused = next(r for r in answers if r.status == 420)
    assert refused.headers.get("Unsupported") == "foo"
    assert all(r.to.tag for r in answers if r.status >= 200)  # §8.2.6.2
    assert answers[0].headers.get("Server") == "Parley/test"


def test_allow_supported_accept_follow_what_is_registered() -> None:
    core = UserAgentCore()
    core.receive(request("OPTIONS"), SRC, 0.0)
    bare = sent(core)[0]
    assert bare.status == 200 and bare.headers.get("Allow") == "ACK, CANCEL, OPTIONS"
    register_invite_usage(core)
    core.on_request("MESSAGE", lambda tx, req, now: core.answer(tx, 200, now=now))
    core.receive(request("OPTIONS", cseq=2), SRC, 0.0)
    full = sent(core)[0]
    assert full.headers.get("Allow") == (
        "INVITE, ACK, CANCEL, BYE, OPTIONS, PRACK, UPDATE, INFO, MESSAGE"
    )
    assert full.headers.get("Supported") == "100rel, timer"
    assert full.headers.get("Accept") == (
        "application/dtmf, application/dtmf-relay, application/sdp"
    )
    # A handler registered for a method is what answers it.
    core.receive(request("MESSAGE", cseq=3), SRC, 0.0)
    assert [r.status for r in sent(core)] == [200]


def challenge(req: Request, nonce: str, *, stale: bool = False, status: int = 401) -> Response:
    name = "WWW-Authenticate" if status == 401 else "Proxy-Authenticate"
    value = f'Digest realm="pbx", nonce="{nonce}", qop="auth"' + (", stale=true" if stale else "")
    text = (
        f"SIP/2.0 {status} Unauthorized\r\n"
        + "".join(
            f"{h}: {v}\r\n"
            for h in ("Via", "From", "Call-ID", "CSeq")
            for v in req.headers.get_all(h)
        )
        + f"To: {req.headers.get('To')};tag=srv\r\n{name}: {value}\r\nContent-Length: 0\r\n\r\n"
    )
    msg = parse_message(text.encode())
    assert isinstance(msg, Response)
    return msg


def outgoing_message(core: UserAgentCore) -> Request:
    text = (
        "MESSAGE sip:bob@127.0.0.1 SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:5060;branch={core.ids.branch()}\r\n"
        "Max-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1>;tag=a\r\nTo: <sip:bob@127.0.0.1>\r\n"
        "Call-ID: m1\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi"
    )
    msg = parse_message(text.encode())
    assert isinstance(msg, Request)
    return msg


def requests_sent(core: UserAgentCore) -> list[Request]:
    return [
        o.message
        for o in core.take_outputs()
        if isinstance(o, Transmit) and isinstance(o.message, Request)
    ]


def test_non_invite_client_answers_challenges_including_stale_nonces() -> None:
    core = UserAgentCore(ids=IdSource(random.Random(5)))
    creds = Credentials(DigestClient(cnonce_factory=core.ids.cnonce), "alice", "secret")
    answers: list[int] = []
    retries: list[int] = []
    callbacks = ClientCallbacks(
        on_response=lambda r: answers.append(r.status),
        on_timeout=lambda: answers.append(408),
        on_transport_error=lambda t: answers.append(503),
        on_retry=lambda r: retries.append(r.cseq.seq),
    )
    first = outgoing_message(core)
    core.send_request(first, SRC, callbacks, 0.0, credentials=creds)
    assert requests_sent(core) == [first]
    core.receive(challenge(first, "n1"), SRC, 0.1)
    second = requests_sent(core)[0]
    auth = second.headers.get("Authorization") or ""
    assert 'nonce="n1"' in auth and "nc=00000001" in auth and second.cseq.seq == 2
    assert second.top_via.branch != first.top_via.branch and second.call_id == first.call_id
    # The nonce went stale: answered again at once with the new nonce, nobody asked.
    core.receive(challenge(second, "n2", stale=True), SRC, 0.2)
    third = requests_sent(core)[0]
    assert 'nonce="n2"' in (third.headers.get("Authorization") or "")
    assert retries == [2, 3] and answers == []
    # Credentials refused (new nonce, no stale): the sender gets the 401 itself.
    core.receive(challenge(third, "n3"), SRC, 0.3)
    assert answers == [401] and requests_sent(core) == []


def test_without_credentials_a_challenge_goes_to_the_sender() -> None:
    core = UserAgentCore()
    answers: list[int] = []
    callbacks = ClientCallbacks(lambda r: answers.append(r.status), lambda: None, lambda t: None)
    req = outgoing_message(core)
    core.send_request(req, SRC, callbacks, 0.0)
    core.take_outputs()
    core.receive(challenge(req, "n1", status=407), SRC, 0.1)
    assert answers == [407]


class Ticker:
    def __init__(self, at: float) -> None:
        self.at: float | None = at
        self.fired: list[float] = []

    def next_timer(self) -> float | None:
        return self.at

    def handle_timer(self, now: float) -> None:
        self.fired.append(now)
        self.at = None


def test_one_timer_for_transactions_usages_and_registrations() -> None:
    core = UserAgentCore()
    usage = FakeUsage(set(), deadline=50.0)
    core.attach(usage, call_id="c", local_tag="t")
    registration = Ticker(30.0)
    core.add_timed(registration)
    assert core.next_timer() == 30.0
    timeouts: list[str] = []
    core.send_request(
        outgoing_message(core),
        SRC,
        ClientCallbacks(lambda r: None, lambda: timeouts.append("F"), lambda t: None),
        0.0,
    )
    assert core.next_timer() == 0.5  # Timer E, the first retransmission
    core.handle_timer(40.0)  # Timer F (32 s) and the registration are due; the usage not
    assert timeouts == ["F"] and registration.fired == [40.0] and usage.fired == []
    assert core.next_timer() == 50.0
    core.handle_timer(50.0)
    assert usage.fired == [50.0] and core.next_timer() is None


def test_pair_fixture_calls_and_hangs_up(ua_pair: Pair) -> None:
    ua_pair.a.call(OFFER)
    ua_pair.deliver()
    ua_pair.b.do(lambda s: s.accept(ANSWER, ua_pair.now))
    ua_pair.deliver()
    ua_pair.b.do(lambda s: s.hangup(ua_pair.now))
    ua_pair.deliver()
    assert ua_pair.a.ended().by == "remote" and ua_pair.b.ended().by == "local"
    assert [m.status for m in ua_pair.a.wire if isinstance(m, Response)] == [200]  # to BYE


def test_same_seed_same_messages() -> None:
    def run() -> list[bytes]:
        pair = Pair()
        pair.a.call(OFFER)
        pair.deliver()
        pair.b.do(lambda s: s.accept(ANSWER, pair.now))
        pair.deliver()
        return [m.to_bytes() for m in pair.a.wire + pair.b.wire]

    assert run() == run()


def test_a_call_between_two_cores_is_found_by_its_full_dialog_id() -> None:
    pair = Pair()
    pair.a.call(OFFER)
    pair.deliver()
    pair.b.do(lambda s: s.accept(ANSWER, pair.now))
    pair.deliver()
    a, b = pair.a.session, pair.b.session
    assert a is not None and b is not None and a.dialog is not None and b.dialog is not None
    assert pair.a.core.usages_of(a.dialog.id) == [pair.a.usage]
    assert pair.b.core.usages_of(b.dialog.id) == [pair.b.usage]
    pair.a.do(lambda s: s.hangup(pair.now))
    pair.deliver()
    pair.advance(60)
    # Finished sessions leave the core: their dialog is unknown now.
    assert pair.a.core.usages_of(a.dialog.id) == [] and pair.a.core.next_timer() is None


def test_a_challenged_bye_is_answered_by_the_core_client_for_the_session() -> None:
    pair = Pair()
    creds = Credentials(DigestClient(cnonce_factory=lambda: "c0ffee"), "alice", "secret")
    pair.a.call(OFFER, credentials=creds)
    pair.deliver()
    pair.b.do(lambda s: s.accept(ANSWER, pair.now))
    pair.deliver()
    challenged: list[Request] = []

    def proxy_challenges_first_bye(to: object, msg: Request | Response) -> bool:
        if to is pair.b and isinstance(msg, Request) and msg.method == "BYE" and not challenged:
            challenged.append(msg)
            return True
        return False

    pair.drop = proxy_challenges_first_bye
    pair.a.do(lambda s: s.hangup(pair.now))
    pair.deliver()
    bye = challenged[0]
    www = ("WWW-Authenticate", 'Digest realm="pbx", nonce="b1", qop="auth"')
    pair.a.core.receive(make_response(bye, 401, headers=[www]), "bob", pair.now)
    pair.a.flush()
    pair.deliver()
    first, second = pair.a.sent("BYE")
    assert second.cseq.seq == first.cseq.seq + 1  # type: ignore[union-attr]
    assert 'nonce="b1"' in (second.headers.get("Authorization") or "")
    assert pair.b.ended().by == "remote" and pair.a.ended().by == "local"
    pair.advance(60)
    assert pair.a.session is not None and pair.a.session.finished


def test_body_types_belong_to_the_methods_that_read_them() -> None:
    """text/plain is registered for MESSAGE: an INVITE with a text/plain body gets 415
    (with the INVITE's own Accept) and never reaches the INVITE handler; a MESSAGE with
    it does, and OPTIONS lists every type."""
    from parley.sip.notifier import EventPackages
    from parley.sip.pager import register_pager

    core = UserAgentCore()
    register_invite_usage(core)
    invites: list[Request] = []
    messages: list[Request] = []
    core.on_request("INVITE", lambda tx, req, now: invites.append(req))
    register_pager(core, lambda tx, req, now: messages.append(req))
    EventPackages(core).subscribing("presence", ["application/pidf+xml"])
    body = "Content-Type: text/plain;charset=UTF-8\r\n"
    for method, cseq in (("INVITE", 1), ("MESSAGE", 2), ("INFO", 3)):
        text = (
            request(method, extra=body, cseq=cseq)
            .to_bytes()
            .replace(b"Content-Length: 0\r\n\r\n", b"Content-Length: 2\r\n\r\nhi")
        )
        msg = parse_message(text)
        assert isinstance(msg, Request) and msg.body == b"hi"
        core.receive(msg, SRC, 0.0)
    answers = [r for r in sent(core) if r.status != 100]
    assert invites == [] and [m.body for m in messages] == [b"hi"]
    refused = {r.cseq.method: r for r in answers}
    assert refused["INVITE"].status == 415
    assert refused["INVITE"].headers.get("Accept") == (
        "application/dtmf, application/dtmf-relay, application/sdp"
    )
    assert refused["INFO"].status == 415  # no text/plain inside a call either
    # A NOTIFY's PIDF is not for MESSAGE.
    assert core.capabilities.accepted_for("MESSAGE") == {
        "text/plain",
        "application/im-iscomposing+xml",
    }
    core.receive(request("OPTIONS", cseq=9), SRC, 0.0)
    accept = sent(core)[0].headers.get("Accept") or ""
    assert {"text/plain", "application/pidf+xml", "application/sdp"} <= {
        t.strip() for t in accept.split(",")
    }
