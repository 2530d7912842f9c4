"""A connected call whose audio stopped arriving: wait out an outage, end a ghost call.

When the network drops in the middle of a call (Wi-Fi gone, a cable pulled) nothing in
SIP notices: no request is pending, the session timer is half an hour away. When the
network comes back within a reasonable time the call should simply carry on — both ends
keep sending and the audio flows again — but when it does not, or the far end gave up
meanwhile (its BYE lost in the outage), the call would stay "connected" for ever: a
ghost call. So the call watches its RTP: once no packet arrived for `NO_MEDIA_TIMEOUT`
seconds while audio was expected, it hangs up (the BYE is retransmitted for 64*T1 and
reaches the far end if the network comes back by then) with the cause MEDIA_TIMEOUT,
which the front-ends word ("Connection lost: no audio arrived").

The timeout is longer than the 30-second outage a call must survive (issue #11 §6);
silence is expected — and not counted — while the call is held either way, and before
the far end's first packet (a far end that never sends audio, e.g. a test peer without
media, is not judged).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

NO_MEDIA_TIMEOUT = 45.0  # seconds without RTP before a connected call is given up
CHECK_INTERVAL = 1.0  # seconds between looks at the packet counter


class MediaSilence:
    """The clock-free rule: `observe()` the received-packet counter now and then; True
    once it has not moved for `timeout` seconds of expected audio."""

    def __init__(self, timeout: float = NO_MEDIA_TIMEOUT) -> None:
        self.timeout = timeout
        self._count: int | None = None
        self._since: float | None = None  # last progress (or the start of expecting audio)

    def observe(self, now: float, received: int, expecting: bool) -> bool:
        if not expecting or received == 0:
            # Held, or no first packet yet: silence is no sign; start over afterwards.
            self._since, self._count = None, received
            return False
        if self._since is None or received != self._count:
            self._since, self._count = now, received
            return False
        return now - self._since >= self.timeout

    def silent_for(self, now: float) -> float:
        """Seconds without a packet so far (0 when nothing is being timed)."""
        return 0.0 if self._since is None else max(0.0, now - self._since)


class MediaWatch:
    """Runs `MediaSilence` on the event loop for one call; `on_silent` is called once."""

    def __init__(
        self,
        *,
        received: Callable[[], int | None],
        expecting: Callable[[], bool],
        on_silent: Callable[[], None],
        clock: Callable[[], float],
        timeout: float = NO_MEDIA_TIMEOUT,
        interval: float = CHECK_INTERVAL,
    ) -> None:
        self.silence = MediaSilence(timeout)
        self._received = received
        self._expecting = expecting
        self._on_silent = on_silent
        self._clock = clock
        self._interval = interval
        self._handle: asyncio.TimerHandle | None = None
        self._reported_gap = False

    @property
    def running(self) -> bool:
        return self._handle is not None

    def start(self) -> None:
        if self._handle is None:
            self._handle = asyncio.get_running_loop().call_later(self._interval, self._check)

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _check(self) -> None:
        self._handle = None
        received = self._received()
        if received is None:
            return  # the stream is gone: the call is ending
        now = self._clock()
        if self.silence.observe(now, received, self._expecting()):
            log.warning("no RTP for %.0f s: giving the call up", self.silence.silent_for(now))
            self._on_silent()
            return
        gap = self.silence.silent_for(now)
        if gap >= 5 and not self._reported_gap:
            log.info("no RTP for %.0f s (the network may be down); waiting", gap)
            self._reported_gap = True
        elif gap < 5 and self._reported_gap:
            log.info("RTP arrives again")
            self._reported_gap = False
        self.start()
