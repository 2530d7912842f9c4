"""The transfers facade: blind and attended transfer of our calls, and the person's
answer to a transfer request (`TransferRequested`) — each a command run on the engine
thread that returns a `concurrent.futures.Future`. Progress comes as `TransferProgress`
events through `Application.subscribe`."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable

from parley.app.context import AppContext, CallRef
from parley.phone.call import Call
from parley.phone.transfer import TransferError


class Transfers:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def _call(self, ref: CallRef) -> Call:
        return self._ctx.live_call(ref)

    def _run(self, action: Callable[[], None]) -> concurrent.futures.Future[None]:
        return self._ctx.command(action, TransferError)

    def blind(self, call: CallRef, target: str) -> concurrent.futures.Future[None]:
        """Ask the far end of `call` to call `target` (a number on the call's account,
        or a SIP URI); done once the REFER is sent — its fate comes as events. A call
        ringing here is deflected (302 to `target`); our own call not yet answered by
        the far end cannot be transferred (AppError says so)."""
        return self._run(lambda: self._ctx.phone().transfers.blind(self._call(call), target))

    def attended(self, call_a: CallRef, call_b: CallRef) -> concurrent.futures.Future[None]:
        """Connect the far parties of two of our calls: `call_a`'s party calls
        `call_b`'s, replacing our call with it (held first when it was not). Without
        Replaces support at `call_b`'s phone a failed `TransferProgress` says so."""
        return self._run(
            lambda: self._ctx.phone().transfers.attended(self._call(call_a), self._call(call_b))
        )

    def answer_request(self, call: CallRef, accept: bool) -> concurrent.futures.Future[None]:
        """The person's answer to a `TransferRequested` event for `call`."""
        return self._run(
            lambda: self._ctx.phone().transfers.answer_request(self._call(call), accept)
        )

    def set_asking(self, on: bool) -> concurrent.futures.Future[None]:
        """A front-end that can ask the person (the GUI) turns this on once the phone
        runs: "ask" transfer requests then wait for `answer_request`. Without it (the
        console) they are accepted."""

        def run() -> None:
            self._ctx.phone().transfers.ask_person = on

        return self._ctx.engine.submit(run)
