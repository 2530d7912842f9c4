"""INVITE sessions (RFC 3261 §13-15, RFC 3262, RFC 3311, RFC 4028), sans-IO.

One `InviteSession` per call, as caller (UAC) or callee (UAS). It takes what the
transaction layer delivered for this call — responses to its client transactions,
requests with an opaque server-transaction reference, ACKs for 2xx — plus commands from
the phone, and returns outputs (`parley.sip.invite_events`): messages to send and
events. The phone owns the transactions, the clock and the SDP; bodies are opaque here.

Offer/answer timing (RFC 3264 with RFC 3261 §13.2.1):

- caller: `invite(offer)`; the answer comes as `AnswerReceived` (early in a 18x, final
  in the 2xx). With `invite(None)` (late offer) the 2xx brings `OfferReceived` and the
  phone's `answer(sdp)` goes in the ACK.
- callee: an INVITE with SDP gives `OfferReceived(initial=True)` and `accept(answer)`
  answers; without SDP it gives `OfferRequested(initial=True)`, `accept(offer)` puts our
  offer in the 200 and the answer comes with the ACK as `AnswerReceived`.
- later: `reinvite(offer)` (hold, resume, codec change); an incoming re-INVITE or UPDATE
  gives `OfferReceived` / `OfferRequested`, answered with `answer(sdp)` or
  `reject_offer()`.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass, field

from parley.sip.auth import DigestClient
from parley.sip.dialog import Dialog, LocalEndpoint, make_response
from parley.sip.headers import NameAddr, SipParseError
from parley.sip.ids import new_branch, new_call_id, new_tag
from parley.sip.invite_events import (
    AnswerReceived,
    CallState,
    DtmfInfoReceived,
    InfoReceived,
    OfferReceived,
    OfferRejected,
    OfferRequested,
    SendAck,
    SendRequest,
    SendResponse,
    SessionOutput,
    StateChanged,
    UnhandledRequest,
    end_reason_text,
)
from parley.sip.message import Headers, Request, Response
from parley.sip.session_timer import (
    Negotiated,
    SessionTimer,
    SessionTimerConfig,
    min_se_of,
    negotiate_as_uas,
    request_headers,
    session_expires_of,
)
from parley.sip.timers import TimerConfig
from parley.sip.transaction_client import make_cancel
from parley.sip.uri import SipURI

__all__ = ["ALLOW", "Credentials", "InviteSession", "Role", "SessionConfig", "parse_dtmf_info"]

ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, PRACK, NOTIFY, REFER, MESSAGE"
SDP = "application/sdp"
DTMF_RELAY = "application/dtmf-relay"
DTMF_PLAIN = "application/dtmf"
MAX_AUTH_ROUNDS = 3


class Role(enum.Enum):
    UAC = "uac"  # we called
    UAS = "uas"  # we were called


class _OA(enum.Enum):
    """Where the offer/answer exchange stands (RFC 3264 §4, RFC 3311 §5)."""

    STABLE = "stable"
    LOCAL_OFFER = "local offer"  # we sent an offer, no answer yet
    REMOTE_OFFER = "remote offer"  # they sent an offer, we have not answered


@dataclass(frozen=True)
class Credentials:
    """How to answer 401/407 challenges to our INVITE and in-dialog requests (§22)."""

    digest: DigestClient
    username: str
    password: str


@dataclass(frozen=True)
class SessionConfig:
    """Per-account behaviour of INVITE sessions.

    `use_100rel`: say `Supported: 100rel` and PRACK reliable provisional responses; as
    callee we send reliable provisionals only when the caller *requires* them.
    `reject_status`: what hanging up a ringing incoming call sends (486 or 603).
    """

    timers: TimerConfig = field(default_factory=TimerConfig)
    session_timer: SessionTimerConfig = field(default_factory=SessionTimerConfig)
    use_100rel: bool = True
    reject_status: int = 486
    allow: str = ALLOW


@dataclass
class _Pending:
    """What the phone's next `answer()` completes."""

    kind: str  # "ack" | "reinvite" | "reinvite_offer" | "update"
    request: Request | None = None
    tx: object = None
    seq: int = 0
    negotiated: Negotiated | None = None


@dataclass
class _AckWait:
    """Our 2xx to an INVITE, retransmitted until its ACK comes (§13.3.1.4)."""

    tx: object
    response: Response
    seq: int
    interval: float


@dataclass
class _Reliable:
    """Our reliable provisional response waiting for its PRACK (RFC 3262 §3)."""

    response: Response
    rseq: int
    interval: float


@dataclass
class _Queued:
    offer: bytes | None


def _sdp_of(message: Request | Response) -> bytes | None:
    """The SDP body, or None. A body without Content-Type is taken as SDP (RFC 3261
    §20.15 makes the header mandatory with a body, but lenient is cheaper here)."""
    if not message.body:
        return None
    try:
        ctype = message.content_type
    except SipParseError:
        return None
    if ctype is None or ctype.mime == SDP:
        return message.body
    return None


_DTMF_SIGNALS = {"10": "*", "11": "#", "12": "A", "13": "B", "14": "C", "15": "D"}


def parse_dtmf_info(content_type: str, body: bytes) -> tuple[str, int | None] | None:
    """(digit, duration ms) from an INFO body, or None if it is not a DTMF we read.

    application/dtmf-relay: ``Signal=5`` and ``Duration=160`` lines (the de-facto format);
    application/dtmf: the digit alone.
    """
    text = body.decode("utf-8", "replace")
    digit: str | None = None
    duration: int | None = None
    if content_type == DTMF_PLAIN:
        digit = text.strip()
    else:
        for line in text.splitlines():
            name, sep, value = line.partition("=")
            if not sep:
                continue
            name, value = name.strip().lower(), value.strip()
            if name == "signal":
                digit = value
            elif name == "duration" and value.isdigit() and len(value) < 7:
                duration = int(value)
    if digit is None:
        return None
    digit = _DTMF_SIGNALS.get(digit, digit).upper()
    if len(digit) != 1 or digit not in "0123456789*#ABCD":
        return None
    return digit, duration


