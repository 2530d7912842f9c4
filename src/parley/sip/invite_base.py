"""The state of one INVITE session and the moves every part of it makes.

`SessionBase` holds what an `InviteSession` knows (its role, dialog, offer/answer state,
our requests in flight, timers) and the primitives the request and response handling
share: emitting outputs, sending ACK/BYE/re-INVITE/UPDATE, retrying with credentials,
ending the call. `invite_requests.py` and `invite_responses.py` add the handling of
what arrives; `invite.py` adds the public commands.
"""

from __future__ import annotations

import enum
import random

from parley.sip.dialog import Dialog, LocalEndpoint
from parley.sip.headers import NameAddr
from parley.sip.ids import new_branch
from parley.sip.invite_config import Credentials, Role, SessionConfig, supported
from parley.sip.invite_events import (
    CallState,
    EndCause,
    Party,
    SendAck,
    SendRequest,
    SendResponse,
    SessionOutput,
    StateChanged,
)
from parley.sip.invite_messages import SDP, dialog_response, retry_later, uas_response
from parley.sip.invite_offers import Awaiting, Negotiation, OfferState
from parley.sip.invite_pending import AckWait, OurRequests, renewed
from parley.sip.invite_timers import Timer, TimerSet
from parley.sip.message import Request, Response
from parley.sip.reliable_provisional import ReliableReceiver, ReliableSender
from parley.sip.request_client import DigestRetry
from parley.sip.session_timer import Negotiated, SessionRefresh
from parley.sip.transaction_client import make_cancel
from parley.sip.uri import SipURI

__all__ = ["CancelState", "InviteProgress", "SessionBase"]


class InviteProgress(enum.Enum):
    """The initial INVITE's progress, seen from either side (RFC 3261 §13)."""

    NOT_SENT = "not sent"  # caller: `invite()` not called yet
    WAITING = "waiting"  # sent (caller) or received (callee), no provisional yet
    PROVISIONAL = "provisional"  # a 1xx came (caller) or went (callee)
    FINAL = "final"  # a final response came or went; or, after a CANCEL, we gave up


class CancelState(enum.Enum):
    """The caller hung up before the call was answered (RFC 3261 §9.1)."""

    NONE = "none"
    WANTED = "wanted"  # no provisional yet: the CANCEL waits for one
    SENT = "sent"


