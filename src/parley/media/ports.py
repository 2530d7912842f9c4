"""Ports of the audio bridge: things that give and/or take audio frames.

A frame is a 1-D int16 numpy array, mono, of ``samples_per_frame`` samples at
the port's own ``sample_rate`` (the bridge resamples). ``get_frame`` returning
None means "nothing this period" (silence). Frames handed to ``put_frame`` may
be shared between several sinks: a port must not modify them, and must copy a
frame it keeps beyond the call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from parley.media.wavfile import WavWriter, read_wav

Frame = npt.NDArray[np.int16]

log = logging.getLogger(__name__)


class Port:
    """Base port: silent source, discarding sink.

    The bridge sets ``ptime_ms`` when the port is added, so that every port
    produces frames of the bridge's period.
    """

    def __init__(self, name: str, sample_rate: int, ptime_ms: int = 20) -> None:
        if sample_rate <= 0:
            raise ValueError(f"port {name!r}: sample rate must be positive, not {sample_rate}")
        self.name = name
        self.sample_rate = sample_rate
        self.ptime_ms = ptime_ms

    @property
    def samples_per_frame(self) -> int:
        return self.sample_rate * self.ptime_ms // 1000

    def get_frame(self) -> Frame | None:
        return None

    def put_frame(self, frame: Frame) -> None:
        return None

    def close(self) -> None:
        """Release resources (files, devices). Idempotent."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} {self.sample_rate} Hz>"


class NullPort(Port):
    """Gives nothing and swallows everything (headless use, benchmarks)."""

    def __init__(self, name: str = "null", sample_rate: int = 48000, ptime_ms: int = 20) -> None:
        super().__init__(name, sample_rate, ptime_ms)
        self.frames_received = 0

    def put_frame(self, frame: Frame) -> None:
        self.frames_received += 1


class SampleRing:
    """Bounded single-producer/single-consumer ring of int16 samples.

    Preallocated, no locks: the producer only moves ``_w``, the consumer only
    ``_r`` (counters grow without bound; Python ints do not wrap). That makes
    it safe between the PortAudio callback thread and the engine loop. When full,
    a write drops the newest samples that do not fit and counts an overrun
    (the consumer owns ``_r``, so the producer must not drop old ones).
    """

    def __init__(self, capacity: int) -> None:
        if capacity <= 0:
            raise ValueError("ring capacity must be positive")
        self.capacity = capacity
        self._buf: Frame = np.zeros(capacity, dtype=np.int16)
        self._w = 0
        self._r = 0
        self.overruns = 0  # writes that did not fit (samples dropped)
        self.underruns = 0  # reads that found too little

    def __len__(self) -> int:
        return self._w - self._r

    @property
    def free(self) -> int:
        return self.capacity - (self._w - self._r)

    def write(self, samples: Frame) -> int:
        """Append samples; return how many were stored."""
        n = min(len(samples), self.free)
        if n < len(samples):
            self.overruns += 1
        if n <= 0:
            return 0
        start = self._w % self.capacity
        first = min(n, self.capacity - start)
        self._buf[start : start + first] = samples[:first]
        if first < n:
            self._buf[: n - first] = samples[first:n]
        self._w += n  # publish after the data is in place
        return n

    def read_into(self, out: Frame) -> int:
        """Fill ``out`` from the ring; return how many samples were real (rest: zeros)."""
        n = min(len(out), len(self))
        if n < len(out):
            self.underruns += 1
            out[n:] = 0
        if n > 0:
            start = self._r % self.capacity
            first = min(n, self.capacity - start)
            out[:first] = self._buf[start : start + first]
            if first < n:
                out[first:n] = self._buf[: n - first]
            self._r += n
        return n

    def read(self, count: int) -> Frame | None:
        """A new array of ``count`` samples, or None (and an underrun) if fewer are queued."""
        if len(self) < count:
            self.underruns += 1
            return None
        out: Frame = np.empty(count, dtype=np.int16)
        self.read_into(out)
        return out

    def discard(self, count: int | None = None) -> None:
        """Drop queued samples (all by default); consumer side only."""
        self._r += len(self) if count is None else min(count, len(self))


