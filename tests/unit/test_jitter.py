"""Adaptive jitter buffer: deterministic simulations with synthetic arrival patterns.

Time is simulated: a sender emits one packet every frame (optionally with a clock
running fast or slow), each packet gets a network delay (None = lost), and the
receiver pops one frame every 20 ms of its own clock, after delivering every packet
that has arrived by then.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parley.media.jitter import JitterBuffer, PlayoutItem, PlayoutKind
from parley.media.rtp import RtpPacket

RATE = 8000
SPF = 160  # 20 ms at 8 kHz
PTIME = SPF / RATE


@dataclass
class Run:
    jb: JitterBuffer
    items: list[PlayoutItem] = field(default_factory=list)
    delays_ms: list[float] = field(default_factory=list)  # current delay after each pop

    @property
    def played(self) -> list[int]:
        return [i.packet.sequence for i in self.items if i.kind == "payload" and i.packet]

    def kinds(self, kind: str) -> list[PlayoutItem]:
        return [i for i in self.items if i.kind == kind]


def packet(seq: int, ts: int, *, ssrc: int = 1, marker: bool = False) -> RtpPacket:
    return RtpPacket(
        payload_type=0,
        sequence=seq & 0xFFFF,
        timestamp=ts & 0xFFFFFFFF,
        ssrc=ssrc,
        marker=marker,
        payload=b"\xd5" * 4,
    )


def simulate(
    delays: list[float | None],
    *,
    skew: float = 1.0,
    pops: int | None = None,
    seq0: int = 0,
    ts0: int = 0,
    jb: JitterBuffer | None = None,
    spf: int = SPF,
    **options: float,
) -> Run:
    """Packet i is sent at i * ptime / skew (skew > 1: the sender's clock runs fast)."""
    jb = jb or JitterBuffer(RATE, spf, **options)  # type: ignore[arg-type]
    events = sorted(
        (i * (spf / RATE) / skew + d, i, packet(seq0 + i, ts0 + i * spf))
        for i, d in enumerate(delays)
        if d is not None
    )
    run = Run(jb)
    pending = iter(events)
    nxt = next(pending, None)
    for k in range(pops if pops is not None else len(delays) + 20):
        now = k * PTIME + 0.0005
        while nxt is not None and nxt[0] <= now:
            jb.put(nxt[2], nxt[0])
            nxt = next(pending, None)
        run.items.append(jb.pop(now))
        run.delays_ms.append(jb.stats.current_delay_ms)
    return run


def in_order(seqs: list[int]) -> bool:
    return all(b > a for a, b in itertools.pairwise(seqs))


# --- basics ------------------------------------------------------------------------


def test_empty_until_started() -> None:
    jb = JitterBuffer(RATE, SPF)
    item = jb.pop(0.0)
    assert item.kind == PlayoutKind.EMPTY and not item.conceal and item.samples == SPF
    jb.put(packet(0, 0), 0.0)
    assert jb.pop(0.001).kind == "empty"  # waits for the initial delay (60 ms)
    assert jb.pop(0.061).kind == "payload"


def test_in_order_plays_everything_once_with_small_delay() -> None:
    run = simulate([0.03] * 1000)
    st = run.jb.stats
    assert in_order(run.played) and len(run.played) + st.dropped == 1000
    assert (st.lost, st.late, st.duplicates) == (0, 0, 0)
    # It starts at the 60 ms initial delay and shrinks to the 20 ms minimum.
    assert 10 <= run.delays_ms[900] <= 35
    assert st.target_delay_ms == 20.0
    assert st.dropped == 1 and st.discarded == 1


def test_items_carry_timestamps_and_frame_size() -> None:
    run = simulate([0.01] * 50, ts0=0xFFFFFF00, seq0=65530)
    payloads = [i for i in run.items if i.kind == "payload"]
    assert [p.timestamp for p in payloads[:3]] == [0xFFFFFF00, 0xFFFFFFA0, 0x00000040]
    assert all(p.samples == SPF for p in run.items)
    assert in_order([(p.packet.sequence - 65530) & 0xFFFF for p in payloads if p.packet])


def test_reordering_is_undone() -> None:
    # Every 7th packet is 25 ms late, so it arrives after its successor.
    run = simulate([0.02 + (0.025 if i % 7 == 3 else 0.0) for i in range(1000)])
    played = run.played
    assert in_order(played)
    assert run.jb.stats.late == 0 and run.jb.stats.lost == 0
    assert len(played) + run.jb.stats.dropped == 1000


def test_duplicates_are_dropped() -> None:
    jb = JitterBuffer(RATE, SPF)
    for i in range(5):
        jb.put(packet(i, i * SPF), i * PTIME)
    jb.put(packet(2, 2 * SPF), 0.09)
    out = [jb.pop(0.1 + k * PTIME) for k in range(4)]
    jb.put(packet(0, 0), 0.2)  # already played
    assert [o.packet.sequence for o in out if o.packet] == [0, 1, 2, 3]
    assert jb.stats.duplicates == 2 and jb.stats.discarded == 2 and jb.stats.late == 0


def test_late_packet_after_its_slot_was_concealed_grows_the_delay() -> None:
    jb = JitterBuffer(RATE, SPF, min_delay=0.02, initial_delay=0.02)
    for i in (0, 1, 3, 4):
        jb.put(packet(i, i * SPF), i * PTIME)
    kinds = [jb.pop(0.03 + k * PTIME).kind for k in range(3)]
    assert kinds == ["payload", "payload", "lost"]
    jb.put(packet(2, 2 * SPF), 0.09)  # 50 ms behind its schedule
    assert jb.stats.late == 1 and jb.stats.lost == 1
    # The buffer inserts a concealment frame to make room, then plays on.
    stretch = jb.pop(0.09)
    assert jb.stats.target_delay_ms == pytest.approx(60)
    assert stretch.kind == "empty" and stretch.conceal
    assert jb.pop(0.11).packet == packet(3, 3 * SPF)


# --- loss --------------------------------------------------------------------------


def test_single_loss_hands_over_the_next_packet_for_fec() -> None:
    delays: list[float | None] = [0.03] * 200
    delays[100] = None
    run = simulate(delays)
    [lost] = run.kinds("lost")
    assert lost.timestamp == 100 * SPF and lost.samples == SPF
    assert lost.packet is not None and lost.packet.sequence == 101
    assert run.jb.stats.lost == 1
    assert 100 not in run.played and 101 in run.played


def test_burst_loss_gives_fec_only_for_the_last_slot() -> None:
    delays: list[float | None] = [0.03] * 200
    delays[100:103] = [None, None, None]
    run = simulate(delays, min_delay=0.1)  # packets 103+ are buffered when 100 is due
    lost = run.kinds("lost")
    assert [i.timestamp // SPF for i in lost] == [100, 101, 102]
    assert [i.packet.sequence if i.packet else None for i in lost] == [None, None, 103]


@pytest.mark.parametrize("rate", [0.03, 0.10])
def test_random_loss_is_reported_exactly(rate: float) -> None:
    rng = random.Random(42)
    n = 3000
    delays: list[float | None] = [None if rng.random() < rate else 0.03 for _ in range(n)]
    delays[-1] = 0.03  # the end of the stream is known
    run = simulate(delays)
    st = run.jb.stats
    missing = sum(d is None for d in delays)
    assert st.lost == missing
    assert st.late == 0
    assert in_order(run.played)
    assert len(run.played) + st.dropped == n - missing
    assert st.concealment_ratio == pytest.approx(rate, abs=0.02)


# --- jitter ------------------------------------------------------------------------


def test_40_plus_minus_20_ms_uniform_jitter_settles_near_needed_delay() -> None:
    rng = random.Random(7)
    n = 3000
    run = simulate([0.04 + rng.uniform(-0.02, 0.02) for _ in range(n)])
    st = run.jb.stats
    assert st.late < 0.01 * n
    assert in_order(run.played)
    # Arrivals spread over 40 ms: the target is that plus half a frame.
    assert 40 <= st.target_delay_ms <= 55
    settled = run.delays_ms[1000:n]
    assert max(settled) <= 70 and min(settled) >= 35


def test_40_ms_gaussian_jitter_sd_20_loses_under_one_percent() -> None:
    for seed in range(3):
        rng = random.Random(seed)
        n = 3000
        run = simulate([max(0.0, rng.gauss(0.04, 0.02)) for _ in range(n)])
        st = run.jb.stats
        assert st.late < 0.01 * n
        assert st.lost == st.late  # only lateness loses packets here
        assert 60 <= st.target_delay_ms <= 130
        assert in_order(run.played)


def test_delay_spike_grows_at_once_and_shrinks_slowly() -> None:
    # 20 ms steady delay; packets sent during 10.0-10.3 s are held until 10.3 s.
    def delay(i: int) -> float:
        t = i * PTIME
        return 0.02 + (10.3 - t if 10.0 <= t < 10.3 else 0.0)

    n = 3000
    run = simulate([delay(i) for i in range(n)], pops=n)
    st = run.jb.stats
    assert st.lost == 0 and st.late == 0  # nothing lost to the spike: the buffer waited
    assert st.underruns == 5  # concealment for the first 100 ms of the gap, then silence
    spike_end = 516
    assert run.delays_ms[spike_end] >= 280
    assert run.delays_ms[spike_end + 100] >= 250  # still cautious two seconds later
    assert run.delays_ms[n - 1] <= 25  # back to the minimum after the spike left the window
    assert in_order(run.played)


@pytest.mark.parametrize("skew", [1.001, 0.999])
def test_clock_drift_keeps_the_buffer_bounded(skew: float) -> None:
    rng = random.Random(11)
    n = 6000  # two minutes: 0.1 % is 120 ms of drift
    run = simulate(
        [0.04 + rng.uniform(-0.02, 0.02) for _ in range(n)], skew=skew, pops=int(n / skew)
    )
    st = run.jb.stats
    assert max(run.delays_ms[500:]) <= 90
    assert st.buffered_ms <= 90
    assert st.late < 0.005 * n
    if skew > 1:
        assert st.dropped >= 5  # frames dropped to absorb the fast sender
    else:
        assert st.concealed >= 5  # frames inserted for the slow one
    assert in_order(run.played)


# --- talkspurts, resets, frame size ----------------------------------------------------


def test_dtx_gap_is_not_loss() -> None:
    jb = JitterBuffer(RATE, SPF)
    arrival = 0.0
    seq = 0
    ts = 0
    items = []
    now = 0.0
    schedule = []
    starts: list[float] = []
    for _ in range(3):
        for k in range(50):
            schedule.append((arrival, packet(seq, ts, marker=k == 0)))
            seq += 1
            ts += SPF
            arrival += PTIME
        # one second of silence: timestamps advance, sequence numbers do not
        ts += 50 * SPF
        arrival += 1.0
    arrivals = [a + 0.02 for a, _ in schedule]
    it = iter(schedule)
    nxt = next(it, None)
    while now < arrival + 0.5:
        while nxt is not None and nxt[0] + 0.02 <= now:
            jb.put(nxt[1], nxt[0] + 0.02)
            nxt = next(it, None)
        items.append(jb.pop(now))
        if items[-1].packet and items[-1].packet.marker:
            starts.append(now - arrivals[items[-1].packet.sequence])
        now += PTIME
    assert jb.stats.lost == 0 and jb.stats.late == 0
    played = [i.packet.sequence for i in items if i.packet]
    assert in_order(played) and len(played) + jb.stats.dropped == 150
    assert not any(i.kind == "lost" for i in items)
    # Every talkspurt starts after about the target delay, not late by the silence.
    assert len(starts) == 3 and all(0.01 <= d <= 0.07 for d in starts)


def test_ssrc_change_resets() -> None:
    jb = JitterBuffer(RATE, SPF, initial_delay=0.02)
    for i in range(20):
        jb.put(packet(i, i * SPF), i * PTIME)
        jb.pop(i * PTIME + 0.03)
    jb.put(packet(9000, 123456, ssrc=2), 0.5)
    assert jb.stats.resets == 1
    items = [jb.pop(0.5 + k * PTIME) for k in range(3)]
    assert [i.packet.ssrc for i in items if i.packet] == [2]
    assert jb.stats.lost == 0


def test_timestamp_jump_resets_when_confirmed() -> None:
    jb = JitterBuffer(RATE, SPF, initial_delay=0.02)
    for i in range(20):
        jb.put(packet(i, i * SPF), i * PTIME)
        jb.pop(i * PTIME + 0.03)
    # One stray packet with a wild timestamp is ignored...
    jb.put(packet(20, 50_000_000), 20 * PTIME)
    assert jb.stats.resets == 0 and jb.stats.discarded == 1
    jb.put(packet(21, 21 * SPF), 21 * PTIME)
    # ...but two consistent ones mean the sender restarted its timestamps.
    jb.put(packet(22, 90_000_000), 22 * PTIME)
    jb.put(packet(23, 90_000_000 + SPF), 23 * PTIME)
    assert jb.stats.resets == 1
    played = []
    for k in range(10):
        item = jb.pop(23 * PTIME + 0.03 + k * PTIME)
        if item.packet:
            played.append(item.packet.sequence)
    assert played == [22, 23]


def test_learns_the_senders_packet_duration() -> None:
    # The far end sends 30 ms packets although we asked for 20 ms.
    run = simulate([0.02] * 400, spf=240, pops=600, jb=JitterBuffer(RATE, SPF))
    assert run.jb.samples_per_frame == 240
    assert run.jb.stats.lost == 0
    assert run.items[-30].samples == 240


def test_overflow_is_bounded() -> None:
    jb = JitterBuffer(RATE, SPF, max_delay=0.1)
    for i in range(200):  # a burst of four seconds of audio at once
        jb.put(packet(i, i * SPF), 1.0 + i * 1e-5)
    assert jb.stats.dropped == 200 - 16
    assert jb.pop(2.0).packet == packet(184, 184 * SPF)


def test_silent_frames_are_dropped_first() -> None:
    silent = {seq for seq in range(0, 1000) if seq % 10 == 0}
    jb = JitterBuffer(RATE, SPF, frame_is_silent=lambda p: p.sequence in silent)
    run = simulate([0.2 if i < 100 else 0.02 for i in range(1000)], jb=jb)
    # The 200 ms start is shrunk back once the window forgets it, mostly by silent frames.
    dropped = set(range(1000)) - set(run.played)
    assert len(dropped) >= 5
    assert len(dropped & silent) >= 0.75 * len(dropped)
    assert run.jb.stats.lost == 0


def test_snapshot_is_a_copy() -> None:
    jb = JitterBuffer(RATE, SPF)
    snap = jb.snapshot()
    jb.put(packet(0, 0), 0.0)
    assert snap.received == 0 and jb.stats.received == 1


# --- robustness ----------------------------------------------------------------------

ops = st.lists(
    st.one_of(
        st.tuples(
            st.just("put"),
            st.integers(0, 0xFFFF),
            st.integers(0, 0xFFFFFFFF),
            st.integers(1, 3),
            st.booleans(),
            st.floats(0, 0.5),
        ),
        st.tuples(st.just("pop"), st.floats(0, 0.1)),
    ),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(ops, st.sampled_from([(8000, 160), (48000, 960), (8000, 80)]))
def test_any_packet_sequence_keeps_the_books_balanced(
    operations: list[tuple[object, ...]], shape: tuple[int, int]
) -> None:
    rate, spf = shape
    jb = JitterBuffer(rate, spf)
    now = 0.0
    for op in operations:
        if op[0] == "put":
            _, seq, ts, ssrc, marker, late = op
            assert isinstance(seq, int) and isinstance(ts, int) and isinstance(ssrc, int)
            assert isinstance(late, float)
            jb.put(packet(seq, ts, ssrc=ssrc, marker=bool(marker)), now - late)
        else:
            assert isinstance(op[1], float)
            now += op[1]
            item = jb.pop(now)
            assert (item.packet is not None) == (item.kind == "payload") or item.kind == "lost"
            assert item.samples > 0
    st_ = jb.stats
    # Every packet is either played, discarded, or still waiting.
    assert st_.received == st_.played + st_.discarded + len(jb._packets)
    assert 0.0 <= st_.concealment_ratio <= 1.0


def test_sorted_structures_stay_small() -> None:
    # Many calls run at once: the per-stream state must not grow with the call length.
    run = simulate([0.03] * 5000, window=200)
    assert len(run.jb._transits) == 200 and len(run.jb._played_recent) <= 64


def test_catches_up_after_the_caller_stopped_popping() -> None:
    jb = JitterBuffer(RATE, SPF)
    now = 0.0
    for i in range(400):  # eight seconds of packets, 20 ms network delay
        jb.put(packet(i, i * SPF), i * PTIME + 0.02)
        if not 100 <= i < 250:  # no pops for three seconds
            jb.pop(i * PTIME + 0.0205)
            now = i * PTIME + 0.0205
    assert jb.stats.current_delay_ms <= 40
    assert jb.stats.buffered_ms <= 60
    assert jb.stats.lost == 0 and now > 7.9
