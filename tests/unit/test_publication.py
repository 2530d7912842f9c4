"""The RFC 3903 PUBLISH client, sans-IO with a fake clock: what goes on the wire and when."""

from __future__ import annotations

import random

from parley.sip.dialog import LocalEndpoint
from parley.sip.message import Headers, Request, Response
from parley.sip.publication import (
    PubCause,
    PublicationChanged,
    PublicationClient,
    PublicationConfig,
    PublicationOutput,
    PubState,
    SendPublish,
)
from parley.sip.responses import make_response
from parley.sip.uri import SipURI

AOR = SipURI("sip", "1001", None, "pbx.example.com", None, {}, {})
LOCAL = LocalEndpoint(host="192.0.2.10", port=5062, user_agent="Parley/test")
BODY1 = b"<presence>one</presence>"
BODY2 = b"<presence>two</presence>"


def client(expires: int = 600, **cfg: object) -> PublicationClient:
    config = PublicationConfig(target=AOR, expires=expires, **cfg)  # type: ignore[arg-type]
    return PublicationClient(config, LOCAL, rng=random.Random(7))


def sent(outputs: list[PublicationOutput]) -> Request:
    requests = [o.request for o in outputs if isinstance(o, SendPublish)]
    assert len(requests) == 1, outputs
    return requests[0]


def changes(outputs: list[PublicationOutput]) -> list[PublicationChanged]:
    return [o for o in outputs if isinstance(o, PublicationChanged)]


def answer(
    request: Request,
    status: int,
    *,
    etag: str | None = None,
    expires: int | None = None,
    headers: list[tuple[str, str]] | None = None,
    reason: str | None = None,
) -> Response:
    extra = list(headers or [])
    if etag is not None:
        extra.append(("SIP-ETag", etag))
    if expires is not None:
        extra.append(("Expires", str(expires)))
    return make_response(request, status, reason, to_tag="srv", headers=extra)


def published(
    c: PublicationClient, now: float = 0.0, etag: str = "e1", expires: int = 600
) -> Request:
    first = sent(c.publish(BODY1, now))
    c.on_response(answer(first, 200, etag=etag, expires=expires), now)
    assert c.state is PubState.PUBLISHED
    return first


def test_initial_publish_carries_body_event_and_expires() -> None:
    c = client()
    out = c.publish(BODY1, 0.0)
    request = sent(out)
    assert changes(out)[0].state is PubState.PUBLISHING
    assert request.method == "PUBLISH"
    assert str(request.uri) == "sip:1001@pbx.example.com"
    h = request.headers
    assert h.get("Event") == "presence"
    assert h.get("Expires") == "600"
    assert h.get("Content-Type") == "application/pidf+xml"
    assert "SIP-If-Match" not in h
    assert request.body == BODY1
    assert request.to.uri == AOR and request.from_.uri == AOR
    assert request.from_.tag and request.to.tag is None
    assert request.top_via.host == "192.0.2.10" and request.top_via.port == 5062
    assert h.get("User-Agent") == "Parley/test"


def test_200_remembers_the_etag_and_refreshes_before_expiry_without_body() -> None:
    c = client()
    first = sent(c.publish(BODY1, 100.0))
    out = c.on_response(answer(first, 200, etag="abc", expires=120), 100.0)
    (change,) = changes(out)
    assert (change.state, change.etag, change.expires) == (PubState.PUBLISHED, "abc", 120)
    assert c.etag == "abc"
    deadline = c.next_timer()
    assert deadline is not None and 100.0 < deadline < 220.0
    assert c.handle_timer(deadline - 0.5) == []  # not yet
    refresh = sent(c.handle_timer(deadline))
    assert refresh.headers.get("SIP-If-Match") == "abc"
    assert refresh.body == b"" and "Content-Type" not in refresh.headers
    assert refresh.headers.get("Expires") == "600"
    # One publication: one Call-ID and From tag, the CSeq goes up.
    assert refresh.call_id == first.call_id
    assert refresh.from_.tag == first.from_.tag
    assert refresh.cseq.seq == first.cseq.seq + 1
    assert refresh.top_via.branch != first.top_via.branch
    # Each 2xx brings a new tag, used by the next refresh.
    c.on_response(answer(refresh, 200, etag="def", expires=120), deadline)
    again = sent(c.handle_timer(c.next_timer() or 0.0))
    assert again.headers.get("SIP-If-Match") == "def"


