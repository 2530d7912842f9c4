"""The recordings facade: the record button of a call (`set`) and whether a call is being
recorded (`active`, from the events: no engine round trip).

The phone records (`parley.phone.recording`); the application gives it the default
folder (the 'recordings' folder of its data folder) and the contact name look-up for
the {name} field. The legal notice before the first recording is the front-end's part
(`functions.recording_notice_accepted`).
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable
from pathlib import Path

from parley.app.context import AppContext, AppError, CallRef, call_id_of
from parley.phone.events import CallPhase, CallStateChanged, PhoneEvent, RecordingChanged
from parley.phone.events import RecordingState as State
from parley.phone.recording import RecordingError


class Recordings:
    """`default_dir`: where recordings go when `functions.recording_dir` is not set.
    `contact_name(number)`: the local contact's name for {name}. `subscribe`: the
    application's event subscription (the facade follows RecordingChanged events)."""

    def __init__(
        self,
        ctx: AppContext,
        default_dir: Path,
        contact_name: Callable[[str], str | None],
        subscribe: Callable[[Callable[[PhoneEvent], None]], object],
    ) -> None:
        self._ctx = ctx
        self.default_dir = default_dir
        self._contact_name = contact_name
        self._lock = threading.Lock()
        self._files: dict[int, str] = {}  # call id -> the file being written
        self._configured: object = None  # the phone that has been told the above
        subscribe(self._on_event)

    def set(self, call: CallRef, on: bool) -> concurrent.futures.Future[str | None]:
        """Start (`on`) or stop recording a call. Starting gives the file's path (each
        start after a stop is a new part, a new file); stopping gives None once the file
        is complete. Fails with `AppError` for a call that is not in progress, or when
        the file cannot be made."""
        return self._ctx.engine.call(self._set, call_id_of(call), on)

    async def _set(self, call_id: int, on: bool) -> str | None:
        phone = self._ctx.phone()
        self._configure()
        if not on:
            await phone.recordings.stop(call_id)
            return None
        call = self._ctx.live_call(call_id)
        try:
            return str(phone.recordings.start(call))
        except RecordingError as exc:
            raise AppError(str(exc)) from exc

    def active(self, call_id: int) -> bool:
        """Whether the call is being recorded now (safe on any thread)."""
        with self._lock:
            return call_id in self._files

    def file(self, call_id: int) -> str | None:
        """The file a call is being recorded to, or None."""
        with self._lock:
            return self._files.get(call_id)

    def _configure(self) -> None:
        """Tell the running phone the default folder and the name look-up (on the engine
        thread, before its first call records: a call's first event comes earlier)."""
        phone = self._ctx.phone()
        if self._configured is not phone:
            phone.recordings.configure(self.default_dir, self._contact_name)
            self._configured = phone

    def _on_event(self, event: PhoneEvent) -> None:
        if isinstance(event, RecordingChanged):
            with self._lock:
                if event.state is State.STARTED:
                    self._files[event.call] = event.file
                else:
                    self._files.pop(event.call, None)
        elif isinstance(event, CallStateChanged):
            try:
                self._configure()
            except AppError:
                pass  # no phone yet
            if event.state is CallPhase.ENDED:
                with self._lock:
                    self._files.pop(event.call, None)
