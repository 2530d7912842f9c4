"""Waveform-substitution packet loss concealment for codecs without their own PLC.

In the spirit of ITU-T G.711 Appendix I: on a loss, find the pitch period of the last
good audio by autocorrelation, repeat it (one period at first, then 2 and 3 periods so a
long gap does not buzz), keep full level for 10 ms, then fade by 20 % per 10 ms to
silence at 60 ms. The first good frame after a gap is cross-faded with the synthetic
continuation so the splice does not click. Works at any sample rate (8 kHz for G.711,
16 kHz for G.722). Unlike Appendix I we add no output delay, so the very first splice is
only as smooth as the signal is periodic.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from parley.media.codecs.base import Frame

_F64 = npt.NDArray[np.float64]


class WaveformPlc:
    """Keeps recent history of good audio and synthesises stand-ins for lost frames."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        ms = sample_rate // 1000
        self._pitch_min = 5 * ms  # 200 Hz
        self._pitch_max = 15 * ms  # 66 Hz
        self._corr_len = 20 * ms
        self._hist_len = 3 * self._pitch_max + self._pitch_max // 4 + 1
        self._hist: _F64 = np.zeros(self._hist_len, dtype=np.float64)
        self._lost = 0  # samples concealed in the current gap
        self._pitch = 0
        self._phase = 0  # position inside the current loop buffer
        self._periods = 0
        self._loop: _F64 = np.zeros(0, dtype=np.float64)
        self._gap_hist: _F64 = self._hist

    @property
    def concealing(self) -> bool:
        """True while inside a gap (between conceal() and the next good frame)."""
        return self._lost > 0

    def reset(self) -> None:
        self._hist[:] = 0.0
        self._lost = 0

    def good(self, frame: Frame) -> Frame:
        """Record a decoded frame; after a gap, returns it cross-faded with the synthesis."""
        x = frame.astype(np.float64)
        if self._lost and x.size:
            # 4 ms, plus 4 ms for each further 10 ms of gap, at most 10 ms (App. I).
            ms = self.sample_rate // 1000
            extra = max(0, self._lost // (10 * ms) - 1)
            n = min(x.size, (4 + 4 * extra) * ms, 10 * ms)
            tail = self._synth(n)
            ramp = (np.arange(n, dtype=np.float64) + 1.0) / (n + 1)
            x[:n] = x[:n] * ramp + tail * (1.0 - ramp)
        self._lost = 0
        self._push(x)
        return np.clip(np.rint(x), -32768, 32767).astype(np.int16)

    def conceal(self, samples: int) -> Frame:
        """Synthesise ``samples`` samples continuing the last good audio."""
        if samples <= 0:
            return np.zeros(0, dtype=np.int16)
        if self._lost == 0:
            self._start_gap()
        out = self._synth(samples)
        self._push(out)
        return np.clip(np.rint(out), -32768, 32767).astype(np.int16)

    # -- internals --------------------------------------------------------------

    def _push(self, x: _F64) -> None:
        if x.size >= self._hist_len:
            self._hist = x[-self._hist_len :].copy()
        else:
            self._hist = np.concatenate([self._hist[x.size :], x])

    def _start_gap(self) -> None:
        self._gap_hist = self._hist.copy()  # longer loops must come from real audio
        self._pitch = self._find_pitch()
        self._periods = 0
        self._set_periods(1)

    def _find_pitch(self) -> int:
        """Lag in [5 ms, 15 ms] with the highest normalised autocorrelation of the last 20 ms."""
        h = self._hist
        tail = h[-self._corr_len :]
        if not np.any(tail):
            return self._pitch_max
        lags = np.arange(self._pitch_min, self._pitch_max + 1)
        # windows[k] = h[start - lag_k : start - lag_k + corr_len]
        start = h.size - self._corr_len
        windows = np.lib.stride_tricks.sliding_window_view(h, self._corr_len)[start - lags]
        dots = windows @ tail
        energy = np.einsum("ij,ij->i", windows, windows) + 1e-9
        score = dots / np.sqrt(energy)
        return int(lags[int(np.argmax(score))])

    def _set_periods(self, periods: int) -> None:
        """Loop over the last ``periods`` pitch periods, with a seamless wrap."""
        p = self._pitch
        phase_in_period = self._phase % p if self._periods else 0
        length = periods * p
        h = self._gap_hist
        loop = h[-length:].copy()
        # Cross-fade the loop's last quarter period into what preceded its start, so the
        # wrap from loop[-1] back to loop[0] is continuous (App. I's overlap-add).
        q = max(1, p // 4)
        ramp = (np.arange(q, dtype=np.float64) + 1.0) / (q + 1)
        before = h[-length - q : -length]
        loop[-q:] = loop[-q:] * (1.0 - ramp) + before * ramp
        self._loop = loop
        self._periods = periods
        # Same position in the waveform: the last period of the new loop is the old one.
        self._phase = (periods - 1) * p + phase_in_period

    def _synth(self, n: int) -> _F64:
        ms = self.sample_rate // 1000
        out = np.empty(n, dtype=np.float64)
        i = 0
        while i < n:
            t = self._lost + i
            if t >= 20 * ms and self._periods < 3:
                self._set_periods(3)
            elif t >= 10 * ms and self._periods < 2:
                self._set_periods(2)
            end = n
            for boundary in (10 * ms, 20 * ms):
                if t < boundary:
                    end = min(n, boundary - self._lost)
                    break
            idx = (self._phase + np.arange(end - i)) % self._loop.size
            out[i:end] = self._loop[idx]
            self._phase = int((self._phase + end - i) % self._loop.size)
            i = end
        t_all = self._lost + np.arange(n, dtype=np.float64)
        gain = np.clip(1.0 - 0.2 * (t_all - 10 * ms) / (10 * ms), 0.0, 1.0)
        self._lost += n
        return out * gain
