"""The engine context the application's facades share, and what they have in common.

`Application` builds one `AppContext` and gives it to each facade (`Calls`, `Audio`,
`Configuration`, `Directory`): the engine thread, the running phone, the settings in
use, the event dispatcher and the snapshots. The facades know one another only through
it, and reach into the phone only through its public methods.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from parley.app.engine import Engine
from parley.app.snapshots import CallInfo
from parley.app.tracker import Tracker
from parley.phone.call import Call
from parley.phone.events import PhoneEvent
from parley.phone.phone import Phone
from parley.settings import Settings

T = TypeVar("T")
CallRef = int | CallInfo


class AppError(Exception):
    """A command cannot be carried out (no such call or account, phone not started…);
    the message says why, for a person."""


def failed(error: Exception) -> concurrent.futures.Future[T]:
    """A future that has already failed: for commands refused before they reach the engine."""
    future: concurrent.futures.Future[T] = concurrent.futures.Future()
    future.set_exception(error)
    return future


def done() -> concurrent.futures.Future[None]:
    """A future that is already done, with nothing to give."""
    future: concurrent.futures.Future[None] = concurrent.futures.Future()
    future.set_result(None)
    return future


@dataclass(frozen=True)
class AppContext:
    """What the facades share. `phone` and `settings` are getters: the phone exists once
    started (until then `phone()` raises `AppError`), and the settings are replaced as a
    whole when the user changes them."""

    engine: Engine
    phone: Callable[[], Phone]  # the running phone, on the engine thread only
    settings: Callable[[], Settings]
    dispatch: Callable[[PhoneEvent], None]  # to every subscriber (on the engine thread)
    tracker: Tracker  # call and account snapshots, safe on any thread

    def live_call(self, ref: CallRef) -> Call:
        """The running phone's call `ref` (on the engine thread); AppError once it has ended."""
        call_id = call_id_of(ref)
        call = self.phone().calls.get(call_id)
        if call is None or call.ended:
            raise AppError(f"call {call_id} has ended")
        return call

    def command(
        self, action: Callable[[], None], errors: type[Exception]
    ) -> concurrent.futures.Future[None]:
        """Run `action` on the engine thread; its `errors` fail the future as AppError
        (their message is for a person)."""

        def run() -> None:
            try:
                action()
            except errors as exc:
                raise AppError(str(exc)) from exc

        return self.engine.submit(run)


def call_id_of(ref: CallRef) -> int:
    return ref.id if isinstance(ref, CallInfo) else int(ref)