class InviteSession:
    """One call's INVITE dialog usage: the state machine of RFC 3261 §13-15 and friends.

    Build it with `outgoing()` or `incoming()`. Every method returns the outputs it
    produced; `next_timer()` tells the owner when to call `handle_timer(now)`.
    Malformed input is ignored or answered with an error; it never raises.
    """

    def __init__(
        self,
        role: Role,
        *,
        local: LocalEndpoint,
        call_id: str,
        config: SessionConfig | None = None,
        rng: random.Random | None = None,
        credentials: Credentials | None = None,
    ) -> None:
        self.role = role
        self.local = local
        self.call_id = call_id
        self.config = config or SessionConfig()
        self.rng = rng or random.SystemRandom()
        self.credentials = credentials
        self.state: CallState = CallState.CALLING if role is Role.UAC else CallState.INCOMING
        self.dialog: Dialog | None = None
        self.remote_allow: set[str] = set()
        self.timer = SessionTimer()
        self._out: list[SessionOutput] = []
        self._timers: dict[str, float] = {}
        self._oa = _OA.STABLE
        self._local_sdp: bytes | None = None  # our current session description
        self._pending: _Pending | None = None
        self._queued: _Queued | None = None
        self._glare_offer: _Queued | None = None
        self._reinvite: Request | None = None  # our re-INVITE awaiting its final answer
        self._update: Request | None = None  # our UPDATE awaiting its final answer
        self._sent: dict[tuple[str, int], Request] = {}  # other in-flight requests
        self._acks: dict[tuple[str, int], tuple[Request, SipURI]] = {}
        self._ack_wait: _AckWait | None = None
        self._bye_after_ack = False
        self._auth_rounds = 0
        self._update_unsupported = False
        self._ended = False
        # caller side
        self._invite: Request | None = None
        self._invite_next_hop: SipURI | None = None
        self._from: NameAddr | None = None
        self._to: NameAddr | None = None
        self._target: SipURI | None = None
        self._routes: list[str] = []
        self._extra: list[tuple[str, str]] = []
        self._cseq = 0
        self._local_tag = ""
        self._se_interval = self.config.session_timer.session_expires
        self._se_min = self.config.session_timer.min_se
        self._early: dict[str, Dialog] = {}
        self._early_sdp: dict[str, bytes] = {}
        self._rseq: dict[str, int] = {}
        self._provisional_seen = False
        self._invite_final = False
        self._cancel_wanted = False
        self._cancel_sent = False
        self._answered_reliably = False  # O/A completed in a reliable provisional
        # callee side
        self._invite_tx: object = None
        self._invite_answered = False
        self._require_100rel = False
        self._reliable: _Reliable | None = None
        self._next_rseq = 0
        self._negotiated: Negotiated | None = None

    # ================================================================== construction

    @classmethod
    def outgoing(
        cls,
        target: SipURI,
        *,
        from_: NameAddr,
        to: NameAddr,
        local: LocalEndpoint,
        config: SessionConfig | None = None,
        routes: list[str] | None = None,
        call_id: str | None = None,
        rng: random.Random | None = None,
        credentials: Credentials | None = None,
        headers: list[tuple[str, str]] | None = None,
    ) -> InviteSession:
        """A call we make to `target` (the Request-URI). `routes`: pre-loaded Route
        values such as the outbound proxy (``<sip:proxy;lr>``); `headers`: extra headers
        for the INVITE (P-Preferred-Identity, Subject...)."""
        rng = rng or random.SystemRandom()
        session = cls(
            Role.UAC,
            local=local,
            call_id=call_id or new_call_id(local.host, rng),
            config=config,
            rng=rng,
            credentials=credentials,
        )
        session._target = target
        session._from = NameAddr(from_.display_name, from_.uri.copy(), {})
        session._to = NameAddr(to.display_name, to.uri.copy(), {})
        session._routes = list(routes or [])
        session._extra = list(headers or [])
        session._local_tag = new_tag(rng)
        session._invite_next_hop = (
            NameAddr.parse(session._routes[0]).uri if session._routes else target
        )
        return session

    @classmethod
    def incoming(
        cls,
        invite: Request,
        tx: object,
        *,
        local: LocalEndpoint,
        config: SessionConfig | None = None,
        rng: random.Random | None = None,
        credentials: Credentials | None = None,
    ) -> InviteSession:
        """A call made to us: `invite` arrived in server transaction `tx`. Call
        `receive_invite(now)` next. Raises SipParseError if it has no Call-ID."""
        rng = rng or random.SystemRandom()
        session = cls(
            Role.UAS,
            local=local,
            call_id=invite.call_id,
            config=config,
            rng=rng,
            credentials=credentials,
        )
        session._invite = invite
        session._invite_tx = tx
        session._local_tag = new_tag(rng)
        return session

    # ================================================================== properties

    @property
    def local_tag(self) -> str:
        return self._local_tag

    @property
    def invite_request(self) -> Request | None:
        """The initial INVITE (ours as caller, theirs as callee)."""
        return self._invite

    @property
    def early_dialogs(self) -> list[Dialog]:
        return list(self._early.values())

    @property
    def offer_pending(self) -> bool:
        """True while the far end waits for `answer()`."""
        return self._pending is not None

    @property
    def finished(self) -> bool:
        """Ended and nothing left to retransmit or wait for: the owner may forget it."""
        if self.state is not CallState.ENDED or self._timers:
            return False
        return self.role is Role.UAS or self._invite_final or self._invite is None

    def next_timer(self) -> float | None:
        return min(self._timers.values(), default=None)

    # ================================================================== commands

    def invite(self, offer: bytes | None, now: float) -> list[SessionOutput]:
        """Send the initial INVITE (with our SDP offer, or none for a late offer)."""
        if self.role is not Role.UAC or self._invite is not None:
            return []
        self._cseq += 1
        self._invite = self._build_invite(self._cseq, offer)
        if offer is not None:
            self._oa = _OA.LOCAL_OFFER
            self._local_sdp = offer
        self._emit(StateChanged(CallState.CALLING))
        self._emit(SendRequest(self._invite, False, self._invite_next_hop))
        return self._take()

    def ring(
        self, now: float, *, sdp: bytes | None = None, status: int = 180
    ) -> list[SessionOutput]:
        """Send a provisional response: 180 Ringing, or e.g. 183 with `sdp` for early
        media (only when the INVITE carried an offer: `sdp` is then the answer). Reliable
        (RFC 3262) only when the caller requires 100rel."""
        if self.role is not Role.UAS or self._invite_answered or self._ended:
            return []
        if self._reliable is not None:
            return []  # RFC 3262 §3: one unacknowledged reliable provisional at a time
        if sdp is not None and self._oa is not _OA.REMOTE_OFFER:
            sdp = None  # we never offer in a provisional response
        extra: list[tuple[str, str]] = []
        reliable = self._require_100rel
        if reliable:
            if self._next_rseq == 0:
                self._next_rseq = self.rng.randint(1, 2**31 - 1)
            else:
                self._next_rseq += 1
            extra += [("Require", "100rel"), ("RSeq", str(self._next_rseq))]
        response = self._uas_response(status, sdp=sdp, extra=extra)
        self._ensure_uas_dialog(response)
        self._emit(SendResponse(self._invite_tx, response))
        if reliable:
            t1 = self.config.timers.t1
            self._reliable = _Reliable(response, self._next_rseq, t1)
            self._arm("rel1xx", now + t1)
            self._arm("rel1xx_giveup", now + self.config.timers.timeout)
            if sdp is not None:
                self._oa = _OA.STABLE
                self._answered_reliably = True
                self._local_sdp = sdp
        elif sdp is not None:
            self._local_sdp = sdp  # repeated in the 200 (unreliable 18x are no answers)
        return self._take()

    def accept(self, sdp: bytes, now: float) -> list[SessionOutput]:
        """Answer an incoming call with 200 OK. `sdp` is our answer when the INVITE had an
        offer, else our offer (its answer then comes in the ACK)."""
        if self.role is not Role.UAS or self._invite_answered or self._ended:
            return []
        assert self._invite is not None
        self._invite_answered = True
        self._stop_reliable()
        body: bytes | None = sdp
        if self._oa is _OA.REMOTE_OFFER:
            self._oa = _OA.STABLE
        elif self._answered_reliably:
            body = None  # the answer went in a reliable 18x; the 200 does not repeat it
        else:
            self._oa = _OA.LOCAL_OFFER
        if body is not None:
            self._local_sdp = body
        negotiated = self._negotiated or Negotiated(None, None)
        extra = self._timer_response_headers(self._invite, negotiated)
        response = self._uas_response(200, sdp=body, extra=extra)
        dialog = self._ensure_uas_dialog(response)
        dialog.confirm()
        self._emit(SendResponse(self._invite_tx, response))
        self._start_ack_wait(self._invite_tx, response, self._invite.cseq.seq, now)
        self._start_timer(negotiated.interval, negotiated.refresher == "uas", now)
        self._set_state(CallState.CONNECTED, 200, "OK")
        return self._take()

    def reject(
        self, now: float, status: int | None = None, reason: str | None = None
    ) -> list[SessionOutput]:
        """Refuse an incoming call: 486 Busy Here, 603 Decline, 480, 488..."""
        if self.role is not Role.UAS or self._invite_answered or self._ended:
            return []
        status = status or self.config.reject_status
        self._invite_answered = True
        self._stop_reliable()
        response = self._uas_response(status, reason=reason)
        self._emit(SendResponse(self._invite_tx, response))
        self._end(status, response.reason, by="local")
        return self._take()

    def hangup(self, now: float) -> list[SessionOutput]:
        """End the call whatever its state: CANCEL, reject, or BYE (RFC 3261 §9, §15)."""
        if self._ended:
            return []
        if self.role is Role.UAS and not self._invite_answered:
            return self.reject(now)
        if self.role is Role.UAC and self.dialog is None:
            self._cancel_wanted = True
            self._end(None, "", text="Cancelled", by="local")
            if not self._invite_final:
                # §9.1: CANCEL only once a provisional came; give up after 64*T1.
                if self._provisional_seen:
                    self._send_cancel()
                self._arm("cancel_giveup", now + self.config.timers.timeout)
            return self._take()
        if self._ack_wait is not None and self._ack_wait.seq == self._initial_seq():
            # §15: the callee sends no BYE before the ACK of its 2xx (or its timeout).
            self._bye_after_ack = True
        else:
            self._send_bye()
        self._end(None, "", by="local")
        return self._take()

    def answer(self, sdp: bytes, now: float) -> list[SessionOutput]:
        """Give the SDP the far end is waiting for after `OfferReceived` (our answer) or
        `OfferRequested` (our offer) outside the initial INVITE."""
        pending = self._pending
        if pending is None or (self._ended and pending.kind != "ack"):
            return []
        self._pending = None
        dialog = self.dialog
        if pending.kind == "ack":
            if dialog is None:
                return []
            self._oa = _OA.STABLE
            self._local_sdp = sdp
            self._send_ack(dialog, pending.seq, sdp)
            self._run_queue(now)
        elif pending.kind in ("reinvite", "reinvite_offer") and pending.request is not None:
            negotiated = pending.negotiated or Negotiated(None, None)
            extra = self._timer_response_headers(pending.request, negotiated)
            response = self._dialog_response(pending.request, 200, sdp=sdp, extra=extra)
            self._emit(SendResponse(pending.tx, response))
            self._start_ack_wait(pending.tx, response, pending.seq, now)
            self._oa = _OA.STABLE if pending.kind == "reinvite" else _OA.LOCAL_OFFER
            self._local_sdp = sdp
            self._restart_timer_as_uas(negotiated, now)
        elif pending.kind == "update" and pending.request is not None:
            negotiated = pending.negotiated or Negotiated(None, None)
            extra = self._timer_response_headers(pending.request, negotiated)
            response = self._dialog_response(pending.request, 200, sdp=sdp, extra=extra)
            self._emit(SendResponse(pending.tx, response))
            self._oa = _OA.STABLE
            self._local_sdp = sdp
            self._restart_timer_as_uas(negotiated, now)
            self._run_queue(now)
        return self._take()

    def reject_offer(self, now: float, status: int = 488) -> list[SessionOutput]:
        """We cannot use the far end's offer (no common codec...). The initial INVITE is
        rejected; a re-INVITE or UPDATE gets `status` and the old session stays; an offer
        in a 2xx (late offer) must still be ACKed, so the call ends with ACK and BYE."""
        if self.role is Role.UAS and not self._invite_answered:
            return self.reject(now, status)
        pending = self._pending
        if pending is None:
            return []
        self._pending = None
        self._oa = _OA.STABLE
        if pending.kind == "ack":
            if self.dialog is not None:
                self._send_ack(self.dialog, pending.seq, None)
            self._send_bye()
            self._end(status, "", by="local")
        elif pending.request is not None:
            self._emit(SendResponse(pending.tx, self._dialog_response(pending.request, status)))
            self._run_queue(now)
        return self._take()

    def reinvite(self, offer: bytes | None, now: float) -> list[SessionOutput]:
        """Send a re-INVITE (hold, resume, new codec). Queued while another offer/answer
        exchange or INVITE transaction is in progress (RFC 3261 §14.1)."""
        if self._ended or self.state is not CallState.CONNECTED or self.dialog is None:
            return []
        if self._busy():
            self._queued = _Queued(offer)
            return []
        self._send_reinvite(offer)
        return self._take()

    def send_info(
        self,
        body: bytes,
        content_type: str,
        now: float,
        *,
        headers: list[tuple[str, str]] | None = None,
    ) -> list[SessionOutput]:
        """An INFO in the dialog (RFC 6086), e.g. SIP INFO DTMF."""
        dialog = self.dialog
        if self._ended or dialog is None or not dialog.confirmed:
            return []
        request = dialog.create_request(
            "INFO", body=body, content_type=content_type, headers=headers or [], rng=self.rng
        )
        self._send(request)
        return self._take()

    def send_dtmf_info(self, digit: str, duration_ms: int, now: float) -> list[SessionOutput]:
        """One digit as application/dtmf-relay (``Signal=`` / ``Duration=``)."""
        body = f"Signal={digit}\r\nDuration={duration_ms}\r\n".encode()
        return self.send_info(body, DTMF_RELAY, now)

    # ================================================================== input: responses

    def on_response(self, response: Response, now: float) -> list[SessionOutput]:
        """A response to one of our requests (or a stray 2xx to our INVITE)."""
        try:
            if response.call_id != self.call_id:
                return []
            self._on_response(response, now)
        except SipParseError:
            pass
        return self._take()

    def on_timeout(self, request: Request, now: float) -> list[SessionOutput]:
        """Our client transaction for `request` timed out (Timer B/F): a 408 (§8.1.3.1)."""
        self._on_failure(request, 408, "Request Timeout", now)
        return self._take()

    def on_transport_error(self, request: Request, now: float) -> list[SessionOutput]:
        """`request` could not be delivered: a 503 (RFC 3261 §8.1.3.1)."""
        self._on_failure(request, 503, "Service Unavailable", now)
        return self._take()

    # ================================================================== input: requests

    def receive_invite(self, now: float) -> list[SessionOutput]:
        """Process the INVITE given to `incoming()`: checks, then the INCOMING state and
        `OfferReceived` / `OfferRequested`."""
        invite = self._invite
        if self.role is not Role.UAS or invite is None or self._invite_answered:
            return []
        try:
            self.remote_allow = {t.upper() for t in invite.tokens("Allow")}
            self._require_100rel = "100rel" in [t.lower() for t in invite.tokens("Require")]
            negotiated = negotiate_as_uas(invite, self.config.session_timer)
            if not invite.contacts:
                raise SipParseError("INVITE without Contact")
        except SipParseError as exc:
            self._invite_answered = True
            response = self._uas_response(exc.status, reason=exc.reason or None)
            self._emit(SendResponse(self._invite_tx, response))
            self._end(exc.status, response.reason, by="local")
            return self._take()
        if negotiated.too_small is not None:
            self._invite_answered = True
            extra = negotiated.response_headers(False)
            self._emit(SendResponse(self._invite_tx, self._uas_response(422, extra=extra)))
            self._end(422, "Session Interval Too Small", by="local")
            return self._take()
        self._negotiated = negotiated
        self._emit(StateChanged(CallState.INCOMING))
        sdp = _sdp_of(invite)
        if sdp is not None:
            self._oa = _OA.REMOTE_OFFER
            self._emit(OfferReceived(sdp, initial=True))
        else:
            self._emit(OfferRequested(initial=True))
        return self._take()

    def on_request(self, request: Request, tx: object, now: float) -> list[SessionOutput]:
        """A request for this call (in one of its dialogs, or a CANCEL of its INVITE)
        with the reference of its server transaction."""
        try:
            self._on_request(request, tx, now)
        except SipParseError as exc:
            if request.method != "ACK":
                self._emit(SendResponse(tx, make_response(request, exc.status)))
        return self._take()

    def on_ack(self, ack: Request, now: float) -> list[SessionOutput]:
        """An ACK for one of our 2xx (the transaction layer's `AckReceived`)."""
        try:
            if ack.call_id != self.call_id:
                return []
            seq = ack.cseq.seq
        except SipParseError:
            return []
        wait = self._ack_wait
        if wait is None or seq != wait.seq:
            return []  # a retransmitted ACK
        self._ack_wait = None
        self._disarm("2xx", "2xx_giveup")
        sdp = _sdp_of(ack)
        if self._oa is _OA.LOCAL_OFFER:
            self._oa = _OA.STABLE
            if sdp is not None:
                if not self._ended:
                    tag = self.dialog.remote_tag if self.dialog else ""
                    self._emit(AnswerReceived(sdp, early=False, remote_tag=tag))
            elif not self._ended:
                # §13.3.1.4 / RFC 3264: our offer in the 2xx got no answer: give up.
                self._send_bye()
                self._end(488, "No answer in ACK", by="remote")
        if self._bye_after_ack:
            self._bye_after_ack = False
            self._send_bye()
        self._run_queue(now)
        return self._take()

    # ================================================================== timers

    def handle_timer(self, now: float) -> list[SessionOutput]:
        """Fire every timer due at `now`, earliest first."""
        while True:
            due = [(when, name) for name, when in self._timers.items() if when <= now]
            if not due:
                break
            _, name = min(due)
            del self._timers[name]
            self._on_timer(name, now)
        return self._take()

    def _on_timer(self, name: str, now: float) -> None:
        cfg = self.config.timers
        if name == "2xx" and self._ack_wait is not None:
            wait = self._ack_wait
            self._emit(SendResponse(wait.tx, wait.response))
            wait.interval = min(2 * wait.interval, cfg.t2)
            self._arm("2xx", now + wait.interval)
        elif name == "2xx_giveup" and self._ack_wait is not None:
            # §13.3.1.4: no ACK within 64*T1: confirm the dialog, then end it with BYE.
            self._ack_wait = None
            self._disarm("2xx")
            self._bye_after_ack = False
            self._send_bye()
            self._end(408, "No ACK", text="Connection lost", by="network")
        elif name == "rel1xx" and self._reliable is not None:
            rel = self._reliable
            self._emit(SendResponse(self._invite_tx, rel.response))
            rel.interval *= 2  # RFC 3262 §3: doubling, no cap
            self._arm("rel1xx", now + rel.interval)
        elif name == "rel1xx_giveup" and self._reliable is not None:
            # RFC 3262 §3: no PRACK in 64*T1: reject the INVITE with a 5xx.
            self._stop_reliable()
            if not self._invite_answered:
                self._invite_answered = True
                self._emit(SendResponse(self._invite_tx, self._uas_response(504)))
                self._end(504, "No PRACK", text="Connection lost", by="network")
        elif name == "glare":
            offer, self._glare_offer = self._glare_offer, None
            if offer is not None and not self._ended and self.dialog is not None:
                if self._busy():
                    self._queued = self._queued or offer
                else:
                    self._send_reinvite(offer.offer)
        elif name == "session":
            self._on_session_timer(now)
        elif name == "cancel_giveup":
            self._invite_final = True  # §9.1: consider the INVITE cancelled

    def _on_session_timer(self, now: float) -> None:
        if self._ended or self.dialog is None or not self.timer.active:
            return
        if not self.timer.we_refresh:
            # RFC 4028 §10: no refresh came in time: the session is dead.
            self.timer.stop()
            self._send_bye()
            self._end(408, "Session Expired", text="Session expired", by="network")
            return
        if self._busy():
            self._arm("session", now + 2.0)  # an exchange is running; it refreshes too
            return
        method = self.config.session_timer.refresh_method
        use_update = method == "update" or (
            method == "auto" and "UPDATE" in self.remote_allow and not self._update_unsupported
        )
        if use_update:
            self._send_update()
        else:
            self._send_reinvite(self._local_sdp)

    # ================================================================== responses (internals)

    def _on_response(self, response: Response, now: float) -> None:
        cseq = response.cseq
        status = response.status
        if cseq.method == "INVITE":
            if (
                self.role is Role.UAC
                and self._invite is not None
                and cseq.seq == self._invite.cseq.seq
            ):
                self._on_initial_response(response, now)
            elif self._reinvite is not None and cseq.seq == self._reinvite.cseq.seq:
                self._on_reinvite_response(response, now)
            elif 200 <= status < 300:
                self._ack_again(response)
            return
        if cseq.method == "UPDATE" and self._update is not None:
            if cseq.seq == self._update.cseq.seq and status >= 200:
                self._on_update_response(response, now)
            return
        request = self._sent.get((cseq.method, cseq.seq))
        if request is None or status < 200:
            return
        del self._sent[(cseq.method, cseq.seq)]
        if status in (401, 407):
            retry = self._authorized_copy(request, response)
            if retry is not None:
                self._send(retry)
            return
        if status in (408, 481) and cseq.method not in ("BYE", "CANCEL", "PRACK"):
            self._dialog_failed(status, response.reason)

    def _on_initial_response(self, response: Response, now: float) -> None:
        status = response.status
        if status < 200:
            if not self._invite_final:
                self._on_provisional(response, now)
        elif status < 300:
            self._on_initial_2xx(response, now)
        elif not self._invite_final:
            self._on_initial_failure(response, now)

    def _on_provisional(self, response: Response, now: float) -> None:
        assert self._invite is not None
        self._provisional_seen = True
        if self._cancel_wanted:
            if not self._cancel_sent:
                self._send_cancel()
            return
        status = response.status
        tag = response.to.tag
        if status == 100 or not tag:
            if self.state is CallState.CALLING:  # a late 100 must not undo "ringing"
                self._set_state(CallState.PROCEEDING, status, response.reason)
            return
        dialog = self._early.get(tag)
        if dialog is None and self.dialog is None:
            dialog = Dialog.as_uac(self._invite, response, self.local)
            self._early[tag] = dialog
        if dialog is None:
            return  # a late 1xx from a fork after the call was answered
        dialog.update_target(response)
        rseq_text = response.headers.get("RSeq")
        reliable = rseq_text is not None and "100rel" in [
            t.lower() for t in response.tokens("Require")
        ]
        if reliable and rseq_text is not None:
            if not rseq_text.strip().isdigit() or len(rseq_text.strip()) > 10:
                return
            rseq = int(rseq_text)
            last = self._rseq.get(tag)
            if last is not None and rseq != last + 1:
                return  # RFC 3262 §4: a retransmission or out of order: discard
            self._rseq[tag] = rseq
            rack = f"{rseq} {response.cseq.seq} INVITE"
            prack = dialog.create_request("PRACK", headers=[("RAck", rack)], rng=self.rng)
            self._send(prack, dialog.next_hop)
        sdp = _sdp_of(response)
        media = False
        if sdp is not None and (self._oa is _OA.LOCAL_OFFER or self._early_sdp.get(tag)):
            media = True
            if self._early_sdp.get(tag) != sdp:
                self._early_sdp[tag] = sdp
                self._emit(AnswerReceived(sdp, early=True, remote_tag=tag))
            if reliable:
                self._oa = _OA.STABLE
                self._answered_reliably = True
        if media:
            self._set_state(CallState.EARLY_MEDIA, status, response.reason)
        elif status in (180, 181, 182) and self.state is not CallState.EARLY_MEDIA:
            self._set_state(CallState.RINGING, status, response.reason)
        elif self.state is CallState.CALLING:
            self._set_state(CallState.PROCEEDING, status, response.reason)

    def _on_initial_2xx(self, response: Response, now: float) -> None:
        assert self._invite is not None
        self._invite_final = True
        self._disarm("cancel_giveup")
        tag = response.to.tag or ""
        seq = self._invite.cseq.seq
        if self.dialog is not None:
            if tag == self.dialog.remote_tag:
                self._ack_again(response)
            else:
                self._ack_and_bye(response)  # §13.2.2.4: another fork answered too
            return
        if self._ended:
            self._ack_and_bye(response)  # the CANCEL/200 race: we hung up already
            return
        dialog = self._early.pop(tag, None)
        if dialog is not None:
            dialog.confirm(response)
        else:
            dialog = Dialog.as_uac(self._invite, response, self.local)
        self._early.clear()
        self.dialog = dialog
        self.remote_allow = {t.upper() for t in response.tokens("Allow")}
        self._apply_timer_response(response, now)
        sdp = _sdp_of(response)
        if self._oa is _OA.LOCAL_OFFER:
            sdp = sdp or self._early_sdp.get(tag)
            if sdp is None:
                self._send_ack(dialog, seq, None)
                self._send_bye()
                self._end(488, "No answer to our offer", by="remote")
                return
            self._oa = _OA.STABLE
            self._emit(AnswerReceived(sdp, early=False, remote_tag=tag))
            self._set_state(CallState.CONNECTED, response.status, response.reason)
            self._send_ack(dialog, seq, None)
        elif self._answered_reliably or self._local_sdp is not None:
            self._set_state(CallState.CONNECTED, response.status, response.reason)
            self._send_ack(dialog, seq, None)
        elif sdp is None:
            # Late offer, and the 2xx has no offer either: nothing to talk with.
            self._send_ack(dialog, seq, None)
            self._send_bye()
            self._end(488, "No offer in 2xx", by="remote")
        else:
            self._oa = _OA.REMOTE_OFFER
            self._pending = _Pending("ack", seq=seq)
            self._set_state(CallState.CONNECTED, response.status, response.reason)
            self._emit(OfferReceived(sdp, initial=False))

    def _on_initial_failure(self, response: Response, now: float) -> None:
        assert self._invite is not None
        self._invite_final = True
        self._disarm("cancel_giveup")
        self._early.clear()
        if self._ended:
            return  # the 487 to our CANCEL, or a failure after we hung up
        status = response.status
        retry: Request | None = None
        if status in (401, 407):
            retry = self._authorized_copy(self._invite, response)
        elif status == 422:
            retry = self._retry_422(self._invite, response)
        if retry is not None:
            self._invite = retry
            self._invite_final = False
            self._provisional_seen = False
            self._rseq.clear()
            self._early_sdp.clear()
            self._emit(SendRequest(retry, False, self._invite_next_hop))
            return
        self._end(status, response.reason, by="remote")

    def _on_reinvite_response(self, response: Response, now: float) -> None:
        request = self._reinvite
        dialog = self.dialog
        status = response.status
        if request is None or dialog is None or status < 200:
            return
        self._reinvite = None
        if status < 300:
            if response.to.tag != dialog.remote_tag:
                return
            dialog.update_target(response)
            self.remote_allow |= {t.upper() for t in response.tokens("Allow")}
            self._apply_timer_response(response, now)
            sdp = _sdp_of(response)
            seq = request.cseq.seq
            if request.body:
                self._oa = _OA.STABLE
                self._send_ack(dialog, seq, None)
                if sdp is not None and not self._ended:
                    self._emit(AnswerReceived(sdp, early=False, remote_tag=dialog.remote_tag))
            elif sdp is not None and not self._ended:
                self._oa = _OA.REMOTE_OFFER
                self._pending = _Pending("ack", seq=seq)
                self._emit(OfferReceived(sdp, initial=False))
            else:
                self._send_ack(dialog, seq, None)
            self._run_queue(now)
            return
        self._oa = _OA.STABLE
        retry: Request | None = None
        if status in (401, 407):
            retry = self._authorized_copy(request, response)
        elif status == 422:
            retry = self._retry_422(request, response)
        if retry is not None:
            self._reinvite = retry
            self._oa = _OA.LOCAL_OFFER if retry.body else _OA.STABLE
            self._emit(SendRequest(retry, True, dialog.next_hop))
            return
        if status == 491:
            # §14.1: retry after 2.1-4 s if we own the Call-ID (we called), else 0-2 s,
            # in units of 10 ms.
            if self.role is Role.UAC:
                delay = self.rng.randint(210, 400) / 100
            else:
                delay = self.rng.randint(0, 200) / 100
            self._glare_offer = _Queued(request.body or None)
            self._arm("glare", now + delay)
            return
        if status in (408, 481):
            self._dialog_failed(status, response.reason)
            return
        if not self._ended:
            self._emit(OfferRejected(status, response.reason))
        self._run_queue(now)

    def _on_update_response(self, response: Response, now: float) -> None:
        request = self._update
        self._update = None
        if request is None or self.dialog is None:
            return
        status = response.status
        if status < 300:
            self.dialog.update_target(response)
            self._apply_timer_response(response, now)
            self._run_queue(now)
            return
        retry: Request | None = None
        if status in (401, 407):
            retry = self._authorized_copy(request, response)
        elif status == 422:
            retry = self._retry_422(request, response)
        if retry is not None:
            self._update = retry
            self._emit(SendRequest(retry, True, self.dialog.next_hop))
            return
        if status in (408, 481):
            self._dialog_failed(status, response.reason)
            return
        # The refresh UPDATE failed (405/501/491...): refresh with a re-INVITE instead.
        if status in (405, 501):
            self._update_unsupported = True
        if not self._ended and not self._busy():
            self._send_reinvite(self._local_sdp)

    def _on_failure(self, request: Request, status: int, reason: str, now: float) -> None:
        try:
            method, seq = request.method, request.cseq.seq
        except SipParseError:
            return
        if method == "INVITE" and self.role is Role.UAC and self._invite is not None:
            if seq == self._invite.cseq.seq and self.dialog is None:
                if not self._invite_final:
                    self._invite_final = True
                    self._disarm("cancel_giveup")
                    self._early.clear()
                    self._end(status, reason, by="network")
                return
        if method == "INVITE" and self._reinvite is not None and seq == self._reinvite.cseq.seq:
            self._reinvite = None
            self._oa = _OA.STABLE
            self._dialog_failed(status, reason)
        elif method == "UPDATE" and self._update is not None and seq == self._update.cseq.seq:
            self._update = None
            self._dialog_failed(status, reason)
        elif (method, seq) in self._sent:
            del self._sent[(method, seq)]
            if method not in ("BYE", "CANCEL", "PRACK"):
                self._dialog_failed(status, reason)

    # ================================================================== requests (internals)

    def _on_request(self, request: Request, tx: object, now: float) -> None:
        method = request.method
        # Parse what the checks below rely on first, so a mangled header is a 400.
        request.from_  # noqa: B018
        request.to  # noqa: B018
        request.cseq  # noqa: B018
        if method == "ACK":
            self._out.extend(self.on_ack(request, now))
            return
        if method == "CANCEL":
            self._on_cancel(request, tx)
            return
        if request.call_id != self.call_id:
            self._respond(tx, make_response(request, 481))
            return
        dialog = self._dialog_for(request)
        if dialog is None or (dialog.terminated and method != "BYE"):
            self._respond(tx, make_response(request, 481))
            return
        if dialog.terminated:  # a BYE crossing ours
            self._respond(tx, make_response(request, 200))
            return
        if dialog.check_request(request) is not None:
            self._respond(tx, make_response(request, 500, "CSeq Out of Order"))
            return
        if method == "BYE":
            self._on_bye(request, tx, dialog)
        elif method == "INVITE":
            self._on_reinvite(request, tx, dialog, now)
        elif method == "UPDATE":
            self._on_update(request, tx, dialog, now)
        elif method == "PRACK":
            self._on_prack(request, tx)
        elif method == "INFO":
            self._on_info(request, tx)
        elif method == "OPTIONS":
            self._respond(
                tx,
                self._dialog_response(
                    request,
                    200,
                    extra=[("Accept", SDP), ("Supported", ", ".join(self._supported()))],
                ),
            )
        else:
            self._emit(UnhandledRequest(request, tx))

    def _dialog_for(self, request: Request) -> Dialog | None:
        if self.dialog is not None and self.dialog.matches_request(request):
            return self.dialog
        for dialog in self._early.values():
            if dialog.matches_request(request):
                return dialog
        return None

    def _on_cancel(self, cancel: Request, tx: object) -> None:
        invite = self._invite
        if self.role is not Role.UAS or invite is None or cancel.cseq.seq != invite.cseq.seq:
            self._respond(tx, make_response(cancel, 481))
            return
        # §9.2: 200 to the CANCEL, with the tag of our responses to the INVITE.
        self._respond(tx, make_response(cancel, 200, to_tag=self._local_tag))
        if self._invite_answered or self._ended:
            return  # already answered: the CANCEL changes nothing
        self._invite_answered = True
        self._stop_reliable()
        self._emit(SendResponse(self._invite_tx, self._uas_response(487)))
        self._end(487, "Request Terminated", by="remote")

    def _on_bye(self, request: Request, tx: object, dialog: Dialog) -> None:
        self._respond(tx, self._dialog_response(request, 200))
        if dialog is not self.dialog:
            dialog.terminate()  # one fork's early dialog ends; the call goes on
            self._early.pop(dialog.remote_tag, None)
            return
        # §15.1.2: answer what is still open in the dialog, 487 recommended.
        if self.role is Role.UAS and not self._invite_answered:
            self._invite_answered = True
            self._stop_reliable()
            self._emit(SendResponse(self._invite_tx, self._uas_response(487)))
        pending = self._pending
        if pending is not None and pending.request is not None:
            self._respond(pending.tx, self._dialog_response(pending.request, 487))
        self._pending = None
        # BYE before our 2xx was ACKed is allowed (§15): stop retransmitting.
        self._ack_wait = None
        self._bye_after_ack = False
        self._disarm("2xx", "2xx_giveup")
        dialog.terminate()
        self._end(None, "", by="remote")

    def _on_reinvite(self, request: Request, tx: object, dialog: Dialog, now: float) -> None:
        if self._ended or not dialog.confirmed:
            self._respond(tx, self._retry_later(request))
            return
        if self._reinvite is not None or self._update is not None or self._oa is _OA.LOCAL_OFFER:
            self._respond(tx, self._dialog_response(request, 491))  # §14.2 glare
            return
        if self._pending is not None or self._oa is _OA.REMOTE_OFFER or self._ack_wait:
            self._respond(tx, self._retry_later(request))  # §14.2: 500 + Retry-After
            return
        negotiated = negotiate_as_uas(request, self.config.session_timer)
        if negotiated.too_small is not None:
            extra = negotiated.response_headers(False)
            self._respond(tx, self._dialog_response(request, 422, extra=extra))
            return
        dialog.update_target(request)
        if "Allow" in request.headers:
            self.remote_allow = {t.upper() for t in request.tokens("Allow")}
        sdp = _sdp_of(request)
        seq = request.cseq.seq
        if sdp is not None:
            self._oa = _OA.REMOTE_OFFER
            self._pending = _Pending("reinvite", request, tx, seq, negotiated)
            self._emit(OfferReceived(sdp, initial=False))
        else:
            self._pending = _Pending("reinvite_offer", request, tx, seq, negotiated)
            self._emit(OfferRequested(initial=False))

    def _on_update(self, request: Request, tx: object, dialog: Dialog, now: float) -> None:
        """RFC 3311 §5.2: an UPDATE with an offer, or (no SDP) a session refresh."""
        negotiated = negotiate_as_uas(request, self.config.session_timer)
        if negotiated.too_small is not None:
            extra = negotiated.response_headers(False)
            self._respond(tx, self._dialog_response(request, 422, extra=extra))
            return
        sdp = _sdp_of(request)
        if sdp is None:
            dialog.update_target(request)
            extra = self._timer_response_headers(request, negotiated)
            self._respond(tx, self._dialog_response(request, 200, extra=extra))
            self._restart_timer_as_uas(negotiated, now)
            return
        if self._oa is _OA.LOCAL_OFFER or self._reinvite is not None:
            self._respond(tx, self._dialog_response(request, 491))
            return
        if self._oa is _OA.REMOTE_OFFER or self._pending is not None:
            self._respond(tx, self._retry_later(request))
            return
        dialog.update_target(request)
        self._oa = _OA.REMOTE_OFFER
        self._pending = _Pending("update", request, tx, request.cseq.seq, negotiated)
        self._emit(OfferReceived(sdp, initial=False))

    def _on_prack(self, request: Request, tx: object) -> None:
        """RFC 3262 §3: a PRACK acknowledges our outstanding reliable provisional."""
        rack = (request.headers.get("RAck") or "").split()
        rel = self._reliable
        invite = self._invite
        ok = (
            rel is not None
            and invite is not None
            and len(rack) == 3
            and rack[0] == str(rel.rseq)
            and rack[1] == str(invite.cseq.seq)
            and rack[2].upper() == "INVITE"
        )
        if not ok:
            self._respond(tx, make_response(request, 481))
            return
        self._stop_reliable()
        self._respond(tx, self._dialog_response(request, 200))

    def _on_info(self, request: Request, tx: object) -> None:
        if not request.body:
            self._respond(tx, self._dialog_response(request, 200))
            self._emit(InfoReceived(request))
            return
        ctype = request.content_type
        mime = ctype.mime if ctype is not None else ""
        if mime not in (DTMF_RELAY, DTMF_PLAIN):
            accept = [("Accept", f"{DTMF_RELAY}, {DTMF_PLAIN}")]
            self._respond(tx, self._dialog_response(request, 415, extra=accept))
            return
        parsed = parse_dtmf_info(mime, request.body)
        if parsed is None:
            self._respond(tx, self._dialog_response(request, 400, "Bad DTMF Body"))
            return
        self._respond(tx, self._dialog_response(request, 200))
        self._emit(DtmfInfoReceived(*parsed))

    # ================================================================== building and sending

    def _supported(self) -> list[str]:
        return (["100rel"] if self.config.use_100rel else []) + ["timer"]

    def _build_invite(self, seq: int, offer: bytes | None) -> Request:
        assert self._from is not None and self._to is not None and self._target is not None
        headers = Headers()
        headers.add("Via", self.local.via(new_branch(self.rng)))
        headers.add("Max-Forwards", "70")
        for route in self._routes:
            headers.add("Route", route)
        headers.add("From", str(self._from.with_tag(self._local_tag)))
        headers.add("To", str(self._to))
        headers.add("Call-ID", self.call_id)
        headers.add("CSeq", f"{seq} INVITE")
        headers.add("Contact", self.local.contact)
        headers.add("Allow", self.config.allow)
        headers.add("Supported", ", ".join(self._supported()))
        if self.config.session_timer.enabled:
            for name, value in request_headers(self._se_interval, self._se_min):
                headers.add(name, value)
        if self.local.user_agent:
            headers.add("User-Agent", self.local.user_agent)
        for name, value in self._extra:
            headers.add(name, value)
        if offer is not None:
            headers.add("Content-Type", SDP)
        return Request(method="INVITE", uri=self._target, headers=headers, body=offer or b"")

    def _initial_seq(self) -> int:
        return self._invite.cseq.seq if self._invite is not None else -1

    def _uas_response(
        self,
        status: int,
        *,
        reason: str | None = None,
        sdp: bytes | None = None,
        extra: list[tuple[str, str]] | None = None,
    ) -> Response:
        """A response to the initial INVITE with our tag; 18x and 2xx carry Contact and
        the request's Record-Route (§12.1.1)."""
        assert self._invite is not None
        headers: list[tuple[str, str]] = []
        if 100 < status < 300:
            headers += [("Record-Route", v) for v in self._invite.headers.get_all("Record-Route")]
            headers.append(("Contact", self.local.contact))
        if 200 <= status < 300:
            headers += [
                ("Allow", self.config.allow),
                ("Supported", ", ".join(self._supported())),
            ]
        headers += extra or []
        if sdp is not None:
            headers.append(("Content-Type", SDP))
        return make_response(
            self._invite,
            status,
            reason,
            to_tag=self._local_tag,
            headers=headers,
            body=sdp or b"",
        )

    def _dialog_response(
        self,
        request: Request,
        status: int,
        reason: str | None = None,
        *,
        sdp: bytes | None = None,
        extra: list[tuple[str, str]] | None = None,
    ) -> Response:
        """A response to an in-dialog request; 2xx to target refreshes carry Contact."""
        headers: list[tuple[str, str]] = []
        if 200 <= status < 300 and request.method in ("INVITE", "UPDATE"):
            headers += [("Contact", self.local.contact), ("Allow", self.config.allow)]
            headers.append(("Supported", ", ".join(self._supported())))
        headers += extra or []
        if sdp is not None:
            headers.append(("Content-Type", SDP))
        return make_response(request, status, reason, headers=headers, body=sdp or b"")

    def _retry_later(self, request: Request) -> Response:
        """500 with Retry-After 0-10 s (RFC 3261 §14.2, RFC 3311 §5.2)."""
        extra = [("Retry-After", str(self.rng.randint(0, 10)))]
        return make_response(request, 500, headers=extra)

    def _ensure_uas_dialog(self, response: Response) -> Dialog:
        if self.dialog is None:
            assert self._invite is not None
            self.dialog = Dialog.as_uas(self._invite, response, self.local)
        return self.dialog

    def _emit(self, output: SessionOutput) -> None:
        self._out.append(output)

    def _take(self) -> list[SessionOutput]:
        out, self._out = self._out, []
        return out

    def _respond(self, tx: object, response: Response) -> None:
        self._emit(SendResponse(tx, response))

    def _send(self, request: Request, hop: SipURI | None = None) -> None:
        """An in-dialog non-INVITE request through a new client transaction."""
        self._sent[(request.method, request.cseq.seq)] = request
        if hop is None:
            hop = self.dialog.next_hop if self.dialog is not None else self._invite_next_hop
        self._emit(SendRequest(request, True, hop))

    def _send_cancel(self) -> None:
        assert self._invite is not None
        self._cancel_sent = True
        self._emit(SendRequest(make_cancel(self._invite), False, self._invite_next_hop))

    def _send_ack(self, dialog: Dialog, seq: int, sdp: bytes | None) -> None:
        """The ACK for a 2xx (§13.2.2.4): built in the dialog, with the INVITE's CSeq
        number and its credentials."""
        source = self._invite if self._invite and self._invite.cseq.seq == seq else None
        creds: list[tuple[str, str]] = []
        if source is not None:
            for name in ("Authorization", "Proxy-Authorization"):
                creds += [(name, v) for v in source.headers.get_all(name)]
        ack = dialog.create_request(
            "ACK",
            seq=seq,
            body=sdp or b"",
            content_type=SDP if sdp else None,
            headers=creds,
            rng=self.rng,
        )
        self._acks[(dialog.remote_tag, seq)] = (ack, dialog.next_hop)
        self._emit(SendAck(ack, dialog.next_hop))

    def _ack_again(self, response: Response) -> None:
        """A retransmitted 2xx: our ACK got lost, send the same one again (§13.2.2.4)."""
        cached = self._acks.get((response.to.tag or "", response.cseq.seq))
        if cached is not None:
            self._emit(SendAck(*cached))

    def _ack_and_bye(self, response: Response) -> None:
        """A 2xx we do not want (another fork, or after we hung up): ACK it, then BYE."""
        assert self._invite is not None
        tag = response.to.tag or ""
        seq = response.cseq.seq
        if (tag, seq) in self._acks:
            self._ack_again(response)
            return
        dialog = Dialog.as_uac(self._invite, response, self.local)
        self._send_ack(dialog, seq, None)
        bye = dialog.create_request("BYE", rng=self.rng)
        self._emit(SendRequest(bye, True, dialog.next_hop))

    def _send_bye(self) -> None:
        dialog = self.dialog
        if dialog is None or dialog.terminated:
            return
        pending = self._pending
        if pending is not None:
            self._pending = None
            if pending.kind == "ack":
                self._send_ack(dialog, pending.seq, None)  # a 2xx is always ACKed
            elif pending.request is not None:
                self._respond(pending.tx, self._dialog_response(pending.request, 487))
        self._send(dialog.create_request("BYE", rng=self.rng))
        dialog.terminate()
        self._disarm("session", "glare")

    def _send_reinvite(self, offer: bytes | None) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        headers = [("Allow", self.config.allow), ("Supported", ", ".join(self._supported()))]
        headers += self._refresh_headers()
        request = dialog.create_request(
            "INVITE",
            body=offer or b"",
            content_type=SDP if offer else None,
            headers=headers,
            rng=self.rng,
        )
        self._reinvite = request
        if offer is not None:
            self._oa = _OA.LOCAL_OFFER
            self._local_sdp = offer
        self._emit(SendRequest(request, True, dialog.next_hop))

    def _send_update(self) -> None:
        """A session refresh UPDATE without SDP (RFC 4028 §7.4, RFC 3311)."""
        dialog = self.dialog
        if dialog is None:
            return
        headers = [("Supported", ", ".join(self._supported())), *self._refresh_headers()]
        request = dialog.create_request("UPDATE", headers=headers, rng=self.rng)
        self._update = request
        self._emit(SendRequest(request, True, dialog.next_hop))

    def _refresh_headers(self) -> list[tuple[str, str]]:
        """Session-Expires/Min-SE for a request we send in the dialog (RFC 4028 §7.4):
        keep the current interval, and ask to stay the refresher if we are."""
        if self.timer.interval is not None:
            refresher = "uac" if self.timer.we_refresh else "uas"
            return request_headers(self.timer.interval, self._se_min, refresher)
        if self.config.session_timer.enabled:
            return request_headers(self._se_interval, self._se_min)
        return []

    def _renewed(self, request: Request) -> Request:
        """`request` again with a new CSeq and branch (after 401/407/422)."""
        new = Request(
            method=request.method,
            uri=request.uri,
            headers=request.headers.copy(),
            body=request.body,
        )
        if request.method == "INVITE" and self.dialog is None:
            self._cseq += 1
            seq = self._cseq
        elif self.dialog is not None:
            self.dialog.local_seq += 1
            seq = self.dialog.local_seq
        else:
            seq = request.cseq.seq + 1
        new.headers.set("CSeq", f"{seq} {request.method}")
        new.headers.set("Via", self.local.via(new_branch(self.rng)))
        return new

    def _authorized_copy(self, request: Request, response: Response) -> Request | None:
        """The request with digest credentials for the challenge (§22.2), or None."""
        creds = self.credentials
        self._auth_rounds += 1
        if creds is None or self._auth_rounds > MAX_AUTH_ROUNDS:
            return None
        retry = self._renewed(request)
        ok = creds.digest.authorize(
            retry, response, username=creds.username, password=creds.password
        )
        return retry if ok else None

    def _retry_422(self, request: Request, response: Response) -> Request | None:
        """RFC 4028 §7.4: retry with the Min-SE the far end asked for."""
        minimum = min_se_of(response)
        current = session_expires_of(request)
        if minimum is None or (current is not None and minimum <= current.delta):
            return None
        self._se_min = max(self._se_min, minimum)
        self._se_interval = max(self._se_interval, minimum)
        retry = self._renewed(request)
        refresher = current.refresher if current is not None else None
        for name, value in request_headers(self._se_interval, self._se_min, refresher):
            retry.headers.set(name, value)
        return retry

    # ================================================================== session timer

    def _timer_response_headers(
        self, request: Request, negotiated: Negotiated
    ) -> list[tuple[str, str]]:
        supports = "timer" in [t.lower() for t in request.tokens("Supported")]
        return negotiated.response_headers(supports)

    def _apply_timer_response(self, response: Response, now: float) -> None:
        """RFC 4028 §7.2: the 2xx to our INVITE/UPDATE fixes interval and refresher
        ("uac" is us: we sent the request). No Session-Expires: no session timer."""
        try:
            se = session_expires_of(response)
        except SipParseError:
            se = None
        if se is None:
            self._start_timer(None, False, now)
            return
        self._start_timer(se.delta, (se.refresher or "uac") == "uac", now)

    def _restart_timer_as_uas(self, negotiated: Negotiated, now: float) -> None:
        if negotiated.interval is not None:
            self._start_timer(negotiated.interval, negotiated.refresher == "uas", now)

    def _start_timer(self, interval: int | None, we_refresh: bool, now: float) -> None:
        self.timer.start(interval, we_refresh, now)
        if self.timer.deadline is None:
            self._disarm("session")
        else:
            self._arm("session", self.timer.deadline)

    # ================================================================== small helpers

    def _busy(self) -> bool:
        """An offer/answer exchange or INVITE transaction is under way (§14.1)."""
        return (
            self._reinvite is not None
            or self._update is not None
            or self._pending is not None
            or self._oa is not _OA.STABLE
            or self._ack_wait is not None
            or self._glare_offer is not None
        )

    def _run_queue(self, now: float) -> None:
        queued = self._queued
        if queued is None or self._ended or self._busy() or self.dialog is None:
            return
        self._queued = None
        self._send_reinvite(queued.offer)

    def _start_ack_wait(self, tx: object, response: Response, seq: int, now: float) -> None:
        t1 = self.config.timers.t1
        self._ack_wait = _AckWait(tx, response, seq, t1)
        self._arm("2xx", now + t1)
        self._arm("2xx_giveup", now + self.config.timers.timeout)

    def _stop_reliable(self) -> None:
        self._reliable = None
        self._disarm("rel1xx", "rel1xx_giveup")

    def _dialog_failed(self, status: int, reason: str) -> None:
        """§12.2.1.2: a 481 or 408 to an in-dialog request ends the dialog."""
        if self._ended:
            return
        if status == 481:
            if self.dialog is not None:
                self.dialog.terminate()
        else:
            self._send_bye()
        self._end(status, reason, by="network" if status in (408, 503) else "remote")

    def _set_state(self, state: CallState, status: int | None = None, reason: str = "") -> None:
        if state is self.state or self._ended:
            return
        self.state = state
        self._emit(StateChanged(state, status, reason))

    def _end(self, status: int | None, reason: str, *, text: str = "", by: str) -> None:
        if self._ended:
            return
        self._ended = True
        self.state = CallState.ENDED
        self.timer.stop()
        self._queued = None
        self._glare_offer = None
        self._disarm("session", "glare")
        direction = "outgoing" if self.role is Role.UAC else "incoming"
        text = text or end_reason_text(status, reason, direction)
        self._emit(StateChanged(CallState.ENDED, status, reason, text, by))

    def _arm(self, name: str, when: float) -> None:
        self._timers[name] = when

    def _disarm(self, *names: str) -> None:
        for name in names:
            self._timers.pop(name, None)
