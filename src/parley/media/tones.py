"""Call progress tones, DTMF feedback and WAV ringtones, as frames on demand.

Cadences follow ITU-T E.180 and its national supplement (values for Germany stand for
"Europe", the CEPT 425 Hz family) and the North American precise tone plan:

============  ==========================================  ======================================
tone          europe                                       north_america
============  ==========================================  ======================================
ringback      425 Hz, 1 s on, 4 s off                      440+480 Hz, 2 s on, 4 s off
busy          425 Hz, 0.48 s on, 0.48 s off                480+620 Hz, 0.5 s on, 0.5 s off
call waiting  425 Hz, 0.2 on, 0.2 off, 0.2 on, 5 s off      440 Hz, 0.3 s on, 9.7 s off
============  ==========================================  ======================================
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from parley.media.codecs.base import Frame
from parley.media.dtmf import tone_frequencies

REGIONS = ("europe", "north_america")
RAMP_S = 0.003  # soft edges so cadence steps do not click


@dataclass(frozen=True)
class ToneSpec:
    """A tone: frequencies summed, and a cadence of on/off durations in seconds.

    An empty cadence is a continuous tone. ``level_dbfs`` is the peak of the sum.
    With ``repeat=False`` the cadence plays once and the tone then stays silent.
    """

    name: str
    freqs: tuple[float, ...]
    cadence: tuple[float, ...] = ()
    level_dbfs: float = -12.0
    repeat: bool = True

    @property
    def period(self) -> float:
        return float(sum(self.cadence))


TONES: dict[str, dict[str, ToneSpec]] = {
    "europe": {
        "ringback": ToneSpec("ringback", (425.0,), (1.0, 4.0)),
        "busy": ToneSpec("busy", (425.0,), (0.48, 0.48)),
        "call_waiting": ToneSpec("call_waiting", (425.0,), (0.2, 0.2, 0.2, 5.0)),
    },
    "north_america": {
        "ringback": ToneSpec("ringback", (440.0, 480.0), (2.0, 4.0)),
        "busy": ToneSpec("busy", (480.0, 620.0), (0.5, 0.5)),
        "call_waiting": ToneSpec("call_waiting", (440.0,), (0.3, 9.7)),
    },
}


# Played to the local speaker when a call is answered by itself: two short high beeps.
AUTO_ANSWER_SOUND = ToneSpec("auto answer", (1400.0,), (0.12, 0.08, 0.12), -14.0, repeat=False)


def tone_spec(kind: str, region: str = "europe") -> ToneSpec:
    """The spec of ``kind`` ("ringback", "busy", "call_waiting") for ``region``."""
    table = TONES.get(region)
    if table is None:
        raise ValueError(f"unknown tone region {region!r}; choose one of {', '.join(REGIONS)}")
    spec = table.get(kind.replace("-", "_"))
    if spec is None:
        raise ValueError(f"unknown tone {kind!r}; choose one of {', '.join(table)}")
    return spec


def dtmf_feedback_spec(digit: str, ms: int = 120, level_dbfs: float = -16.0) -> ToneSpec:
    """A one-shot DTMF tone for local key feedback."""
    return ToneSpec(f"dtmf-{digit}", tone_frequencies(digit), (ms / 1000,), level_dbfs, False)


class ToneGenerator:
    """Produces a tone frame by frame, phase-continuous, at any sample rate."""

    def __init__(self, spec: ToneSpec, sample_rate: int) -> None:
        self.spec = spec
        self.sample_rate = sample_rate
        self._pos = 0
        edges = np.cumsum([round(s * sample_rate) for s in spec.cadence])
        self._edges = edges.astype(np.int64)
        self._period = int(edges[-1]) if edges.size else 0
        self._amp = 32767.0 * 10 ** (spec.level_dbfs / 20) / max(1, len(spec.freqs))
        self._ramp = max(1, round(RAMP_S * sample_rate))

    @property
    def finished(self) -> bool:
        """True once a one-shot tone has played completely."""
        return not self.spec.repeat and self._period > 0 and self._pos >= self._period

    def reset(self) -> None:
        self._pos = 0

    def frame(self, samples: int | None = None) -> Frame:
        """The next ``samples`` samples (default 20 ms)."""
        n = self.sample_rate // 50 if samples is None else samples
        idx = self._pos + np.arange(n, dtype=np.int64)
        self._pos += n
        t = idx / self.sample_rate
        x = np.zeros(n, dtype=np.float64)
        for f in self.spec.freqs:
            x += np.sin(2 * np.pi * f * t)
        x *= self._amp * self._envelope(idx)
        return np.rint(x).astype(np.int16)

    def _envelope(self, idx: np.ndarray) -> np.ndarray:
        if self._period == 0:
            return np.ones(idx.size)
        if self.spec.repeat:
            pos = idx % self._period
        else:
            pos = idx
        seg = np.searchsorted(self._edges, pos, side="right")
        inside = seg < self._edges.size
        seg_c = np.minimum(seg, self._edges.size - 1)
        start = np.where(seg_c > 0, self._edges[seg_c - 1], 0)
        into = pos - start
        left = self._edges[seg_c] - pos
        ramp = np.minimum(1.0, np.minimum(into + 1, left) / self._ramp)
        on = inside & (seg_c % 2 == 0)
        return np.where(on, ramp, 0.0)


# -- WAV ringtones -------------------------------------------------------------------


class WavError(ValueError):
    """A WAV file cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class WavAudio:
    samples: Frame
    sample_rate: int

    @property
    def duration(self) -> float:
        return self.samples.size / self.sample_rate


