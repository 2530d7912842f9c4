"""DTMF: RFC 4733 telephone-events, SIP INFO bodies and in-band tones.

Sans-IO: the RTP stream asks the sender for a packet each ptime and feeds received
event payloads to the receiver; times are passed in as ``now``.
"""

from __future__ import annotations

import math
import struct
from collections import deque
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from parley.media.codecs.base import Frame

DIGITS = "0123456789*#ABCD"
"""Digit for each RFC 4733 §3.2 event code 0-15."""

_LOW = (697.0, 770.0, 852.0, 941.0)
_HIGH = (1209.0, 1336.0, 1477.0, 1633.0)
_KEYPAD = ("123A", "456B", "789C", "*0#D")

INFO_RELAY = "application/dtmf-relay"
INFO_DTMF = "application/dtmf"


class DtmfParseError(ValueError):
    """A telephone-event payload or SIP INFO DTMF body is malformed."""


def digit_to_event(digit: str) -> int:
    """Event code for a key (``0-9 * # A-D``, letters in any case). Raises ValueError."""
    d = digit.strip().upper()
    if len(d) != 1 or d not in DIGITS:
        raise ValueError(f"{digit!r} is not a DTMF digit (0-9, *, #, A-D)")
    return DIGITS.index(d)


def event_to_digit(event: int) -> str | None:
    """Key for an event code; None for events that are not DTMF digits (e.g. 16 flash)."""
    return DIGITS[event] if 0 <= event < len(DIGITS) else None


def tone_frequencies(digit: str) -> tuple[float, float]:
    """(low-group Hz, high-group Hz) of a key."""
    event = digit_to_event(digit)
    d = DIGITS[event]
    for row, keys in enumerate(_KEYPAD):
        if d in keys:
            return _LOW[row], _HIGH[keys.index(d)]
    raise AssertionError("unreachable")  # pragma: no cover


# -- RFC 4733 payload -------------------------------------------------------------


@dataclass(frozen=True)
class DtmfEvent:
    """One telephone-event payload (RFC 4733 §2.3).

    ``volume`` is the power level in -dBm0 (0-63); ``duration`` in RTP timestamp units
    since the event's start (the packet's RTP timestamp).
    """

    event: int
    end: bool = False
    volume: int = 10
    duration: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.event <= 255:
            raise ValueError(f"event code {self.event} out of range 0-255")
        if not 0 <= self.volume <= 63:
            raise ValueError(f"volume {self.volume} out of range 0-63")
        if not 0 <= self.duration <= 0xFFFF:
            raise ValueError(f"duration {self.duration} out of range 0-65535")

    @property
    def digit(self) -> str | None:
        return event_to_digit(self.event)

    def to_bytes(self) -> bytes:
        return struct.pack(
            "!BBH", self.event, (0x80 if self.end else 0) | self.volume, self.duration
        )

    @classmethod
    def parse(cls, payload: bytes) -> DtmfEvent:
        """Parse the first event of a payload; the R bit is ignored (§2.3)."""
        if len(payload) < 4:
            raise DtmfParseError(f"telephone-event payload is {len(payload)} bytes, needs 4")
        event, flags, duration = struct.unpack_from("!BBH", payload)
        return cls(event=event, end=bool(flags & 0x80), volume=flags & 0x3F, duration=duration)


@dataclass(frozen=True)
class DtmfPacket:
    """What the RTP stream sends for one tick: it adds the sequence number and SSRC."""

    marker: bool
    timestamp: int
    payload: bytes
    event: DtmfEvent