@dataclass
class CallPortStats:
    rx_frames: int = 0  # decoded frames pushed by the stream
    rx_underruns: int = 0  # bridge periods with no decoded audio
    rx_overruns: int = 0  # pushes that overflowed the ring (audio dropped)
    tx_frames: int = 0  # mixed frames queued for the encoder
    tx_underruns: int = 0  # encoder pulls that found too little
    tx_overruns: int = 0  # bridge frames dropped because the encoder did not pull


class CallPort(Port):
    """The bridge side of one call's RTP stream: a two-way bounded ring.

    Downlink: the stream pushes decoded frames with :meth:`push_decoded`; the
    bridge takes one period per tick with :meth:`get_frame` (None when not
    enough audio is queued). Uplink: the bridge's mix goes in with
    :meth:`put_frame`; the stream takes what it encodes with :meth:`pull_encode`.
    Rings are sample based, so the stream's packet time need not equal the
    bridge period. Not thread-safe beyond one producer and one consumer.
    """

    def __init__(
        self,
        name: str,
        sample_rate: int,
        ptime_ms: int = 20,
        *,
        capacity_ms: int = 200,
    ) -> None:
        super().__init__(name, sample_rate, ptime_ms)
        capacity = max(1, sample_rate * capacity_ms // 1000)
        self._rx = SampleRing(capacity)
        self._tx = SampleRing(capacity)
        self._rx_frames = 0
        self._tx_frames = 0
        self._rx_started = False

    # bridge side
    def get_frame(self) -> Frame | None:
        n = self.samples_per_frame
        if len(self._rx) < n and not self._rx_started:
            return None  # nothing received yet is not an underrun
        return self._rx.read(n)

    def put_frame(self, frame: Frame) -> None:
        self._tx_frames += 1
        self._tx.write(frame)

    # stream side
    def push_decoded(self, frame: Frame) -> None:
        """Queue a decoded (or concealed) frame for the bridge."""
        self._rx_started = True
        self._rx_frames += 1
        self._rx.write(frame)

    def pull_encode(self, samples: int | None = None) -> Frame | None:
        """Take ``samples`` (default one bridge period) for the encoder, or None."""
        return self._tx.read(self.samples_per_frame if samples is None else samples)

    @property
    def rx_queued(self) -> int:
        return len(self._rx)

    @property
    def tx_queued(self) -> int:
        return len(self._tx)

    def clear(self) -> None:
        """Drop queued audio both ways (e.g. after a codec change)."""
        self._rx.discard()
        self._tx.discard()

    @property
    def stats(self) -> CallPortStats:
        return CallPortStats(
            rx_frames=self._rx_frames,
            rx_underruns=self._rx.underruns,
            rx_overruns=self._rx.overruns,
            tx_frames=self._tx_frames,
            tx_underruns=self._tx.underruns,
            tx_overruns=self._tx.overruns,
        )


class FilePlayer(Port):
    """Plays a WAV file (any rate, width, channels) as mono int16 frames.

    The file is read at once (ringtones, prompts and test speech are short).
    Its own rate is kept unless ``sample_rate`` asks for resampling on load.
    At the end: with ``loop`` it starts again; otherwise ``finished`` becomes
    True, ``on_finished`` is called once, and the port gives None. The last
    partial frame is padded with silence.
    """

    def __init__(
        self,
        path: str | Path,
        loop: bool = False,
        *,
        name: str | None = None,
        sample_rate: int | None = None,
        ptime_ms: int = 20,
        on_finished: Callable[[FilePlayer], None] | None = None,
    ) -> None:
        samples, rate = read_wav(path, sample_rate)
        super().__init__(name or f"file:{Path(path).name}", rate, ptime_ms)
        self.path = Path(path)
        self.loop = loop
        self.on_finished = on_finished
        self.finished = False
        self._samples = samples
        self._pos = 0

    @property
    def duration(self) -> float:
        return len(self._samples) / self.sample_rate

    @property
    def position(self) -> float:
        """Seconds played so far."""
        return self._pos / self.sample_rate

    def rewind(self) -> None:
        self._pos = 0
        self.finished = False

    def get_frame(self) -> Frame | None:
        n = self.samples_per_frame
        total = len(self._samples)
        if self.finished or total == 0:
            self._finish()
            return None
        end = self._pos + n
        if end < total:
            frame = self._samples[self._pos : end]  # a view: no copy
            self._pos = end
            return frame
        if end == total:
            frame = self._samples[self._pos : end]
        else:  # the file ends inside this frame
            frame = np.zeros(n, dtype=np.int16)
            rest = total - self._pos
            frame[:rest] = self._samples[self._pos :]
            if self.loop:  # go on from the start (maybe several times if very short)
                filled = rest
                while filled < n:
                    take = min(n - filled, total)
                    frame[filled : filled + take] = self._samples[:take]
                    filled += take
                self._pos = take % total
                return frame
        self._pos = 0
        if not self.loop:
            self._pos = total
            self._finish()
        return frame

    def _finish(self) -> None:
        if self.finished:
            return
        self.finished = True
        if self.on_finished is not None:
            try:
                self.on_finished(self)
            except Exception:  # a faulty callback must not stop the bridge
                log.exception("on_finished callback of %s failed", self.name)


class WavRecorder(Port):
    """Records every frame the bridge gives it to a mono 16-bit WAV file.

    Frames are written as they come; the header sizes are patched about every
    second and on :meth:`close`.
    """

    def __init__(
        self,
        path: str | Path,
        sample_rate: int,
        *,
        name: str | None = None,
        ptime_ms: int = 20,
    ) -> None:
        super().__init__(name or f"recorder:{Path(path).name}", sample_rate, ptime_ms)
        self.path = Path(path)
        self._writer = WavWriter(path, sample_rate)
        self._since_flush = 0

    @property
    def samples_written(self) -> int:
        return self._writer.samples_written

    @property
    def closed(self) -> bool:
        return self._writer.closed

    def put_frame(self, frame: Frame) -> None:
        if self._writer.closed:
            return
        self._writer.write(frame)
        self._since_flush += len(frame)
        if self._since_flush >= self.sample_rate:
            self._since_flush = 0
            self._writer.flush()

    def close(self) -> None:
        self._writer.close()


@runtime_checkable
class FrameGenerator(Protocol):
    """Anything that makes ``samples`` samples of audio on demand (tone generators)."""

    def next_frame(self, samples: int) -> Frame | None: ...


class TonePort(Port):
    """A source port around a tone generator.

    ``generator`` is an object with ``next_frame(samples)`` or a plain callable
    ``f(samples) -> frame | None``. Its rate is ``sample_rate`` or else the
    generator's own ``sample_rate`` attribute, else 8000 (tones are narrowband).
    ``playing`` switches the tone off without removing the port.
    """

    def __init__(
        self,
        generator: FrameGenerator | Callable[[int], Frame | None],
        sample_rate: int | None = None,
        *,
        name: str = "tone",
        ptime_ms: int = 20,
    ) -> None:
        rate = sample_rate or int(getattr(generator, "sample_rate", 0) or 8000)
        super().__init__(name, rate, ptime_ms)
        if isinstance(generator, FrameGenerator):
            self._make: Callable[[int], Frame | None] = generator.next_frame
        elif callable(generator):
            self._make = generator
        else:
            raise TypeError("TonePort needs an object with next_frame(samples) or a callable")
        self.generator = generator
        self.playing = True

    def get_frame(self) -> Frame | None:
        if not self.playing:
            return None
        frame = self._make(self.samples_per_frame)
        if frame is None:
            return None
        return np.asarray(frame, dtype=np.int16)


class DuplexPort(Port):
    """Joins a source port and a sink port into one (e.g. a file "microphone"
    and a recorder "speaker" for headless use). Both must share one rate."""

    def __init__(self, source: Port, sink: Port, *, name: str | None = None) -> None:
        if source.sample_rate != sink.sample_rate:
            raise ValueError(
                f"DuplexPort: {source.name} runs at {source.sample_rate} Hz but "
                f"{sink.name} at {sink.sample_rate} Hz"
            )
        super().__init__(name or f"{source.name}+{sink.name}", source.sample_rate, source.ptime_ms)
        self.source = source
        self.sink = sink

    def get_frame(self) -> Frame | None:
        self.source.ptime_ms = self.ptime_ms  # the bridge sets ours
        return self.source.get_frame()

    def put_frame(self, frame: Frame) -> None:
        self.sink.ptime_ms = self.ptime_ms
        self.sink.put_frame(frame)

    def close(self) -> None:
        self.source.close()
        self.sink.close()