MAX_WAV_SECONDS = 600


def load_wav(path: str | Path) -> WavAudio:
    """Read a PCM WAV (8/16/24/32-bit, mono or multi-channel, any rate) as mono int16."""
    p = Path(path)
    try:
        with wave.open(str(p), "rb") as w:
            channels, width, rate, count = (
                w.getnchannels(),
                w.getsampwidth(),
                w.getframerate(),
                w.getnframes(),
            )
            if rate <= 0:
                raise WavError(f"{p}: sample rate {rate} Hz is invalid")
            if count > MAX_WAV_SECONDS * rate:
                raise WavError(f"{p}: longer than {MAX_WAV_SECONDS} s; use a shorter ringtone")
            raw = w.readframes(count)
    except WavError:
        raise
    except FileNotFoundError:
        raise WavError(f"{p}: file not found") from None
    except IsADirectoryError:
        raise WavError(f"{p}: is a directory, not a WAV file") from None
    except PermissionError:
        raise WavError(f"{p}: permission denied") from None
    except OSError as e:
        raise WavError(f"{p}: cannot read ({e.strerror or e})") from None
    except wave.Error as e:
        raise WavError(f"{p}: not a PCM WAV file ({e}); convert it to 16-bit PCM WAV") from None
    except EOFError:
        raise WavError(f"{p}: file is truncated") from None
    frames = len(raw) // (width * channels)
    if frames == 0:
        raise WavError(f"{p}: contains no audio")
    raw = raw[: frames * width * channels]
    if width == 1:
        data = (np.frombuffer(raw, dtype=np.uint8).astype(np.int32) - 128) << 8
    elif width == 2:
        data = np.frombuffer(raw, dtype="<i2").astype(np.int32)
    elif width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        data = ((b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)) << 8) >> 16
    elif width == 4:
        data = np.frombuffer(raw, dtype="<i4").astype(np.int64) >> 16
    else:
        raise WavError(f"{p}: {width * 8}-bit samples are not supported")
    mono = data.reshape(-1, channels).mean(axis=1)
    return WavAudio(np.clip(np.rint(mono), -32768, 32767).astype(np.int16), rate)


class WavLoop:
    """Plays a WAV over and over (a ringtone), with ``gap_s`` of silence between rounds.

    Frames come at the file's own rate; the bridge resamples.
    """

    def __init__(self, audio: WavAudio, gap_s: float = 0.0) -> None:
        gap = np.zeros(round(gap_s * audio.sample_rate), dtype=np.int16)
        self._data = np.concatenate([audio.samples, gap])
        self.sample_rate = audio.sample_rate
        self._pos = 0

    @classmethod
    def from_file(cls, path: str | Path, gap_s: float = 0.0) -> WavLoop:
        return cls(load_wav(path), gap_s)

    def reset(self) -> None:
        self._pos = 0

    def frame(self, samples: int | None = None) -> Frame:
        n = self.sample_rate // 50 if samples is None else samples
        idx = (self._pos + np.arange(n)) % self._data.size
        self._pos = int((self._pos + n) % self._data.size)
        return self._data[idx]
