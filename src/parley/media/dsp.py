"""Microphone processing: echo cancellation, automatic gain, noise suppression.

Wraps livekit's ``rtc.AudioProcessingModule`` (WebRTC's APM with AEC3). The
APM works on 10 ms frames; bridge frames (10 or 20 ms) are split. The echo
canceller must see what the speaker plays (the "reverse" or far-end stream)
as well as the microphone; :class:`ProcessedPort` wires both around a device
port, so the far-end signal is exactly what the bridge sends to the speaker.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from parley.media.ports import Frame, Port

log = logging.getLogger(__name__)

APM_RATES = (8000, 16000, 32000, 48000)


class MicProcessor:
    """Echo cancellation (``aec``), automatic gain control (``agc``) and noise
    suppression (``ns``) on microphone frames, each switchable.

    ``delay_ms`` is the time from a far-end frame given to :meth:`process_render`
    until its echo reaches :meth:`process_capture` (device output plus input
    latency); AEC3 tolerates a rough figure. With everything off the frames pass
    untouched and no APM is created.
    """

    def __init__(
        self,
        aec: bool = True,
        agc: bool = True,
        ns: bool = True,
        *,
        high_pass: bool = True,
        sample_rate: int = 48000,
        delay_ms: int = 40,
    ) -> None:
        if sample_rate not in APM_RATES:
            raise ValueError(f"the audio processor runs at {APM_RATES} Hz, not {sample_rate}")
        self.sample_rate = sample_rate
        self.chunk = sample_rate // 100  # 10 ms
        self.delay_ms = delay_ms
        self.aec = aec
        self.agc = agc
        self.ns = ns
        self.high_pass = high_pass
        self._apm: Any = None
        self._near: Any = None
        self._far: Any = None
        self._near_view: Frame = np.zeros(0, dtype=np.int16)
        self._far_view: Frame = np.zeros(0, dtype=np.int16)
        self.configure(aec=aec, agc=agc, ns=ns, high_pass=high_pass)

    @property
    def active(self) -> bool:
        return self._apm is not None

    def configure(
        self,
        *,
        aec: bool | None = None,
        agc: bool | None = None,
        ns: bool | None = None,
        high_pass: bool | None = None,
    ) -> None:
        """Switch features; a change builds a fresh APM (its adaptation restarts)."""
        self.aec = self.aec if aec is None else aec
        self.agc = self.agc if agc is None else agc
        self.ns = self.ns if ns is None else ns
        self.high_pass = self.high_pass if high_pass is None else high_pass
        if not (self.aec or self.agc or self.ns):
            self._apm = None  # high-pass alone is not worth the APM
            return
        from livekit import rtc  # heavy import (starts livekit's FFI), only when needed

        self._apm = rtc.AudioProcessingModule(
            echo_cancellation=self.aec,
            noise_suppression=self.ns,
            high_pass_filter=self.high_pass,
            auto_gain_control=self.agc,
        )
        # One reusable 10 ms buffer each way: the APM works in place on it.
        near_buf = bytearray(self.chunk * 2)
        far_buf = bytearray(self.chunk * 2)
        self._near = rtc.AudioFrame(near_buf, self.sample_rate, 1, self.chunk)
        self._far = rtc.AudioFrame(far_buf, self.sample_rate, 1, self.chunk)
        self._near_view = np.frombuffer(near_buf, dtype=np.int16)
        self._far_view = np.frombuffer(far_buf, dtype=np.int16)

    def process_render(self, frame: Frame) -> None:
        """Tell the echo canceller what the speaker is about to play."""
        if self._apm is None or not self.aec:
            return
        c = self.chunk
        for i in range(0, len(frame) - c + 1, c):
            self._far_view[:] = frame[i : i + c]
            self._apm.process_reverse_stream(self._far)

    def process_capture(self, frame: Frame) -> Frame:
        """Process a microphone frame (a whole number of 10 ms); returns a new frame."""
        if self._apm is None:
            return frame
        c = self.chunk
        if len(frame) % c:
            raise ValueError(f"microphone frames must be multiples of 10 ms ({c} samples)")
        out: Frame = np.empty(len(frame), dtype=np.int16)
        for i in range(0, len(frame), c):
            self._near_view[:] = frame[i : i + c]
            if self.aec:
                # WebRTC wants the delay before every near-end frame.
                self._apm.set_stream_delay_ms(self.delay_ms)
            self._apm.process_stream(self._near)
            out[i : i + c] = self._near_view
        return out


class ProcessedPort(Port):
    """A device port with a :class:`MicProcessor` on its microphone path.

    What the bridge sends to the speaker is also fed to the echo canceller as
    the far-end signal, then played. When the inner port's rate is one the APM
    cannot use, the processor is bypassed (and a warning logged once).
    """

    def __init__(self, inner: Port, processor: MicProcessor, *, name: str | None = None) -> None:
        super().__init__(name or inner.name, inner.sample_rate, inner.ptime_ms)
        self.inner = inner
        self.processor = processor
        if processor.sample_rate != inner.sample_rate:
            log.warning(
                "%s runs at %d Hz, the audio processor at %d Hz: processing is off",
                inner.name,
                inner.sample_rate,
                processor.sample_rate,
            )

    def _usable(self) -> bool:
        return self.processor.sample_rate == self.inner.sample_rate

    def get_frame(self) -> Frame | None:
        self.inner.ptime_ms = self.ptime_ms  # the bridge sets ours
        self.sample_rate = self.inner.sample_rate
        frame = self.inner.get_frame()
        if frame is None or not self._usable():
            return frame
        return self.processor.process_capture(frame)

    def put_frame(self, frame: Frame) -> None:
        if self._usable():
            self.processor.process_render(frame)
        self.inner.put_frame(frame)

    def close(self) -> None:
        self.inner.close()