def test_no_expires_in_the_answer_means_what_we_asked_for() -> None:
    c = client(expires=300)
    first = sent(c.publish(BODY1, 0.0))
    c.on_response(answer(first, 200, etag="x"), 0.0)
    assert c.granted_expires == 300
    assert 0 < (c.next_timer() or 0) < 300


def test_modify_sends_the_new_body_with_if_match() -> None:
    c = client()
    published(c, etag="e1")
    request = sent(c.modify(BODY2, 5.0))
    assert request.headers.get("SIP-If-Match") == "e1"
    assert request.body == BODY2
    assert request.headers.get("Content-Type") == "application/pidf+xml"
    c.on_response(answer(request, 200, etag="e2", expires=600), 5.0)
    assert c.etag == "e2" and c.body == BODY2


def test_remove_is_expires_0_with_if_match() -> None:
    c = client()
    published(c, etag="e1")
    out = c.remove(9.0)
    request = sent(out)
    assert changes(out)[0].state is PubState.REMOVING
    assert request.headers.get("Expires") == "0"
    assert request.headers.get("SIP-If-Match") == "e1"
    assert request.body == b""
    (done,) = changes(c.on_response(answer(request, 200, etag="e9", expires=0), 9.0))
    assert done.state is PubState.REMOVED and done.cause is None
    assert c.next_timer() is None and c.etag is None


def test_remove_of_nothing_published_sends_nothing() -> None:
    c = client()
    out = c.remove(0.0)
    assert [o for o in out if isinstance(o, SendPublish)] == []
    assert c.state is PubState.REMOVED


def test_412_on_refresh_publishes_afresh_with_the_current_body() -> None:
    c = client()
    published(c, etag="lost")
    c.modify(BODY2, 1.0)
    modify = c._pending
    assert modify is not None
    c.on_response(answer(modify, 200, etag="e2", expires=60), 1.0)
    refresh = sent(c.handle_timer(c.next_timer() or 0.0))
    assert refresh.headers.get("SIP-If-Match") == "e2"
    fresh = sent(c.on_response(answer(refresh, 412), 60.0))
    assert "SIP-If-Match" not in fresh.headers
    assert fresh.body == BODY2  # the current body, not the first one
    assert fresh.headers.get("Content-Type") == "application/pidf+xml"
    c.on_response(answer(fresh, 200, etag="new", expires=60), 60.0)
    assert (c.state, c.etag) == (PubState.PUBLISHED, "new")


def test_412_on_modify_publishes_afresh() -> None:
    c = client()
    published(c)
    modify = sent(c.modify(BODY2, 1.0))
    fresh = sent(c.on_response(answer(modify, 412), 1.0))
    assert "SIP-If-Match" not in fresh.headers and fresh.body == BODY2


def test_412_on_an_initial_publish_fails_instead_of_looping() -> None:
    c = client()
    first = sent(c.publish(BODY1, 0.0))
    out = c.on_response(answer(first, 412), 0.0)
    assert [o for o in out if isinstance(o, SendPublish)] == []
    assert c.state is PubState.FAILED


def test_423_asks_again_with_min_expires() -> None:
    c = client(expires=60)
    first = sent(c.publish(BODY1, 0.0))
    retry = sent(c.on_response(answer(first, 423, headers=[("Min-Expires", "1800")]), 0.0))
    assert retry.headers.get("Expires") == "1800"
    assert retry.body == BODY1
    c.on_response(answer(retry, 200, etag="e", expires=1800), 0.0)
    refresh = sent(c.handle_timer(c.next_timer() or 0.0))
    assert refresh.headers.get("Expires") == "1800"


def test_423_without_a_higher_min_expires_fails() -> None:
    c = client(expires=600)
    first = sent(c.publish(BODY1, 0.0))
    (change,) = changes(c.on_response(answer(first, 423, headers=[("Min-Expires", "60")]), 0.0))
    assert change.state is PubState.FAILED and change.cause is PubCause.EXPIRY_TOO_BRIEF


def test_489_fails_for_good() -> None:
    c = client()
    first = sent(c.publish(BODY1, 0.0))
    (change,) = changes(c.on_response(answer(first, 489, reason="Bad Event"), 0.0))
    assert (change.state, change.status, change.cause) == (
        PubState.FAILED,
        489,
        PubCause.BAD_EVENT,
    )
    assert change.reason == "Bad Event"
    assert c.next_timer() is None


