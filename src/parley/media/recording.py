"""Call recording: both sides of a conversation into one crash-safe WAV file.

A `CallRecorder` puts two sink ports into the bridge:

- **near** hears what we send: the microphone after its processing and gain (the
  device port), plus whatever else is wired to the call's uplink that we choose to
  record (in-band DTMF);
- **far** hears what we receive: the far end's decoded audio, or the sum of several
  far ends (a local conference: the caller wires every participant's slot).

The bridge gives each connected sink one frame per tick, so the two sides arrive in
step; they are paired and written as mono (summed, as the bridge mixes) or stereo
(near on the left, far on the right). A side that has lost its sources (the call's
slot was replaced after a codec change) is padded with silence.

Crash safety (`kill -9`, a power cut is another matter): the audio is handed to a
writer thread in chunks of about one second; after each chunk the writer patches the
RIFF and data sizes in the header and flushes the file to the operating system. The
header never claims more than has been written (data first, sizes after), so after a
crash the file plays and holds everything but the last chunk or two. No fsync: the
process dying does not lose what the OS already has, and fsync once a second would
make a slow disk stall the writer; the operating system's own write-back covers the
rest.

The audio clock never waits on the disk: `put_frame` only copies into memory, and the
chunks go to the writer thread. A failed write (a full disk, the folder removed, a
vanished network share) stops the recording: the writer calls `on_error` (on its own
thread) and the recorder drops all further audio.
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import struct
import threading
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np

from parley.media.bridge import AudioBridge
from parley.media.ports import Frame, Port

log = logging.getLogger(__name__)

__all__ = ["CHUNK_SECONDS", "RECORDING_RATE", "CallRecorder", "CrashSafeWav", "RecordingError"]

RECORDING_RATE = 16000  # wideband speech; the bridge resamples every side to it
CHUNK_SECONDS = 1.0  # audio handed to the writer (and made safe) about once a second
_MAX_LAG_FRAMES = 2  # frames one side may run ahead before the other counts as silent
_HEADER_BYTES = 44

Channels = Literal["mono", "stereo"]


class RecordingError(OSError):
    """A recording cannot be written; the message names the file and the reason."""


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


class CrashSafeWav:
    """A 16-bit PCM WAV file whose header is true after every `append`.

    `exclusive` (the default) never overwrites a file: `FileExistsError` when `path`
    exists. Not thread-safe: one writer thread owns it after it is made.
    """

    def __init__(
        self, path: Path, sample_rate: int, channels: int, *, exclusive: bool = True
    ) -> None:
        self.path = path
        self.sample_rate = sample_rate
        self.channels = channels
        self.data_bytes = 0
        try:
            self._file: BinaryIO | None = open(path, "xb" if exclusive else "wb")
        except FileExistsError:
            raise
        except OSError as exc:
            raise RecordingError(f"cannot create {path}: {_reason(exc)}") from exc
        try:
            self._file.write(self._header())
            self._file.flush()
        except OSError as exc:
            self.close()
            raise RecordingError(f"cannot write {path}: {_reason(exc)}") from exc

    def _header(self) -> bytes:
        rate, ch = self.sample_rate, self.channels
        return (
            b"RIFF"
            + struct.pack("<I", 36 + self.data_bytes)
            + b"WAVEfmt "
            + struct.pack("<IHHIIHH", 16, 1, ch, rate, rate * 2 * ch, 2 * ch, 16)
            + b"data"
            + struct.pack("<I", self.data_bytes)
        )

    def append(self, data: bytes) -> None:
        """Write `data` at the end, then the sizes into the header, then flush."""
        f = self._file
        if f is None:
            raise RecordingError(f"{self.path}: the recording is closed")
        try:
            f.seek(0, os.SEEK_END)
            f.write(data)
            self.data_bytes += len(data)
            f.seek(4)
            f.write(struct.pack("<I", 36 + self.data_bytes))
            f.seek(40)
            f.write(struct.pack("<I", self.data_bytes))
            f.flush()
        except OSError as exc:
            raise RecordingError(f"cannot write {self.path}: {_reason(exc)}") from exc
        # On Linux a file whose folder was removed can still be written to; the audio
        # would be lost all the same, so say so now rather than at the end of the call.
        if not os.path.exists(self.path):
            raise RecordingError(f"cannot write {self.path}: its folder is gone")

    def close(self) -> None:
        """Close the file; a failed write of buffered bytes is not raised again (the
        header already counts only what was written)."""
        f, self._file = self._file, None
        if f is not None:
            try:
                f.close()
            except OSError as exc:
                log.info("closing %s: %s", self.path, exc)


class _Side(Port):
    """One of the recorder's two sink ports."""

    def __init__(self, recorder: CallRecorder, index: int, name: str, rate: int) -> None:
        super().__init__(name, rate)
        self._recorder = recorder
        self._index = index

    def put_frame(self, frame: Frame) -> None:
        self._recorder.take(self._index, frame)


