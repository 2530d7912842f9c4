"""Call transfer (RFC 3515, RFC 5589): blind and attended as transferor, and REFERs
received as transferee.

The REFER machinery is sans-IO in `parley.sip.refer`; this module gives it calls:

- **blind** (`Transfers.blind`): the call is held (when it was not), then REFER with the
  target; on success our call ends (note TRANSFERRED), on failure it is kept and
  resumed if the transfer held it. A call still ringing here has no dialog to REFER
  in: it is deflected instead (302 with the target as Contact, note DEFLECTED). Our own
  call still ringing at the far end cannot be transferred at all (no confirmed dialog).
- **attended** (`Transfers.attended`): two of our calls; REFER on the first (held first
  if it was not: "automatic"; already held: "manual") with Refer-To naming the second
  call's party and carrying `Replaces` for the second call's dialog. A far end that does
  not support Replaces (its Supported of the INVITE/2xx) is said so and nothing changes.
- **transferee**: every call's dialog set gets a `ReferServer`; a REFER is accepted,
  refused or asked about as `settings.functions.transfer_requests` says. Accepted, the
  new call is dialled with Referred-By (and Replaces), its progress reported by NOTIFY,
  and the old call ends once the new one is answered.

Each step is a `TransferProgress` event. `Transfers` sees the phone only through its
own `TransferContext`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from parley.phone.call import Call
from parley.phone.events import (
    CallNote,
    CallPhase,
    CallStateChanged,
    PhoneEvent,
    TransferProgress,
    TransferRequested,
    TransferRole,
    TransferState,
)
from parley.settings.model import Settings
from parley.sip.core import UserAgentCore
from parley.sip.refer import (
    DEFAULT_TIMEOUT,
    IncomingRefer,
    ReferClient,
    ReferServer,
    ReferState,
    ReferUpdate,
)
from parley.sip.registration import split_host_port
from parley.sip.replaces import Replaces
from parley.sip.uri import SipURI

log = logging.getLogger(__name__)

__all__ = [
    "ASK_TIMEOUT",
    "DEFLECTED",
    "NOT_RINGING",
    "NO_REFER",
    "NO_REPLACES",
    "TransferContext",
    "TransferError",
    "Transfers",
    "on_account_server",
]

ASK_TIMEOUT = 30.0  # seconds a person may take to answer a transfer request
# How long a REFER waits for our hold re-INVITE queued behind another exchange, and how
# often it looks.
HOLD_WAIT = 5.0
HOLD_POLL = 0.05
# A phone busy with an INVITE transaction in the dialog (our hold re-INVITE, still
# unanswered when the REFER arrives) may answer the REFER 491 (linphone does): sent
# again after a pause, as RFC 3261 §14.1 has it for re-INVITEs.
RETRY_491_AFTER = 1.0
# The transferee hangs up the old call once the transferor has answered the final NOTIFY;
# at most this long after sending it (a transferor that never answers).
NOTIFY_BEFORE_BYE = 2.0
RETRIES_491 = 2
REFUSE_STATUS = 603  # Decline: the person (or the setting) does not want to be transferred

# Reasons of a FAILED step that no SIP status says (the front-ends word them).
NO_REPLACES = "no replaces"  # the target's phone does not support Replaces (RFC 3891)
NO_REFER = "no refer"  # the transferee's phone does not allow REFER
REFUSED_HERE = "refused"  # we refused a transfer request (setting or person)
NO_ANSWER = "not answered"  # nobody answered the "ask" in time
DEFLECTED = "deflected"  # a ringing call "transferred": sent on with 302
NOT_RINGING = "not ringing"  # the ringing call to deflect was answered or cancelled first


class TransferError(ValueError):
    """A transfer that cannot be started; the message says why."""


Dial = Callable[..., Awaitable[Call]]


@dataclass(frozen=True)
class TransferContext:
    """What transfers may use of the phone."""

    emit: Callable[[PhoneEvent], None]
    core: UserAgentCore
    settings: Callable[[], Settings]
    calls: Callable[[], Mapping[int, Call]]
    dial: Dial  # OutgoingCalls.dial(target, account, headers=...)
    timeout: float = DEFAULT_TIMEOUT  # a REFER accepted and then silence: failed


@dataclass
class _Outgoing:
    """A transfer we asked for (transferor)."""

    call: Call
    target: str
    held_here: bool
    partner: Call | None = None  # attended: the call with the target
    client: ReferClient | None = None
    refer_to: SipURI | None = None
    retries: int = 0  # REFERs sent again after a 491


@dataclass
class _Referred:
    """A transfer asked of us (transferee): the old call and its REFER."""

    old: Call
    refer: IncomingRefer
    rang: bool = False
    new: Call | None = None
    asked: asyncio.TimerHandle | None = field(default=None, repr=False)


def on_account_server(target: SipURI, domain: str) -> SipURI:
    """The Refer-To target to call. Some phones (linphone) write addresses on the PBX's
    domain without its port; a target on the account's own domain host naming no port
    is meant for the account's server, so it gets the domain's port."""
    try:
        host, port = split_host_port(domain.split(";", 1)[0])
    except ValueError:
        return target
    if target.port is not None or port is None or target.host.lower() != host.lower():
        return target
    fixed = target.copy()
    fixed.port = port
    return fixed


class Transfers:
    """Transfers of the phone's calls, both roles."""

    def __init__(self, ctx: TransferContext) -> None:
        self._ctx = ctx
        self._outgoing: dict[int, _Outgoing] = {}  # our call id -> its transfer
        self._asked: dict[int, _Referred] = {}  # old call id -> REFER awaiting the person
        self._placing: dict[int, _Referred] = {}  # new call id -> the transfer it serves
        # A front-end that can ask the person ("ask" mode) says so; without one (the
        # console) "ask" accepts.
        self.ask_person = False

    # ------------------------------------------------------------------ hooks

    def track(self, call: Call) -> None:
        """A new call: its dialog set takes REFERs from now on."""
        session = call.session
        ReferServer(
            self._ctx.core,
            call_id=session.call_id,
            local_tag=session.local_tag,
            dialog=lambda: session.dialog,
            transmit=lambda request, _hop, callbacks: call.send_in_dialog(request, callbacks),
            on_refer=lambda refer: self._on_refer(call, refer),
            done=lambda: session.finished,
        )

    def observe(self, event: PhoneEvent) -> None:
        """Every phone event: the states of the calls we place as transferee."""
        if isinstance(event, CallStateChanged) and event.call in self._placing:
            self._new_call_state(event)

    # ------------------------------------------------------------------ transferor

    def blind(self, call: Call, target: str) -> None:
        """Ask the far end of `call` to call `target` (REFER); `target` is dialled as a
        number on the call's account or used as a SIP URI."""
        from parley.phone.outgoing import DialError, target_uri

        if call.direction == "incoming" and call.state == "incoming" and not call.ended:
            self.deflect(call, target)
            return
        self._check_live(call)
        try:
            uri = target_uri(target, call.account)
        except DialError as exc:
            raise TransferError(str(exc)) from exc
        self._start(call, uri, str(uri), partner=None)

    def attended(self, call: Call, other: Call) -> None:
        """Connect the far parties of two of our calls: `call`'s party is asked to call
        `other`'s, replacing our dialog with it (REFER with Replaces)."""
        if call is other:
            raise TransferError("an attended transfer needs two different calls")
        self._check_live(call)
        self._check_live(other)
        target_dialog = other.session.dialog
        assert target_dialog is not None
        target = target_dialog.remote_uri.uri.copy()
        target.headers = {}
        if "replaces" not in other.session.remote_supported:
            # RFC 3891 §4: without Replaces the target would take it for a new call.
            self._fail_at_once(call, str(target), NO_REPLACES)
            return
        replaces = Replaces(
            other.session.call_id, to_tag=target_dialog.remote_tag, from_tag=target_dialog.local_tag
        )
        self._start(call, replaces.in_uri(target), str(target), partner=other)

    def _check_live(self, call: Call) -> None:
        if call.direction == "incoming" and call.state == "incoming":
            raise TransferError(
                f"call {call.id} is ringing here: answer it first (or transfer it blind,"
                " which deflects it)"
            )
        if call.direction == "outgoing" and call.state in ("dialing", "ringing", "early media"):
            # RFC 3515 §2.4.1 needs a dialog; an early one is not usable for REFER.
            raise TransferError(
                f"call {call.id} has not been answered yet: there is no confirmed dialog to"
                " send the transfer (REFER) in; wait for the answer, or hang up and call"
                " the target"
            )
        if call.ended or call.state not in ("connected", "held"):
            raise TransferError(f"call {call.id} is not connected")
        dialog = call.session.dialog
        if dialog is None or not dialog.confirmed:
            raise TransferError(f"call {call.id} is not connected")
        job = self._outgoing.get(call.id)
        if job is not None and job.client is not None and not job.client.final:
            raise TransferError(f"call {call.id} is being transferred already")

    def _fail_at_once(self, call: Call, target: str, reason: str) -> None:
        self._emit(call, TransferRole.TRANSFEROR, TransferState.FAILED, target, None, reason)

    def _start(self, call: Call, refer_to: SipURI, target: str, partner: Call | None) -> None:
        allow = call.session.remote_allow
        if allow and "REFER" not in allow:
            self._fail_at_once(call, target, NO_REFER)
            return
        held_here = not call.held_by_us
        if held_here:
            call.hold()  # its re-INVITE leaves before the REFER (the call's send order)
        if partner is not None:
            # The target ends the consultation call once the Replaces reaches it, and its
            # BYE may overtake the transferee's 202 (other paths): that end is ours.
            partner.note = CallNote.TRANSFERRED
        job = _Outgoing(call, target, held_here, partner, refer_to=refer_to)
        self._outgoing[call.id] = job
        self._send_refer_after_hold(job, HOLD_WAIT)

    def _send_refer_after_hold(self, job: _Outgoing, patience: float) -> None:
        """The REFER leaves once our hold re-INVITE has: a hold queued behind an exchange
        still under way (the person resumed and transferred at once) would otherwise
        follow the REFER, and the transfer could end the call before the partner was
        ever held. After `patience` seconds the REFER goes anyway."""
        if job.call.session.reinvite_queued and patience > 0 and not job.call.ended:
            asyncio.get_running_loop().call_later(
                HOLD_POLL, self._send_refer_after_hold, job, patience - HOLD_POLL
            )
            return
        self._send_refer(job)

    def _send_refer(self, job: _Outgoing) -> None:
        call, refer_to = job.call, job.refer_to
        assert refer_to is not None
        if call.ended:
            return
        dialog = call.session.dialog
        assert dialog is not None
        job.client = ReferClient(
            self._ctx.core,
            dialog,
            refer_to,
            transmit=lambda request, _hop, callbacks: call.send_in_dialog(request, callbacks),
            on_update=lambda update: self._refer_update(job, update),
            referred_by=f"<{call.account.registration.aor}>",
            timeout=self._ctx.timeout,
        )
        job.client.start(self._ctx.core.now)

    def _refer_update(self, job: _Outgoing, update: ReferUpdate) -> None:
        call = job.call
        if (
            update.state is ReferState.FAILED
            and update.status == 491
            and job.retries < RETRIES_491
            and not call.ended
        ):
            job.retries += 1
            asyncio.get_running_loop().call_later(RETRY_491_AFTER, self._send_refer, job)
            return
        reason = update.reason or (update.code.value if update.code else "")
        self._emit(
            call,
            TransferRole.TRANSFEROR,
            TransferState(update.state.value),
            job.target,
            update.status,
            reason,
        )
        if update.state is ReferState.ACCEPTED:
            # From now on the far end may hang up on us as part of the transfer; so may
            # the target of an attended one, whose call is replaced (often before the
            # NOTIFY that says so arrives).
            call.note = CallNote.TRANSFERRED
            if job.partner is not None and not job.partner.ended:
                job.partner.note = CallNote.TRANSFERRED
        elif update.state is ReferState.DONE:
            call.note = CallNote.TRANSFERRED
            call.hangup()
            if job.partner is not None and not job.partner.ended:
                job.partner.note = CallNote.TRANSFERRED
                job.partner.hangup()  # the target replaced it; its BYE may cross ours
        elif update.state is ReferState.FAILED:
            if job.partner is not None and not job.partner.ended:
                job.partner.note = None
            if not call.ended:
                call.note = None
                if job.held_here:
                    call.resume()

    # ------------------------------------------------------------------ transferee

    def answer_request(self, call: Call, accept: bool) -> None:
        """The person's answer to a `TransferRequested` for `call`."""
        referred = self._asked.pop(call.id, None)
        if referred is None:
            raise TransferError(f"call {call.id} has no transfer request")
        if referred.asked is not None:
            referred.asked.cancel()
        if accept:
            self._accept(referred)
        else:
            self._refuse(referred, REFUSED_HERE)

    def _on_refer(self, call: Call, refer: IncomingRefer) -> None:
        referred = _Referred(call, refer)
        target = str(refer.target)
        mode = self._ctx.settings().functions.transfer_requests
        busy = call.id in self._asked or any(r.old is call for r in self._placing.values())
        if mode == "reject" or busy:
            self._refuse(referred, REFUSED_HERE)
        elif mode == "ask" and self.ask_person:
            self._asked[call.id] = referred
            referred.asked = asyncio.get_running_loop().call_later(
                ASK_TIMEOUT, self._not_answered, call.id
            )
            self._ctx.emit(
                TransferRequested(call=call.id, target=target, referred_by=refer.referred_by)
            )
        else:
            self._accept(referred)

    def _not_answered(self, call_id: int) -> None:
        referred = self._asked.pop(call_id, None)
        if referred is not None:
            self._refuse(referred, NO_ANSWER)

    def _refuse(self, referred: _Referred, reason: str) -> None:
        referred.refer.refuse(self._ctx.core.now, REFUSE_STATUS)
        self._emit(
            referred.old,
            TransferRole.TRANSFEREE,
            TransferState.FAILED,
            str(referred.refer.target),
            REFUSE_STATUS,
            reason,
        )

    def _accept(self, referred: _Referred) -> None:
        refer, old = referred.refer, referred.old
        refer.accept(self._ctx.core.now)
        target = str(on_account_server(refer.target, old.account.settings.domain))
        self._emit(old, TransferRole.TRANSFEREE, TransferState.ACCEPTED, target, 202, "")
        headers = [("Referred-By", refer.referred_by)]
        if refer.replaces is not None:
            headers.append(("Replaces", str(refer.replaces)))
        asyncio.get_running_loop().create_task(self._place(referred, target, headers))

    async def _place(
        self, referred: _Referred, target: str, headers: list[tuple[str, str]]
    ) -> None:
        from parley.phone.outgoing import DialError

        try:
            new = await self._ctx.dial(target, referred.old.account.name, headers=headers)
        except (DialError, OSError) as exc:
            log.info("transfer: cannot call %s: %s", target, exc)
            self._placed_failed(referred, 503, "Service Unavailable")
            return
        except Exception:
            log.exception("transfer: calling %s failed", target)
            self._placed_failed(referred, 500, "Server Internal Error")
            return
        referred.new = new
        if new.ended:
            self._placed_failed(referred, new.end_status or 503, "")
            return
        self._placing[new.id] = referred

    def _new_call_state(self, event: CallStateChanged) -> None:
        referred = self._placing[event.call]
        refer, now = referred.refer, self._ctx.core.now
        target = str(refer.target)
        if event.state in (CallPhase.RINGING, CallPhase.EARLY_MEDIA) and not referred.rang:
            referred.rang = True
            refer.notify(180, "Ringing", now)
        elif event.state in (CallPhase.CONNECTED, CallPhase.HELD):
            del self._placing[event.call]
            old = referred.old
            if not old.ended:
                old.note = CallNote.TRANSFERRED
            hung_up = False

            def hang_up_old() -> None:
                # After the final NOTIFY: a BYE overtaking it would end the transferor's
                # dialog before it learnt that the transfer worked.
                nonlocal hung_up
                if not hung_up and not old.ended:
                    old.hangup()
                hung_up = True

            refer.notify(200, "OK", now, on_done=hang_up_old)
            asyncio.get_running_loop().call_later(NOTIFY_BEFORE_BYE, hang_up_old)
            self._emit(old, TransferRole.TRANSFEREE, TransferState.DONE, target, 200, "")
        elif event.state is CallPhase.ENDED:
            del self._placing[event.call]
            status = event.status if event.status is not None and event.status >= 300 else 503
            self._placed_failed(referred, status, event.reason if event.status == status else "")

    def _placed_failed(self, referred: _Referred, status: int, reason: str) -> None:
        referred.refer.notify(status, reason or None, self._ctx.core.now)
        self._emit(
            referred.old,
            TransferRole.TRANSFEREE,
            TransferState.FAILED,
            str(referred.refer.target),
            status,
            reason,
        )

    # ------------------------------------------------------------------ ringing calls

    def deflect(self, call: Call, target: str) -> None:
        """A blind transfer of a call ringing here: it has no dialog to REFER in, so it
        is deflected (302 with `target` as Contact, `Call.deflect`). Done as soon as the
        302 is sent (what the caller's phone makes of it we cannot know); failed when
        the call stopped ringing meanwhile (answered, or cancelled by the caller)."""
        from parley.phone.redirect import DeflectError, deflect_target

        try:
            uri = deflect_target(target, call.account)
        except DeflectError as exc:
            raise TransferError(str(exc)) from exc
        to = str(uri)
        role = TransferRole.TRANSFEROR
        self._emit(call, role, TransferState.TRYING, to, None, DEFLECTED)
        call.deflect(uri)
        if call.ended and call.end_status == 302:
            self._emit(call, role, TransferState.DONE, to, 302, DEFLECTED)
        else:
            self._emit(call, role, TransferState.FAILED, to, call.end_status, NOT_RINGING)

    # ------------------------------------------------------------------ inside

    def _emit(
        self,
        call: Call,
        role: TransferRole,
        state: TransferState,
        target: str,
        status: int | None,
        reason: str,
    ) -> None:
        self._ctx.emit(
            TransferProgress(
                call=call.id, role=role, state=state, target=target, status=status, reason=reason
            )
        )