def test_403_is_reported_and_not_retried() -> None:
    c = client()
    first = sent(c.publish(BODY1, 0.0))
    (change,) = changes(c.on_response(answer(first, 403), 0.0))
    assert (change.state, change.status, change.reason) == (PubState.FAILED, 403, "Forbidden")
    assert change.cause is PubCause.REFUSED
    assert c.next_timer() is None


def test_503_and_timeouts_are_tried_again_later_with_a_fresh_publish() -> None:
    c = client()
    published(c, etag="e1")
    refresh = sent(c.handle_timer(c.next_timer() or 0.0))
    t = c.next_timer() or 540.0
    (change,) = changes(c.on_timeout(t))
    assert (change.state, change.status, change.cause) == (
        PubState.FAILED,
        408,
        PubCause.NO_RESPONSE,
    )
    retry_at = c.next_timer()
    assert retry_at is not None and retry_at > t
    again = sent(c.handle_timer(retry_at))
    assert "SIP-If-Match" not in again.headers and again.body == BODY1
    assert again.cseq.seq > refresh.cseq.seq
    out = c.on_response(answer(again, 200, etag="back", expires=600), retry_at)
    assert changes(out)[-1].state is PubState.PUBLISHED


def test_a_change_while_a_publish_is_in_flight_waits_for_its_answer() -> None:
    c = client()
    first = sent(c.publish(BODY1, 0.0))
    assert c.modify(BODY2, 0.1) == []  # one PUBLISH at a time
    modify = sent(c.on_response(answer(first, 200, etag="e1", expires=600), 0.2))
    assert modify.headers.get("SIP-If-Match") == "e1" and modify.body == BODY2


def test_remove_while_publishing_follows_the_answer() -> None:
    c = client()
    first = sent(c.publish(BODY1, 0.0))
    assert c.remove(0.1) == []
    removal = sent(c.on_response(answer(first, 200, etag="e1", expires=600), 0.2))
    assert removal.headers.get("Expires") == "0"
    assert removal.headers.get("SIP-If-Match") == "e1"


def test_a_digest_retry_moves_the_cseq_on() -> None:
    c = client()
    first = sent(c.publish(BODY1, 0.0))
    retry = Request(
        method=first.method, uri=first.uri, headers=first.headers.copy(), body=first.body
    )
    retry.headers.set("CSeq", f"{first.cseq.seq + 1} PUBLISH")
    c.on_retry(retry)
    assert c.on_response(answer(first, 200, etag="old"), 0.0) == []  # not the one we wait for
    c.on_response(answer(retry, 200, etag="e1", expires=600), 0.0)
    refresh = sent(c.handle_timer(c.next_timer() or 0.0))
    assert refresh.cseq.seq == first.cseq.seq + 2


def test_outbound_proxy_route_and_display_name() -> None:
    c = client(routes=("<sip:proxy.example.com;lr>",), display_name="Anna")
    request = sent(c.publish(BODY1, 0.0))
    assert request.headers.get("Route") == "<sip:proxy.example.com;lr>"
    assert request.from_.display_name == "Anna"


def test_other_packages_and_types() -> None:
    c = client(event="dialog", content_type="application/dialog-info+xml")
    request = sent(c.publish(b"<dialog-info/>", 0.0))
    assert request.headers.get("Event") == "dialog"
    assert request.headers.get("Content-Type") == "application/dialog-info+xml"


def test_an_unreadable_answer_is_ignored() -> None:
    c = client()
    first = sent(c.publish(BODY1, 0.0))
    bad = Response(status=200, reason="OK", headers=Headers([("Call-ID", first.call_id)]))
    assert c.on_response(bad, 0.0) == []
    assert c.state is PubState.PUBLISHING


def test_a_due_timer_never_stays_in_the_past() -> None:
    """The core re-arms at next_timer(): a deadline left behind would spin it."""
    c = client()
    published(c, etag="e1")
    due = c.next_timer() or 0.0
    sent(c.handle_timer(due))  # the refresh is in flight
    assert c.next_timer() is None
    assert c.handle_timer(due + 100) == []
    # A failure with a retry armed, then a new body before the retry: the retry goes.
    c2 = client()
    first = sent(c2.publish(BODY1, 0.0))
    c2.on_timeout(1.0)
    assert c2.next_timer() is not None
    sent(c2.publish(BODY2, 2.0))
    assert c2.next_timer() is None
    assert first.call_id
