"""Codec description, the encoder/decoder interfaces and the frame type.

A *frame* is a 1-D ``numpy.ndarray`` of ``int16``, mono, at the codec's PCM
``sample_rate`` (which differs from the RTP ``clock_rate`` for G.722, RFC 3551 §4.5.2).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

Frame: TypeAlias = npt.NDArray[np.int16]


class CodecError(ValueError):
    """A payload could not be decoded, or a codec could not be set up."""


@dataclass(frozen=True)
class CodecInfo:
    """What SDP and the media path need to know about one codec.

    ``clock_rate`` is the RTP timestamp rate (SDP rtpmap), ``sample_rate`` the rate of
    the PCM frames the encoder takes and the decoder gives, ``channels`` the SDP
    encoding parameter (opus is always "/2" in SDP, RFC 7587 §7, yet we code mono).
    """

    name: str
    clock_rate: int
    sample_rate: int
    channels: int
    static_pt: int | None
    fmtp: str
    key: str

    @property
    def is_audio(self) -> bool:
        """False for telephone-event, which carries no PCM."""
        return self.name != "telephone-event"

    def samples_per_frame(self, ptime_ms: int = 20) -> int:
        """PCM samples in one frame of ``ptime_ms``."""
        return self.sample_rate * ptime_ms // 1000

    def rtp_ticks(self, ptime_ms: int = 20) -> int:
        """RTP timestamp increment for one packet of ``ptime_ms``."""
        return self.clock_rate * ptime_ms // 1000

    @property
    def rtpmap(self) -> str:
        """The SDP a=rtpmap value after the payload type, e.g. ``opus/48000/2``."""
        base = f"{self.name}/{self.clock_rate}"
        return f"{base}/{self.channels}" if self.channels != 1 else base


class Encoder(ABC):
    """Turns frames into RTP payloads; keeps state between calls."""

    info: CodecInfo

    @abstractmethod
    def encode(self, frame: Frame) -> bytes:
        """Encode one frame (10 or 20 ms at ``info.sample_rate``)."""

    def reset(self) -> None:  # noqa: B027 - stateless codecs need nothing
        """Forget history (e.g. after a codec change in a re-INVITE)."""


class Decoder(ABC):
    """Turns RTP payloads into frames; conceals lost packets."""

    info: CodecInfo

    @abstractmethod
    def decode(self, payload: bytes) -> Frame:
        """Decode one payload. Raises :class:`CodecError` for a payload it cannot decode."""

    @abstractmethod
    def conceal(self, samples: int) -> Frame:
        """Produce ``samples`` samples standing in for a lost packet (PLC)."""

    def decode_fec(self, payload: bytes, samples: int) -> Frame | None:
        """Recover the packet before ``payload`` from its in-band FEC; None if unsupported."""
        return None

    def reset(self) -> None:  # noqa: B027 - stateless codecs need nothing
        """Forget history."""


def as_frame(samples: npt.ArrayLike) -> Frame:
    """Coerce PCM to a contiguous 1-D int16 array (clipping floats/ints to range)."""
    arr = np.asarray(samples)
    if arr.dtype != np.int16:
        arr = np.clip(np.rint(arr) if arr.dtype.kind == "f" else arr, -32768, 32767)
        arr = arr.astype(np.int16)
    return np.ascontiguousarray(arr.reshape(-1))
