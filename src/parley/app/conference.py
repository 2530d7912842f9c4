"""The conference facade: join calls into the local conference, add a participant by
dialling, split, mute or hold one, hold or end the whole — each a command run on the
engine thread that returns a `concurrent.futures.Future` (see `parley.phone.conference`).

`calls()` and `muted()` answer from the last `ConferenceChanged` event, on any thread.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable, Sequence

from parley.app.context import AppContext, AppError, CallRef
from parley.app.snapshots import CallInfo
from parley.phone.call import Call
from parley.phone.conference import ConferenceError
from parley.phone.events import ConferenceChanged, PhoneEvent
from parley.phone.transfer import TransferError


class ConferenceCalls:
    """Commands on the local conference. `subscribe` is `Application.subscribe`: the
    facade keeps the participants from the events."""

    def __init__(
        self,
        ctx: AppContext,
        subscribe: Callable[[Callable[[PhoneEvent], None]], Callable[[], None]],
    ) -> None:
        self._ctx = ctx
        self._lock = threading.Lock()
        self._last = ConferenceChanged(calls=())
        subscribe(self._on_event)

    def _on_event(self, event: PhoneEvent) -> None:
        if isinstance(event, ConferenceChanged):
            with self._lock:
                self._last = event

    # -- reading (any thread)

    def calls(self) -> list[int]:
        """The current participants' call ids (empty: no conference)."""
        with self._lock:
            return list(self._last.calls)

    def muted(self) -> list[int]:
        """Participants whose voice is out of the mix."""
        with self._lock:
            return list(self._last.muted)

    def held(self) -> bool:
        with self._lock:
            return self._last.held

    # -- commands

    def _call(self, ref: CallRef) -> Call:
        return self._ctx.live_call(ref)

    def _run(self, action: Callable[[], None]) -> concurrent.futures.Future[None]:
        return self._ctx.command(action, ConferenceError)

    def join(self, calls: Sequence[CallRef] | None = None) -> concurrent.futures.Future[None]:
        """Join the given calls (None: every connected call) into the conference; held
        ones are resumed."""

        def run() -> None:
            phone = self._ctx.phone()
            phone.conference.join(None if calls is None else [self._call(c) for c in calls])

        return self._run(run)

    def add(self, target: str, account: str | None = None) -> concurrent.futures.Future[CallInfo]:
        """Dial `target`; the call joins the conference when it is answered."""
        return self._ctx.engine.call(self._add, target, account)

    async def _add(self, target: str, account: str | None) -> CallInfo:
        try:
            call = await self._ctx.phone().conference.add(target, account)
        except ConferenceError as exc:
            raise AppError(str(exc)) from exc
        tracker = self._ctx.tracker
        return tracker.get_call(call.id) or tracker.info_of(call)

    def split(self, call: CallRef) -> concurrent.futures.Future[None]:
        """Take a participant out into an ordinary held call."""
        return self._run(lambda: self._ctx.phone().conference.split(self._call(call)))

    def mute_participant(self, call: CallRef, on: bool) -> concurrent.futures.Future[None]:
        """Take a participant's voice out of the mix (or back in); it still hears us."""
        return self._run(
            lambda: self._ctx.phone().conference.mute_participant(self._call(call), on)
        )

    def hold(self, on: bool) -> concurrent.futures.Future[None]:
        """Hold (music on hold for all) or resume the whole conference."""
        return self._run(lambda: self._ctx.phone().conference.hold(on))

    def leave(self) -> concurrent.futures.Future[None]:
        """Leave a conference of two far parties and let them go on talking: the
        conference dissolves and the two calls are connected (attended transfer, as
        `app.transfers.attended`; its progress comes as `TransferProgress`). AppError
        with more (or fewer) than two participants."""

        def run() -> None:
            phone = self._ctx.phone()
            try:
                first, second = phone.conference.leave()
                phone.transfers.attended(first, second)
            except (ConferenceError, TransferError) as exc:
                raise AppError(str(exc)) from exc

        return self._ctx.engine.submit(run)

    def end(self) -> concurrent.futures.Future[None]:
        """Hang up every participant."""
        return self._run(lambda: self._ctx.phone().conference.end())
