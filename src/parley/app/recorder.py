"""Writes one history entry per call, when the call ends, from the phone's call events."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from parley.history.db import StoreError
from parley.history.model import Direction, HistoryEntry, classify, number_of
from parley.history.store import HistoryStore
from parley.phone.events import CallNote, CallStateChanged, PhoneEvent

log = logging.getLogger(__name__)

_CONNECTED_STATES = frozenset({"connected", "held"})


@dataclass
class _Pending:
    direction: Direction
    account: str
    remote: str
    remote_name: str | None
    started: float  # wall clock, seconds since the epoch
    connected: float | None = None  # monotonic clock
    rejected_by_us: bool = False
    replacing: bool = False  # it came in with Replaces: it took another call's place


def _note_of(pending: _Pending, event: CallStateChanged) -> str | None:
    """The note that types the entry: a call that replaced another one carries
    "replaced" from its first event on and is an ordinary call; a call that *was*
    replaced gets the note only at its end (a completed transfer)."""
    if event.note is None or (pending.replacing and event.note is CallNote.REPLACED):
        return None
    return event.note.value


class HistoryRecorder:
    """Listens to `CallStateChanged` events and stores each call when it ends.

    Feed it every phone event with `on_event` (other events are ignored). The start time
    is when the recorder first heard of the call; the duration runs from the first
    "connected" to "ended". Call `note_rejected(call_id)` when the user refuses an
    incoming call, so that it is stored as rejected and not as missed.

    `wall_clock` and `monotonic` are injectable for tests. `on_recorded(entry, call_id)`
    is called with every stored entry. A store that fails is logged, never raised: recording the
    history must not disturb the phone.
    """

    def __init__(
        self,
        store: HistoryStore,
        *,
        wall_clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        on_recorded: Callable[[HistoryEntry, int], None] | None = None,
    ) -> None:
        self.store = store
        self._wall = wall_clock
        self._mono = monotonic
        self._on_recorded = on_recorded
        self._calls: dict[int, _Pending] = {}
        self._rejected: set[int] = set()

    def note_rejected(self, call_id: int) -> None:
        pending = self._calls.get(call_id)
        if pending is not None:
            pending.rejected_by_us = True
        else:
            self._rejected.add(call_id)

    def on_event(self, event: PhoneEvent) -> None:
        if not isinstance(event, CallStateChanged):
            return
        pending = self._calls.get(event.call)
        if pending is None:
            try:
                direction = Direction(event.direction)
            except ValueError:
                log.warning("call %s has an unknown direction %r", event.call, event.direction)
                return
            pending = _Pending(
                direction=direction,
                account=event.account,
                remote=event.remote,
                remote_name=event.remote_name,
                started=self._wall(),
                rejected_by_us=event.call in self._rejected,
                replacing=event.note == CallNote.REPLACED,
            )
            self._rejected.discard(event.call)
            self._calls[event.call] = pending
        if event.remote and event.remote != "unknown":
            pending.remote = event.remote
        pending.remote_name = event.remote_name or pending.remote_name
        if event.state in _CONNECTED_STATES and pending.connected is None:
            pending.connected = self._mono()
        if event.state == "ended":
            del self._calls[event.call]
            self._record(pending, event)

    def _record(self, pending: _Pending, event: CallStateChanged) -> None:
        answered = pending.connected is not None
        duration = self._mono() - pending.connected if pending.connected is not None else 0.0
        entry = HistoryEntry(
            direction=pending.direction,
            type=classify(
                pending.direction,
                answered,
                event.status,
                rejected_by_us=pending.rejected_by_us,
                note=_note_of(pending, event),
            ),
            number=number_of(pending.remote),
            name=pending.remote_name,
            account=pending.account,
            start=datetime.fromtimestamp(pending.started, UTC),
            duration=max(0.0, duration),
            sip_code=event.status,
            # The SIP reason phrase; for an end without one, the cause's name (a code the
            # front-ends translate, not a sentence).
            reason=event.reason or (event.cause.value if event.cause is not None else ""),
            uri=pending.remote,
        )
        try:
            stored = self.store.add(entry)
        except StoreError:
            log.exception("the call with %s could not be written to the history", entry.number)
            return
        if self._on_recorded is not None:
            try:
                self._on_recorded(stored, event.call)
            except Exception:
                log.exception("history listener failed")
