"""How an INVITE session takes the responses to its requests (RFC 3261 §13.2.2, §14.1,
§9.1; RFC 3262 §4; RFC 3311; RFC 4028 §7), and their timeouts and transport errors."""

from __future__ import annotations

from parley.sip.dialog import Dialog
from parley.sip.headers import SipParseError
from parley.sip.invite_base import CancelState, InviteProgress, SessionBase
from parley.sip.invite_config import Role
from parley.sip.invite_events import (
    AnswerReceived,
    CallState,
    EndCause,
    OfferReceived,
    OfferRejected,
    Party,
    SendRequest,
)
from parley.sip.invite_messages import sdp_of
from parley.sip.invite_offers import Awaiting, OfferState, Pending, QueuedOffer, glare_retry_delay
from parley.sip.invite_timers import Timer
from parley.sip.message import Request, Response
from parley.sip.reliable_provisional import Arrival

__all__ = ["ResponseHandling"]


class ResponseHandling(SessionBase):
    """Responses to our INVITE, re-INVITE, UPDATE and other in-dialog requests."""

    def _on_response(self, response: Response, now: float) -> None:
        cseq = response.cseq
        status = response.status
        requests = self._requests
        if cseq.method == "INVITE":
            if (
                self.role is Role.UAC
                and self._invite is not None
                and cseq.seq == self._invite.cseq.seq
            ):
                self._on_initial_response(response, now)
            elif requests.reinvite is not None and cseq.seq == requests.reinvite.cseq.seq:
                self._on_reinvite_response(response, now)
            elif 200 <= status < 300:
                self._ack_again(response)
            return
        if cseq.method == "UPDATE" and requests.update is not None:
            if cseq.seq == requests.update.cseq.seq and status >= 200:
                self._on_update_response(response, now)
            return
        if status < 200:
            return
        request = requests.pop(cseq.method, cseq.seq)
        if request is None:
            return
        if status in (401, 407):
            retry = self._authorized_copy(request, response)
            if retry is not None:
                self._send(retry)
            return
        if status in (408, 481) and cseq.method not in ("BYE", "CANCEL", "PRACK"):
            self._dialog_failed(status, response.reason)

    # ------------------------------------------------------------------ the initial INVITE

    def _on_initial_response(self, response: Response, now: float) -> None:
        status = response.status
        final = self._progress is InviteProgress.FINAL
        if status < 200:
            if not final:
                self._on_provisional(response, now)
        elif status < 300:
            self._on_initial_2xx(response, now)
        elif not final:
            self._on_initial_failure(response, now)

    def _on_provisional(self, response: Response, now: float) -> None:
        assert self._invite is not None
        self._progress = InviteProgress.PROVISIONAL
        if self._cancel is not CancelState.NONE:
            if self._cancel is CancelState.WANTED:
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
        arrival, rack = self._prack.receive(response, tag)
        if arrival is Arrival.DISCARD:
            return  # RFC 3262 §4: a retransmission or out of order
        reliable = arrival is Arrival.RELIABLE
        if reliable:
            prack = dialog.create_request("PRACK", headers=[("RAck", rack)], rng=self.rng)
            self._send(prack, dialog.next_hop)
        sdp = sdp_of(response)
        oa = self._oa
        media = False
        if sdp is not None and (oa.state is OfferState.LOCAL_OFFER or self._early_sdp.get(tag)):
            media = True
            if self._early_sdp.get(tag) != sdp:
                self._early_sdp[tag] = sdp
                self._emit(AnswerReceived(sdp, early=True, remote_tag=tag))
            if reliable:
                oa.state = OfferState.STABLE
                oa.answered_early = True
        if media:
            self._set_state(CallState.EARLY_MEDIA, status, response.reason)
        elif status in (180, 181, 182) and self.state is not CallState.EARLY_MEDIA:
            self._set_state(CallState.RINGING, status, response.reason)
        elif self.state is CallState.CALLING:
            self._set_state(CallState.PROCEEDING, status, response.reason)

    def _on_initial_2xx(self, response: Response, now: float) -> None:
        assert self._invite is not None
        self._progress = InviteProgress.FINAL
        self._timers.disarm(Timer.CANCEL_GIVEUP)
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
        self.remote_supported = {t.lower() for t in response.tokens("Supported")}
        self._apply_timer_response(response, now)
        sdp = sdp_of(response)
        oa = self._oa
        if oa.state is OfferState.LOCAL_OFFER:
            sdp = sdp or self._early_sdp.get(tag)
            if sdp is None:
                self._send_ack(dialog, seq, None)
                self._send_bye()
                self._end(488, "No answer to our offer", EndCause.MEDIA_FAILED, by=Party.REMOTE)
                return
            oa.state = OfferState.STABLE
            self._emit(AnswerReceived(sdp, early=False, remote_tag=tag))
            self._set_state(CallState.CONNECTED, response.status, response.reason)
            self._send_ack(dialog, seq, None)
        elif oa.answered_early or oa.local_sdp is not None:
            self._set_state(CallState.CONNECTED, response.status, response.reason)
            self._send_ack(dialog, seq, None)
        elif sdp is None:
            # Late offer, and the 2xx has no offer either: nothing to talk with.
            self._send_ack(dialog, seq, None)
            self._send_bye()
            self._end(488, "No offer in 2xx", EndCause.MEDIA_FAILED, by=Party.REMOTE)
        else:
            oa.state = OfferState.REMOTE_OFFER
            oa.pending = Pending(Awaiting.ACK, seq=seq)
            self._set_state(CallState.CONNECTED, response.status, response.reason)
            self._emit(OfferReceived(sdp, initial=False))

    def _on_initial_failure(self, response: Response, now: float) -> None:
        assert self._invite is not None
        self._progress = InviteProgress.FINAL
        self._timers.disarm(Timer.CANCEL_GIVEUP)
        self._early.clear()
        if self._ended:
            return  # the 487 to our CANCEL, or a failure after we hung up
        retry = self._retry_after_challenge(self._invite, response)
        if retry is not None:
            self._invite = retry
            self._progress = InviteProgress.WAITING
            self._prack.clear()
            self._early_sdp.clear()
            self._emit(SendRequest(retry, False, self._invite_next_hop))
            return
        self.final_response = response
        self._end(response.status, response.reason, EndCause.REJECTED, by=Party.REMOTE)

    # ------------------------------------------------------------------ in the dialog

    def _on_reinvite_response(self, response: Response, now: float) -> None:
        request = self._requests.reinvite
        dialog = self.dialog
        status = response.status
        if request is None or dialog is None or status < 200:
            return
        self._requests.reinvite = None
        oa = self._oa
        if self._bye_deferred:
            # We hung up meanwhile: ACK a 2xx (§13.2.2.4), then the BYE that waited.
            oa.state = OfferState.STABLE
            if status < 300 and response.to.tag == dialog.remote_tag:
                self._send_ack(dialog, request.cseq.seq, None)
            elif status == 481:
                dialog.terminate()  # the dialog is gone: nothing to BYE
            self._send_deferred_bye()
            return
        if status < 300:
            if response.to.tag != dialog.remote_tag:
                return
            dialog.update_target(response)
            self.remote_allow |= {t.upper() for t in response.tokens("Allow")}
            self._apply_timer_response(response, now)
            sdp = sdp_of(response)
            seq = request.cseq.seq
            if request.body:
                oa.state = OfferState.STABLE
                self._send_ack(dialog, seq, None)
                if sdp is not None and not self._ended:
                    self._emit(AnswerReceived(sdp, early=False, remote_tag=dialog.remote_tag))
            elif sdp is not None and not self._ended:
                oa.state = OfferState.REMOTE_OFFER
                oa.pending = Pending(Awaiting.ACK, seq=seq)
                self._emit(OfferReceived(sdp, initial=False))
            else:
                self._send_ack(dialog, seq, None)
            self._run_queue(now)
            return
        oa.state = OfferState.STABLE
        retry = self._retry_after_challenge(request, response)
        if retry is not None:
            self._requests.reinvite = retry
            oa.state = OfferState.LOCAL_OFFER if retry.body else OfferState.STABLE
            self._emit(SendRequest(retry, True, dialog.next_hop))
            return
        if status == 491:
            oa.glare = QueuedOffer(request.body or None)
            delay = glare_retry_delay(self.role is Role.UAC, self.rng)
            self._timers.arm(Timer.GLARE, now + delay)
            return
        if status in (408, 481):
            self._dialog_failed(status, response.reason)
            return
        if not self._ended:
            self._emit(OfferRejected(status, response.reason))
        self._run_queue(now)

    def _on_update_response(self, response: Response, now: float) -> None:
        request = self._requests.update
        self._requests.update = None
        if request is None or self.dialog is None:
            return
        status = response.status
        if self._bye_deferred:
            if status == 481:
                self.dialog.terminate()
            self._send_deferred_bye()  # we hung up meanwhile: the BYE that waited
            return
        if status < 300:
            self.dialog.update_target(response)
            self._apply_timer_response(response, now)
            self._run_queue(now)
            return
        retry = self._retry_after_challenge(request, response)
        if retry is not None:
            self._requests.update = retry
            self._emit(SendRequest(retry, True, self.dialog.next_hop))
            return
        if status in (408, 481):
            self._dialog_failed(status, response.reason)
            return
        # The refresh UPDATE failed (405/501/491...): refresh with a re-INVITE instead.
        if status in (405, 501):
            self._refresh.update_unsupported = True
        if not self._ended and not self._busy():
            self._send_reinvite(self._oa.local_sdp)

    def _on_failure(self, request: Request, status: int, reason: str, now: float) -> None:
        """No response came (408) or the request could not be sent (503), §8.1.3.1."""
        try:
            method, seq = request.method, request.cseq.seq
        except SipParseError:
            return
        requests = self._requests
        if method == "INVITE" and self.role is Role.UAC and self._invite is not None:
            if seq == self._invite.cseq.seq and self.dialog is None:
                if self._progress is not InviteProgress.FINAL:
                    self._progress = InviteProgress.FINAL
                    self._timers.disarm(Timer.CANCEL_GIVEUP)
                    self._early.clear()
                    self._end(status, reason, _local_failure(status), by=Party.NETWORK)
                return
        if method == "INVITE" and requests.reinvite is not None:
            if seq == requests.reinvite.cseq.seq:
                requests.reinvite = None
                self._oa.state = OfferState.STABLE
                self._send_deferred_bye()
                self._dialog_failed(status, reason, _local_failure(status))
                return
        if method == "UPDATE" and requests.update is not None:
            if seq == requests.update.cseq.seq:
                requests.update = None
                self._send_deferred_bye()
                self._dialog_failed(status, reason, _local_failure(status))
                return
        if requests.pop(method, seq) is not None:
            if method not in ("BYE", "CANCEL", "PRACK"):
                self._dialog_failed(status, reason, _local_failure(status))


def _local_failure(status: int) -> EndCause:
    """The cause of a status we made up ourselves (§8.1.3.1): 408 timeout, 503 not sent."""
    return EndCause.NO_RESPONSE if status == 408 else EndCause.UNREACHABLE
