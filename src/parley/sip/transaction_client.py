"""Client transactions (RFC 3261 §17.1, with RFC 6026's Accepted state) and the requests a
client transaction or its user derives from the original: ACK for non-2xx and CANCEL."""

from __future__ import annotations

from parley.sip.message import Headers, Request, Response
from parley.sip.timers import TimerConfig
from parley.sip.transaction_base import (
    Output,
    ResponseReceived,
    State,
    Transaction,
    TransactionTimeout,
)


def _copy_fields(request: Request, names: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(name, value) for name in names for value in request.headers.get_all(name)]


def make_ack(request: Request, response: Response) -> Request:
    """The ACK for a non-2xx final response to `request` (RFC 3261 §17.1.1.3).

    Same Request-URI, Call-ID and From as the INVITE, To from the response (it carries
    the UAS's tag), the INVITE's CSeq number with method ACK, only the INVITE's top Via
    (so the branch matches), and the INVITE's Route set.
    """
    headers = Headers([("Via", str(request.top_via))])
    headers.add("Max-Forwards", "70")
    headers.add("From", request.headers.get("From") or "")
    headers.add("To", response.headers.get("To") or request.headers.get("To") or "")
    headers.add("Call-ID", request.call_id)
    headers.add("CSeq", f"{request.cseq.seq} ACK")
    for name, value in _copy_fields(request, ("Route",)):
        headers.add(name, value)
    return Request(method="ACK", uri=request.uri, headers=headers)


def make_cancel(invite: Request) -> Request:
    """A CANCEL for a pending INVITE (RFC 3261 §9.1).

    Request-URI, Call-ID, To, From (tags included) and the CSeq number are the INVITE's,
    the method is CANCEL; the only Via is the INVITE's top Via, so the CANCEL carries the
    same branch and lands in its own transaction at the same hop; Route is copied. Send
    it with `TransactionLayer.send_request` to the INVITE's destination.
    """
    headers = Headers([("Via", str(invite.top_via))])
    headers.add("Max-Forwards", "70")
    headers.add("From", invite.headers.get("From") or "")
    headers.add("To", invite.headers.get("To") or "")
    headers.add("Call-ID", invite.call_id)
    headers.add("CSeq", f"{invite.cseq.seq} CANCEL")
    for name, value in _copy_fields(invite, ("Route",)):
        headers.add(name, value)
    return Request(method="CANCEL", uri=invite.uri, headers=headers)


class ClientTransaction(Transaction):
    """Base of the two client transaction kinds; created by `TransactionLayer.send_request`."""

    def __init__(
        self,
        request: Request,
        dest: object,
        *,
        reliable: bool,
        config: TimerConfig,
        out: list[Output],
    ) -> None:
        super().__init__(request, dest, reliable=reliable, config=config, out=out)
        self.branch = request.top_via.branch or ""
        self.provisional_received = False  # RFC 3261 §9.1: CANCEL only after a 1xx

    def start(self, now: float) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def receive_response(self, response: Response, now: float) -> None:  # pragma: no cover
        raise NotImplementedError

    def _pass_up(self, response: Response) -> None:
        self.last_response = response
        self.emit(ResponseReceived(self, response))