class CallRecorder:
    """Records what we send (near) and what we receive (far) into `path`.

    The file is created at once (`FileExistsError` when it exists, `RecordingError`
    when it cannot be made). `set_near` and `set_far` choose the bridge slots each side
    hears; call them again whenever those slots change. `close` returns a future that
    is done when the last audio is in the file. `on_error(error)` is called once, on
    the writer thread, when writing fails; the recording has stopped by then.
    """

    def __init__(
        self,
        bridge: AudioBridge,
        path: Path,
        *,
        channels: Channels = "mono",
        sample_rate: int = RECORDING_RATE,
        chunk_seconds: float = CHUNK_SECONDS,
        on_error: Callable[[RecordingError], None] | None = None,
        exclusive: bool = True,
    ) -> None:
        self.path = path
        self.bridge = bridge
        self.channels: Channels = channels
        self.sample_rate = sample_rate
        self._wav = CrashSafeWav(
            path, sample_rate, 2 if channels == "stereo" else 1, exclusive=exclusive
        )
        self._on_error = on_error
        self._chunk_frames = max(1, round(chunk_seconds * 1000 / bridge.ptime_ms))
        self._pending: tuple[deque[Frame], deque[Frame]] = (deque(), deque())
        self._chunk: list[bytes] = []
        self._chunk_count = 0
        self.frames_written = 0  # paired frames handed to the writer
        self._error: RecordingError | None = None
        self._error_lock = threading.Lock()
        self._closed = False
        self._last_write: concurrent.futures.Future[None] | None = None
        self._writer = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="recorder")
        self.near = _Side(self, 0, f"recorder near:{path.name}", sample_rate)
        self.far = _Side(self, 1, f"recorder far:{path.name}", sample_rate)
        self.near_slot = bridge.add_port(self.near)
        self.far_slot = bridge.add_port(self.far)
        self._silence = np.zeros(self.near.samples_per_frame, dtype=np.int16)

    # ------------------------------------------------------------------ wiring

    def set_near(self, slots: Iterable[int], level: float = 1.0) -> None:
        """What we send: these slots at `level` (0: muted or held, the far end hears
        nothing from us, and neither does the recording)."""
        self._wire(self.near_slot, slots, level)

    def set_far(self, slots: Iterable[int]) -> None:
        """What we receive: the sum of these slots (one call, or a conference's calls)."""
        self._wire(self.far_slot, slots, 1.0)

    def _wire(self, sink: int, slots: Iterable[int], level: float) -> None:
        if self._closed:
            return
        b = self.bridge
        wanted = {s for s in slots if s in b.slots}
        for src, dst, _lvl in b.connections():
            if dst == sink and src not in wanted:
                b.disconnect(src, sink)
        for src in wanted:
            b.connect(src, sink, level)

    # ------------------------------------------------------------------ audio (engine loop)

    @property
    def error(self) -> RecordingError | None:
        with self._error_lock:
            return self._error

    @property
    def seconds(self) -> float:
        """Seconds of audio handed to the file so far."""
        return self.frames_written * self.bridge.ptime_ms / 1000

    def take(self, side: int, frame: Frame) -> None:
        """A frame for one side (called by the bridge through the side's port)."""
        if self._closed or self.error is not None:
            return
        mine, other = self._pending[side], self._pending[1 - side]
        mine.append(frame.copy())  # frames are shared between sinks: keep our own
        while mine and other:
            near, far = (mine, other) if side == 0 else (other, mine)
            self._pair(near.popleft(), far.popleft())
        if len(mine) > _MAX_LAG_FRAMES:  # the other side hears nothing any more
            self._flush_side(side)

    def _flush_side(self, side: int) -> None:
        pending = self._pending[side]
        while pending:
            frame = pending.popleft()
            if side == 0:
                self._pair(frame, self._silence)
            else:
                self._pair(self._silence, frame)

    def _pair(self, near: Frame, far: Frame) -> None:
        n = min(len(near), len(far))
        if self.channels == "stereo":
            data = np.empty(2 * n, dtype="<i2")
            data[0::2] = near[:n]
            data[1::2] = far[:n]
        else:
            mixed = near[:n].astype(np.int32) + far[:n]
            data = np.clip(mixed, -32768, 32767).astype("<i2")
        self._chunk.append(data.tobytes())
        self._chunk_count += 1
        self.frames_written += 1
        if self._chunk_count >= self._chunk_frames:
            self._hand_over()

    def _hand_over(self) -> None:
        if not self._chunk:
            return
        data = b"".join(self._chunk)
        self._chunk, self._chunk_count = [], 0
        self._last_write = self._writer.submit(self._write, data)

    # ------------------------------------------------------------------ the writer thread

    def _write(self, data: bytes) -> None:
        if self.error is not None:
            return
        try:
            self._wav.append(data)
        except RecordingError as exc:
            self._failed(exc)

    def _failed(self, exc: RecordingError) -> None:
        with self._error_lock:
            if self._error is not None:
                return
            self._error = exc
        log.warning("recording stopped: %s", exc)
        try:
            self._wav.close()
        except OSError:
            pass
        if self._on_error is not None:
            try:
                self._on_error(exc)
            except Exception:
                log.exception("recording error handler failed")

    def _finish(self) -> None:
        try:
            self._wav.close()
        except OSError as exc:
            self._failed(RecordingError(f"cannot close {self.path}: {_reason(exc)}"))

    # ------------------------------------------------------------------ the end

    def close(self) -> concurrent.futures.Future[None]:
        """Stop: take the ports out of the bridge, write what is left and close the
        file (on the writer thread). The future is done when the file is complete."""
        if not self._closed:
            for side in (0, 1):
                self._flush_side(side)
            self._hand_over()
            self._closed = True
            for slot in (self.near_slot, self.far_slot):
                if slot in self.bridge.slots:
                    self.bridge.remove_port(slot)
            self._last_write = self._writer.submit(self._finish)
            self._writer.shutdown(wait=False)
        assert self._last_write is not None
        return self._last_write
