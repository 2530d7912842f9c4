"""Adaptive jitter buffer for one RTP stream (sans-IO: arrival and pop times are passed in).

How it works, in RTP timestamp units extended past the 32-bit wrap:

- `put` stores packets by timestamp (a heap plus a dict, O(log n)), drops duplicates
  and packets whose slot was already played ("late"), and records the packet's
  transit time `arrival - timestamp / clock_rate` in a sliding window.
- The caller calls `pop(now)` once per frame period. A *cursor* walks through the
  timestamps one frame per pop; each pop returns the packet of the cursor's slot, or
  says the slot is lost (the decoder conceals it, or decodes Opus FEC from the next
  packet, handed over with the item), or that there is nothing to play.
- The playout offset `now - cursor / clock_rate` is steered towards the target: a
  high percentile of the recent transit times plus a margin. Packets whose transit
  is below that percentile arrive before their slot is played, so the target is the
  smallest delay that keeps lateness near 1 - percentile. The clock offset between
  sender and receiver cancels out, and a sender clock running fast or slow shows up
  as a drift of the transit times that the same control follows.
- Steering is done by whole frames: when the delay is 3/4 frame too long a frame is
  dropped (soon if it is silent or starts a talkspurt, otherwise at most one every
  half second - "shrinking slowly"), when half a frame too short a concealment frame
  is inserted (quickly). An underrun holds the cursor, so a delay spike grows the
  delay at once. More than `max_delay` behind (the caller stopped popping), the
  buffer skips ahead at once.
- Delays in `stats` are measured above the fastest packet of the window, i.e. they
  exclude the network's constant delay. Per packet the work is a heap push/pop and a
  bisect into the window (a memmove of at most `window` floats).
- A talkspurt after a silence gap (DTX: sequence numbers continue while timestamps
  jump) is re-anchored on the target instead of being treated as a loss. An SSRC
  change, or a timestamp jump confirmed by two packets, resets the buffer.

DTMF and comfort-noise packets are not this buffer's business: the caller filters by
payload type before `put`.
"""

from __future__ import annotations

import bisect
import dataclasses
import heapq
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from parley.media.rtp import RtpPacket, seq_diff, ts_diff


class PlayoutKind(StrEnum):
    PAYLOAD = "payload"  # decode item.packet
    LOST = "lost"  # conceal item.samples, or decode FEC from item.packet (the next packet)
    EMPTY = "empty"  # nothing to play: not started, waiting for a talkspurt, or underrun


@dataclass(frozen=True, slots=True)
class PlayoutItem:
    """What to play for one frame period.

    `samples` is the frame length in RTP clock units (e.g. 160 for 20 ms of G.722,
    whose RTP clock is 8 kHz although its audio is 16 kHz). `timestamp` is the RTP
    timestamp of the slot (meaningless for EMPTY). For PAYLOAD `packet` is the packet
    to decode; for LOST it is the packet following the lost one when it is already
    buffered (for Opus in-band FEC), else None. For EMPTY, `conceal` says the stream
    was playing and is starved (underrun, or a frame inserted to grow the delay):
    conceal rather than play silence.
    """

    kind: PlayoutKind
    samples: int
    timestamp: int = 0
    packet: RtpPacket | None = None
    conceal: bool = False


@dataclass
class JitterStats:
    """Counters since creation (packets, except `concealed`/`played` which count frames)."""

    received: int = 0  # packets given to put()
    played: int = 0  # packets handed out for decoding
    late: int = 0  # arrived after their slot was played or concealed
    lost: int = 0  # slots whose packet never came (by sequence number)
    duplicates: int = 0
    dropped: int = 0  # played-out packets skipped to shrink the delay, or on overflow
    discarded: int = 0  # every received packet never played: late, duplicate, dropped...
    concealed: int = 0  # frames concealed: lost slots, underruns, inserted frames
    underruns: int = 0
    resets: int = 0  # SSRC change or timestamp jump
    current_delay_ms: float = 0.0  # playout delay above the fastest recent packet
    target_delay_ms: float = 0.0
    buffered_ms: float = 0.0  # audio waiting in the buffer

    @property
    def concealment_ratio(self) -> float:
        """Concealed frames over all frames output while playing."""
        total = self.played + self.concealed
        return self.concealed / total if total else 0.0


