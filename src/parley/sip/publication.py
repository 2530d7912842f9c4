"""Publishing event state (RFC 3903 PUBLISH), as a sans-IO state machine.

One `PublicationClient` per published resource and event package (our presence at our
address of record). It builds PUBLISH requests and reads their answers; the owner sends
them (through the user-agent core's non-INVITE client, which answers digest challenges
and reports each retry through `on_retry`) and arms `next_timer()`.

- The first PUBLISH carries the body, Event and Expires; the 2xx gives the entity tag
  (SIP-ETag) and the granted expiry (§4.1.2).
- Before the publication runs out it is refreshed: SIP-If-Match with the tag, no body
  (§4.3). A new body is sent with SIP-If-Match too (§4.4); Expires: 0 with SIP-If-Match
  removes it (§4.5). Every 2xx brings a new tag.
- 412 Conditional Request Failed: the server lost our tag; publish afresh, with the
  current body (§6). 423: again with Min-Expires (§4.1.3). 489 Bad Event: the server
  has no such package; the publication fails for good. Other failures are reported with
  their status; no answer, a transport failure or a 5xx are tried again later (a
  server restarting comes back).
- Only one PUBLISH is in flight at a time: the tag of the next depends on the answer to
  the last. A change made meanwhile waits for that answer.

All PUBLISHes of one client share a Call-ID and From tag with rising CSeq numbers, as
PJSIP's and baresip's publishers do (and as scripted servers like SIPp expect).
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass, field

from parley.sip.dialog import LocalEndpoint
from parley.sip.headers import SipParseError
from parley.sip.ids import new_branch, new_call_id, new_tag
from parley.sip.message import Headers, Request, Response
from parley.sip.uri import SipURI

__all__ = [
    "PubCause",
    "PubState",
    "PublicationChanged",
    "PublicationClient",
    "PublicationConfig",
    "PublicationOutput",
    "SendPublish",
]

REFRESH_FRACTION = 0.9  # refresh after 90 % of the granted time
RETRY_STATUSES = frozenset({408, 500, 503, 504})  # worth another try later


class PubState(enum.StrEnum):
    IDLE = "idle"  # nothing published (yet)
    PUBLISHING = "publishing"  # the first PUBLISH is under way
    PUBLISHED = "published"
    REMOVING = "removing"
    REMOVED = "removed"  # we took it back (or it never got there): the end
    FAILED = "failed"  # refused; `cause` says whether a retry is armed


class PubCause(enum.StrEnum):
    """Why a publication failed, for the layers above to put in words."""

    REFUSED = "refused"  # a final failure status
    BAD_EVENT = "bad event"  # 489: the server does not know the package
    NO_RESPONSE = "no response"  # Timer F
    UNREACHABLE = "unreachable"  # could not be sent
    EXPIRY_TOO_BRIEF = "expiry too brief"  # 423 without a usable Min-Expires


@dataclass(frozen=True)
class PublicationConfig:
    """What to publish where: `target` (the Request-URI, To and From: the address of
    record whose state this is), the event package and its body type."""

    target: SipURI
    event: str = "presence"
    content_type: str = "application/pidf+xml"
    expires: int = 600
    routes: tuple[str, ...] = ()  # Route values (an outbound proxy as a loose route)
    display_name: str | None = None
    retry_interval: float = 30.0
    max_retry_interval: float = 300.0


@dataclass(frozen=True)
class SendPublish:
    """Send `request` to the server (a new non-INVITE transaction)."""

    request: Request


@dataclass(frozen=True)
class PublicationChanged:
    """The publication changed state, with the SIP answer behind it."""

    state: PubState
    status: int | None = None
    reason: str = ""
    cause: PubCause | None = None
    etag: str | None = None
    expires: int | None = None


PublicationOutput = SendPublish | PublicationChanged


@dataclass
class PublicationClient:
    config: PublicationConfig
    local: LocalEndpoint
    rng: random.Random = field(default_factory=random.SystemRandom)

    state: PubState = PubState.IDLE
    etag: str | None = None
    body: bytes = b""
    granted_expires: int | None = None
    last_status: int | None = None
    last_reason: str = ""

    def __post_init__(self) -> None:
        self._call_id = new_call_id(self.local.host, self.rng)
        self._from_tag = new_tag(self.rng)
        self._cseq = 0
        self._expires = self.config.expires
        self._pending: Request | None = None
        self._pending_kind = ""  # "initial" | "refresh" | "modify" | "remove"
        self._queued: str | None = None  # "modify" | "remove", waiting for the answer
        self._timer: float | None = None
        self._failures = 0

    # -- commands

    def publish(self, body: bytes, now: float) -> list[PublicationOutput]:
        """Publish `body` (the first time, or afresh after a failure)."""
        self.body = body
        if self._pending is not None:
            self._queued = "modify"
            return []
        if self.etag is not None and self.state == PubState.PUBLISHED:
            return self._send("modify")
        return self._send("initial")

    def modify(self, body: bytes, now: float) -> list[PublicationOutput]:
        """Replace the published state by `body` (§4.4)."""
        return self.publish(body, now)

    def remove(self, now: float) -> list[PublicationOutput]:
        """Take the publication back (§4.5); ends in REMOVED whatever the answer."""
        self._timer = None
        if self._pending is not None and self._pending_kind != "remove":
            self._queued = "remove"
            return []
        if self._pending is not None:
            return []
        if self.etag is None:  # nothing on the server to remove
            return self._set_state(PubState.REMOVED, None, "")
        return self._send("remove")

    def set_local(self, local: LocalEndpoint) -> None:
        """Where our requests come from now (Via), e.g. after the registration learnt
        our public address."""
        self.local = local

    def on_retry(self, request: Request) -> None:
        """The core sent `request` again with credentials: its CSeq is now taken, and the
        answer to it is the one we wait for."""
        if self._pending is not None and request.call_id == self._call_id:
            self._pending = request
            self._cseq = max(self._cseq, request.cseq.seq)

    # -- answers

    def on_response(self, response: Response, now: float) -> list[PublicationOutput]:
        request = self._pending
        if request is None or response.status < 200:
            return []
        try:
            if response.call_id != self._call_id or response.cseq.seq != request.cseq.seq:
                return []  # an answer to an earlier attempt
        except SipParseError:
            return []
        kind = self._pending_kind
        self._pending = None
        status, reason = response.status, response.reason
        if kind == "remove":
            self.etag = None
            self._queued = None
            cause = None if 200 <= status < 300 or status == 412 else PubCause.REFUSED
            return self._set_state(PubState.REMOVED, status, reason, cause)
        if 200 <= status < 300:
            return self._on_success(response, now)
        if status == 412:
            # The server forgot our entity tag (restart, expiry): publish afresh (§6).
            self.etag = None
            if kind == "initial":  # no tag was sent: nothing to be conditional about
                return self._fail(status, reason, now, PubCause.REFUSED, retry=False)
            return self._send("initial")
        if status == 423:
            return self._on_interval_too_brief(response, kind, now)
        if status == 489:
            self.etag = None
            return self._fail(status, reason, now, PubCause.BAD_EVENT, retry=False)
        self.etag = None
        return self._fail(status, reason, now, PubCause.REFUSED, retry=status in RETRY_STATUSES)

    def on_timeout(self, now: float) -> list[PublicationOutput]:
        """No answer (Timer F): as 408."""
        return self._lost(408, "Request Timeout", PubCause.NO_RESPONSE, now)

    def on_transport_error(self, text: str, now: float) -> list[PublicationOutput]:
        return self._lost(503, text or "Service Unavailable", PubCause.UNREACHABLE, now)

    # -- timers

    def next_timer(self) -> float | None:
        return self._timer

    def handle_timer(self, now: float) -> list[PublicationOutput]:
        if self._timer is None or now < self._timer:
            return []
        self._timer = None  # the answer to what we send arms the next one
        if self._pending is not None:
            return []
        if self.state == PubState.PUBLISHED and self.etag is not None:
            return self._send("refresh")
        if self.state == PubState.FAILED:
            return self._send("initial")
        return []

    # -- internals

    def _lost(
        self, status: int, reason: str, cause: PubCause, now: float
    ) -> list[PublicationOutput]:
        if self._pending is None:
            return []
        kind = self._pending_kind
        self._pending = None
        if kind == "remove":
            self.etag = None
            self._queued = None
            return self._set_state(PubState.REMOVED, status, reason, cause)
        self.etag = None
        return self._fail(status, reason, now, cause, retry=True)

    def _send(self, kind: str) -> list[PublicationOutput]:
        out: list[PublicationOutput] = []
        if kind == "initial" and self.state != PubState.PUBLISHING:
            out += self._set_state(PubState.PUBLISHING, None, "")
        elif kind == "remove":
            out += self._set_state(PubState.REMOVING, None, "")
        self._timer = None  # a refresh or retry waits for this answer
        self._pending_kind = kind
        request = self._build(kind)
        self._pending = request
        out.append(SendPublish(request))
        return out

    def _build(self, kind: str) -> Request:
        cfg = self.config
        self._cseq += 1
        target = cfg.target
        headers = Headers()
        headers.add("Via", self.local.via(new_branch(self.rng)))
        headers.add("Max-Forwards", "70")
        for route in cfg.routes:
            headers.add("Route", route)
        display = f'"{cfg.display_name}" ' if cfg.display_name else ""
        headers.add("From", f"{display}<{target}>;tag={self._from_tag}")
        headers.add("To", f"{display}<{target}>")
        headers.add("Call-ID", self._call_id)
        headers.add("CSeq", f"{self._cseq} PUBLISH")
        headers.add("Event", cfg.event)
        headers.add("Expires", "0" if kind == "remove" else str(self._expires))
        if kind != "initial" and self.etag is not None:
            headers.add("SIP-If-Match", self.etag)
        body = b""
        if kind in ("initial", "modify"):
            body = self.body
            headers.add("Content-Type", cfg.content_type)
        if self.local.user_agent:
            headers.add("User-Agent", self.local.user_agent)
        uri = SipURI(target.scheme, target.user, None, target.host, target.port, {}, {})
        return Request(method="PUBLISH", uri=uri, headers=headers, body=body)

    def _on_success(self, response: Response, now: float) -> list[PublicationOutput]:
        self._failures = 0
        self.etag = (response.headers.get("SIP-ETag") or "").strip() or None
        try:
            granted = response.expires
        except SipParseError:
            granted = None
        if granted is None or granted <= 0:
            granted = self._expires
        self.granted_expires = granted
        self._timer = now + max(granted * REFRESH_FRACTION, 1.0)
        out = self._set_state(PubState.PUBLISHED, response.status, response.reason, force=True)
        queued, self._queued = self._queued, None
        if queued == "remove":
            out += self.remove(now)
        elif queued == "modify":
            out += self._send("modify" if self.etag is not None else "initial")
        return out

    def _on_interval_too_brief(
        self, response: Response, kind: str, now: float
    ) -> list[PublicationOutput]:
        """§4.1.3 (as RFC 3261 §10.2.8): again with at least Min-Expires."""
        try:
            minimum = response.min_expires
        except SipParseError:
            minimum = None
        if minimum is None or minimum <= self._expires:
            self.etag = None
            return self._fail(423, response.reason, now, PubCause.EXPIRY_TOO_BRIEF, retry=False)
        self._expires = minimum
        return self._send(kind)

    def _fail(
        self, status: int, reason: str, now: float, cause: PubCause, *, retry: bool
    ) -> list[PublicationOutput]:
        self._failures += 1
        queued, self._queued = self._queued, None
        if queued == "remove":  # we wanted it gone, and it is not there
            return self._set_state(PubState.REMOVED, status, reason, cause)
        self._timer = None
        if retry:
            delay = min(
                self.config.retry_interval * (2 ** (self._failures - 1)),
                self.config.max_retry_interval,
            )
            self._timer = now + delay
        return self._set_state(PubState.FAILED, status, reason, cause, force=True)

    def _set_state(
        self,
        state: PubState,
        status: int | None,
        reason: str,
        cause: PubCause | None = None,
        *,
        force: bool = False,
    ) -> list[PublicationOutput]:
        changed = force or state != self.state
        self.state, self.last_status, self.last_reason = state, status, reason
        if state != PubState.PUBLISHED:
            self.granted_expires = None
        if not changed:
            return []
        return [
            PublicationChanged(
                state,
                status,
                reason,
                cause,
                self.etag,
                self.granted_expires if state == PubState.PUBLISHED else None,
            )
        ]
