"""G.711 µ-law (PCMU) and A-law (PCMA), RFC 3551 §4.5.14.

Two back-ends: the C ``audioop`` module (Python <= 3.12) and numpy lookup tables built
from the G.711 segment rules as the ITU-T reference software (G.191 STL) applies them.
The choice is made at import time; ``BACKEND`` says which one is in use.

The µ-law encoder is always the numpy table: audioop implements the classic Sun code,
which takes the magnitude of a negative sample by two's complement where the ITU
reference takes the one's complement. The two differ for 508 of the 65,536 inputs,
among them -1..-4, which Sun codes as -8 instead of (negative) zero: the faint noise
of a quiet line or a dithered pause becomes a -8/0 rattle (for a talker peaking at
-20 dBFS: -0.04 PESQ offline, -0.13 in a call to baresip). A-law encoding and both
decoders are identical in both back-ends.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from types import ModuleType

import numpy as np
import numpy.typing as npt

from parley.media.codecs.base import CodecInfo, Decoder, Encoder, Frame, as_frame
from parley.media.codecs.plc import WaveformPlc

_U8 = npt.NDArray[np.uint8]

# -- numpy tables ----------------------------------------------------------------


def _build_ulaw_encode() -> _U8:
    """µ-law byte for every int16 (index = sample + 32768)."""
    pcm = np.arange(-32768, 32768, dtype=np.int32) >> 2  # 14-bit magnitude domain
    mask = np.where(pcm < 0, 0x7F, 0xFF)
    magnitude = np.where(pcm < 0, ~pcm, pcm)  # one's complement, as G.191 (see above)
    mag = np.minimum(magnitude, 8159) + 33  # clip, add bias (0x84 >> 2)
    seg = np.searchsorted(np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF]), mag)
    uval = (seg << 4) | ((mag >> (seg + 1)) & 0x0F)
    uval = np.where(seg >= 8, 0x7F, uval)
    return ((uval ^ mask) & 0xFF).astype(np.uint8)


def _build_alaw_encode() -> _U8:
    """A-law byte for every int16 (index = sample + 32768)."""
    pcm = np.arange(-32768, 32768, dtype=np.int32) >> 3  # 13-bit domain
    mask = np.where(pcm >= 0, 0xD5, 0x55)
    mag = np.where(pcm >= 0, pcm, -pcm - 1)
    seg = np.searchsorted(np.array([0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF]), mag)
    shift = np.where(seg < 2, 1, seg)
    aval = (seg << 4) | ((mag >> shift) & 0x0F)
    aval = np.where(seg >= 8, 0x7F, aval)
    return ((aval ^ mask) & 0xFF).astype(np.uint8)


def _build_ulaw_decode() -> Frame:
    u = (~np.arange(256, dtype=np.int32)) & 0xFF
    t = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4)
    return np.where(u & 0x80, 0x84 - t, t - 0x84).astype(np.int16)


def _build_alaw_decode() -> Frame:
    a = np.arange(256, dtype=np.int32) ^ 0x55
    seg = (a & 0x70) >> 4
    t = (a & 0x0F) << 4
    t = np.where(seg == 0, t + 8, t + 0x108)
    t = np.where(seg > 1, t << np.maximum(seg - 1, 0), t)
    return np.where(a & 0x80, t, -t).astype(np.int16)


ULAW_ENCODE = _build_ulaw_encode()
ALAW_ENCODE = _build_alaw_encode()
ULAW_DECODE = _build_ulaw_decode()
ALAW_DECODE = _build_alaw_decode()


def numpy_lin2ulaw(frame: Frame) -> bytes:
    return ULAW_ENCODE[frame.astype(np.int32) + 32768].tobytes()


def numpy_ulaw2lin(payload: bytes) -> Frame:
    return ULAW_DECODE[np.frombuffer(payload, dtype=np.uint8)]


def numpy_lin2alaw(frame: Frame) -> bytes:
    return ALAW_ENCODE[frame.astype(np.int32) + 32768].tobytes()


def numpy_alaw2lin(payload: bytes) -> Frame:
    return ALAW_DECODE[np.frombuffer(payload, dtype=np.uint8)]


# -- audioop ----------------------------------------------------------------------


def _load_audioop() -> ModuleType | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # PEP 594
            import audioop
    except ImportError:  # Python >= 3.13
        return None
    return audioop


_audioop = _load_audioop()


def _native_order(frame: Frame) -> bytes:
    return frame.astype("=i2", copy=False).tobytes()


if _audioop is not None:
    _ao = _audioop

    def audioop_lin2ulaw(frame: Frame) -> bytes:
        return bytes(_ao.lin2ulaw(_native_order(frame), 2))

    def audioop_ulaw2lin(payload: bytes) -> Frame:
        return np.frombuffer(_ao.ulaw2lin(payload, 2), dtype=np.int16)

    def audioop_lin2alaw(frame: Frame) -> bytes:
        return bytes(_ao.lin2alaw(_native_order(frame), 2))

    def audioop_alaw2lin(payload: bytes) -> Frame:
        return np.frombuffer(_ao.alaw2lin(payload, 2), dtype=np.int16)

    BACKEND = "audioop"
    lin2ulaw: Callable[[Frame], bytes] = numpy_lin2ulaw  # the ITU reference (see above)
    ulaw2lin: Callable[[bytes], Frame] = audioop_ulaw2lin
    lin2alaw: Callable[[Frame], bytes] = audioop_lin2alaw
    alaw2lin: Callable[[bytes], Frame] = audioop_alaw2lin
else:
    BACKEND = "numpy"
    lin2ulaw = numpy_lin2ulaw
    ulaw2lin = numpy_ulaw2lin
    lin2alaw = numpy_lin2alaw
    alaw2lin = numpy_alaw2lin


class G711Encoder(Encoder):
    def __init__(self, info: CodecInfo) -> None:
        self.info = info
        self._encode = lin2ulaw if info.name == "PCMU" else lin2alaw

    def encode(self, frame: Frame) -> bytes:
        return self._encode(as_frame(frame))


class G711Decoder(Decoder):
    """Decoder with waveform-substitution PLC (G.711 Appendix I style)."""

    def __init__(self, info: CodecInfo) -> None:
        self.info = info
        self._decode = ulaw2lin if info.name == "PCMU" else alaw2lin
        self._plc = WaveformPlc(info.sample_rate)

    def decode(self, payload: bytes) -> Frame:
        return self._plc.good(self._decode(bytes(payload)))

    def conceal(self, samples: int) -> Frame:
        return self._plc.conceal(samples)

    def reset(self) -> None:
        self._plc.reset()
