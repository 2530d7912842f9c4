"""The media clock: runs the bridge's tick every period on the asyncio loop.

Two pace sources:

- *timer* (no sound device, or a file/null device): an absolute schedule on
  ``loop.time()`` - tick n is due at ``start + n * period`` - so lateness of one
  tick never accumulates. After a stall of more than ``max_catchup`` periods
  the clock runs ``max_catchup`` ticks back to back, skips the rest (counted in
  ``skipped``) and resyncs.
- *device*: a sound device's callback calls :meth:`MediaClock.signal_threadsafe`
  once per period, so send timing follows the capture clock and never drifts
  against it: every captured frame is sent once and every played frame is one
  the device asked for, with nothing dropped or repeated to absorb drift. The
  timer keeps running as a watchdog: when no signal arrived for
  ``watchdog_periods`` periods (the device stalled, failed, or has not started
  yet), the timer ticks instead (counted in ``fallback_ticks``) until signals
  come again.

A device that is replaced (fallback, device switch) gets a new signal from
:meth:`MediaClock.device_signal`; the old device's late callbacks are ignored,
so two devices never both drive the ticks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)


class _Tickable(Protocol):
    def tick(self) -> None: ...


@dataclass(frozen=True)
class ClockStats:
    """Timing of the ticks so far (intervals over the last ``window`` ticks)."""

    ticks: int
    skipped: int  # periods dropped after a stall
    fallback_ticks: int  # timer ticks while in device mode (device silent)
    errors: int  # ticks whose callback raised
    interval_p50_ms: float
    interval_p99_ms: float
    interval_max_ms: float
    lateness_p50_ms: float  # how long after its due time a timer tick ran
    lateness_p99_ms: float
    device_ticks: int = 0  # ticks a device's signal ran


class MediaClock:
    """Calls ``target.tick()`` (or ``target()``) every ``ptime_ms`` on the running loop."""

    def __init__(
        self,
        target: _Tickable | Callable[[], None],
        ptime_ms: int = 20,
        *,
        max_catchup: int = 5,
        watchdog_periods: int = 3,
        window: int = 3000,
    ) -> None:
        tick = getattr(target, "tick", None)
        self._tick: Callable[[], None] = tick if callable(tick) else target  # type: ignore[assignment]
        self.period = ptime_ms / 1000.0
        self.max_catchup = max_catchup
        self.watchdog_periods = watchdog_periods
        self.ticks = 0
        self.skipped = 0
        self.fallback_ticks = 0
        self.errors = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handle: asyncio.TimerHandle | asyncio.Handle | None = None
        self._start = 0.0
        self._n = 0  # index of the next scheduled timer tick
        self._device_mode = False
        self._last_signal: float | None = None
        self._mode_since: float | None = None  # loop time device mode began (watchdog grace)
        self._generation = 0  # of the current device's signal
        self.device_ticks = 0
        self._intervals: npt.NDArray[np.float64] = np.zeros(window, dtype=np.float64)
        self._lateness: npt.NDArray[np.float64] = np.zeros(window, dtype=np.float64)
        self._n_intervals = 0
        self._n_lateness = 0
        self._last_tick_at: float | None = None

    @property
    def running(self) -> bool:
        return self._loop is not None

    @property
    def device_mode(self) -> bool:
        return self._device_mode

    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Start ticking on ``loop`` (default: the running loop); first tick one period from now."""
        if self._loop is not None:
            return
        self._loop = loop or asyncio.get_running_loop()
        self._start = self._loop.time()
        self._n = 1
        if self._device_mode:
            self._mode_since = self._start
        self._schedule()

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._loop = None

    def set_device_mode(self, enabled: bool) -> None:
        """Let a device callback drive the ticks (see :meth:`signal_threadsafe`).

        Until the device's first signal the timer waits ``watchdog_periods`` (a device
        just opened starts within a period or two), then ticks in its place.
        """
        self._device_mode = enabled
        self._last_signal = None
        self._mode_since = self._loop.time() if enabled and self._loop is not None else None

    def device_signal(self) -> Callable[[], None]:
        """A signal for a newly opened device (call it on the device thread once per
        period); from now on the signals of any earlier device are ignored."""
        self._generation += 1
        generation = self._generation

        def signal() -> None:
            if generation == self._generation:
                self.signal_threadsafe()

        return signal

    def signal_threadsafe(self) -> None:
        """Called from the audio device thread once per period: tick on the loop."""
        loop = self._loop
        if loop is not None and self._device_mode:
            try:
                loop.call_soon_threadsafe(self._on_signal)
            except RuntimeError:  # loop closed while the device still runs
                pass

    # internals
    def _schedule(self) -> None:
        assert self._loop is not None
        self._handle = self._loop.call_at(self._start + self._n * self.period, self._on_timer)

    def _on_timer(self) -> None:
        loop = self._loop
        if loop is None:
            return
        now = loop.time()
        due = self._start + self._n * self.period
        behind = int((now - due) / self.period + 1e-6)  # whole periods we are late
        if behind > self.max_catchup:
            dropped = behind - self.max_catchup
            self.skipped += dropped
            self._n += dropped
            log.debug("media clock stalled %d periods; skipped %d", behind, dropped)
        heard = self._last_signal if self._last_signal is not None else self._mode_since
        device_alive = (
            self._device_mode
            and heard is not None
            and now - heard < self.watchdog_periods * self.period
        )
        if not device_alive:
            self._record(self._lateness, "_n_lateness", now - (self._start + self._n * self.period))
            if self._device_mode:
                self.fallback_ticks += 1
            self._run_tick(now)
        self._n += 1
        next_due = self._start + self._n * self.period
        if next_due <= loop.time():
            self._handle = loop.call_soon(self._on_timer)  # catching up; let I/O run between
        else:
            self._handle = loop.call_at(next_due, self._on_timer)

    def _on_signal(self) -> None:
        loop = self._loop
        if loop is None or not self._device_mode:
            return
        now = loop.time()
        self._last_signal = now
        self.device_ticks += 1
        self._run_tick(now)

    def _run_tick(self, now: float) -> None:
        if self._last_tick_at is not None:
            self._record(self._intervals, "_n_intervals", now - self._last_tick_at)
        self._last_tick_at = now
        self.ticks += 1
        try:
            self._tick()
        except Exception:
            self.errors += 1
            if self.errors in (1, 100, 10000):
                log.exception("media tick failed (%d times so far)", self.errors)

    def _record(self, ring: npt.NDArray[np.float64], counter: str, value: float) -> None:
        count: int = getattr(self, counter)
        ring[count % len(ring)] = value
        setattr(self, counter, count + 1)

    @property
    def stats(self) -> ClockStats:
        def pct(ring: npt.NDArray[np.float64], count: int, q: float) -> float:
            if count == 0:
                return 0.0
            return float(np.percentile(ring[: min(count, len(ring))], q)) * 1000.0

        iv, nl = self._n_intervals, self._n_lateness
        return ClockStats(
            ticks=self.ticks,
            skipped=self.skipped,
            fallback_ticks=self.fallback_ticks,
            errors=self.errors,
            interval_p50_ms=pct(self._intervals, iv, 50),
            interval_p99_ms=pct(self._intervals, iv, 99),
            interval_max_ms=pct(self._intervals, iv, 100),
            lateness_p50_ms=pct(self._lateness, nl, 50),
            lateness_p99_ms=pct(self._lateness, nl, 99),
            device_ticks=self.device_ticks,
        )
