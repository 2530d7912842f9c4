"""MediaClock on an event loop with virtual time (no wall-clock assertions).

The loop's ``time()`` is a counter that only moves when the loop would sleep
(its selector is asked to wait) or when a test simulates a stall.
"""

from __future__ import annotations

import asyncio
import selectors
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from parley.media.clock import MediaClock


class VirtualSelector(selectors.DefaultSelector):
    def __init__(self) -> None:
        super().__init__()
        self.now = 1000.0

    def select(self, timeout: float | None = None) -> list[Any]:
        ready: list[Any] = super().select(0)
        if not ready and timeout is not None and timeout > 0:
            self.now += timeout  # "sleep" exactly until the next timer
        return ready


class VirtualLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self.vs = VirtualSelector()
        super().__init__(self.vs)

    def time(self) -> float:
        return self.vs.now

    def stall(self, seconds: float) -> None:
        self.vs.now += seconds


@pytest.fixture
def loop() -> Iterator[VirtualLoop]:
    lp = VirtualLoop()
    try:
        yield lp
    finally:
        lp.close()


def run_for(loop: VirtualLoop, clock: MediaClock, seconds: float) -> None:
    async def main() -> None:
        clock.start()
        await asyncio.sleep(seconds)
        clock.stop()

    loop.run_until_complete(main())


def test_ticks_follow_an_absolute_schedule(loop: VirtualLoop) -> None:
    times: list[float] = []
    clock = MediaClock(lambda: times.append(loop.time()), ptime_ms=20)
    run_for(loop, clock, 1.0)
    assert len(times) in (49, 50)
    start = times[0] - 0.020
    for n, t in enumerate(times, start=1):
        assert t == pytest.approx(start + n * 0.020, abs=1e-9)  # no cumulative drift
    stats = clock.stats
    assert stats.ticks == len(times) and stats.skipped == 0
    assert stats.interval_p50_ms == pytest.approx(20.0) and stats.interval_p99_ms == pytest.approx(
        20.0
    )


def test_a_slow_tick_does_not_shift_the_schedule(loop: VirtualLoop) -> None:
    times: list[float] = []

    def tick() -> None:
        times.append(loop.time())
        if len(times) == 3:
            loop.stall(0.007)  # a tick that took 7 ms

    clock = MediaClock(tick, ptime_ms=20)
    run_for(loop, clock, 0.2)
    start = times[0] - 0.020
    assert times[3] == pytest.approx(start + 4 * 0.020)  # back on the grid at once


def test_stall_catches_up_a_bounded_number_then_resyncs(loop: VirtualLoop) -> None:
    times: list[float] = []

    def tick() -> None:
        times.append(loop.time())
        if len(times) == 5:
            loop.stall(0.5)  # the loop was blocked for 25 periods

    clock = MediaClock(tick, ptime_ms=20, max_catchup=5)
    run_for(loop, clock, 1.0)
    # tick 6 was due one period after the stall began: 24 periods late, 5 caught up
    assert clock.skipped == 24 - 5
    burst = [t for t in times if t == times[5]]
    assert len(burst) == 5 + 1  # the late tick plus max_catchup back-to-back ones
    start = times[0] - 0.020
    after = times[len(times) - 3 :]
    for t in after:
        assert round((t - start) / 0.020, 6) == round((t - start) / 0.020)  # on the grid
    total_periods = round((times[-1] - start) / 0.020)
    assert clock.ticks + clock.skipped == total_periods


def test_bridge_like_targets_and_errors(loop: VirtualLoop) -> None:
    class Target:
        ticks = 0

        def tick(self) -> None:
            self.ticks += 1
            if self.ticks == 2:
                raise RuntimeError("a bad tick must not stop the clock")

    target = Target()
    clock = MediaClock(target, ptime_ms=10)
    run_for(loop, clock, 0.1)
    assert target.ticks >= 9 and clock.errors == 1
    assert not clock.running


def test_device_mode_follows_the_device_and_falls_back_when_it_stops(loop: VirtualLoop) -> None:
    count = [0]
    clock = MediaClock(lambda: count.__setitem__(0, count[0] + 1), ptime_ms=20)
    clock.set_device_mode(True)

    async def fake_device(periods: int, signal: Callable[[], None]) -> None:
        # The device "callback" runs on another thread, a little faster than the loop's clock.
        for _ in range(periods):
            await asyncio.sleep(0.0199)
            thread = threading.Thread(target=signal)
            thread.start()
            thread.join()
            await asyncio.sleep(0)  # let the loop run the scheduled tick

    async def main() -> None:
        clock.start()
        await fake_device(50, clock.signal_threadsafe)
        device_ticks = count[0]
        fallback_before = clock.fallback_ticks
        await asyncio.sleep(0.5)  # the device went silent
        clock.stop()
        assert fallback_before == 0
        assert device_ticks == 50
        assert clock.fallback_ticks >= 20  # the timer took over
        assert count[0] == device_ticks + clock.fallback_ticks

    loop.run_until_complete(main())


def test_signal_without_a_running_clock_is_ignored() -> None:
    clock = MediaClock(lambda: None)
    clock.set_device_mode(True)
    clock.signal_threadsafe()  # not started: nothing happens
    assert clock.ticks == 0 and clock.stats.interval_p50_ms == 0.0
