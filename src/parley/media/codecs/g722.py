"""G.722 at 64 kbit/s through the ``g722`` wheel (import name ``G722``).

PCM is 16 kHz; the RTP clock is nevertheless 8000 Hz (RFC 3551 §4.5.2), so a 20 ms
packet holds 320 samples, 160 bytes and advances the timestamp by 160.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from parley.media.codecs.base import CodecError, CodecInfo, Decoder, Encoder, Frame, as_frame
from parley.media.codecs.plc import WaveformPlc

try:
    import G722 as _g722_module
except ImportError:  # pragma: no cover - declared dependency
    _g722_module = None

SAMPLE_RATE = 16000
BIT_RATE = 64000


def _new_state() -> Any:
    """One G722 object keeps both encoder and decoder state: use one per direction."""
    if _g722_module is None:
        raise CodecError("G.722 needs the 'g722' package (pip install g722)")
    return _g722_module.G722(SAMPLE_RATE, BIT_RATE)


class G722Encoder(Encoder):
    def __init__(self, info: CodecInfo) -> None:
        self.info = info
        self._state = _new_state()

    def encode(self, frame: Frame) -> bytes:
        # The extension reads the int16 buffer; plain bytes would be taken as 8-bit samples.
        return bytes(self._state.encode(as_frame(frame)))

    def reset(self) -> None:
        self._state = _new_state()


class G722Decoder(Decoder):
    """Decoder with waveform-substitution PLC; the ADPCM state re-converges by itself."""

    def __init__(self, info: CodecInfo) -> None:
        self.info = info
        self._state = _new_state()
        self._plc = WaveformPlc(SAMPLE_RATE)

    def decode(self, payload: bytes) -> Frame:
        pcm = np.frombuffer(self._state.decode(bytes(payload)), dtype=np.int16)
        return self._plc.good(pcm)

    def conceal(self, samples: int) -> Frame:
        return self._plc.conceal(samples)

    def reset(self) -> None:
        self._state = _new_state()
        self._plc.reset()
