"""The engine bridge: Application events and command results, delivered on the GUI thread.

The Application calls its subscribers on the engine thread and completes its futures
there. Touching a widget from that thread would crash Qt, and waiting for a future in
the GUI would freeze the window; so both are handed over here as signals with a
*queued* connection to this object, which lives on the GUI thread. The engine thread
only posts an event and returns at once.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from parley.app.application import Application
from parley.gui.texts import problem_detail, problem_text
from parley.phone.events import PhoneEvent

log = logging.getLogger(__name__)

ResultHandler = Callable[[Any], None]
ErrorHandler = Callable[[BaseException], None]


class EngineBridge(QObject):
    """Turns Application events into the `event` signal and future completions into
    callbacks, both on the GUI thread. `command_failed` carries what a failed command
    that had no error handler of its own means, in the GUI's language, and the
    exception's own words as details (`parley.gui.texts.problem_text`)."""

    # Named like QObject.event(); tried: Qt's own event dispatch is not affected.
    event = Signal(object)  # type: ignore[assignment]
    command_failed = Signal(str, str)  # text, details
    _posted = Signal(object)
    _completed = Signal(object, object, object)

    def __init__(self, application: Application, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.application = application
        self._posted.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._completed.connect(self._complete, Qt.ConnectionType.QueuedConnection)
        self._closed = False
        self._unsubscribe: Callable[[], None] | None = application.subscribe(self._from_engine)

    def _from_engine(self, event: PhoneEvent) -> None:
        # Engine thread: post and return.
        self._posted.emit(event)

    @Slot(object)
    def _deliver(self, event: PhoneEvent) -> None:
        if not self._closed:  # posted before close(), delivered after: drop it
            self.event.emit(event)

    def run(
        self,
        future: concurrent.futures.Future[Any],
        on_result: ResultHandler | None = None,
        on_error: ErrorHandler | None = None,
    ) -> None:
        """Call `on_result(value)` or `on_error(exception)` on the GUI thread when
        `future` completes (without an `on_error`, `command_failed` is emitted)."""

        def done(f: concurrent.futures.Future[Any]) -> None:
            self._completed.emit(on_result, on_error, f)

        future.add_done_callback(done)

    @Slot(object, object, object)
    def _complete(
        self,
        on_result: ResultHandler | None,
        on_error: ErrorHandler | None,
        future: concurrent.futures.Future[Any],
    ) -> None:
        if self._closed:
            return
        try:
            value = future.result()
        except BaseException as exc:  # the command failed: say so, never raise into Qt
            if on_error is not None:
                on_error(exc)
            else:
                log.info("command failed: %s", exc)
                self.command_failed.emit(problem_text(exc), problem_detail(exc))
            return
        if on_result is not None:
            on_result(value)

    def close(self) -> None:
        """Stop receiving events and results (before the Application stops)."""
        self._closed = True
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
