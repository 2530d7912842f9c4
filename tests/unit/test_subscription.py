"""RFC 6665 subscriptions on two real user-agent cores with a fake clock (`uapair`).

Alice subscribes (`Subscriber`); Bob is either a real notifier (`EventPackages.serve`
with `IncomingSubscription`) or scripted by hand: the test holds his SUBSCRIBE
transactions and writes his NOTIFYs, so the awkward orders (NOTIFY before the 200,
forks, every terminated reason) can be played. Every message is serialised and parsed
on the way."""

from __future__ import annotations

import pytest
from uapair import Pair, UserAgent

from parley.sip.dialog import DialogId
from parley.sip.headers import NameAddr, SipParseError
from parley.sip.message import Headers, Request, Response
from parley.sip.notifier import EventPackages, IncomingSubscription
from parley.sip.request_client import ClientCallbacks
from parley.sip.subscription import (
    DEFAULT_RETRY,
    NOTIFY_WAIT,
    UNSUBSCRIBE_WAIT,
    EventHeader,
    Notification,
    Subscriber,
    SubscriptionStateHeader,
    SubscriptionUpdate,
    SubState,
    refresh_delay,
)
from parley.sip.transaction_server import ServerTransaction
from parley.sip.uri import SipURI

PKG = "presence"
TEXT = "text/plain"


def transmit(side: UserAgent):  # type: ignore[no-untyped-def]
    def send(request: Request, hop: SipURI | None, callbacks: ClientCallbacks) -> None:
        side.core.send_request(request, side.peer.name, callbacks, side.pair.now)
        side.flush()

    return send


def nothing(_r: Response) -> None:
    pass


QUIET = ClientCallbacks(on_response=nothing, on_timeout=lambda: None, on_transport_error=print)


class Catcher:
    """Bob's side of a scripted dialog: in-dialog SUBSCRIBEs join the held list."""

    finished = False

    def __init__(self, rig: Rig) -> None:
        self.rig = rig

    def accepts(self, request: Request) -> bool:
        return request.method == "SUBSCRIBE"

    def on_request(self, request: Request, tx: ServerTransaction, now: float) -> None:
        self.rig.held.append((tx, request))

    def on_ack(self, ack: Request, now: float) -> None:
        pass

    def on_stray_response(self, response: Response, now: float) -> None:
        pass

    def next_timer(self) -> float | None:
        return None

    def handle_timer(self, now: float) -> None:
        pass


