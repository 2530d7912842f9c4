"""Dialog usages (RFC 5057) and other timed things the user-agent core drives.

A dialog can carry several usages at once — an INVITE session, a subscription, the
implicit subscription of a REFER — that share its id, route set and CSeq spaces. The
core keeps the dialogs; each usage says which in-dialog requests are its own. A new kind
of usage (SUBSCRIBE, REFER) is a new class with these methods, attached beside the
others with `UserAgentCore.attach`; nothing that exists changes.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from parley.sip.message import Request, Response
from parley.sip.transaction_server import ServerTransaction

__all__ = ["DialogUsage", "Timed"]


@runtime_checkable
class Timed(Protocol):
    """Anything with deadlines on the core's clock (a registration, a usage)."""

    def next_timer(self) -> float | None:
        """The earliest deadline, or None."""
        ...

    def handle_timer(self, now: float) -> None:
        """Fire what is due at `now`. Must move `next_timer()` past `now`."""
        ...


class DialogUsage(Timed, Protocol):
    """One use of a dialog (RFC 5057 §3)."""

    def accepts(self, request: Request) -> bool:
        """True if this in-dialog request (or CANCEL, or ACK) is this usage's business."""
        ...

    def on_request(self, request: Request, tx: ServerTransaction, now: float) -> None:
        """A request routed to this usage, with its server transaction."""
        ...

    def on_ack(self, ack: Request, now: float) -> None:
        """An ACK for a 2xx (outside any transaction, RFC 3261 §13.2.2.4)."""
        ...

    def on_stray_response(self, response: Response, now: float) -> None:
        """A 2xx to an INVITE of this dialog set after its transaction ended."""
        ...

    @property
    def finished(self) -> bool:
        """Nothing left to do: the core detaches the usage."""
        ...
