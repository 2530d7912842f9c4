"""How an INVITE session takes requests in its dialogs: ACK, CANCEL, BYE, re-INVITE,
UPDATE, PRACK, INFO, OPTIONS (RFC 3261 §9.2, §12.2.2, §13.3.1.4, §14.2, §15; RFC 3262;
RFC 3311; RFC 6086)."""

from __future__ import annotations

from parley.sip.dialog import Dialog, make_response
from parley.sip.headers import SipParseError
from parley.sip.invite_base import SessionBase
from parley.sip.invite_config import Role, supported
from parley.sip.invite_events import (
    AnswerReceived,
    DtmfInfoReceived,
    EndCause,
    InfoReceived,
    OfferReceived,
    OfferRequested,
    Party,
    UnhandledRequest,
)
from parley.sip.invite_messages import DTMF_PLAIN, DTMF_RELAY, SDP, parse_dtmf_info, sdp_of
from parley.sip.invite_offers import Awaiting, OfferState, Pending, conflict_status
from parley.sip.invite_timers import Timer
from parley.sip.message import Request
from parley.sip.session_timer import negotiate_as_uas

__all__ = ["RequestHandling"]


class RequestHandling(SessionBase):
    """Requests the far end sends in this call's dialogs."""

    def _on_ack(self, ack: Request, now: float) -> None:
        """An ACK for one of our 2xx (the transaction layer's `AckReceived`)."""
        try:
            if ack.call_id != self.call_id:
                return
            seq = ack.cseq.seq
        except SipParseError:
            return
        wait = self._ack_wait
        if wait is None or seq != wait.seq:
            return  # a retransmitted ACK
        self._ack_wait = None
        self._timers.disarm(Timer.ACK_RETRANSMIT, Timer.ACK_GIVEUP)
        sdp = sdp_of(ack)
        oa = self._oa
        if oa.state is OfferState.LOCAL_OFFER:
            oa.state = OfferState.STABLE
            if sdp is not None:
                if not self._ended:
                    tag = self.dialog.remote_tag if self.dialog else ""
                    self._emit(AnswerReceived(sdp, early=False, remote_tag=tag))
            elif not self._ended:
                # §13.3.1.4 / RFC 3264: our offer in the 2xx got no answer: give up.
                self._send_bye()
                self._end(488, "No answer in ACK", EndCause.MEDIA_FAILED, by=Party.REMOTE)
        if wait.bye_after_ack:
            self._send_bye()
        self._run_queue(now)

    def _on_request(self, request: Request, tx: object, now: float) -> None:
        method = request.method
        # Parse what the checks below rely on first, so a mangled header is a 400.
        request.from_  # noqa: B018
        request.to  # noqa: B018
        request.cseq  # noqa: B018
        if method == "ACK":
            self._on_ack(request, now)
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
            extra = [("Accept", SDP), ("Supported", supported(self.config))]
            self._respond(tx, self._dialog_response(request, 200, extra=extra))
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
        if self._answered or self._ended:
            return  # already answered: the CANCEL changes nothing
        self._finish_invite(487)
        self._end(487, "Request Terminated", EndCause.CANCELLED, by=Party.REMOTE)

    def _on_bye(self, request: Request, tx: object, dialog: Dialog) -> None:
        self._respond(tx, self._dialog_response(request, 200))
        if dialog is not self.dialog:
            dialog.terminate()  # one fork's early dialog ends; the call goes on
            self._early.pop(dialog.remote_tag, None)
            return
        # §15.1.2: answer what is still open in the dialog, 487 recommended.
        if self.role is Role.UAS and not self._answered:
            self._finish_invite(487)
        pending = self._oa.pending
        if pending is not None and pending.request is not None:
            self._respond(pending.tx, self._dialog_response(pending.request, 487))
        self._oa.pending = None
        # BYE before our 2xx was ACKed is allowed (§15): stop retransmitting.
        self._ack_wait = None
        self._timers.disarm(Timer.ACK_RETRANSMIT, Timer.ACK_GIVEUP)
        dialog.terminate()
        self._end(None, "", EndCause.HANGUP, by=Party.REMOTE)

    def _on_reinvite(self, request: Request, tx: object, dialog: Dialog, now: float) -> None:
        if self._ended or not dialog.confirmed:
            self._respond(tx, self._retry_later(request))
            return
        oa = self._oa
        conflict = conflict_status(
            ours_open=self._requests.offer_exchange_open or oa.state is OfferState.LOCAL_OFFER,
            theirs_open=oa.pending is not None
            or oa.state is OfferState.REMOTE_OFFER
            or self._ack_wait is not None,
        )
        if conflict == 491:
            self._respond(tx, self._dialog_response(request, 491))  # §14.2 glare
            return
        if conflict is not None:
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
        sdp = sdp_of(request)
        seq = request.cseq.seq
        if sdp is not None:
            oa.state = OfferState.REMOTE_OFFER
            oa.pending = Pending(Awaiting.REINVITE, request, tx, seq, negotiated)
            self._emit(OfferReceived(sdp, initial=False))
        else:
            oa.pending = Pending(Awaiting.REINVITE_OFFER, request, tx, seq, negotiated)
            self._emit(OfferRequested(initial=False))

    def _on_update(self, request: Request, tx: object, dialog: Dialog, now: float) -> None:
        """RFC 3311 §5.2: an UPDATE with an offer, or (no SDP) a session refresh."""
        negotiated = negotiate_as_uas(request, self.config.session_timer)
        if negotiated.too_small is not None:
            extra = negotiated.response_headers(False)
            self._respond(tx, self._dialog_response(request, 422, extra=extra))
            return
        sdp = sdp_of(request)
        if sdp is None:
            dialog.update_target(request)
            extra = self._refresh.response_headers(request, negotiated)
            self._respond(tx, self._dialog_response(request, 200, extra=extra))
            self._restart_timer_as_uas(negotiated, now)
            return
        oa = self._oa
        conflict = conflict_status(
            ours_open=oa.state is OfferState.LOCAL_OFFER or self._requests.reinvite is not None,
            theirs_open=oa.state is OfferState.REMOTE_OFFER or oa.pending is not None,
        )
        if conflict == 491:
            self._respond(tx, self._dialog_response(request, 491))
            return
        if conflict is not None:
            self._respond(tx, self._retry_later(request))
            return
        dialog.update_target(request)
        oa.state = OfferState.REMOTE_OFFER
        oa.pending = Pending(Awaiting.UPDATE, request, tx, request.cseq.seq, negotiated)
        self._emit(OfferReceived(sdp, initial=False))

    def _on_prack(self, request: Request, tx: object) -> None:
        """RFC 3262 §3: a PRACK acknowledges our outstanding reliable provisional."""
        invite = self._invite
        if invite is None or not self._reliable.acknowledges(request, invite.cseq.seq):
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
