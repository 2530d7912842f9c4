"""Server transactions (RFC 3261 §17.2, with RFC 6026's Accepted state)."""

from __future__ import annotations

from parley.sip.message import Headers, Request, Response
from parley.sip.timers import TimerConfig
from parley.sip.transaction_base import (
    AckReceived,
    Output,
    State,
    Transaction,
    TransactionTimeout,
)


def make_trying(request: Request) -> Response:
    """A 100 Trying for `request` (RFC 3261 §8.2.6): Via, From, To, Call-ID, CSeq and
    Timestamp copied, and no To tag added."""
    headers = Headers()
    for name in ("Via", "From", "To", "Call-ID", "CSeq", "Timestamp"):
        for value in request.headers.get_all(name):
            headers.add(name, value)
    return Response(status=100, reason="Trying", headers=headers)


class ServerTransaction(Transaction):
    """Base of the two server transaction kinds; created by `TransactionLayer.receive`."""

    def __init__(
        self,
        request: Request,
        source: object,
        *,
        reliable: bool,
        config: TimerConfig,
        out: list[Output],
        key: tuple[object, ...],
    ) -> None:
        super().__init__(request, source, reliable=reliable, config=config, out=out)
        self.key = key  # matching key in the layer's table (§17.2.3)
        self.branch = request.top_via.branch or ""

    def receive_request(self, request: Request, now: float) -> None:  # pragma: no cover
        raise NotImplementedError

    def send_response(self, response: Response, now: float) -> None:  # pragma: no cover
        raise NotImplementedError

    def _respond(self, response: Response) -> None:
        self.last_response = response
        self.send(response)

    def _resend_last(self) -> None:
        if self.last_response is not None:
            self.retransmissions += 1
            self.send(self.last_response)


class ServerInviteTransaction(ServerTransaction):
    """RFC 3261 §17.2.1 as amended by RFC 6026 §7.1 (figure 7 with Accepted).

    Proceeding --2xx--> Accepted (Timer L); --300-699--> Completed (Timer G retransmits
    over unreliable transports, Timer H waits for the ACK) --ACK--> Confirmed (Timer I).
    """

    is_invite = True

    def __init__(
        self,
        request: Request,
        source: object,
        *,
        reliable: bool,
        config: TimerConfig,
        out: list[Output],
        key: tuple[object, ...],
    ) -> None:
        super().__init__(request, source, reliable=reliable, config=config, out=out, key=key)
        self.state = State.PROCEEDING
        self._interval_g = config.t1

    def receive_request(self, request: Request, now: float) -> None:
        if request.method == "ACK":
            if self.state is State.COMPLETED:
                self.state = State.CONFIRMED
                self.disarm("G", "H")
                if self.reliable:
                    self.terminate()
                else:
                    self.arm("I", now, self.config.t4)
            elif self.state is State.ACCEPTED:
                # RFC 6026 §8.7: an ACK matching in Accepted is the 2xx's; the TU wants it.
                self.emit(AckReceived(request, self.peer))
            return  # Confirmed absorbs ACK retransmissions
        # A retransmitted INVITE (§17.2.1): repeat the last provisional or final answer;
        # RFC 6026 §8.5: in Accepted it is absorbed (the TU retransmits the 2xx itself).
        if self.state in (State.PROCEEDING, State.COMPLETED):
            self._resend_last()

    def send_response(self, response: Response, now: float) -> None:
        status = response.status
        if self.state is State.PROCEEDING:
            if status < 200:
                self._respond(response)
            elif status < 300:
                self._respond(response)
                self.state = State.ACCEPTED
                self.arm("L", now, self.config.timeout)
            else:
                self._respond(response)
                self.state = State.COMPLETED
                if not self.reliable:
                    self.arm("G", now, self._interval_g)
                self.arm("H", now, self.config.timeout)
        elif self.state is State.ACCEPTED and 200 <= status < 300:
            # RFC 6026 §8.6: the TU's 2xx retransmissions (§13.3.1.4) go out through here.
            self._respond(response)

    def on_timer(self, name: str, now: float) -> None:
        if name == "G" and self.state is State.COMPLETED:
            self._resend_last()
            self._interval_g = min(2 * self._interval_g, self.config.t2)
            self.arm("G", now, self._interval_g)
        elif name == "H" and self.state is State.COMPLETED:
            self.emit(TransactionTimeout(self))
            self.terminate()
        elif name in ("I", "L"):
            self.terminate()


class ServerNonInviteTransaction(ServerTransaction):
    """RFC 3261 §17.2.2 (figure 8): Trying --1xx--> Proceeding --final--> Completed
    (Timer J absorbs request retransmissions over unreliable transports)."""

    def __init__(
        self,
        request: Request,
        source: object,
        *,
        reliable: bool,
        config: TimerConfig,
        out: list[Output],
        key: tuple[object, ...],
    ) -> None:
        super().__init__(request, source, reliable=reliable, config=config, out=out, key=key)
        self.state = State.TRYING

    def receive_request(self, request: Request, now: float) -> None:
        # Trying: nothing to repeat yet, the retransmission is just absorbed.
        if self.state in (State.PROCEEDING, State.COMPLETED):
            self._resend_last()

    def send_response(self, response: Response, now: float) -> None:
        if self.state not in (State.TRYING, State.PROCEEDING):
            return
        self._respond(response)
        if response.status < 200:
            self.state = State.PROCEEDING
            return
        self.state = State.COMPLETED
        if self.reliable:
            self.terminate()
        else:
            self.arm("J", now, self.config.timeout)

    def on_timer(self, name: str, now: float) -> None:
        if name == "J":
            self.terminate()