class Rig:
    """Alice subscribes to Bob's presence."""

    def __init__(self, *, scripted: bool = True, expires: int = 600) -> None:
        self.pair = pair = Pair()
        self.a, self.b = pair.a, pair.b
        self.alice = EventPackages(self.a.core, transmit(self.a))
        self.bob = EventPackages(self.b.core, transmit(self.b))
        self.alice.subscribing(PKG, [TEXT])
        self.updates: list[SubscriptionUpdate] = []
        self.notes: list[Notification] = []
        self.held: list[tuple[ServerTransaction, Request]] = []  # Bob's SUBSCRIBEs
        self.incoming: list[IncomingSubscription] = []
        self.catcher = Catcher(self)
        if scripted:
            self.b.core.on_request("SUBSCRIBE", lambda tx, r, now: self.held.append((tx, r)))
        else:
            self.bob.serve(PKG, self._accept)
        target = SipURI.parse("sip:bob@127.0.0.1:5062")
        self.sub = Subscriber(
            self.a.core,
            package=PKG,
            target=target,
            from_=NameAddr(None, SipURI.parse("sip:alice@127.0.0.1"), {}),
            to=NameAddr(None, target, {}),
            local=self.a.local,
            transmit=transmit(self.a),
            on_update=self.updates.append,
            on_notify=self.notes.append,
            accept=[TEXT],
            expires=expires,
        )

    def _accept(self, incoming: IncomingSubscription) -> None:
        self.incoming.append(incoming)
        incoming.accept(self.pair.now, b"open", TEXT, local=self.b.local)

    @property
    def now(self) -> float:
        return self.pair.now

    def start(self) -> None:
        self.sub.start(self.now)
        self.pair.deliver()

    # -- what went over the wire
    def subscribes(self) -> list[Request]:
        return [m for m in self.a.sent("SUBSCRIBE") if isinstance(m, Request)]

    def call_ids(self) -> list[str]:
        return [r.call_id for r in self.subscribes()]

    def states(self) -> list[tuple[SubState, str]]:
        return [(u.state, u.reason) for u in self.updates]

    # -- Bob by hand
    def answer(self, status: int, *, tag: str = "n1", index: int = -1, **headers: str) -> None:
        tx, request = self.held[index]
        self.b.core.attach(self.catcher, call_id=request.call_id, local_tag=tag)
        extra = [(k.replace("_", "-"), v) for k, v in headers.items()]
        if 200 <= status < 300:
            extra.append(("Contact", "<sip:bob@127.0.0.1:5062>"))
        response = self.b.core.response(request, status, to_tag=tag, headers=extra)
        self.b.core.send_response(tx, response, self.now)
        self.b.flush()
        self.pair.deliver()

    def notify(
        self,
        state: str,
        *,
        tag: str = "n1",
        body: bytes = b"open",
        ctype: str | None = TEXT,
        event: str | None = PKG,
        seq: int = 1,
        index: int = -1,
        drop_contact: bool = False,
    ) -> Response:
        """Bob's NOTIFY in the dialog of his `index`-th SUBSCRIBE, as notifier `tag`;
        returns Alice's answer."""
        _tx, sub = self.held[index]
        self.b.core.attach(self.catcher, call_id=sub.call_id, local_tag=tag)
        h = Headers()
        h.add("Via", self.b.local.via(self.b.core.ids.branch()))
        h.add("Max-Forwards", "70")
        h.add("From", str(sub.to.with_tag(tag)))
        h.add("To", sub.headers.get("From") or "")
        h.add("Call-ID", sub.call_id)
        h.add("CSeq", f"{seq} NOTIFY")
        if not drop_contact:
            h.add("Contact", "<sip:bob@127.0.0.1:5062>")
        if event is not None:
            h.add("Event", event)
        if state:
            h.add("Subscription-State", state)
        if body and ctype:
            h.add("Content-Type", ctype)
        request = Request(method="NOTIFY", uri=sub.contacts[0].uri, headers=h, body=body)
        got: list[Response] = []
        callbacks = ClientCallbacks(
            on_response=got.append, on_timeout=lambda: None, on_transport_error=print
        )
        self.b.core.send_request(request, "alice", callbacks, self.now)
        self.b.flush()
        self.pair.deliver()
        assert got, "Alice did not answer the NOTIFY"
        return got[-1]


def header(message: Request | Response, name: str) -> str:
    return message.headers.get(name) or ""


# ====================================================================== headers


def test_header_parsers_refuse_garbage() -> None:
    s = SubscriptionStateHeader.parse("Terminated;reason=Probation;retry-after=30")
    assert (s.state, s.reason, s.retry_after, s.expires) == ("terminated", "probation", 30, None)
    assert SubscriptionStateHeader.parse("active;expires=600").expires == 600
    for bad in (
        None,
        "",
        "active;expires=abc",
        "active;expires=-1",
        "x y",
        "pending;retry-after=1e3",
    ):
        with pytest.raises(SipParseError):
            SubscriptionStateHeader.parse(bad)
    assert EventHeader.parse("Presence;id=7") == EventHeader("presence", "7")
    for bad_event in (None, " ", "a b", "<x>"):
        with pytest.raises(SipParseError):
            EventHeader.parse(bad_event)
    assert refresh_delay(600) == 540  # 90 %
    assert refresh_delay(3600) == 3240
    assert refresh_delay(60) == 30  # never before half
    assert refresh_delay(300) == 268  # expiry - 32 s


# ====================================================================== with a real notifier


