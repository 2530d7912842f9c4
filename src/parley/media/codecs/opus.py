"""Opus (RFC 6716, RTP mapping RFC 7587) through a small ctypes binding to libopus.

PyAV's libopus wrapper cannot ask the decoder for in-band FEC (``decode_fec``) nor for
its packet-loss concealment, so we call libopus directly. The library is the copy bundled
inside PyAV's wheel (``av.libs``/``av/.dylibs``), else the system one (Debian
``libopus0``). We code mono at 48 kHz; SDP still says ``opus/48000/2`` (RFC 7587 §7).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib.util
import sys
from pathlib import Path

import numpy as np

from parley.media.codecs.base import CodecError, CodecInfo, Decoder, Encoder, Frame, as_frame

SAMPLE_RATE = 48000
MAX_PACKET = 1500
MAX_FRAME_SAMPLES = SAMPLE_RATE * 120 // 1000  # longest Opus packet: 120 ms

# opus_defines.h
_APPLICATION_VOIP = 2048
_SET_BITRATE = 4002
_SET_MAX_BANDWIDTH = 4004
_SET_VBR = 4006
_SET_COMPLEXITY = 4010
_SET_INBAND_FEC = 4012
_SET_PACKET_LOSS_PERC = 4014
_SET_DTX = 4016
_SET_SIGNAL = 4024
_RESET_STATE = 4028
_SIGNAL_VOICE = 3001
_BANDWIDTHS = ((8000, 1101), (12000, 1102), (16000, 1103), (24000, 1104), (48000, 1105))

DEFAULT_BITRATE = 32000
# 9 costs ~15 % more CPU than 5 (about 0.2 ms per 20 ms frame) but gives WB-PESQ 3.77
# instead of 3.30 on speech at 32 kbit/s; 8-10 measured the same quality.
DEFAULT_COMPLEXITY = 9
FEC_BITRATE = 48000  # bit/s while loss is reported and FEC is on
DEFAULT_LOSS_PERC = 10  # makes the encoder actually spend bits on FEC


def _candidates() -> list[str]:
    found: list[str] = []
    spec = importlib.util.find_spec("av")
    if spec is not None and spec.origin is not None:
        pkg = Path(spec.origin).parent
        for folder in (pkg.parent / "av.libs", pkg / ".dylibs"):
            if folder.is_dir():
                found += sorted(str(p) for p in folder.glob("*opus*"))
    system = ctypes.util.find_library("opus")
    if system:
        found.append(system)
    if sys.platform.startswith("linux"):
        found.append("libopus.so.0")
    return found


def _load() -> ctypes.CDLL | None:
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
            lib.opus_decoder_create  # noqa: B018 - probe the symbol
        except (OSError, AttributeError):
            continue
        return lib
    return None


_lib = _load()
_HAS_LBRR = False

if _lib is not None:
    _lib.opus_encoder_create.restype = ctypes.c_void_p
    _lib.opus_encoder_create.argtypes = [
        ctypes.c_int32,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_int),
    ]
    _lib.opus_encoder_destroy.argtypes = [ctypes.c_void_p]
    _lib.opus_encoder_destroy.restype = None
    _lib.opus_encode.restype = ctypes.c_int32
    _lib.opus_encode.argtypes = [
        ctypes.c_void_p,
        ctypes.c_void_p,
        ctypes.c_int,
        ctypes.c_void_p,
        ctypes.c_int32,
    ]
    # opus_*_ctl are variadic; leaving argtypes unset passes C ints, which is what they read.
    _lib.opus_encoder_ctl.restype = ctypes.c_int
    _lib.opus_decoder_ctl.restype = ctypes.c_int
    _lib.opus_decoder_create.restype = ctypes.c_void_p
    _lib.opus_decoder_create.argtypes = [
        ctypes.c_int32,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_int),
    ]
    _lib.opus_decoder_destroy.argtypes = [ctypes.c_void_p]
    _lib.opus_decoder_destroy.restype = None
    _lib.opus_decode.restype = ctypes.c_int
    _lib.opus_decode.argtypes = [
        ctypes.c_void_p,
        ctypes.c_void_p,
        ctypes.c_int32,
        ctypes.c_void_p,
        ctypes.c_int,
        ctypes.c_int,
    ]
    _lib.opus_strerror.restype = ctypes.c_char_p
    _lib.opus_strerror.argtypes = [ctypes.c_int]
    _lib.opus_get_version_string.restype = ctypes.c_char_p
    if hasattr(_lib, "opus_packet_has_lbrr"):  # libopus >= 1.5
        _lib.opus_packet_has_lbrr.restype = ctypes.c_int
        _lib.opus_packet_has_lbrr.argtypes = [ctypes.c_char_p, ctypes.c_int32]
        _HAS_LBRR = True


def available() -> bool:
    """True when libopus could be loaded."""
    return _lib is not None


def version() -> str:
    """libopus version string, e.g. ``libopus 1.5.2``; empty when unavailable."""
    return _lib.opus_get_version_string().decode() if _lib is not None else ""


def _need_lib() -> ctypes.CDLL:
    if _lib is None:
        raise CodecError("Opus needs libopus: install PyAV (pip install av) or Debian's libopus0")
    return _lib


def _error(code: int) -> str:
    lib = _need_lib()
    msg = lib.opus_strerror(code)
    return msg.decode() if msg else f"error {code}"


def _int_param(params: dict[str, object], name: str, default: int) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        return int(str(value))
    except ValueError:
        return default


class OpusEncoder(Encoder):
    """Mono 48 kHz VoIP encoder; honours the far end's fmtp (RFC 7587 §6.1).

    Keyword parameters: the remote fmtp's ``maxaveragebitrate``, ``maxplaybackrate``,
    ``cbr``, ``useinbandfec`` (``0`` turns FEC off) plus our own ``bitrate``,
    ``complexity`` and ``packet_loss_perc``. DTX is always off: we want a packet every
    ptime so the far end's jitter buffer and RTCP see a steady stream.
    """

    def __init__(self, info: CodecInfo, **params: object) -> None:
        lib = _need_lib()
        self.info = info
        err = ctypes.c_int(0)
        handle = lib.opus_encoder_create(SAMPLE_RATE, 1, _APPLICATION_VOIP, ctypes.byref(err))
        if not handle or err.value != 0:
            raise CodecError(f"cannot create Opus encoder: {_error(err.value)}")
        self._handle: int | None = handle
        bitrate = _int_param(params, "bitrate", DEFAULT_BITRATE)
        cap = _int_param(params, "maxaveragebitrate", 0)
        if cap > 0:
            bitrate = min(bitrate, cap)
        self.bitrate = max(6000, min(510000, bitrate))
        self._base_bitrate = self.bitrate
        self._cap = cap if cap > 0 else 510000
        playback = _int_param(params, "maxplaybackrate", SAMPLE_RATE)
        bandwidth = next((bw for hz, bw in _BANDWIDTHS if playback <= hz), 1105)
        self.fec = _int_param(params, "useinbandfec", 1) != 0
        self._ctl(_SET_BITRATE, self.bitrate)
        self._ctl(_SET_MAX_BANDWIDTH, bandwidth)
        self._ctl(_SET_VBR, 0 if _int_param(params, "cbr", 0) == 1 else 1)
        self._ctl(_SET_COMPLEXITY, _int_param(params, "complexity", DEFAULT_COMPLEXITY))
        self._ctl(_SET_INBAND_FEC, 1 if self.fec else 0)
        self._ctl(
            _SET_PACKET_LOSS_PERC,
            _int_param(params, "packet_loss_perc", DEFAULT_LOSS_PERC if self.fec else 0),
        )
        self._ctl(_SET_DTX, 0)
        self._ctl(_SET_SIGNAL, _SIGNAL_VOICE)
        self._out = ctypes.create_string_buffer(MAX_PACKET)

    def _ctl(self, request: int, value: int) -> None:
        rc = _need_lib().opus_encoder_ctl(
            ctypes.c_void_p(self._handle), ctypes.c_int(request), ctypes.c_int32(value)
        )
        if rc != 0:
            raise CodecError(f"Opus encoder setting {request}={value} refused: {_error(rc)}")

    def set_packet_loss(self, percent: int) -> None:
        """Tell the encoder the loss RTCP reports, so FEC strength follows the network.

        In-band FEC takes its bits from the speech; while the network loses packets we
        give it more room (FEC_BITRATE, within the far end's maxaveragebitrate): offline,
        3 % loss with FEC scores PESQ-WB 3.45 at 32 kbit/s and 3.85 at 48 kbit/s."""
        percent = max(0, min(100, percent))
        self._ctl(_SET_PACKET_LOSS_PERC, percent)
        wanted = self._base_bitrate
        if percent > 0 and self.fec:
            wanted = min(self._cap, max(self._base_bitrate, FEC_BITRATE))
        if wanted != self.bitrate:
            self.bitrate = wanted
            self._ctl(_SET_BITRATE, wanted)

    def encode(self, frame: Frame) -> bytes:
        pcm = as_frame(frame)
        n = _need_lib().opus_encode(self._handle, pcm.ctypes.data, pcm.size, self._out, MAX_PACKET)
        if n < 0:
            raise CodecError(f"Opus cannot encode a {pcm.size}-sample frame: {_error(n)}")
        return self._out.raw[:n]

    def reset(self) -> None:
        _need_lib().opus_encoder_ctl(ctypes.c_void_p(self._handle), ctypes.c_int(_RESET_STATE))

    def __del__(self) -> None:
        handle, self._handle = getattr(self, "_handle", None), None
        if handle and _lib is not None:
            _lib.opus_encoder_destroy(handle)


class OpusDecoder(Decoder):
    """Mono 48 kHz decoder with libopus PLC and in-band FEC recovery."""

    def __init__(self, info: CodecInfo) -> None:
        lib = _need_lib()
        self.info = info
        err = ctypes.c_int(0)
        handle = lib.opus_decoder_create(SAMPLE_RATE, 1, ctypes.byref(err))
        if not handle or err.value != 0:
            raise CodecError(f"cannot create Opus decoder: {_error(err.value)}")
        self._handle: int | None = handle
        self._pcm = np.zeros(MAX_FRAME_SAMPLES, dtype=np.int16)
        self._last_samples = SAMPLE_RATE // 50

    def _run(self, payload: bytes | None, samples: int, fec: bool) -> Frame:
        data = payload or None
        size = len(payload) if payload else 0
        samples = max(0, min(samples, MAX_FRAME_SAMPLES))
        n = _need_lib().opus_decode(
            self._handle, data, size, self._pcm.ctypes.data, samples, 1 if fec else 0
        )
        if n < 0:
            raise CodecError(f"Opus packet of {size} bytes cannot be decoded: {_error(n)}")
        return self._pcm[:n].copy()

    def decode(self, payload: bytes) -> Frame:
        """Decode a packet; an empty payload means "lost" and gives concealment."""
        if not payload:
            return self.conceal(self._last_samples)
        frame = self._run(bytes(payload), MAX_FRAME_SAMPLES, False)
        self._last_samples = frame.size
        return frame

    def conceal(self, samples: int) -> Frame:
        """libopus PLC; ``samples`` must be a multiple of 2.5 ms (120 samples)."""
        samples = max(120, samples - samples % 120)
        return self._run(None, samples, False)

    def decode_fec(self, payload: bytes, samples: int) -> Frame | None:
        """Rebuild the lost packet preceding ``payload`` from its LBRR data (RFC 6716 §4.2.4).

        Returns None when ``payload`` carries no FEC (then call :meth:`conceal`); the
        caller still decodes ``payload`` itself normally afterwards.
        """
        if not payload:
            return None
        if _HAS_LBRR and _need_lib().opus_packet_has_lbrr(bytes(payload), len(payload)) <= 0:
            return None
        samples = max(120, samples - samples % 120)
        return self._run(bytes(payload), samples, True)

    def reset(self) -> None:
        _need_lib().opus_decoder_ctl(ctypes.c_void_p(self._handle), ctypes.c_int(_RESET_STATE))

    def __del__(self) -> None:
        handle, self._handle = getattr(self, "_handle", None), None
        if handle and _lib is not None:
            _lib.opus_decoder_destroy(handle)
