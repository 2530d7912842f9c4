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

The parts: `invite_base` (state and shared moves), `invite_responses` and
`invite_requests` (what arrives), `invite_offers` (offer/answer state, glare),
`reliable_provisional` (RFC 3262), `session_timer` (RFC 4028), `invite_pending` (our
requests in flight and ACKs), `invite_messages` (building and reading messages),
`invite_timers` (the timers by name).
"""

from __future__ import annotations

import random

from parley.sip.dialog import Dialog, LocalEndpoint, make_response
from parley.sip.headers import NameAddr, SipParseError
from parley.sip.ids import new_call_id, new_tag
from parley.sip.invite_base import CancelState, InviteProgress
from parley.sip.invite_config import ALLOW, Credentials, Role, SessionConfig
from parley.sip.invite_events import (
    CallState,
    EndCause,
    OfferReceived,
    OfferRequested,
    Party,
    SendRequest,
    SendResponse,
    SessionOutput,
    StateChanged,
)
from parley.sip.invite_messages import DTMF_RELAY, build_invite, parse_dtmf_info, sdp_of
from parley.sip.invite_offers import Awaiting, OfferState, QueuedOffer
from parley.sip.invite_requests import RequestHandling
from parley.sip.invite_responses import ResponseHandling
from parley.sip.invite_timers import Timer
from parley.sip.message import Request, Response
from parley.sip.reliable_provisional import requires_100rel
from parley.sip.session_timer import Negotiated, negotiate_as_uas
from parley.sip.uri import SipURI

__all__ = ["ALLOW", "Credentials", "InviteSession", "Role", "SessionConfig", "parse_dtmf_info"]


class InviteSession(ResponseHandling, RequestHandling):
    """One call's INVITE dialog usage: the state machine of RFC 3261 §13-15 and friends.

    Build it with `outgoing()` or `incoming()`. Every method returns the outputs it
    produced; `next_timer()` tells the owner when to call `handle_timer(now)`.
    Malformed input is ignored or answered with an error; it never raises.
    """

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
        return self._oa.pending is not None

    @property
    def reinvite_queued(self) -> bool:
        """A re-INVITE waits for the exchange under way to end before it can leave."""
        return self._oa.queued is not None

    @property
    def finished(self) -> bool:
        """Ended and nothing left to retransmit or wait for: the owner may forget it."""
        if self.state is not CallState.ENDED or self._timers:
            return False
        return self.role is Role.UAS or self._progress in (
            InviteProgress.FINAL,
            InviteProgress.NOT_SENT,
        )

    def next_timer(self) -> float | None:
        return self._timers.earliest()

    # ================================================================== commands

    def invite(self, offer: bytes | None, now: float) -> list[SessionOutput]:
        """Send the initial INVITE (with our SDP offer, or none for a late offer)."""
        if self.role is not Role.UAC or self._invite is not None:
            return []
        assert self._from is not None and self._to is not None and self._target is not None
        self._cseq += 1
        self._invite = build_invite(
            target=self._target,
            from_=self._from.with_tag(self._local_tag),
            to=self._to,
            call_id=self.call_id,
            seq=self._cseq,
            offer=offer,
            local=self.local,
            config=self.config,
            routes=self._routes,
            timer_headers=self._refresh.initial_headers(),
            extra=self._extra,
            rng=self.rng,
        )
        self._progress = InviteProgress.WAITING
        if offer is not None:
            self._oa.offered(offer)
        self._emit(StateChanged(CallState.CALLING))
        self._emit(SendRequest(self._invite, False, self._invite_next_hop))
        return self._take()

    def ring(
        self, now: float, *, sdp: bytes | None = None, status: int = 180
    ) -> list[SessionOutput]:
        """Send a provisional response: 180 Ringing, or e.g. 183 with `sdp` for early
        media (only when the INVITE carried an offer: `sdp` is then the answer). Reliable
        (RFC 3262) only when the caller requires 100rel."""
        if self.role is not Role.UAS or self._answered or self._ended:
            return []
        if self._reliable.awaiting_prack:
            return []  # RFC 3262 §3: one unacknowledged reliable provisional at a time
        oa = self._oa
        if sdp is not None and oa.state is not OfferState.REMOTE_OFFER:
            sdp = None  # we never offer in a provisional response
        reliable = self._reliable.required
        extra = self._reliable.next_headers(self.rng) if reliable else []
        response = self._uas_response(status, sdp=sdp, extra=extra)
        self._ensure_uas_dialog(response)
        self._progress = InviteProgress.PROVISIONAL
        self._emit(SendResponse(self._invite_tx, response))
        if reliable:
            t1 = self.config.timers.t1
            self._reliable.sent(response, t1)
            self._timers.arm(Timer.PRACK_RETRANSMIT, now + t1)
            self._timers.arm(Timer.PRACK_GIVEUP, now + self.config.timers.timeout)
            if sdp is not None:
                oa.state = OfferState.STABLE
                oa.answered_early = True
                oa.local_sdp = sdp
        elif sdp is not None:
            oa.local_sdp = sdp  # repeated in the 200 (unreliable 18x are no answers)
        return self._take()

    def accept(self, sdp: bytes, now: float) -> list[SessionOutput]:
        """Answer an incoming call with 200 OK. `sdp` is our answer when the INVITE had an
        offer, else our offer (its answer then comes in the ACK)."""
        if self.role is not Role.UAS or self._answered or self._ended:
            return []
        assert self._invite is not None
        self._progress = InviteProgress.FINAL
        self._stop_reliable()
        oa = self._oa
        body: bytes | None = sdp
        if oa.state is OfferState.REMOTE_OFFER:
            oa.state = OfferState.STABLE
        elif oa.answered_early:
            body = None  # the answer went in a reliable 18x; the 200 does not repeat it
        else:
            oa.state = OfferState.LOCAL_OFFER
        if body is not None:
            oa.local_sdp = body
        negotiated = self._negotiated or Negotiated(None, None)
        extra = self._refresh.response_headers(self._invite, negotiated)
        response = self._uas_response(200, sdp=body, extra=extra)
        dialog = self._ensure_uas_dialog(response)
        dialog.confirm()
        self._emit(SendResponse(self._invite_tx, response))
        self._start_ack_wait(self._invite_tx, response, self._invite.cseq.seq, now)
        self._start_timer(negotiated.interval, negotiated.refresher == "uas", now)
        self._set_state(CallState.CONNECTED, 200, "OK")
        return self._take()

    def reject(
        self,
        now: float,
        status: int | None = None,
        reason: str | None = None,
        *,
        headers: list[tuple[str, str]] | None = None,
    ) -> list[SessionOutput]:
        """Refuse an incoming call: 486 Busy Here, 603 Decline, 480, 488... `headers`:
        extra headers of the final response, e.g. the Contact of a 302 (RFC 3261 §21.3)."""
        if self.role is not Role.UAS or self._answered or self._ended:
            return []
        status = status or self.config.reject_status
        response = self._finish_invite(status, reason, headers)
        self._end(status, response.reason, EndCause.REJECTED, by=Party.LOCAL)
        return self._take()

    def hangup(self, now: float) -> list[SessionOutput]:
        """End the call whatever its state: CANCEL, reject, or BYE (RFC 3261 §9, §15)."""
        if self._ended:
            return []
        if self.role is Role.UAS and not self._answered:
            return self.reject(now)
        if self.role is Role.UAC and self.dialog is None:
            self._cancel = CancelState.WANTED
            self._end(None, "", EndCause.CANCELLED, by=Party.LOCAL)
            if self._progress is not InviteProgress.FINAL:
                # §9.1: CANCEL only once a provisional came; give up after 64*T1.
                if self._progress is InviteProgress.PROVISIONAL:
                    self._send_cancel()
                self._timers.arm(Timer.CANCEL_GIVEUP, now + self.config.timers.timeout)
            return self._take()
        self._bye_when_done(now)
        self._end(None, "", EndCause.HANGUP, by=Party.LOCAL)
        return self._take()

    def answer(self, sdp: bytes, now: float) -> list[SessionOutput]:
        """Give the SDP the far end is waiting for after `OfferReceived` (our answer) or
        `OfferRequested` (our offer) outside the initial INVITE."""
        oa = self._oa
        pending = oa.pending
        if pending is None or (self._ended and pending.kind is not Awaiting.ACK):
            return []
        oa.pending = None
        dialog = self.dialog
        if pending.kind is Awaiting.ACK:
            if dialog is None:
                return []
            oa.state = OfferState.STABLE
            oa.local_sdp = sdp
            self._send_ack(dialog, pending.seq, sdp)
            self._run_queue(now)
        elif pending.request is not None:
            negotiated = pending.negotiated or Negotiated(None, None)
            extra = self._refresh.response_headers(pending.request, negotiated)
            response = self._dialog_response(pending.request, 200, sdp=sdp, extra=extra)
            self._emit(SendResponse(pending.tx, response))
            if pending.kind is not Awaiting.UPDATE:
                self._start_ack_wait(pending.tx, response, pending.seq, now)
            their_offer = pending.kind is not Awaiting.REINVITE_OFFER
            oa.state = OfferState.STABLE if their_offer else OfferState.LOCAL_OFFER
            oa.local_sdp = sdp
            self._restart_timer_as_uas(negotiated, now)
            if pending.kind is Awaiting.UPDATE:
                self._run_queue(now)
        return self._take()

    def reject_offer(self, now: float, status: int = 488) -> list[SessionOutput]:
        """We cannot use the far end's offer (no common codec...). The initial INVITE is
        rejected; a re-INVITE or UPDATE gets `status` and the old session stays; an offer
        in a 2xx (late offer) must still be ACKed, so the call ends with ACK and BYE."""
        if self.role is Role.UAS and not self._answered:
            return self.reject(now, status)
        oa = self._oa
        pending = oa.pending
        if pending is None:
            return []
        oa.pending = None
        oa.state = OfferState.STABLE
        if pending.kind is Awaiting.ACK:
            if self.dialog is not None:
                self._send_ack(self.dialog, pending.seq, None)
            self._send_bye()
            self._end(status, "", EndCause.MEDIA_FAILED, by=Party.LOCAL)
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
            self._oa.queued = QueuedOffer(offer)
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
        if self.role is not Role.UAS or invite is None or self._answered:
            return []
        try:
            self.remote_allow = {t.upper() for t in invite.tokens("Allow")}
            self.remote_supported = {t.lower() for t in invite.tokens("Supported")}
            self._reliable.required = requires_100rel(invite)
            negotiated = negotiate_as_uas(invite, self.config.session_timer)
            if not invite.contacts:
                raise SipParseError("INVITE without Contact")
        except SipParseError as exc:
            response = self._finish_invite(exc.status, exc.reason or None)
            self._end(exc.status, response.reason, EndCause.BAD_REQUEST, by=Party.LOCAL)
            return self._take()
        if negotiated.too_small is not None:
            self._finish_invite(422, extra=negotiated.response_headers(False))
            self._end(422, "Session Interval Too Small", EndCause.BAD_REQUEST, by=Party.LOCAL)
            return self._take()
        self._negotiated = negotiated
        self._emit(StateChanged(CallState.INCOMING))
        sdp = sdp_of(invite)
        if sdp is not None:
            self._oa.state = OfferState.REMOTE_OFFER
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
        self._on_ack(ack, now)
        return self._take()

    # ================================================================== timers

    def handle_timer(self, now: float) -> list[SessionOutput]:
        """Fire every timer due at `now`, earliest first."""
        while (timer := self._timers.pop_due(now)) is not None:
            self._on_timer(timer, now)
        return self._take()

    def _on_timer(self, timer: Timer, now: float) -> None:
        cfg = self.config.timers
        wait = self._ack_wait
        if timer is Timer.ACK_RETRANSMIT and wait is not None:
            self._emit(SendResponse(wait.tx, wait.response))
            wait.interval = min(2 * wait.interval, cfg.t2)
            self._timers.arm(Timer.ACK_RETRANSMIT, now + wait.interval)
        elif timer is Timer.ACK_GIVEUP and wait is not None:
            # §13.3.1.4: no ACK within 64*T1: confirm the dialog, then end it with BYE.
            self._ack_wait = None
            self._timers.disarm(Timer.ACK_RETRANSMIT)
            self._send_bye()
            self._end(408, "No ACK", EndCause.CONNECTION_LOST, by=Party.NETWORK)
        elif timer is Timer.PRACK_RETRANSMIT and self._reliable.awaiting_prack:
            response, interval = self._reliable.retransmit()
            self._emit(SendResponse(self._invite_tx, response))
            self._timers.arm(Timer.PRACK_RETRANSMIT, now + interval)
        elif timer is Timer.PRACK_GIVEUP and self._reliable.awaiting_prack:
            # RFC 3262 §3: no PRACK in 64*T1: reject the INVITE with a 5xx.
            self._stop_reliable()
            if not self._answered:
                self._finish_invite(504)
                self._end(504, "No PRACK", EndCause.CONNECTION_LOST, by=Party.NETWORK)
        elif timer is Timer.GLARE:
            offer, self._oa.glare = self._oa.glare, None
            if offer is not None and not self._ended and self.dialog is not None:
                if self._busy():
                    self._oa.queued = self._oa.queued or offer
                else:
                    self._send_reinvite(offer.offer)
        elif timer is Timer.SESSION:
            self._on_session_timer(now)
        elif timer is Timer.BYE_DEFERRED:
            self._send_deferred_bye()  # no answer to our re-INVITE/UPDATE came: BYE now
        elif timer is Timer.CANCEL_GIVEUP:
            self._progress = InviteProgress.FINAL  # §9.1: consider the INVITE cancelled

    def _on_session_timer(self, now: float) -> None:
        if self._ended or self.dialog is None or not self.timer.active:
            return
        if not self.timer.we_refresh:
            # RFC 4028 §10: no refresh came in time: the session is dead.
            self.timer.stop()
            self._send_bye()
            self._end(408, "Session Expired", EndCause.SESSION_EXPIRED, by=Party.NETWORK)
            return
        if self._busy():
            self._timers.arm(Timer.SESSION, now + 2.0)  # an exchange runs; it refreshes too
            return
        if self._refresh.use_update(self.remote_allow):
            self._send_update()
        else:
            self._send_reinvite(self._oa.local_sdp)