def test_subscribe_notify_refresh_and_unsubscribe_with_our_notifier() -> None:
    r = Rig(scripted=False)
    r.start()
    [sub] = r.subscribes()
    assert sub.uri == SipURI.parse("sip:bob@127.0.0.1:5062")
    assert header(sub, "Event") == PKG
    assert header(sub, "Accept") == TEXT
    assert header(sub, "Expires") == "600"
    assert header(sub, "Contact") == "<sip:alice@127.0.0.1:5061>"
    [ok] = r.b.sent(200)
    assert header(ok, "Expires") == "600"
    [notify] = [m for m in r.b.sent("NOTIFY") if isinstance(m, Request)]
    assert header(notify, "Subscription-State") == "active;expires=600"
    assert notify.body == b"open" and header(notify, "Content-Type") == TEXT
    assert r.states() == [(SubState.ACTIVE, "")]
    [note] = r.notes
    assert (note.package, note.content_type, note.body, note.state) == (
        PKG,
        TEXT,
        b"open",
        SubState.ACTIVE,
    )
    assert note.notifier == "sip:bob@127.0.0.1:5062"
    [incoming] = r.incoming
    assert incoming.subscriber == "sip:alice@127.0.0.1"

    # A state change on Bob's side reaches Alice.
    incoming.notify(r.now, b"closed", TEXT)
    r.pair.deliver()
    assert [n.body for n in r.notes] == [b"open", b"closed"]

    # Refreshed at 90 % of the 600 s, not before, in the dialog.
    r.pair.advance(539)
    assert len(r.subscribes()) == 1
    r.pair.advance(2)
    first, refresh = r.subscribes()
    assert refresh.call_id == first.call_id
    assert refresh.to.tag == r.b.sent(200)[0].to.tag
    assert refresh.cseq.seq == first.cseq.seq + 1
    assert header(refresh, "Expires") == "600"
    assert [n.body for n in r.notes][-1] == b"closed"  # §4.2.1.2: state again after refresh
    assert r.sub.state is SubState.ACTIVE
    # And again 540 s after the refresh: the expiry moved.
    r.pair.advance(541)
    assert len(r.subscribes()) == 3

    # Unsubscribe: Expires 0, Bob's terminating NOTIFY, done.
    r.sub.close(r.now)
    r.pair.deliver()
    last = r.subscribes()[-1]
    assert header(last, "Expires") == "0"
    final = [m for m in r.b.sent("NOTIFY") if isinstance(m, Request)][-1]
    assert header(final, "Subscription-State") == "terminated;reason=timeout"
    assert r.sub.finished
    assert r.updates[-1].state is SubState.TERMINATED and r.updates[-1].reason == "timeout"
    assert incoming.finished
    assert r.a.core.next_timer() is None or r.a.core.next_timer() > r.now  # nothing left due


def test_notifier_ends_a_subscription_that_is_not_refreshed() -> None:
    r = Rig(scripted=False)
    r.start()
    [incoming] = r.incoming
    # Alice's refreshes never reach Bob.
    r.pair.drop = lambda to, msg: isinstance(msg, Request) and msg.method == "SUBSCRIBE"
    r.pair.advance(599)
    assert not incoming.finished
    r.pair.advance(2)
    final = [m for m in r.b.sent("NOTIFY") if isinstance(m, Request)][-1]
    assert header(final, "Subscription-State") == "terminated;reason=timeout"
    assert incoming.finished
    # Alice heard it: her subscription ended with reason timeout, and she starts over.
    assert (SubState.TERMINATED, "timeout") in r.states()
    assert len(set(r.call_ids())) == 2