class SessionBase:
    """State and shared moves of an INVITE session (see `InviteSession`)."""

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
        self.remote_supported: set[str] = set()  # option tags of the INVITE or its 2xx
        self._refresh = SessionRefresh(self.config.session_timer)
        self.timer = self._refresh.timer
        self._out: list[SessionOutput] = []
        self._timers = TimerSet()
        self._oa = Negotiation()
        self._requests = OurRequests()
        self._ack_wait: AckWait | None = None
        # We hung up while our re-INVITE or UPDATE waited for its final answer: the BYE
        # goes once it came (a 2xx ACKed first), or when Timer BYE_DEFERRED fires.
        self._bye_deferred = False
        self._invite: Request | None = None  # ours as caller, theirs as callee
        # Caller: the final failure answer to the initial INVITE (a 3xx's Contacts are
        # where the phone may try next, RFC 3261 §8.1.3.4).
        self.final_response: Response | None = None
        self._progress = InviteProgress.NOT_SENT if role is Role.UAC else InviteProgress.WAITING
        self._local_tag = ""
        # caller side
        self._invite_next_hop: SipURI | None = None
        self._from: NameAddr | None = None
        self._to: NameAddr | None = None
        self._target: SipURI | None = None
        self._routes: list[str] = []
        self._extra: list[tuple[str, str]] = []
        self._cseq = 0
        self._cancel = CancelState.NONE
        self._early: dict[str, Dialog] = {}
        self._early_sdp: dict[str, bytes] = {}
        self._prack = ReliableReceiver()
        # callee side
        self._invite_tx: object = None
        self._reliable = ReliableSender()
        self._negotiated: Negotiated | None = None

    @property
    def _ended(self) -> bool:
        return self.state is CallState.ENDED

    @property
    def _answered(self) -> bool:
        """Callee: the initial INVITE got its final response."""
        return self._progress is InviteProgress.FINAL

    # ================================================================== outputs

    def _emit(self, output: SessionOutput) -> None:
        self._out.append(output)

    def _take(self) -> list[SessionOutput]:
        out, self._out = self._out, []
        return out

    def _respond(self, tx: object, response: Response) -> None:
        self._emit(SendResponse(tx, response))

    def _uas_response(
        self,
        status: int,
        *,
        reason: str | None = None,
        sdp: bytes | None = None,
        extra: list[tuple[str, str]] | None = None,
    ) -> Response:
        assert self._invite is not None
        return uas_response(
            self._invite,
            status,
            local=self.local,
            config=self.config,
            local_tag=self._local_tag,
            reason=reason,
            sdp=sdp,
            extra=extra,
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
        return dialog_response(
            request, status, reason, local=self.local, config=self.config, sdp=sdp, extra=extra
        )

    def _retry_later(self, request: Request) -> Response:
        return retry_later(request, self.rng)

    def _ensure_uas_dialog(self, response: Response) -> Dialog:
        if self.dialog is None:
            assert self._invite is not None
            self.dialog = Dialog.as_uas(self._invite, response, self.local)
        return self.dialog

    # ================================================================== sending

    def _send(self, request: Request, hop: SipURI | None = None) -> None:
        """An in-dialog non-INVITE request through a new client transaction."""
        self._requests.track(request)
        if hop is None:
            hop = self.dialog.next_hop if self.dialog is not None else self._invite_next_hop
        self._emit(SendRequest(request, True, hop))

    def _send_cancel(self) -> None:
        assert self._invite is not None
        self._cancel = CancelState.SENT
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
        self._requests.ack_sent(dialog.remote_tag, seq, ack, dialog.next_hop)
        self._emit(SendAck(ack, dialog.next_hop))

    def _ack_again(self, response: Response) -> None:
        """A retransmitted 2xx: our ACK got lost, send the same one again (§13.2.2.4)."""
        cached = self._requests.ack_for(response.to.tag or "", response.cseq.seq)
        if cached is not None:
            self._emit(SendAck(*cached))

    def _ack_and_bye(self, response: Response) -> None:
        """A 2xx we do not want (another fork, or after we hung up): ACK it, then BYE."""
        assert self._invite is not None
        tag = response.to.tag or ""
        seq = response.cseq.seq
        if self._requests.ack_for(tag, seq) is not None:
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
        pending = self._oa.pending
        if pending is not None:
            self._oa.pending = None
            if pending.kind is Awaiting.ACK:
                self._send_ack(dialog, pending.seq, None)  # a 2xx is always ACKed
            elif pending.request is not None:
                self._respond(pending.tx, self._dialog_response(pending.request, 487))
        self._send(dialog.create_request("BYE", rng=self.rng))
        dialog.terminate()
        self._timers.disarm(Timer.SESSION, Timer.GLARE)

    def _bye_when_done(self, now: float) -> None:
        """Hang up in a confirmed dialog: BYE now, or once the exchange under way is done.

        RFC 3261 lets the BYE go at once (§15) as long as every 2xx to an INVITE is
        still ACKed (§13.2.2.4). But a far end that answered our re-INVITE waits for
        its ACK and may take a BYE arriving first as out of order (SIPp aborts, some
        PBXs answer 481 or keep the call); and §15 forbids the callee's BYE before the
        ACK of its 2xx. So the BYE waits for the answer to our re-INVITE/UPDATE (at
        most 64*T1, as long as its transaction lives), or for the ACK of our 2xx to an
        INVITE (its own give-up timer bounds that), and follows the ACK in order."""
        wait = self._ack_wait
        if wait is not None:
            wait.bye_after_ack = True
        elif self._requests.offer_exchange_open:
            self._bye_deferred = True
            self._timers.arm(Timer.BYE_DEFERRED, now + self.config.timers.timeout)
        else:
            self._send_bye()

    def _send_deferred_bye(self) -> None:
        """The exchange a hang-up waited for is over (or its wait timed out)."""
        if self._bye_deferred:
            self._bye_deferred = False
            self._timers.disarm(Timer.BYE_DEFERRED)
            self._send_bye()

    def _send_reinvite(self, offer: bytes | None) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        headers = [("Allow", self.config.allow), ("Supported", supported(self.config))]
        headers += self._refresh.refresh_headers()
        request = dialog.create_request(
            "INVITE",
            body=offer or b"",
            content_type=SDP if offer else None,
            headers=headers,
            rng=self.rng,
        )
        self._requests.reinvite = request
        if offer is not None:
            self._oa.offered(offer)
        self._emit(SendRequest(request, True, dialog.next_hop))

    def _send_update(self) -> None:
        """A session refresh UPDATE without SDP (RFC 4028 §7.4, RFC 3311)."""
        dialog = self.dialog
        if dialog is None:
            return
        headers = [("Supported", supported(self.config)), *self._refresh.refresh_headers()]
        request = dialog.create_request("UPDATE", headers=headers, rng=self.rng)
        self._requests.update = request
        self._emit(SendRequest(request, True, dialog.next_hop))

    # ================================================================== retries

    def next_seq(self, request: Request) -> int:
        """The CSeq number for `request` sent again (after 401/407/422): the next of
        its dialog (or of the INVITE before there is one)."""
        if request.method == "INVITE" and self.dialog is None:
            self._cseq += 1
            return self._cseq
        if self.dialog is not None:
            self.dialog.local_seq += 1
            return self.dialog.local_seq
        return request.cseq.seq + 1

    def request_retried(self, old: Request, new: Request) -> None:
        """The core's non-INVITE client answered a challenge to `old` and sent `new`."""
        self._requests.replace(old, new)

    def _renewed(self, request: Request) -> Request:
        """`request` again with a new CSeq and branch (after 422)."""
        return renewed(request, self.next_seq(request), self.local.via(new_branch(self.rng)))

    def _authorized_copy(self, request: Request, response: Response) -> Request | None:
        """The request with digest credentials for the challenge (§22.2), or None: the
        same `DigestRetry` as the core's non-INVITE client, rounds counted per session."""
        creds = self.credentials
        if creds is None:
            return None
        if self._requests.auth is None:
            self._requests.auth = DigestRetry(creds, lambda: new_branch(self.rng))
        return self._requests.auth.retry(request, response, seq=self.next_seq(request))

    def _retry_422(self, request: Request, response: Response) -> Request | None:
        """RFC 4028 §7.4: retry with the Min-SE the far end asked for."""
        headers = self._refresh.retry_422(request, response)
        if headers is None:
            return None
        retry = self._renewed(request)
        for name, value in headers:
            retry.headers.set(name, value)
        return retry

    def _retry_after_challenge(self, request: Request, response: Response) -> Request | None:
        """The retry a 401/407 or 422 asks for, or None."""
        if response.status in (401, 407):
            return self._authorized_copy(request, response)
        if response.status == 422:
            return self._retry_422(request, response)
        return None

    # ================================================================== session timer

    def _apply_timer_response(self, response: Response, now: float) -> None:
        interval, we_refresh = SessionRefresh.from_response(response)
        self._start_timer(interval, we_refresh, now)

    def _restart_timer_as_uas(self, negotiated: Negotiated, now: float) -> None:
        if negotiated.interval is not None:
            self._start_timer(negotiated.interval, negotiated.refresher == "uas", now)

    def _start_timer(self, interval: int | None, we_refresh: bool, now: float) -> None:
        self.timer.start(interval, we_refresh, now)
        if self.timer.deadline is None:
            self._timers.disarm(Timer.SESSION)
        else:
            self._timers.arm(Timer.SESSION, self.timer.deadline)

    # ================================================================== small helpers

    def _busy(self) -> bool:
        """An offer/answer exchange or INVITE transaction is under way (§14.1)."""
        return (
            self._requests.offer_exchange_open
            or self._oa.pending is not None
            or self._oa.state is not OfferState.STABLE
            or self._ack_wait is not None
            or self._oa.glare is not None
        )

    def _run_queue(self, now: float) -> None:
        queued = self._oa.queued
        if queued is None or self._ended or self._busy() or self.dialog is None:
            return
        self._oa.queued = None
        self._send_reinvite(queued.offer)

    def _start_ack_wait(self, tx: object, response: Response, seq: int, now: float) -> None:
        t1 = self.config.timers.t1
        self._ack_wait = AckWait(tx, response, seq, t1)
        self._timers.arm(Timer.ACK_RETRANSMIT, now + t1)
        self._timers.arm(Timer.ACK_GIVEUP, now + self.config.timers.timeout)

    def _stop_reliable(self) -> None:
        self._reliable.stop()
        self._timers.disarm(Timer.PRACK_RETRANSMIT, Timer.PRACK_GIVEUP)

    def _finish_invite(
        self, status: int, reason: str | None = None, extra: list[tuple[str, str]] | None = None
    ) -> Response:
        """Callee: send the final response `status` to the initial INVITE."""
        self._progress = InviteProgress.FINAL
        self._stop_reliable()
        response = self._uas_response(status, reason=reason, extra=extra)
        self._emit(SendResponse(self._invite_tx, response))
        return response

    def _dialog_failed(
        self, status: int, reason: str, cause: EndCause = EndCause.DIALOG_GONE
    ) -> None:
        """§12.2.1.2: a 481 or 408 to an in-dialog request ends the dialog. `cause`:
        the far end's answer, or our own timeout (NO_RESPONSE) or send failure."""
        if self._ended:
            return
        if status == 481:
            if self.dialog is not None:
                self.dialog.terminate()
        else:
            self._send_bye()
        by = Party.NETWORK if status in (408, 503) else Party.REMOTE
        self._end(status, reason, cause, by=by)

    def _set_state(self, state: CallState, status: int | None = None, reason: str = "") -> None:
        if state is self.state or self._ended:
            return
        self.state = state
        self._emit(StateChanged(state, status, reason))

    def _end(self, status: int | None, reason: str, cause: EndCause, *, by: Party) -> None:
        if self._ended:
            return
        self.state = CallState.ENDED
        self.timer.stop()
        self._oa.drop_retries()
        self._timers.disarm(Timer.SESSION, Timer.GLARE)
        self._emit(StateChanged(CallState.ENDED, status, reason, cause, by))
