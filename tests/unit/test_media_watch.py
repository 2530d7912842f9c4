"""The rule that ends a ghost call: no RTP for NO_MEDIA_TIMEOUT seconds of expected audio."""

from __future__ import annotations

import asyncio

from parley.phone.media_watch import NO_MEDIA_TIMEOUT, MediaSilence, MediaWatch


def test_a_30_second_outage_is_survived() -> None:
    rule = MediaSilence()
    assert NO_MEDIA_TIMEOUT > 30
    count = 0
    for second in range(20):  # audio flows
        count += 50
        assert not rule.observe(second, count, True)
    for second in range(20, 51):  # 30 s of nothing
        assert not rule.observe(second, count, True)
    count += 50  # the network is back
    assert not rule.observe(51, count, True)
    assert rule.silent_for(51) == 0


def test_silence_longer_than_the_timeout_gives_up() -> None:
    rule = MediaSilence(timeout=45)
    assert not rule.observe(0, 100, True)
    assert not rule.observe(44.9, 100, True)
    assert rule.observe(45, 100, True)


def test_hold_and_no_first_packet_are_not_silence() -> None:
    rule = MediaSilence(timeout=10)
    assert not rule.observe(0, 0, True)
    assert not rule.observe(100, 0, True)  # the far end never sent audio: not judged
    assert not rule.observe(101, 5, True)
    assert not rule.observe(200, 5, False)  # held: silence expected
    assert not rule.observe(205, 5, True)  # resumed: the clock starts again
    assert not rule.observe(214, 5, True)
    assert rule.observe(215, 5, True)


def test_the_watch_calls_back_once_on_the_loop() -> None:
    calls: list[str] = []
    clock = [0.0]

    async def run() -> None:
        watch = MediaWatch(
            received=lambda: 7,
            expecting=lambda: True,
            on_silent=lambda: calls.append("silent"),
            clock=lambda: clock[0],
            timeout=3,
            interval=0.01,
        )
        watch.start()
        for _ in range(10):
            clock[0] += 1
            await asyncio.sleep(0.03)
        assert not watch.running

    asyncio.run(run())
    assert calls == ["silent"]