def test_notifier_terminate_and_481_to_notify() -> None:
    r = Rig(scripted=False)
    r.start()
    [incoming] = r.incoming
    ended: list[str] = []
    incoming.on_end = lambda _s, reason: ended.append(reason)
    incoming.terminate(r.now, "rejected")
    r.pair.deliver()
    final = [m for m in r.b.sent("NOTIFY") if isinstance(m, Request)][-1]
    assert header(final, "Subscription-State") == "terminated;reason=rejected"
    assert ended == ["rejected"]
    assert r.sub.finished and r.states()[-1] == (SubState.TERMINATED, "rejected")
    # A NOTIFY for what Alice forgot gets 481; and Bob's next one stops for good.
    r2 = Rig(scripted=False)
    r2.start()
    [inc2] = r2.incoming
    r2.sub.core.detach(r2.sub)  # Alice forgets silently
    inc2.notify(r2.now, b"away", TEXT)
    r2.pair.deliver()
    assert r2.a.sent(481)
    assert inc2.finished


def test_notifier_refuses_refreshes_below_min_and_unserved_packages() -> None:
    r = Rig(scripted=False, expires=30)
    r.start()
    [answer] = r.b.sent(423)
    assert header(answer, "Min-Expires") == "60"
    # Alice retried with Min-Expires and got it.
    assert [header(s, "Expires") for s in r.subscribes()] == ["30", "60"]
    assert r.sub.state is SubState.ACTIVE
    # A package nobody serves: 489 with Allow-Events.
    r2 = Rig(scripted=False)
    r2.sub.package = "dialog"
    r2.start()
    [bad] = r2.b.sent(489)
    assert "presence" in header(bad, "Allow-Events")
    assert r2.updates == [SubscriptionUpdate(SubState.FAILED, "bad event", 489)]
    assert r2.sub.finished


def test_notifier_refuses_malformed_subscribe_safely() -> None:
    r = Rig(scripted=False)
    sent: list[Response] = []

    def raw(expires: str, event: str = PKG, contact: bool = True) -> None:
        h = Headers()
        h.add("Via", r.a.local.via(r.a.core.ids.branch()))
        h.add("From", "<sip:alice@127.0.0.1>;tag=x1")
        h.add("To", "<sip:bob@127.0.0.1:5062>")
        h.add("Call-ID", r.a.core.ids.call_id("h"))
        h.add("CSeq", "1 SUBSCRIBE")
        if contact:
            h.add("Contact", "<sip:alice@127.0.0.1:5061>")
        h.add("Event", event)
        h.add("Expires", expires)
        req = Request(method="SUBSCRIBE", uri=SipURI.parse("sip:bob@127.0.0.1:5062"), headers=h)
        cb = ClientCallbacks(
            on_response=sent.append, on_timeout=lambda: None, on_transport_error=print
        )
        r.a.core.send_request(req, "bob", cb, r.now)
        r.a.flush()
        r.pair.deliver()

    raw("soon")
    raw("600", contact=False)
    raw("600", event="x y")
    raw("10")
    assert [s.status for s in sent] == [400, 400, 489, 423]
    assert not r.incoming


# ====================================================================== scripted notifier


def test_notify_before_the_200_is_taken() -> None:
    r = Rig()
    r.start()
    assert len(r.held) == 1
    answer = r.notify("active;expires=300")
    assert answer.status == 200
    assert r.states() == [(SubState.ACTIVE, "")]
    assert [n.body for n in r.notes] == [b"open"]
    r.answer(200, Expires="300")
    assert len(r.sub.legs) == 1
    # The dialog is the one the NOTIFY made: refresh in it at 268 s (300 - 32).
    r.pair.advance(267)
    assert len(r.held) == 1
    r.pair.advance(2)
    assert len(r.held) == 2
    refresh = r.held[-1][1]
    assert refresh.to.tag == "n1" and refresh.call_id == r.held[0][1].call_id
    assert refresh.uri == SipURI.parse("sip:bob@127.0.0.1:5062")


def test_a_notify_without_contact_or_subscription_state_is_refused() -> None:
    r = Rig()
    r.start()
    assert r.notify("", event=PKG).status == 400  # no Subscription-State
    assert r.notify("active;expires=abc").status == 400
    assert r.notify("active", drop_contact=True).status == 400  # cannot make a dialog
    assert r.notify("active", event="dialog").status == 489
    assert r.notify("active", event=None).status == 489
    assert r.notify("active", ctype="text/html").status == 415
    assert r.updates == [] and r.notes == []
    assert r.notify("active;expires=600", seq=5).status == 200  # and then a good one works
    assert r.sub.state is SubState.ACTIVE
    assert r.notify("active", seq=4).status == 500  # out of order in the dialog