def digit_packets(
    digit: str,
    timestamp: int,
    *,
    clock_rate: int = 8000,
    ptime_ms: int = 20,
    duration_ms: int = 100,
    volume: int = 10,
    end_repeats: int = 3,
) -> list[DtmfPacket]:
    """The whole packet sequence for one key press (RFC 4733 §2.5.1).

    All packets carry the event's start ``timestamp``; the first has the marker bit;
    ``duration`` grows by one ptime per packet; the final duration is sent
    ``end_repeats`` times with the E bit. Durations are capped at 65535 ticks.
    """
    event = digit_to_event(digit)
    step = clock_rate * ptime_ms // 1000
    total = min(0xFFFF, max(step, clock_rate * duration_ms // 1000))
    packets: list[DtmfPacket] = []
    elapsed = step
    while True:
        final = elapsed >= total
        d = min(elapsed, total)
        ev = DtmfEvent(event, end=final, volume=volume, duration=d)
        for _ in range(end_repeats if final else 1):
            packets.append(DtmfPacket(not packets, timestamp & 0xFFFFFFFF, ev.to_bytes(), ev))
        if final:
            return packets
        elapsed += step


class DtmfSender:
    """Queues keys and yields one telephone-event packet per ptime tick.

    The stream calls :meth:`tick` every ptime with the RTP timestamp audio would use
    for that tick. While :attr:`active` the stream sends the returned packet instead of
    audio (RFC 4733 §2.5.1.2 allows muting audio during an event). Between keys at
    least ``min_gap_ms`` pass with no event (audio flows again).
    """

    def __init__(
        self,
        clock_rate: int = 8000,
        ptime_ms: int = 20,
        *,
        duration_ms: int = 100,
        min_gap_ms: int = 40,
        volume: int = 10,
    ) -> None:
        self.clock_rate = clock_rate
        self.ptime_ms = ptime_ms
        self.duration_ms = duration_ms
        self.min_gap_ms = min_gap_ms
        self.volume = volume
        self._queue: deque[tuple[str, int]] = deque()
        self._current: deque[DtmfPacket] = deque()
        self._gap_ticks = 0

    def send(self, digits: str, duration_ms: int | None = None) -> None:
        """Queue one or more keys. Raises ValueError for a character that is not a key."""
        for d in digits:
            digit_to_event(d)
        for d in digits:
            self._queue.append((d.upper(), duration_ms or self.duration_ms))

    @property
    def active(self) -> bool:
        """True while an event is being sent (the stream should not send audio)."""
        return bool(self._current)

    @property
    def pending(self) -> bool:
        return bool(self._current or self._queue)

    def clear(self) -> None:
        self._queue.clear()
        self._current.clear()

    def tick(self, timestamp: int) -> DtmfPacket | None:
        """The packet to send this tick, or None (send audio)."""
        if not self._current:
            if self._gap_ticks > 0:
                self._gap_ticks -= 1
                return None
            if not self._queue:
                return None
            digit, ms = self._queue.popleft()
            self._current.extend(
                digit_packets(
                    digit,
                    timestamp,
                    clock_rate=self.clock_rate,
                    ptime_ms=self.ptime_ms,
                    duration_ms=ms,
                    volume=self.volume,
                )
            )
        packet = self._current.popleft()
        if not self._current:
            self._gap_ticks = -(-self.min_gap_ms // self.ptime_ms)
        return packet


@dataclass(frozen=True)
class DtmfDigit:
    """A received key: ``phase`` "start" when it begins, "end" once it is over."""

    digit: str
    phase: Literal["start", "end"]
    duration_ms: int
    timestamp: int


class DtmfReceiver:
    """Turns received telephone-event packets into key start/end reports, each once.

    Events are told apart by RTP timestamp (RFC 4733 §2.5.2): a new timestamp is a new
    key, retransmitted end packets are ignored. A key whose end packets were all lost
    ends on :meth:`poll` after ``timeout`` seconds without packets, or when the next
    key starts.
    """

    def __init__(self, clock_rate: int = 8000, *, timeout: float = 0.5) -> None:
        self.clock_rate = clock_rate
        self.timeout = timeout
        self.malformed = 0
        self._ts: int | None = None
        self._digit = ""
        self._duration = 0
        self._last_seen = 0.0
        self._ended: deque[int] = deque(maxlen=16)

    def _ms(self, ticks: int) -> int:
        return ticks * 1000 // self.clock_rate

    def _finish(self) -> DtmfDigit:
        assert self._ts is not None
        report = DtmfDigit(self._digit, "end", self._ms(self._duration), self._ts)
        self._ended.append(self._ts)
        self._ts = None
        return report

    def feed(self, payload: bytes, timestamp: int, now: float) -> list[DtmfDigit]:
        """Handle one packet's payload; malformed payloads are counted and ignored."""
        try:
            ev = DtmfEvent.parse(payload)
        except DtmfParseError:
            self.malformed += 1
            return []
        digit = ev.digit
        if digit is None or timestamp in self._ended:
            return []
        out: list[DtmfDigit] = []
        if self._ts is not None and timestamp != self._ts:
            out.append(self._finish())
        if self._ts is None:
            self._ts, self._digit, self._duration = timestamp, digit, ev.duration
            out.append(DtmfDigit(digit, "start", 0, timestamp))
        self._duration = max(self._duration, ev.duration)
        self._last_seen = now
        if ev.end:
            out.append(self._finish())
        return out

    def poll(self, now: float) -> list[DtmfDigit]:
        """End a key whose end packets never came."""
        if self._ts is not None and now - self._last_seen >= self.timeout:
            return [self._finish()]
        return []


# -- SIP INFO bodies ---------------------------------------------------------------


@dataclass(frozen=True)
class InfoDtmf:
    digit: str
    duration_ms: int | None


def dtmf_relay_body(digit: str, duration_ms: int = 160) -> str:
    """``application/dtmf-relay`` body (the de-facto Cisco format)."""
    d = DIGITS[digit_to_event(digit)]
    return f"Signal={d}\r\nDuration={int(duration_ms)}\r\n"


def dtmf_body(digit: str) -> str:
    """``application/dtmf`` body: just the key."""
    return DIGITS[digit_to_event(digit)]


def _short(value: str) -> str:
    """Quote network text for an error message without echoing kilobytes of it."""
    return repr(value if len(value) <= 20 else value[:20] + "...")


def _signal_to_digit(value: str) -> str:
    v = value.strip()
    if v in ("10", "11"):  # some devices send * and # as event codes
        return DIGITS[int(v)]
    try:
        return DIGITS[digit_to_event(v)]
    except ValueError:
        raise DtmfParseError(f"Signal={_short(value)} is not a DTMF key") from None


def parse_info_body(content_type: str, body: bytes | str) -> InfoDtmf:
    """Parse a SIP INFO DTMF body of either type. Raises DtmfParseError."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime == INFO_DTMF:
        return InfoDtmf(_signal_to_digit(text), None)
    if mime != INFO_RELAY:
        raise DtmfParseError(f"{_short(content_type)} is not a DTMF body type")
    fields: dict[str, str] = {}
    for line in text.replace("\r", "\n").split("\n"):
        name, sep, value = line.partition("=")
        if sep:
            fields[name.strip().lower()] = value.strip()
    if "signal" not in fields:
        raise DtmfParseError("dtmf-relay body has no Signal= line")
    duration: int | None = None
    if fields.get("duration"):
        try:
            duration = int(fields["duration"])
        except ValueError:
            raise DtmfParseError(f"Duration={_short(fields['duration'])} is not a number") from None
        if not 0 <= duration <= 3_600_000:
            raise DtmfParseError(f"Duration={duration} out of range")
    return InfoDtmf(_signal_to_digit(fields["signal"]), duration)


# -- in-band -------------------------------------------------------------------------


def dtmf_tone(digit: str, sample_rate: int, ms: int, level_dbfs: float = -10.0) -> Frame:
    """The two-tone signal of a key; ``level_dbfs`` is the level of each tone's peak.

    A 2 ms raised ramp at both ends avoids clicks.
    """
    low, high = tone_frequencies(digit)
    n = sample_rate * ms // 1000
    t = np.arange(n, dtype=np.float64) / sample_rate
    amp = 32767.0 * 10 ** (level_dbfs / 20)
    x = amp * (np.sin(2 * np.pi * low * t) + np.sin(2 * np.pi * high * t))
    ramp = min(n // 2, sample_rate * 2 // 1000)
    if ramp:
        w = 0.5 - 0.5 * np.cos(np.pi * np.arange(ramp) / ramp)
        x[:ramp] *= w
        x[n - ramp :] *= w[::-1]
    return np.clip(np.rint(x), -32768, 32767).astype(np.int16)


class InbandDetector:
    """Goertzel DTMF detector for any sample rate; reports each key press once.

    Blocks of 12.75 ms (102 samples at 8 kHz) are analysed at the eight DTMF
    frequencies. A block holds a key when the strongest row and column tones are loud
    enough, within twist limits (column up to 8 dB above row, row up to 4 dB above
    column), clearly above the other tones in their group, and carry most of the block's
    energy. A key is reported after two consecutive blocks agree, and again only after
    a block without it.
    """

    BLOCK_S = 0.01275
    MIN_LEVEL_DBFS = -45.0
    NORMAL_TWIST_DB = 8.0
    REVERSE_TWIST_DB = 4.0
    GROUP_MARGIN_DB = 8.0
    MIN_TONE_SHARE = 0.7

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self._n = max(16, round(sample_rate * self.BLOCK_S))
        t = np.arange(self._n, dtype=np.float64) / sample_rate
        freqs = np.array(_LOW + _HIGH)
        self._basis: npt.NDArray[np.complex128] = np.exp(-2j * np.pi * np.outer(freqs, t))
        self._buf = np.zeros(0, dtype=np.float64)
        self._candidate: str | None = None
        self._reported: str | None = None
        full = 32767.0 * 10 ** (self.MIN_LEVEL_DBFS / 20)
        self._min_power = (full * self._n / 2) ** 2

    def reset(self) -> None:
        self._buf = np.zeros(0, dtype=np.float64)
        self._candidate = self._reported = None

    def feed(self, frame: Frame) -> list[str]:
        """Analyse more audio; returns keys newly pressed in it."""
        self._buf = np.concatenate([self._buf, frame.astype(np.float64)])
        out: list[str] = []
        while self._buf.size >= self._n:
            block, self._buf = self._buf[: self._n], self._buf[self._n :]
            digit = self._classify(block)
            if digit is not None and digit == self._candidate and digit != self._reported:
                out.append(digit)
                self._reported = digit
            if digit != self._reported:
                self._reported = None  # re-arm once the key is no longer heard
            self._candidate = digit
        return out

    def _classify(self, block: npt.NDArray[np.float64]) -> str | None:
        power = np.abs(self._basis @ block) ** 2
        low, high = power[:4], power[4:]
        r, c = int(np.argmax(low)), int(np.argmax(high))
        pr, pc = float(low[r]), float(high[c])
        if pr < self._min_power or pc < self._min_power:
            return None
        twist = 10 * math.log10(pc / pr)
        if twist > self.NORMAL_TWIST_DB or -twist > self.REVERSE_TWIST_DB:
            return None
        margin = 10 ** (self.GROUP_MARGIN_DB / 10)
        if np.any(np.delete(low, r) * margin > pr) or np.any(np.delete(high, c) * margin > pc):
            return None
        # A sine of power P has |X|^2 = P * N^2 / 4 and carries P * N / 2 energy.
        energy = float(block @ block)
        share = 2 * (pr + pc) / (self._n * energy) if energy > 0 else 0.0
        if share < self.MIN_TONE_SHARE:
            return None
        return _KEYPAD[r][c]
