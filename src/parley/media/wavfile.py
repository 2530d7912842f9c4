"""WAV file helpers: read any PCM/float WAV as mono int16, write int16 WAV.

Python's ``wave`` module (3.11) reads neither IEEE-float nor WAVE_FORMAT_EXTENSIBLE
files, which ordinary editors write, so the RIFF chunks are walked here.
Every error is a :class:`WavError` whose text names the file.
"""

from __future__ import annotations

import struct
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

import numpy as np
import numpy.typing as npt
import soxr

Frame = npt.NDArray[np.int16]

_PCM = 0x0001
_FLOAT = 0x0003
_EXTENSIBLE = 0xFFFE


class WavError(ValueError):
    """A WAV file cannot be read or written; the message names the file."""


def _fail(path: Path, what: str) -> WavError:
    return WavError(f"{path}: {what}")


def _parse_fmt(path: Path, body: bytes) -> tuple[int, int, int, int]:
    """Return (format tag, channels, sample rate, bits per sample) of a fmt chunk."""
    if len(body) < 16:
        raise _fail(path, "the 'fmt ' chunk is too short")
    tag, channels, rate, _byte_rate, _align, bits = struct.unpack_from("<HHIIHH", body)
    if tag == _EXTENSIBLE:
        if len(body) < 40:
            raise _fail(path, "WAVE_FORMAT_EXTENSIBLE without its sub-format")
        # The sub-format GUID starts with the ordinary format tag.
        (tag,) = struct.unpack_from("<H", body, 24)
    return tag, channels, rate, bits


def _to_mono_int16(path: Path, raw: bytes, tag: int, channels: int, bits: int) -> Frame:
    width = bits // 8
    if tag == _PCM and bits in (8, 16, 24, 32):
        usable = len(raw) - len(raw) % (width * channels)
        data = np.frombuffer(raw, dtype=np.uint8, count=usable)
        if bits == 8:  # 8-bit WAV is unsigned
            samples = (data.astype(np.int32) - 128) << 8
        elif bits == 16:
            samples = data.view("<i2").astype(np.int32)
        elif bits == 24:
            triplets = data.reshape(-1, 3).astype(np.int32)
            value = triplets[:, 0] | (triplets[:, 1] << 8) | (triplets[:, 2] << 16)
            samples = ((value << 8) >> 8) >> 8  # sign-extend, keep the top 16 bits
        else:
            samples = data.view("<i4") >> 16
        scaled = samples.astype(np.float64)
    elif tag == _FLOAT and bits in (32, 64):
        usable = len(raw) - len(raw) % (width * channels)
        floats = np.frombuffer(raw, dtype="<f4" if bits == 32 else "<f8", count=usable // width)
        scaled = floats.astype(np.float64) * 32768.0
    else:
        raise _fail(path, f"unsupported WAV encoding (format tag {tag:#06x}, {bits} bits)")
    if channels > 1:
        scaled = scaled.reshape(-1, channels).mean(axis=1)
    result: Frame = np.clip(np.rint(scaled), -32768, 32767).astype(np.int16)
    return result


def read_wav(path: str | Path, rate: int | None = None) -> tuple[Frame, int]:
    """Read a WAV file as mono int16 samples and return ``(samples, sample_rate)``.

    Channels are averaged. With ``rate`` the audio is resampled (soxr, high
    quality, one shot) and ``rate`` is returned.
    """
    p = Path(path)
    try:
        blob = p.read_bytes()
    except OSError as exc:
        raise _fail(p, f"cannot read the file ({exc.strerror or exc})") from exc
    if len(blob) < 12 or blob[:4] not in (b"RIFF", b"RF64") or blob[8:12] != b"WAVE":
        raise _fail(p, "not a WAV file (no RIFF/WAVE header)")
    fmt: tuple[int, int, int, int] | None = None
    raw: bytes | None = None
    pos = 12
    while pos + 8 <= len(blob):
        cid = blob[pos : pos + 4]
        (size,) = struct.unpack_from("<I", blob, pos + 4)
        body = blob[pos + 8 : pos + 8 + size]
        if cid == b"fmt ":
            fmt = _parse_fmt(p, body)
        elif cid == b"data":
            raw = body  # a truncated data chunk (recording cut off) still plays
            if fmt is not None:
                break
        pos += 8 + size + (size & 1)  # chunks are word aligned
    if fmt is None:
        raise _fail(p, "no 'fmt ' chunk")
    if raw is None:
        raise _fail(p, "no 'data' chunk")
    tag, channels, file_rate, bits = fmt
    if channels < 1 or file_rate < 1:
        raise _fail(p, f"invalid format ({channels} channels at {file_rate} Hz)")
    samples = _to_mono_int16(p, raw, tag, channels, bits)
    if rate is not None and rate != file_rate:
        return resample(samples, file_rate, rate), rate
    return samples, file_rate


def resample(samples: Frame, from_rate: int, to_rate: int) -> Frame:
    """Resample a whole signal at once (soxr HQ); not for streaming use."""
    if from_rate == to_rate or len(samples) == 0:
        return samples
    out: Frame = soxr.resample(samples, from_rate, to_rate, quality="HQ")
    return out


def write_wav(path: str | Path, samples: Frame, sample_rate: int) -> None:
    """Write mono int16 samples as a 16-bit PCM WAV file."""
    with WavWriter(path, sample_rate) as writer:
        writer.write(samples)


class WavWriter:
    """Streaming writer of a mono 16-bit PCM WAV file.

    The sizes in the header are patched on :meth:`flush` and :meth:`close`, so a
    file whose writer was never closed still has all flushed audio readable.
    """

    def __init__(self, path: str | Path, sample_rate: int) -> None:
        self.path = Path(path)
        self.sample_rate = sample_rate
        self.samples_written = 0
        try:
            self._file: BinaryIO | None = open(self.path, "wb")
        except OSError as exc:
            raise _fail(self.path, f"cannot create the file ({exc.strerror or exc})") from exc
        self._file.write(self._header(0))

    def _header(self, data_bytes: int) -> bytes:
        rate = self.sample_rate
        return (
            b"RIFF"
            + struct.pack("<I", 36 + data_bytes)
            + b"WAVEfmt "
            + struct.pack("<IHHIIHH", 16, _PCM, 1, rate, rate * 2, 2, 16)
            + b"data"
            + struct.pack("<I", data_bytes)
        )

    def write(self, samples: Frame) -> None:
        if self._file is None:
            raise _fail(self.path, "the recorder is closed")
        data = np.asarray(samples, dtype="<i2")
        try:
            self._file.write(data.tobytes())
        except OSError as exc:
            raise _fail(self.path, f"cannot write ({exc.strerror or exc})") from exc
        self.samples_written += len(data)

    def flush(self) -> None:
        """Patch the header sizes and flush to the OS."""
        f = self._file
        if f is None:
            return
        try:
            end = f.tell()
            f.seek(0)
            f.write(self._header(self.samples_written * 2))
            f.seek(end)
            f.flush()
        except OSError as exc:
            raise _fail(self.path, f"cannot write ({exc.strerror or exc})") from exc

    def close(self) -> None:
        if self._file is None:
            return
        try:
            self.flush()
        finally:
            self._file.close()
            self._file = None

    @property
    def closed(self) -> bool:
        return self._file is None

    def __enter__(self) -> WavWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