def test_malformed_expires_in_the_2xx_falls_back_to_what_we_asked() -> None:
    r = Rig()
    r.start()
    r.answer(200, Expires="later")
    r.notify("active")
    r.pair.advance(refresh_delay(600) + 1)
    assert len(r.held) == 2


def test_forked_notifies_make_one_dialog_each() -> None:
    r = Rig()
    r.start()
    assert r.notify("pending", tag="n1").status == 200
    assert r.notify("active;expires=600", tag="n2", body=b"busy").status == 200
    r.answer(200, tag="n1", Expires="600")
    assert set(r.sub.legs) == {"n1", "n2"}
    assert {n.dialog for n in r.notes} == {
        DialogId(r.sub.call_id, r.sub.local_tag, "n1"),
        DialogId(r.sub.call_id, r.sub.local_tag, "n2"),
    }
    assert r.states() == [(SubState.PENDING, ""), (SubState.ACTIVE, "")]  # merged: best
    # One notifier ends for good: the other still serves us, nothing new is sent.
    assert r.notify("terminated;reason=noresource", tag="n2", seq=2).status == 200
    assert r.sub.state is SubState.PENDING and len(r.held) == 1
    # A late NOTIFY of the ended dialog: 481.
    assert r.notify("active", tag="n2", seq=3).status == 481
    # The last one deactivated: a new subscription at once (new Call-ID).
    assert r.notify("terminated;reason=deactivated", tag="n1", seq=2).status == 200
    assert len(r.held) == 2
    assert r.held[1][1].call_id != r.held[0][1].call_id
    assert r.held[1][1].to.tag is None
    # Both forks are refreshed on their own.
    r2 = Rig()
    r2.start()
    r2.notify("active;expires=600", tag="n1")
    r2.notify("active;expires=600", tag="n2")
    r2.answer(200, tag="n1", Expires="600")
    r2.pair.advance(541)
    assert sorted(req.to.tag or "" for _tx, req in r2.held[1:]) == ["n1", "n2"]


@pytest.mark.parametrize(
    ("reason", "retry_after", "again_after"),
    [
        ("deactivated", None, 0.0),
        ("timeout", None, 0.0),
        ("probation", 120, 120.0),
        ("giveup", None, DEFAULT_RETRY),
        ("giveup", 30, 30.0),
        (None, None, DEFAULT_RETRY),
        ("rejected", None, None),
        ("noresource", None, None),
        ("invariant", None, None),
    ],
)
def test_terminated_reasons(
    reason: str | None, retry_after: int | None, again_after: float | None
) -> None:
    r = Rig()
    r.start()
    r.answer(200, Expires="600")
    r.notify("active;expires=600")
    r.pair.advance(100)  # it lived a while: a deactivation is not a storm
    state = "terminated" + (f";reason={reason}" if reason else "")
    if retry_after is not None:
        state += f";retry-after={retry_after}"
    r.notify(state, seq=2)
    last = r.updates[-1]
    assert last.state is SubState.TERMINATED and last.reason == (reason or "")
    assert last.retry_in == again_after
    if again_after is None:
        assert r.sub.finished
        r.pair.advance(4000)
        assert len(r.held) == 1
        return
    if again_after:
        r.pair.advance(again_after - 1)
        assert len(r.held) == 1
        r.pair.advance(2)
    assert len(r.held) == 2
    assert r.held[1][1].call_id != r.held[0][1].call_id  # a new dialog
    assert r.held[1][1].to.tag is None


def test_deactivated_again_and_again_backs_off() -> None:
    r = Rig()
    r.start()
    delays = []
    for i in range(4):
        r.answer(200, tag=f"t{i}", Expires="600")
        r.notify("terminated;reason=deactivated", tag=f"t{i}")
        delay = r.updates[-1].retry_in
        assert delay is not None
        delays.append(delay)
        r.pair.advance(delay + 0.5)  # the new SUBSCRIBE is out; it ends at once again
        assert len(r.held) == i + 2
    assert delays == [0.0, 2.0, 4.0, 8.0]


