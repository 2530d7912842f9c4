"""The handle of a running keep-alive (RFC 5626 §4.4.1 CRLF keep-alives)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from parley.net.address import Address

PONG_TIMEOUT = 10.0
"""RFC 5626 §4.4.1: a flow that does not pong within 10 s of a ping has failed."""


class KeepAlive:
    """A periodic keep-alive towards one destination; `cancel()` stops it."""

    def __init__(
        self,
        dest: Address,
        interval: float,
        task: asyncio.Task[None],
        on_done: Callable[[KeepAlive], None],
    ) -> None:
        self.dest = dest
        self.interval = interval
        self._task = task
        task.add_done_callback(lambda _t: on_done(self))

    @property
    def active(self) -> bool:
        return not self._task.done()

    def cancel(self) -> None:
        self._task.cancel()

    async def wait_cancelled(self) -> None:
        """Cancel and wait until the timer task has really ended."""
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass

    def __repr__(self) -> str:
        return f"<KeepAlive {self.dest} every {self.interval}s active={self.active}>"
