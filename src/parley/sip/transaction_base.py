"""What all SIP transactions share: states, outputs, timers (RFC 3261 §17, RFC 6026).

A transaction never does I/O. It appends what should happen to an output list owned by
the `TransactionLayer`: messages to send (`SendMessage`) and events for the transaction
user. Timers are deadlines on the caller's clock; the layer fires them when told the time.
"""

from __future__ import annotations

import enum
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from parley.sip.ids import MAGIC_COOKIE
from parley.sip.message import Request, Response
from parley.sip.timers import TimerConfig

__all__ = ["MAGIC_COOKIE"]  # re-exported: RFC 3261 branches start with it (§8.1.1.7)

if TYPE_CHECKING:
    from parley.sip.transaction_client import ClientTransaction
    from parley.sip.transaction_server import ServerTransaction


class State(enum.Enum):
    """Transaction states of RFC 3261 figures 5-8 plus RFC 6026's Accepted."""

    CALLING = "Calling"
    TRYING = "Trying"
    PROCEEDING = "Proceeding"
    COMPLETED = "Completed"
    CONFIRMED = "Confirmed"
    ACCEPTED = "Accepted"
    TERMINATED = "Terminated"


# --------------------------------------------------------------------------- outputs


@dataclass(frozen=True)
class SendMessage:
    """Hand `message` to the transport; `dest` is the opaque target given to the layer
    (the `dest` of `send_request`, or the `source` of the request being answered)."""

    message: Request | Response
    dest: object


@dataclass(frozen=True)
class ResponseReceived:
    """A response for the transaction user (retransmissions are absorbed, except 2xx to
    INVITE, which RFC 6026 §8.4 passes up so the TU can re-send its ACK)."""

    tx: ClientTransaction
    response: Response


@dataclass(frozen=True)
class RequestReceived:
    """A new request and the server transaction created for it."""

    tx: ServerTransaction
    request: Request


@dataclass(frozen=True)
class AckReceived:
    """An ACK the transactions do not absorb: ACK for a 2xx (RFC 3261 §17.2.3 / RFC 6026
    §8.7); it belongs to the dialog layer."""

    request: Request
    source: object = None


@dataclass(frozen=True)
class StrayResponse:
    """A 2xx to INVITE matching no live transaction (a retransmission after Timer M, or a
    late fork); the dialog layer ACKs it (RFC 3261 §13.2.2.4, RFC 6026 §8.4)."""

    response: Response
    source: object = None


@dataclass(frozen=True)
class TransactionTimeout:
    """Timer B or F (client: the TU synthesises 408), or Timer H (server: no ACK came)."""

    tx: Transaction


@dataclass(frozen=True)
class TransportFailed:
    """The transport reported it could not deliver (RFC 3261 §17.1.4, §17.2.4)."""

    tx: Transaction


@dataclass(frozen=True)
class TransactionTerminated:
    """The transaction reached Terminated and was forgotten by the layer."""

    tx: Transaction


@dataclass(frozen=True)
class MessageDropped:
    """An incoming message that could not be used (malformed, or an unmatched response
    other than a 2xx to INVITE, RFC 3261 §18.1.2); for traces and statistics."""

    message: Request | Response
    reason: str


Output: TypeAlias = (
    SendMessage
    | ResponseReceived
    | RequestReceived
    | AckReceived
    | StrayResponse
    | TransactionTimeout
    | TransportFailed
    | TransactionTerminated
    | MessageDropped
)

# --------------------------------------------------------------------------- base class

_ids = itertools.count(1)


class Transaction:
    """State, timers and output plumbing common to the four transaction kinds."""

    is_invite: bool = False

    def __init__(
        self,
        request: Request,
        peer: object,
        *,
        reliable: bool,
        config: TimerConfig,
        out: list[Output],
    ) -> None:
        self.id = next(_ids)
        self.request = request
        self.peer = peer  # where our messages go (opaque transport target)
        self.reliable = reliable
        self.config = config
        self.method = request.method
        self.state = State.TRYING
        self.last_response: Response | None = None
        self.timers: dict[str, float] = {}
        self._out = out
        # Counts of retransmissions sent so far, for traces and tests.
        self.retransmissions = 0

    def __repr__(self) -> str:
        return f"<{type(self).__name__} #{self.id} {self.method} {self.state.value}>"

    @property
    def terminated(self) -> bool:
        return self.state is State.TERMINATED

    # -- timers

    def arm(self, name: str, now: float, delay: float) -> None:
        self.timers[name] = now + delay

    def disarm(self, *names: str) -> None:
        for name in names:
            self.timers.pop(name, None)

    def next_deadline(self) -> float | None:
        return min(self.timers.values(), default=None)

    def fire_due(self, now: float) -> bool:
        """Fire the earliest timer due at `now`; False when none is due."""
        if not self.timers:
            return False
        name, deadline = min(self.timers.items(), key=lambda item: item[1])
        if deadline > now:
            return False
        del self.timers[name]
        self.on_timer(name, now)
        return True

    def on_timer(self, name: str, now: float) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- transitions shared by all

    def emit(self, output: Output) -> None:
        self._out.append(output)

    def send(self, message: Request | Response) -> None:
        self._out.append(SendMessage(message, self.peer))

    def terminate(self) -> None:
        if self.state is State.TERMINATED:
            return
        self.state = State.TERMINATED
        self.timers.clear()
        self.emit(TransactionTerminated(self))

    def transport_error(self, now: float) -> None:
        """RFC 3261 §17.1.4 / §17.2.4: tell the TU and end the transaction."""
        if self.state is State.TERMINATED:
            return
        self.emit(TransportFailed(self))
        self.terminate()