def test_423_retried_with_min_expires() -> None:
    r = Rig(expires=60)
    r.start()
    r.answer(423, Min_Expires="1800")
    assert len(r.held) == 2
    again = r.held[1][1]
    assert header(again, "Expires") == "1800"
    assert again.call_id == r.held[0][1].call_id and again.cseq.seq == 2
    r.answer(200, Expires="1800")
    r.notify("active;expires=1800")
    assert r.sub.state is SubState.ACTIVE
    # A 423 without a usable Min-Expires: failed.
    r2 = Rig()
    r2.start()
    r2.answer(423, Min_Expires="abc")
    assert r2.updates[-1].state is SubState.FAILED and r2.updates[-1].status == 423


@pytest.mark.parametrize("status", [489, 404, 403, 500])
def test_refused_subscribe_fails_with_the_status(status: int) -> None:
    r = Rig()
    r.start()
    r.answer(status)
    [update] = r.updates
    assert update.state is SubState.FAILED and update.status == status
    assert r.sub.finished
    # Anything later for it: 481.
    assert r.notify("active").status == 481


def test_481_to_a_refresh_starts_over() -> None:
    r = Rig()
    r.start()
    r.answer(200, Expires="600")
    r.notify("active;expires=600")
    r.pair.advance(541)
    assert len(r.held) == 2 and r.held[1][1].to.tag == "n1"
    r.answer(481)
    assert len(r.held) == 3
    assert r.held[2][1].call_id != r.held[0][1].call_id and r.held[2][1].to.tag is None


def test_a_refresh_that_times_out_starts_over() -> None:
    r = Rig()
    r.start()
    r.answer(200, Expires="600")
    r.notify("active;expires=600")
    r.pair.advance(541)
    assert len(r.held) == 2  # the refresh: never answered
    r.pair.advance(33)  # Timer F (64*T1)
    assert len(r.held) == 3
    assert r.held[2][1].call_id != r.held[0][1].call_id


def test_a_2xx_without_notify_ends_after_timer_n() -> None:
    r = Rig()
    r.start()
    r.answer(200, Expires="600")
    r.pair.advance(NOTIFY_WAIT - 1)
    assert r.updates == []
    r.pair.advance(2)
    assert r.updates[-1].state is SubState.TERMINATED
    assert r.updates[-1].retry_in == DEFAULT_RETRY


def test_unsubscribe_waits_briefly_for_the_terminating_notify() -> None:
    r = Rig()
    r.start()
    r.answer(200, Expires="600")
    r.notify("active;expires=600")
    r.sub.close(r.now)
    r.pair.deliver()
    assert header(r.held[-1][1], "Expires") == "0" and r.held[-1][1].to.tag == "n1"
    r.answer(200, Expires="0")
    assert not r.sub.finished
    r.pair.advance(UNSUBSCRIBE_WAIT + 1)  # no NOTIFY came: done anyway
    assert r.sub.finished
    assert r.updates[-1].state is SubState.TERMINATED
    # Closing before the 200 arrived: the unsubscribe follows the 200.
    r2 = Rig()
    r2.start()
    r2.sub.close(r2.now)
    r2.answer(200, Expires="600")
    assert header(r2.held[-1][1], "Expires") == "0"
    assert r2.notify("terminated;reason=timeout").status == 200
    assert r2.sub.finished


