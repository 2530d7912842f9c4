"""`InviteSession` as a dialog usage of the user-agent core (RFC 5057 §3: the INVITE usage).

The session stays what it is — a machine that returns outputs. `InviteUsage` plugs it
into `UserAgentCore`: requests and ACKs of its dialog set come in through the core, its
responses go out through the core's server transactions, its requests through the core's
client transactions, its timers fire from the core's one timer, and its dialogs are
bound in the core's dialog table under their full ids as they appear (early dialogs of
a forked INVITE included). What needs the world — where a request goes (RFC 3263), SDP,
audio — is handed to the owner's `sink` as the session's other outputs.
"""

from __future__ import annotations

from collections.abc import Callable

from parley.sip.core import UserAgentCore
from parley.sip.invite import InviteSession
from parley.sip.invite_config import INVITE_METHODS
from parley.sip.invite_events import SendResponse, SessionOutput, UnhandledRequest
from parley.sip.message import Request, Response
from parley.sip.request_client import ClientCallbacks
from parley.sip.transaction_client import ClientTransaction
from parley.sip.transaction_server import ServerTransaction

__all__ = [
    "INVITE_BODY_TYPES",
    "INVITE_EXTENSIONS",
    "INVITE_METHODS",
    "InviteUsage",
    "register_invite_usage",
]

INVITE_EXTENSIONS = ("100rel", "timer")  # RFC 3262, RFC 4028
INVITE_BODY_TYPES = ("application/sdp", "application/dtmf-relay", "application/dtmf")

Sink = Callable[[list[SessionOutput]], None]


def register_invite_usage(core: UserAgentCore) -> None:
    """Tell the core what INVITE usages handle (for Allow, Supported, Accept)."""
    core.capabilities.add(
        methods=INVITE_METHODS, extensions=INVITE_EXTENSIONS, accept=INVITE_BODY_TYPES
    )


class InviteUsage:
    """One `InviteSession` attached to a `UserAgentCore`."""

    def __init__(
        self,
        core: UserAgentCore,
        session: InviteSession,
        sink: Sink,
        *,
        invite_tx: ServerTransaction | None = None,
    ) -> None:
        self.core = core
        self.session = session
        self._sink = sink
        core.attach(self, call_id=session.call_id, local_tag=session.local_tag, invite_tx=invite_tx)

    def __repr__(self) -> str:
        return f"<InviteUsage {self.session.call_id} {self.session.state.value}>"

    # ------------------------------------------------------------------ DialogUsage

    @property
    def finished(self) -> bool:
        return self.session.finished

    def accepts(self, request: Request) -> bool:
        return request.method.upper() in INVITE_METHODS

    def on_request(self, request: Request, tx: ServerTransaction, now: float) -> None:
        self.run(self.session.on_request(request, tx, now))

    def on_ack(self, ack: Request, now: float) -> None:
        self.run(self.session.on_ack(ack, now))

    def on_stray_response(self, response: Response, now: float) -> None:
        self.run(self.session.on_response(response, now))

    def next_timer(self) -> float | None:
        return self.session.next_timer()

    def handle_timer(self, now: float) -> None:
        self.run(self.session.handle_timer(now))

    # ------------------------------------------------------------------ carrying out

    def run(self, outputs: list[SessionOutput], now: float | None = None) -> None:
        """Carry out the session's responses here; hand the rest to the owner.

        `now` is the time of the command that made `outputs`; without it, the time of
        the core's latest input (right inside a callback of the core, not otherwise:
        a call quiet for a minute would arm its timers a minute in the past)."""
        at = self.core.now if now is None else now
        rest: list[SessionOutput] = []
        for out in outputs:
            if isinstance(out, SendResponse) and isinstance(out.tx, ServerTransaction):
                self.core.send_response(out.tx, out.response, at)
            elif isinstance(out, UnhandledRequest) and isinstance(out.tx, ServerTransaction):
                self.core.refuse(out.tx)
            else:
                rest.append(out)
        self._bind_dialogs()
        self._sink(rest)
        if self.session.finished:
            self.core.detach(self)
        self.core.wake()  # the session's deadlines may have moved

    def send(
        self,
        request: Request,
        dest: object,
        *,
        reliable: bool = False,
        on_timeout: Callable[[], None] | None = None,
        now: float | None = None,
    ) -> ClientTransaction:
        """Send one of the session's requests to `dest` (where its next hop resolved to).

        BYE, INFO, UPDATE, PRACK go through the core's non-INVITE client with the
        session's credentials: a 401/407 is answered there, and the session only learns
        the new CSeq (`request_retried`) and the final answer. INVITE keeps its own retry
        (its challenge ends the transaction with an ACK, §17.1.1.3). `on_timeout` lets the
        owner note that nothing came back before the session hears of it.
        """
        session = self.session

        def timed_out() -> None:
            if on_timeout is not None:
                on_timeout()
            self.run(session.on_timeout(request, self.core.now))

        non_invite = request.method not in ("INVITE", "CANCEL")
        return self.core.send_request(
            request,
            dest,
            ClientCallbacks(
                on_response=lambda r: self.run(session.on_response(r, self.core.now)),
                on_timeout=timed_out,
                on_transport_error=lambda _t: self.run(
                    session.on_transport_error(request, self.core.now)
                ),
                on_retry=lambda new: session.request_retried(request, new),
                retry_seq=session.next_seq,
            ),
            self.core.now if now is None else now,
            reliable=reliable,
            credentials=session.credentials if non_invite else None,
        )

    def send_ack(self, ack: Request, dest: object) -> None:
        self.core.send_stateless(ack, dest)

    def _bind_dialogs(self) -> None:
        session = self.session
        for dialog in [session.dialog, *session.early_dialogs]:
            if dialog is not None and not dialog.terminated:
                self.core.bind_dialog(dialog.id, self)
