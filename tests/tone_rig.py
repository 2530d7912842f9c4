"""Far phones that each play a tone and record what they hear, judged by frequency: the
rig of the conference tests (tests/interop/test_conference_*.py and the GUI's
tests/gui/test_call_control_peers.py).

What a far phone heard is cut from its recording between two file sizes taken during a
step (baresip writes its recording in real time) and judged by the power in narrow bands
around each frequency, with wide margins (a loaded 2-core machine): a tone heard
measures about -10 to -23 dBFS there, one not heard below -55.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from audio_tools import write_wav
from parley.media.music import MELODY_NOTES
from peers.baresip import Baresip

PRESENT_DB = -30.0  # a tone someone hears: its band holds more than this (dBFS)
ABSENT_DB = -45.0  # a tone someone does not hear: its band holds less
# No music on hold: every note's band below this. Music that plays puts its notes near
# -15 dBFS; a mix of three tones on a loaded machine (a concealed packet, products of
# the tones) leaves up to about -45 dBFS in a note's band, which is not music.
NO_MUSIC_DB = -38.0
SETTLE_S = 2.0  # after a command: re-INVITEs done, jitter buffers refilled
LISTEN_S = 2.5  # the part of each step that is judged
TONE_RATE = 8000
RECORD_RATE = 48000  # baresip's recordings

# The built-in music on hold's notes, named for `Heard.levels`.
MUSIC_NAMED = {f"moh{f:.0f}": f for f in MELODY_NOTES}


def tone_wav(path: Path, freq: float, seconds: float = 10.0, rate: int = TONE_RATE) -> Path:
    """A -12 dBFS sine of `freq` that loops without a click (whole periods)."""
    t = np.arange(int(seconds * rate)) / rate
    return write_wav(path, 0.25 * 32767 * np.sin(2 * np.pi * freq * t), rate)


def tone_phone_options(
    tmp: Path, user: str, freq: float, play_seconds: float = 400.0
) -> dict[str, Any]:
    """Baresip options of a far phone that answers by itself, plays `freq` in a loop
    (for `play_seconds`) and records what it hears into tmp/heard-by-USER.wav."""
    return {
        "play_wav": tone_wav(tmp / f"tone-{user}.wav", freq),
        "play_loop": True,
        "play_seconds": play_seconds,
        "record_wav": tmp / f"heard-by-{user}.wav",
        "record_rate": RECORD_RATE,
        "auto_answer": True,
    }


def window_powers(samples: np.ndarray, rate: int, freq: float, width: float = 25.0) -> list[float]:
    """Power within `width` Hz of `freq` in each 0.25 s window, relative to a full-scale
    sine."""
    step = rate // 4  # 0.25 s windows, 4 Hz bins
    window = np.hanning(step)
    freqs = np.fft.rfftfreq(step, 1.0 / rate)
    band = (freqs >= freq - width) & (freqs <= freq + width)
    powers = []
    for start in range(0, samples.size - step + 1, step):
        chunk = samples[start : start + step].astype(np.float64) / 32768.0
        spectrum = np.abs(np.fft.rfft(chunk * window)) ** 2
        # A full-scale sine gives (sum(window) / 2) ** 2 in its bin.
        powers.append(float(spectrum[band].sum() / (window.sum() / 2) ** 2))
    return powers


def band_db(samples: np.ndarray, rate: int, freq: float, width: float = 25.0) -> float:
    """Mean power within `width` Hz of `freq` in dBFS (-200 for too few samples)."""
    powers = window_powers(samples, rate, freq, width)
    return float(10 * np.log10(max(float(np.mean(powers)) if powers else 0.0, 1e-20)))


def peak_db(samples: np.ndarray, rate: int, freq: float) -> float:
    """The loudest 0.25 s around `freq` in dBFS (for a tone that comes in bursts)."""
    powers = window_powers(samples, rate, freq)
    return float(10 * np.log10(max(max(powers, default=0.0), 1e-20)))


@dataclass(repr=False)
class Heard:
    """What one far phone heard during one step. `named`: the frequencies `levels`
    reports (for assertion messages)."""

    who: str
    samples: np.ndarray
    rate: int = RECORD_RATE
    named: Mapping[str, float] = field(default_factory=dict)

    def db(self, freq: float) -> float:
        return band_db(self.samples, self.rate, freq)

    def levels(self) -> dict[str, float]:
        return {k: round(self.db(f), 1) for k, f in self.named.items()}

    def hears(self, freq: float) -> bool:
        return self.db(freq) > PRESENT_DB

    def silent_at(self, freq: float) -> bool:
        return self.db(freq) < ABSENT_DB

    def hears_music(self) -> bool:
        """Music on hold: most notes of the built-in melody are there."""
        return sum(self.hears(f) for f in MELODY_NOTES) >= len(MELODY_NOTES) - 1

    def no_music(self) -> bool:
        return all(self.db(f) < NO_MUSIC_DB for f in MELODY_NOTES)

    def __repr__(self) -> str:
        return repr(self.levels())


def listen(
    phones: Mapping[str, Baresip],
    named: Mapping[str, float],
    sleep: Callable[[float], object] = time.sleep,
) -> dict[str, Heard]:
    """Wait SETTLE_S for the step to settle, then what each far phone hears for LISTEN_S,
    cut from its recording by file size. `sleep(seconds)`: how to wait (a GUI test lets
    its event loop run meanwhile)."""
    sleep(SETTLE_S)
    start = {u: p.record_wav.stat().st_size for u, p in phones.items()}  # type: ignore[union-attr]
    sleep(LISTEN_S)
    heard = {}
    for user, phone in phones.items():
        assert phone.record_wav is not None
        data = phone.record_wav.read_bytes()
        begin = max(start[user], 44)
        begin += begin % 2
        chunk = data[begin : len(data) - (len(data) - begin) % 2]
        heard[user] = Heard(user, np.frombuffer(chunk, dtype="<i2"), named=named)
        # The recording runs on (silence is written too): a short one proves nothing.
        assert heard[user].samples.size > 0.8 * LISTEN_S * RECORD_RATE, user
        print(f"{user} hears {heard[user].levels()}")
    return heard