_SHRINK_EVERY = 25  # pops between drops of non-silent frames (0.5 s at 20 ms)
_SHRINK_EVERY_FAR = 5  # ... when the delay is far above target
_MIN_GAP = 2  # pops between any two adjustments
_CONCEAL_POPS = 5  # consecutive underrun frames worth concealing; silence after that
_WARMUP = 50  # packets before the measured target may go below `initial_delay`


class JitterBuffer:
    """Adaptive playout buffer for one stream of fixed-duration frames (RFC 3550 §6.4.1 transit).

    `clock_rate` is the RTP clock, `samples_per_frame` the frame length in clock units
    (it follows the sender's packet duration if that differs consistently). Delays
    are in seconds. `frame_is_silent`, if given, tells which packets can be dropped
    unnoticed when shrinking the delay.
    """

    def __init__(
        self,
        clock_rate: int,
        samples_per_frame: int,
        *,
        min_delay: float = 0.02,
        max_delay: float = 0.4,
        initial_delay: float = 0.06,
        percentile: float = 0.995,
        window: int = 500,
        jump_threshold: float = 2.0,
        frame_is_silent: Callable[[RtpPacket], bool] | None = None,
    ) -> None:
        if clock_rate <= 0 or samples_per_frame <= 0:
            raise ValueError("clock rate and frame size must be positive")
        if not 0 <= min_delay <= max_delay:
            raise ValueError("need 0 <= min_delay <= max_delay")
        self.clock_rate = clock_rate
        self.samples_per_frame = samples_per_frame
        self.min_delay = min_delay
        self.max_delay = max_delay
        self.initial_delay = initial_delay
        self.percentile = percentile
        self.window = max(8, window)
        self.jump_threshold = jump_threshold
        self.frame_is_silent = frame_is_silent
        self.stats = JitterStats()
        self._clear()

    # --- state ------------------------------------------------------------------

    def _clear(self) -> None:
        self._heap: list[int] = []
        self._packets: dict[int, RtpPacket] = {}
        self._ssrc: int | None = None
        self._ref_raw = 0  # raw timestamp of the newest packet...
        self._ref_ext = 0  # ...and its extended value
        self._transits: list[float] = []  # sorted window
        self._transit_fifo: deque[float] = deque()
        self._jump: tuple[RtpPacket, float, float] | None = None
        self._playing = False
        self._anchored = False  # the cursor means something (played since reset)
        self._cursor = 0
        self._last_seq: int | None = None  # of the last packet played or dropped
        self._lost_run = 0  # LOST items since that packet
        self._empty_run = 0
        self._ema: float | None = None  # smoothed playout offset, seconds
        self._since_adjust = _SHRINK_EVERY
        self._played_recent: set[int] = set()
        self._played_fifo: deque[int] = deque()
        self._prev_seq: int | None = None  # frame-length learning
        self._prev_ext = 0
        self._delta = 0
        self._delta_count = 0

    def reset(self) -> None:
        """Forget all packets and measurements (the counters in `stats` are kept)."""
        self.stats.resets += 1
        self.stats.discarded += len(self._packets)
        self._clear()

    @property
    def frame_time(self) -> float:
        return self.samples_per_frame / self.clock_rate

    @property
    def target_delay(self) -> float:
        """Target playout delay above the fastest recent packet, seconds."""
        n = len(self._transits)
        if not n:
            return max(self.min_delay, min(self.max_delay, self.initial_delay))
        base = self._transits[0]
        high = self._transits[min(n - 1, int(self.percentile * n))]
        target = high - base + self.frame_time / 2
        if n < _WARMUP:
            target = max(target, self.initial_delay)
        return max(self.min_delay, min(self.max_delay, target))

    def snapshot(self) -> JitterStats:
        """A copy of the statistics, safe to hand to another thread."""
        return dataclasses.replace(self.stats)

    # --- input ------------------------------------------------------------------

    def put(self, packet: RtpPacket, arrival: float) -> None:
        """Store one received packet; `arrival` in seconds on the clock `pop` uses."""
        self.stats.received += 1
        if self._ssrc is not None and packet.ssrc != self._ssrc:
            self.reset()
        if self._ssrc is None:
            self._ssrc = packet.ssrc
            self._ref_raw = packet.timestamp
            self._ref_ext = packet.timestamp
        self._put(packet, arrival)

    def _put(self, packet: RtpPacket, arrival: float) -> None:
        ext = self._ref_ext + ts_diff(packet.timestamp, self._ref_raw)
        transit = arrival - ext / self.clock_rate
        tr = self._transits
        if tr and (transit < tr[0] - self.jump_threshold or transit > tr[-1] + self.jump_threshold):
            # The timestamps jumped (or one stray packet): reset only when the next
            # packet confirms the new timing.
            cand = self._jump
            if cand is None or abs(cand[2] - transit) > self.jump_threshold / 4:
                self._jump = (packet, arrival, transit)
                self._discard()
                return
            self.reset()
            self.stats.discarded -= 1  # the parked packet is played after all
            self._ssrc = packet.ssrc
            self._ref_raw = self._ref_ext = cand[0].timestamp
            self._put(cand[0], cand[1])
            self._put(packet, arrival)
            return
        self._jump = None
        if ext in self._packets or ext in self._played_recent:
            self.stats.duplicates += 1
            self._discard()
            return
        self._add_transit(transit)
        if self._anchored and ext < self._cursor - self.samples_per_frame // 2:
            self.stats.late += 1
            self._discard()
            return
        self._learn_frame(packet.sequence, ext)
        if ext > self._ref_ext:
            self._ref_ext = ext
            self._ref_raw = packet.timestamp
        heapq.heappush(self._heap, ext)
        self._packets[ext] = packet
        limit = max(16, int(2 * self.max_delay / self.frame_time) + 4)
        while len(self._packets) > limit:
            self._drop_head()

    def _discard(self) -> None:
        self.stats.discarded += 1

    def _add_transit(self, transit: float) -> None:
        bisect.insort(self._transits, transit)
        self._transit_fifo.append(transit)
        if len(self._transit_fifo) > self.window:
            old = self._transit_fifo.popleft()
            del self._transits[bisect.bisect_left(self._transits, old)]

    def _learn_frame(self, seq: int, ext: int) -> None:
        # Follow the sender's packet duration when it differs from ours three times running.
        prev = self._prev_seq
        if prev is not None and seq_diff(seq, prev) == 1:
            delta = ext - self._prev_ext
            if 0 < delta <= self.clock_rate // 8:
                if delta == self._delta:
                    self._delta_count += 1
                else:
                    self._delta, self._delta_count = delta, 1
                if self._delta_count >= 3 and delta != self.samples_per_frame:
                    self.samples_per_frame = delta
        if prev is None or seq_diff(seq, prev) > 0:
            self._prev_seq, self._prev_ext = seq, ext

    def _drop_head(self) -> None:
        ext = heapq.heappop(self._heap)
        packet = self._packets.pop(ext)
        self.stats.dropped += 1
        self._discard()
        if self._anchored:
            self._cursor = max(self._cursor, ext + self.samples_per_frame)
        self._last_seq = packet.sequence
        self._lost_run = 0

    # --- output -----------------------------------------------------------------

    def pop(self, now: float) -> PlayoutItem:
        """The item to play for the frame period starting at `now` (seconds)."""
        item = self._pop(now)
        st = self.stats
        spf = self.samples_per_frame
        target = self.target_delay
        st.target_delay_ms = target * 1000
        if self._transits and self._ema is not None:
            st.current_delay_ms = max(0.0, (self._ema - self._transits[0]) * 1000)
        if self._heap:
            st.buffered_ms = (self._ref_ext + spf - self._heap[0]) * 1000 / self.clock_rate
        else:
            st.buffered_ms = 0.0
        return item

    def _pop(self, now: float) -> PlayoutItem:
        spf = self.samples_per_frame
        self._since_adjust += 1
        if not self._playing:
            return self._start(now)
        frame = self.frame_time
        raw = now - self._cursor / self.clock_rate
        wanted = self._wanted_offset()
        if raw - wanted > self.max_delay + frame:
            # Far behind (the caller stopped popping for a while): catch up at once.
            while self._heap and now - self._heap[0] / self.clock_rate > wanted + frame / 2:
                self._drop_head()
            self._playing = False
            return self._start(now)
        self._ema = raw if self._ema is None else self._ema + (raw - self._ema) / 8
        err = self._ema - wanted
        dropped = False
        while True:
            if not self._heap:
                return self._underrun()
            head = self._heap[0]
            if head <= self._cursor + spf // 2:
                packet = self._packets[head]
                if not dropped and err >= 0.75 * frame and self._may_shrink(packet, err):
                    self._drop_head()
                    self._adjusted(-frame)
                    dropped = True
                    continue
                if err <= -frame / 2 and self._since_adjust >= _MIN_GAP:
                    self._adjusted(frame)
                    self.stats.concealed += 1
                    return PlayoutItem(
                        PlayoutKind.EMPTY, spf, self._cursor & 0xFFFFFFFF, conceal=True
                    )
                return self._play(head)
            # Nothing for this slot: a silence gap, the end of an underrun, or a loss.
            packet = self._packets[head]
            missing = 1
            if self._last_seq is not None:
                missing = seq_diff(packet.sequence, self._last_seq) - 1 - self._lost_run
            if missing <= 0 or self._empty_run:
                self._playing = False
                return self._start(now)
            self.stats.lost += 1
            self._lost_run += 1
            slot = self._cursor
            self._cursor += spf
            if not dropped and err >= 0.75 * frame and self._since_adjust >= _MIN_GAP:
                # Shrinking by skipping a lost slot costs nothing audible.
                self._adjusted(-frame)
                dropped = True
                continue
            self.stats.concealed += 1
            fec = packet if abs(head - self._cursor) <= spf // 2 else None
            return PlayoutItem(PlayoutKind.LOST, spf, slot & 0xFFFFFFFF, fec)

    def _wanted_offset(self) -> float:
        base = self._transits[0] if self._transits else 0.0
        return base + self.target_delay

    def _adjusted(self, delta: float) -> None:
        if self._ema is not None:
            self._ema += delta
        self._since_adjust = 0

    def _may_shrink(self, packet: RtpPacket, err: float) -> bool:
        if self._since_adjust < _MIN_GAP:
            return False
        hint = self.frame_is_silent
        if packet.marker or (hint is not None and hint(packet)):
            return True
        # With a silence hint, give silent frames a chance before cutting speech.
        if err >= 4 * self.frame_time:
            return self._since_adjust >= _SHRINK_EVERY_FAR * (1 if hint is None else 3)
        return self._since_adjust >= _SHRINK_EVERY * (1 if hint is None else 2)

    def _play(self, ext: int) -> PlayoutItem:
        heapq.heappop(self._heap)
        packet = self._packets.pop(ext)
        self._cursor = ext + self.samples_per_frame
        self._last_seq = packet.sequence
        self._lost_run = 0
        self._empty_run = 0
        self.stats.played += 1
        self._played_recent.add(ext)
        self._played_fifo.append(ext)
        if len(self._played_fifo) > 64:
            self._played_recent.discard(self._played_fifo.popleft())
        return PlayoutItem(PlayoutKind.PAYLOAD, self.samples_per_frame, packet.timestamp, packet)

    def _underrun(self) -> PlayoutItem:
        # Hold the cursor: if the packets were only delayed, the delay grows by the gap.
        self._empty_run += 1
        self._adjusted(self.frame_time)
        conceal = self._empty_run <= _CONCEAL_POPS
        if conceal:
            self.stats.underruns += 1
            self.stats.concealed += 1
        return PlayoutItem(
            PlayoutKind.EMPTY, self.samples_per_frame, self._cursor & 0xFFFFFFFF, conceal=conceal
        )

    def _start(self, now: float) -> PlayoutItem:
        """Not playing: start on the oldest packet once it has waited the target delay."""
        spf = self.samples_per_frame
        if not self._heap:
            return PlayoutItem(PlayoutKind.EMPTY, spf)
        head = self._heap[0]
        offset = now - head / self.clock_rate
        # Start on the pop nearest to the wanted offset.
        if offset < self._wanted_offset() - self.frame_time / 2:
            return PlayoutItem(PlayoutKind.EMPTY, spf, self._cursor & 0xFFFFFFFF)
        packet = self._packets[head]
        if self._last_seq is not None:
            missing = seq_diff(packet.sequence, self._last_seq) - 1 - self._lost_run
            if 0 < missing < 1000:
                self.stats.lost += missing
        self._playing = True
        self._anchored = True
        self._ema = offset
        self._since_adjust = 0
        return self._play(head)
