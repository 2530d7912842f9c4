"""The engine thread: one asyncio loop in a daemon thread, where the phone lives.

Front-ends on other threads (the Qt main thread) hand work to it with `call` (a
coroutine function) or `submit` (a plain function) and get a
`concurrent.futures.Future` back, so they never block the loop and the loop never waits
for a repaint. Never wait on such a future *from* the engine thread: it would deadlock.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class EngineError(RuntimeError):
    """The engine is not running (not started yet, or stopped)."""


class Engine:
    def __init__(self, name: str = "parley-engine") -> None:
        self.name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise EngineError("the engine is not running")
        return self._loop

    @property
    def running(self) -> bool:
        return (
            self._thread is not None
            and self._thread.is_alive()
            and self._loop is not None
            and self._loop.is_running()
        )

    def in_engine_thread(self) -> bool:
        return self._thread is not None and threading.current_thread() is self._thread

    def start(self) -> None:
        """Start the loop's thread and return once the loop runs."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._ready.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        self._ready.wait()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        loop.call_soon(self._ready.set)
        try:
            loop.run_forever()
        finally:
            try:
                tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
                for task in tasks:
                    task.cancel()
                if tasks:
                    loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
            except Exception:
                log.exception("while closing the engine loop")
            finally:
                self._loop = None
                loop.close()
                self._ready.set()  # a start() still waiting must not hang

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop the loop (pending tasks are cancelled) and wait at most `timeout` seconds
        for the thread; True when it has ended."""
        thread, loop = self._thread, self._loop
        if thread is None:
            return True
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(loop.stop)
            except RuntimeError:
                pass  # closed between the check and the call
        if thread is threading.current_thread():
            return False  # stopping from inside: the loop ends after this callback
        thread.join(timeout)
        if thread.is_alive():
            log.warning("the engine thread did not end within %.1f s", timeout)
            return False
        self._thread = None
        return True

    def call(
        self, coro_fn: Callable[..., Awaitable[T]], *args: Any
    ) -> concurrent.futures.Future[T]:
        """Run `coro_fn(*args)` on the engine loop; the future has its result."""
        loop = self._loop
        if loop is None or not self.running:
            return _failed(EngineError("the engine is not running"))

        async def run() -> T:
            return await coro_fn(*args)

        return asyncio.run_coroutine_threadsafe(run(), loop)

    def submit(self, fn: Callable[..., T], *args: Any) -> concurrent.futures.Future[T]:
        """Run the plain function `fn(*args)` on the engine thread."""
        loop = self._loop
        if loop is None or not self.running:
            return _failed(EngineError("the engine is not running"))
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args))
            except BaseException as exc:
                future.set_exception(exc)

        try:
            loop.call_soon_threadsafe(run)
        except RuntimeError as exc:  # the loop closed meanwhile
            return _failed(EngineError(f"the engine is not running ({exc})"))
        return future


def _failed(exc: BaseException) -> concurrent.futures.Future[Any]:
    future: concurrent.futures.Future[Any] = concurrent.futures.Future()
    future.set_exception(exc)
    return future