def test_unsolicited_notify_goes_to_the_package_hook_or_gets_481() -> None:
    r = Rig()
    seen: list[Request] = []

    def hook(tx: ServerTransaction, request: Request, now: float) -> None:
        seen.append(request)
        r.a.core.answer(tx, 200, now=now)

    r.alice.on_unsolicited("message-summary", hook)
    r.a.core.capabilities.add(accept=["application/simple-message-summary"])
    got: list[Response] = []
    for event in ("message-summary", "presence"):
        h = Headers()
        h.add("Via", r.b.local.via(r.b.core.ids.branch()))
        h.add("From", "<sip:vm@127.0.0.1:5062>;tag=v1")
        h.add("To", "<sip:alice@127.0.0.1>")
        h.add("Call-ID", r.b.core.ids.call_id("h"))
        h.add("CSeq", "1 NOTIFY")
        h.add("Event", event)
        h.add("Subscription-State", "active")
        h.add("Content-Type", "application/simple-message-summary")
        req = Request(
            method="NOTIFY",
            uri=SipURI.parse("sip:alice@127.0.0.1:5061"),
            headers=h,
            body=b"Messages-Waiting: yes\r\n",
        )
        cb = ClientCallbacks(
            on_response=got.append, on_timeout=lambda: None, on_transport_error=print
        )
        r.b.core.send_request(req, "alice", cb, r.now)
        r.b.flush()
        r.pair.deliver()
    assert [g.status for g in got] == [200, 481]
    assert len(seen) == 1
    assert "NOTIFY" in r.a.core.capabilities.allow and "SUBSCRIBE" in r.a.core.capabilities.allow


def test_terminated_before_the_200_is_acted_on_when_the_200_comes() -> None:
    r = Rig()
    r.start()
    assert r.notify("terminated;reason=rejected").status == 200
    assert not r.sub.finished  # the answer to the SUBSCRIBE is still to come
    r.answer(200, Expires="600")
    assert r.sub.finished and r.states()[-1] == (SubState.TERMINATED, "rejected")
    assert len(r.held) == 1
    # deactivated before the 200: a new SUBSCRIBE once the 200 is in.
    r2 = Rig()
    r2.start()
    r2.notify("terminated;reason=deactivated")
    assert len(r2.held) == 1
    r2.answer(200, Expires="600")
    assert len(r2.held) == 2 and r2.held[1][1].call_id != r2.held[0][1].call_id


def test_close_before_any_answer_then_refused() -> None:
    r = Rig()
    r.start()
    r.sub.close(r.now)
    assert not r.sub.finished
    r.answer(404)
    assert r.sub.finished and r.states()[-1][0] is SubState.TERMINATED
    assert len(r.held) == 1  # nothing to unsubscribe
    # Closing a subscription that never got any answer ends after a bounded wait.
    r2 = Rig()
    r2.start()
    r2.sub.close(r2.now)
    r2.pair.advance(UNSUBSCRIBE_WAIT + 1)
    assert r2.sub.finished


def test_a_refresh_answered_423_is_sent_again_with_min_expires() -> None:
    r = Rig()
    r.start()
    r.answer(200, Expires="600")
    r.notify("active;expires=600")
    r.pair.advance(541)
    r.answer(423, Min_Expires="1200")
    again = r.held[-1][1]
    assert len(r.held) == 3 and header(again, "Expires") == "1200" and again.to.tag == "n1"
    r.answer(200, Expires="1200")
    r.pair.advance(refresh_delay(1200) - 1)
    assert len(r.held) == 3
    r.pair.advance(2)
    assert len(r.held) == 4 and r.held[-1][1].to.tag == "n1"


def test_notifier_pending_then_active() -> None:
    r = Rig(scripted=False)
    r.bob.unserve(PKG)
    r.bob.serve(
        PKG, lambda inc: (r.incoming.append(inc), inc.accept(r.now, pending=True, local=r.b.local))
    )
    r.start()
    assert r.states() == [(SubState.PENDING, "")]
    [incoming] = r.incoming
    incoming.notify(r.now, b"open", TEXT, pending=False)
    r.pair.deliver()
    assert r.states() == [(SubState.PENDING, ""), (SubState.ACTIVE, "")]
    notifies = [m for m in r.b.sent("NOTIFY") if isinstance(m, Request)]
    assert header(notifies[0], "Subscription-State").startswith("pending;expires=")
    assert notifies[1].body == b"open"