class ClientInviteTransaction(ClientTransaction):
    """RFC 3261 §17.1.1 as amended by RFC 6026 §7.2 (figure 5 with Accepted).

    Calling --1xx--> Proceeding; Calling/Proceeding --2xx--> Accepted (Timer M);
    --300-699--> Completed (ACK sent here, Timer D). Timer A retransmits the INVITE over
    unreliable transports; Timer B ends the wait in Calling.
    """

    is_invite = True

    def __init__(
        self,
        request: Request,
        dest: object,
        *,
        reliable: bool,
        config: TimerConfig,
        out: list[Output],
    ) -> None:
        super().__init__(request, dest, reliable=reliable, config=config, out=out)
        self.state = State.CALLING
        self.ack: Request | None = None
        self._interval_a = config.t1

    def start(self, now: float) -> None:
        self.send(self.request)
        if not self.reliable:
            self.arm("A", now, self._interval_a)
        self.arm("B", now, self.config.timeout)

    def receive_response(self, response: Response, now: float) -> None:
        status = response.status
        if self.state in (State.CALLING, State.PROCEEDING):
            if status < 200:
                self.state = State.PROCEEDING
                self.provisional_received = True
                # no more retransmissions, and no Timer B: ringing may last (figure 5)
                self.disarm("A", "B")
                self._pass_up(response)
            elif status < 300:
                self.state = State.ACCEPTED
                self.disarm("A", "B")
                self.arm("M", now, self.config.timeout)
                self._pass_up(response)
            else:
                self.state = State.COMPLETED
                self.disarm("A", "B")
                self.ack = make_ack(self.request, response)
                self.send(self.ack)
                self._pass_up(response)
                delay = 0.0 if self.reliable else self.config.timer_d
                if delay == 0:
                    self.terminate()
                else:
                    self.arm("D", now, delay)
        elif self.state is State.ACCEPTED:
            # RFC 6026 §8.4: further 2xx (retransmissions, other forks) go to the TU,
            # which owns the ACK for 2xx; anything else is dropped.
            if 200 <= status < 300:
                self._pass_up(response)
        elif self.state is State.COMPLETED:
            # A retransmitted final response: our ACK was lost, send it again (§17.1.1.2).
            if status >= 300 and self.ack is not None:
                self.retransmissions += 1
                self.send(self.ack)

    def on_timer(self, name: str, now: float) -> None:
        if name == "A" and self.state is State.CALLING:
            self.retransmissions += 1
            self.send(self.request)
            self._interval_a *= 2  # no cap for INVITE (§17.1.1.2)
            self.arm("A", now, self._interval_a)
        elif name == "B" and self.state is State.CALLING:
            self.emit(TransactionTimeout(self))
            self.terminate()
        elif name in ("D", "M"):
            self.terminate()


class ClientNonInviteTransaction(ClientTransaction):
    """RFC 3261 §17.1.2 (figure 6): Trying --1xx--> Proceeding --final--> Completed.

    Timer E retransmits (doubling to T2 in Trying, every T2 in Proceeding) over
    unreliable transports; Timer F times out; Timer K absorbs late retransmissions.
    """

    def __init__(
        self,
        request: Request,
        dest: object,
        *,
        reliable: bool,
        config: TimerConfig,
        out: list[Output],
    ) -> None:
        super().__init__(request, dest, reliable=reliable, config=config, out=out)
        self.state = State.TRYING
        self._interval_e = config.t1

    def start(self, now: float) -> None:
        self.send(self.request)
        if not self.reliable:
            self.arm("E", now, self._interval_e)
        self.arm("F", now, self.config.timeout)

    def receive_response(self, response: Response, now: float) -> None:
        if self.state not in (State.TRYING, State.PROCEEDING):
            return  # Completed absorbs retransmitted responses
        if response.status < 200:
            self.state = State.PROCEEDING
            self.provisional_received = True
            self._pass_up(response)
            return
        self.state = State.COMPLETED
        self.disarm("E", "F")
        self._pass_up(response)
        if self.reliable:
            self.terminate()
        else:
            self.arm("K", now, self.config.t4)

    def on_timer(self, name: str, now: float) -> None:
        if name == "E" and self.state in (State.TRYING, State.PROCEEDING):
            self.retransmissions += 1
            self.send(self.request)
            if self.state is State.TRYING:
                self._interval_e = min(2 * self._interval_e, self.config.t2)
            else:
                self._interval_e = self.config.t2
            self.arm("E", now, self._interval_e)
        elif name == "F" and self.state in (State.TRYING, State.PROCEEDING):
            self.emit(TransactionTimeout(self))
            self.terminate()
        elif name == "K":
            self.terminate()
