"""Music on hold: the sound a party we hold hears.

A source port that loops either a built-in melody (synthesised here: a few soft sine
notes, no recorded material) or a WAV file. One port serves every held call: the
engine connects it to each held call's slot, and the bridge pulls it once per tick
however many calls hear it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from parley.media.codecs.base import Frame
from parley.media.ports import TonePort
from parley.media.wavfile import WavError, read_wav

MUSIC_RATE = 16000

# The built-in melody: (frequency in Hz, seconds). An arpeggio of our own making; its
# notes are away from the usual test tones so that a test can tell it apart.
MELODY: tuple[tuple[float, float], ...] = (
    (659.25, 0.4),  # E5
    (783.99, 0.4),  # G5
    (987.77, 0.4),  # B5
    (783.99, 0.4),  # G5
)
MELODY_NOTES: tuple[float, ...] = tuple(sorted({f for f, _ in MELODY}))
MELODY_REST_S = 0.2
MELODY_LEVEL_DBFS = -16.0
MAX_FILE_SECONDS = 600  # a longer file is cut: it is held in memory


def melody(rate: int = MUSIC_RATE) -> Frame:
    """One round of the built-in melody (notes with soft edges, then a rest)."""
    amplitude = 32767 * 10 ** (MELODY_LEVEL_DBFS / 20)
    parts = []
    for freq, seconds in MELODY:
        n = round(seconds * rate)
        t = np.arange(n) / rate
        ramp = min(n // 2, round(0.02 * rate))  # 20 ms attack and decay: no clicks
        env = np.ones(n)
        env[:ramp] = np.linspace(0.0, 1.0, ramp)
        env[n - ramp :] = np.linspace(1.0, 0.0, ramp)
        parts.append(amplitude * env * np.sin(2 * np.pi * freq * t))
    parts.append(np.zeros(round(MELODY_REST_S * rate)))
    return np.rint(np.concatenate(parts)).astype(np.int16)


class _Loop:
    """Plays samples round and round."""

    def __init__(self, samples: Frame) -> None:
        self._data = samples
        self._pos = 0

    def next_frame(self, samples: int) -> Frame:
        idx = (self._pos + np.arange(samples)) % self._data.size
        self._pos = int((self._pos + samples) % self._data.size)
        out: Frame = self._data[idx]
        return out


def music_port(mode: str, path: Path | None) -> TonePort | None:
    """The music-on-hold port for a `media.music_on_hold` setting ("off", "builtin",
    "file"); None for "off". `WavError` (a ValueError naming the file) when the file
    cannot be used: the caller says so and the held party hears silence."""
    if mode == "off":
        return None
    if mode == "file":
        if path is None:
            raise WavError("music on hold: no file is set (media.music_on_hold_file)")
        samples, rate = read_wav(path)
        if samples.size == 0:
            raise WavError(f"{path}: contains no audio")
        samples = samples[: MAX_FILE_SECONDS * rate]
        if rate * 20 % 1000:
            samples, rate = read_wav(path, MUSIC_RATE)
        return TonePort(_Loop(samples), rate, name="music on hold")
    return TonePort(_Loop(melody()), MUSIC_RATE, name="music on hold")
