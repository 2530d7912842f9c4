"""Audio measurement for call tests: test speech, PESQ with alignment, clicks, codec ceilings.

- ``speech_wav(rate)``: the same ~9 s of English speech (espeak-ng, then sox to
  ``rate``), cached for the whole test session in one temporary directory.
- ``pesq_score(reference, degraded, mode)``: ITU-T P.862 score of a call recording
  against what was sent. Recordings start at arbitrary moments and carry silence
  around the speech, so the degraded signal is first aligned to the reference by
  cross-correlation and cut to the reference's length.
- ``click_train``/``find_click``/``find_clicks``: short tone bursts on a fixed period,
  and their onsets in a recording (mouth-to-ear latency tests).
- ``codec_ceiling(codec, peak_dbfs)``: PESQ of the speech after an offline
  encode/decode with no network at all: the best a call with that codec can score.
- ``g711_encode``/``g711_decode``: G.711 as the ITU reference codes it, and
  ``g711_fidelity``: how much of a call's G.711 audio arrived as the codec made it.

Everything is deterministic: the speech text is fixed and sox runs with ``-R``.
"""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
import wave
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.int16]
PesqMode = Literal["nb", "wb"]

SPEECH_TEXT = (
    "The birch canoe slid on the smooth planks. "
    "Glue the sheet to the dark blue background. "
    "It is easy to tell the depth of a well. "
    "These days a chicken leg is a rare dish."
)

# Silence around the speech, as in P.862's test material: the model needs a little.
_PAD_SECONDS = 0.5

_session_dir: Path | None = None


class AudioToolError(RuntimeError):
    pass


def session_dir() -> Path:
    """A temporary directory for this test session's generated audio (removed at exit)."""
    global _session_dir
    if _session_dir is None:
        _session_dir = Path(tempfile.mkdtemp(prefix="parley-audio-"))
        atexit.register(shutil.rmtree, _session_dir, True)
    return _session_dir


def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        # Imported lazily: the unit tests of the pure helpers need no peers package.
        from peers.common import missing_peer

        missing_peer(f"{tool} is not installed (run ./scripts/bootstrap.sh --peers)")
        raise AssertionError("unreachable")
    return path


# --- WAV files -----------------------------------------------------------------


def read_wav(path: Path) -> tuple[Samples, int]:
    """Mono 16-bit samples and the rate of a WAV file (the first channel if several)."""
    with wave.open(str(path), "rb") as w:
        if w.getsampwidth() != 2:
            raise AudioToolError(f"{path}: only 16-bit PCM is supported")
        channels = w.getnchannels()
        rate = w.getframerate()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    if channels > 1:
        data = data[::channels]
    return data.astype(np.int16), rate


def write_wav(path: Path, samples: npt.ArrayLike, rate: int) -> Path:
    """Write mono 16-bit samples (clipped) to ``path``."""
    data = np.clip(np.asarray(samples, dtype=np.float64), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(data.tobytes())
    return Path(path)


def resample(samples: npt.ArrayLike, rate_in: int, rate_out: int) -> Samples:
    """Resample with soxr (high quality); a no-op at equal rates."""
    data = np.asarray(samples, dtype=np.int16)
    if rate_in == rate_out:
        return data
    import soxr

    out = np.asarray(soxr.resample(data.astype(np.float32), rate_in, rate_out, quality="HQ"))
    result: Samples = np.clip(np.round(out), -32768, 32767).astype(np.int16)
    return result


# --- test speech ---------------------------------------------------------------------


# Peak levels of the test talker: a normal one, and a quiet one (a soft voice, a
# microphone far away) where G.711's coarse small-signal steps matter most.
NORMAL_PEAK_DBFS = -3.0
QUIET_PEAK_DBFS = -20.0
TALKER_PEAKS = {"normal": NORMAL_PEAK_DBFS, "quiet": QUIET_PEAK_DBFS}


@cache
def speech_wav(rate: int = 8000, peak_dbfs: float = NORMAL_PEAK_DBFS) -> Path:
    """Deterministic test speech (mono 16-bit) at ``rate``, with 0.5 s silence each side,
    its peak at ``peak_dbfs``."""
    if rate not in (8000, 16000, 48000):
        raise ValueError(f"unsupported rate {rate}")
    level = "" if peak_dbfs == NORMAL_PEAK_DBFS else f"-peak{-peak_dbfs:g}"
    out = session_dir() / f"speech-{rate}{level}.wav"
    raw = session_dir() / "speech-espeak.wav"
    if not raw.exists():
        espeak = _require("espeak-ng")
        subprocess.run(
            [espeak, "-v", "en-us", "-s", "160", "-w", str(raw), SPEECH_TEXT],
            check=True,
            capture_output=True,
            timeout=60,
        )
    sox = _require("sox")
    # -R: repeatable dither; gain -n: the same peak whatever espeak produced.
    subprocess.run(
        [
            *(sox, "-R", str(raw), "-r", str(rate), "-c", "1", "-b", "16", str(out)),
            *("gain", "-n", f"{peak_dbfs:g}", "pad", str(_PAD_SECONDS), str(_PAD_SECONDS)),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return out


# --- alignment and PESQ -------------------------------------------------------------


def find_delay(reference: npt.ArrayLike, degraded: npt.ArrayLike) -> int:
    """Samples by which ``reference`` starts later in ``degraded`` (may be negative).

    The peak of their cross-correlation, computed with an FFT.
    """
    ref = np.asarray(reference, dtype=np.float64)
    deg = np.asarray(degraded, dtype=np.float64)
    if ref.size == 0 or deg.size == 0:
        raise AudioToolError("cannot align an empty signal")
    n = ref.size + deg.size - 1
    size = 1 << (n - 1).bit_length()
    spectrum = np.fft.rfft(deg, size) * np.conj(np.fft.rfft(ref, size))
    corr = np.fft.irfft(spectrum, size)
    # Lags 0..deg.size-1 sit at the start, negative lags wrap to the end.
    lags = np.concatenate([np.arange(0, deg.size), np.arange(-(ref.size - 1), 0)])
    values = np.concatenate([corr[: deg.size], corr[size - (ref.size - 1) :]])
    return int(lags[int(np.argmax(values))])


def align(reference: Samples, degraded: Samples) -> tuple[Samples, Samples, int]:
    """Cut ``degraded`` to the stretch matching ``reference`` (zero-padded if short).

    Returns (reference, aligned degraded of the same length, delay in samples).
    """
    delay = find_delay(reference, degraded)
    out = np.zeros(reference.size, dtype=np.int16)
    src_start = max(delay, 0)
    dst_start = max(-delay, 0)
    count = min(reference.size - dst_start, degraded.size - src_start)
    if count > 0:
        out[dst_start : dst_start + count] = degraded[src_start : src_start + count]
    return reference, out, delay


def pesq_score(
    reference_wav: Path | str,
    degraded_wav: Path | str,
    mode: PesqMode = "nb",
) -> float:
    """P.862 MOS-LQO of ``degraded_wav`` against ``reference_wav``.

    Both are resampled to 8 kHz ("nb") or 16 kHz ("wb"), the degraded one is aligned
    to the reference by cross-correlation and trimmed to its length.
    """
    from pesq import pesq

    rate = 8000 if mode == "nb" else 16000
    ref, ref_rate = read_wav(Path(reference_wav))
    deg, deg_rate = read_wav(Path(degraded_wav))
    ref = resample(ref, ref_rate, rate)
    deg = resample(deg, deg_rate, rate)
    if not np.any(deg):
        raise AudioToolError(f"{degraded_wav} is silent")
    ref, deg, _ = align(ref, deg)
    return float(pesq(rate, ref.astype(np.float64), deg.astype(np.float64), mode))


def add_noise(samples: npt.ArrayLike, snr_db: float, seed: int = 1) -> Samples:
    """White noise added at ``snr_db`` below the signal's power (seeded)."""
    data = np.asarray(samples, dtype=np.float64)
    power = float(np.mean(data**2)) or 1.0
    noise = np.random.default_rng(seed).normal(0.0, np.sqrt(power / 10 ** (snr_db / 10)), data.size)
    return np.clip(np.round(data + noise), -32768, 32767).astype(np.int16)


def rms_windows(samples: npt.ArrayLike, rate: int, window: float = 0.1) -> npt.NDArray[np.float64]:
    """RMS of consecutive windows of ``window`` seconds (is there sound, and when)."""
    data = np.asarray(samples, dtype=np.float64)
    step = max(1, int(rate * window))
    count = data.size // step
    if count == 0:
        return np.zeros(0)
    levels: npt.NDArray[np.float64] = np.sqrt(
        np.mean(data[: count * step].reshape(count, step) ** 2, axis=1)
    )
    return levels


def tonal_windows(
    samples: npt.ArrayLike,
    rate: int,
    bands: list[tuple[float, float]],
    *,
    per_second: int = 50,
    min_rms: float = 100.0,
) -> int:
    """How many windows (1/``per_second`` s each) hold a sound above ``min_rms`` with
    most of its energy (over 60 % of what lies above 60 Hz) in ``bands`` ((lo, hi) Hz)."""
    data = np.asarray(samples)
    step = rate // per_second
    freqs = np.fft.rfftfreq(step, 1.0 / rate)
    count = 0
    for start in range(0, data.size - step + 1, step):
        window = data[start : start + step].astype(np.float64)
        if np.sqrt(np.mean(window**2)) < min_rms:
            continue
        spectrum = np.abs(np.fft.rfft(window * np.hanning(step))) ** 2
        total = spectrum[freqs > 60].sum()
        inside = sum(spectrum[(freqs >= lo) & (freqs <= hi)].sum() for lo, hi in bands)
        if total > 0 and inside / total > 0.6:
            count += 1
    return count


# --- clicks for latency ----------------------------------------------------------------


def click_train(
    rate: int,
    *,
    count: int = 5,
    interval: float = 1.0,
    lead: float = 0.5,
    burst_ms: float = 10.0,
    freq: float = 1000.0,
    amplitude: int = 16000,
) -> Samples:
    """``count`` short Hann-windowed tone bursts every ``interval`` s after ``lead`` s.

    A tone burst rather than a one-sample impulse: every codec (Opus included)
    carries it without smearing its onset.
    """
    total = int(rate * (lead + count * interval))
    out = np.zeros(total, dtype=np.float64)
    n = int(rate * burst_ms / 1000)
    t = np.arange(n) / rate
    burst = amplitude * np.hanning(n) * np.sin(2 * np.pi * freq * t)
    for i in range(count):
        start = int(rate * (lead + i * interval))
        out[start : start + n] += burst
    return np.round(out).astype(np.int16)


def find_clicks(
    wav: Path | str | tuple[npt.ArrayLike, int],
    *,
    threshold: float = 0.25,
    min_gap: float = 0.2,
) -> list[float]:
    """Onset times (s from the start) of the bursts in a recording.

    An onset is where the rectified signal first exceeds ``threshold`` times its
    peak, at least ``min_gap`` s after the previous onset.
    """
    if isinstance(wav, tuple):
        samples, rate = np.asarray(wav[0], dtype=np.float64), int(wav[1])
    else:
        data, rate = read_wav(Path(wav))
        samples = data.astype(np.float64)
    env = np.abs(samples)
    peak = float(env.max()) if env.size else 0.0
    if peak <= 0:
        return []
    above = np.flatnonzero(env >= threshold * peak)
    onsets: list[float] = []
    previous: int | None = None
    for index in above.tolist():
        # A new burst: the signal stayed below the threshold for min_gap.
        if previous is None or index - previous >= min_gap * rate:
            onsets.append(index / rate)
        previous = index
    return onsets


def find_click(wav: Path | str | tuple[npt.ArrayLike, int], **kwargs: float) -> float:
    """Onset of the first burst in seconds; raises when there is none."""
    onsets = find_clicks(wav, **kwargs)
    if not onsets:
        raise AudioToolError(
            f"no click found in {wav if not isinstance(wav, tuple) else 'samples'}"
        )
    return onsets[0]


# --- codec ceilings ----------------------------------------------------------------------

# Settings key -> (PCM rate, PESQ mode); G.722 and Opus are scored wide-band.
CODEC_SETUP: dict[str, tuple[int, PesqMode]] = {
    "pcmu": (8000, "nb"),
    "pcma": (8000, "nb"),
    "g722": (16000, "wb"),
    "opus": (48000, "wb"),
}


# G.711 as the ITU-T reference software (G.191 STL) codes it, written here from the
# standard's segment rules and independent of parley.media.codecs: the yardstick for
# ceilings and for what a call delivered. Truncating quantisers, decision levels at
# multiples of the step, reconstruction mid-step, one's complement for negative samples,
# no dither. (sox, used before, is not this: it adds TPDF dither at the codec's 13/14
# bits, which costs 0.10 (A-law) and 0.15 (µ-law) PESQ for a talker peaking at -20 dBFS
# and so lowered the bar a quiet call had to reach; with dither off it rounds instead,
# which no phone does.)


def _bit_length(values: npt.NDArray[np.int32]) -> npt.NDArray[np.int32]:
    out = np.zeros(values.shape, dtype=np.int32)
    rest = values.copy()
    while np.any(rest):
        out += rest > 0
        rest >>= 1
    return out


def g711_encode(samples: npt.ArrayLike, law: Literal["alaw", "ulaw"]) -> npt.NDArray[np.uint8]:
    """G.711 code words of 16-bit samples (reference coding, see above)."""
    x = np.asarray(samples, dtype=np.int32)
    positive = x >= 0
    if law == "alaw":
        mag = np.where(positive, x, ~x) >> 3  # 13-bit magnitude, 0..4095
        seg = np.maximum(_bit_length(mag) - 5, 0)  # 0 and 1 share the step of 2
        code = (seg << 4) | ((mag >> np.maximum(seg, 1)) & 0x0F)
        return ((code | np.where(positive, 0x80, 0)) ^ 0x55).astype(np.uint8)
    mag = np.minimum(np.where(positive, x, ~x) >> 2, 8158) + 33  # 14-bit, biased
    seg = _bit_length(mag) - 6
    code = (seg << 4) | ((mag >> (seg + 1)) & 0x0F)
    return ((code ^ 0x7F) | np.where(positive, 0x80, 0)).astype(np.uint8)


def g711_decode(codes: npt.ArrayLike, law: Literal["alaw", "ulaw"]) -> Samples:
    """16-bit samples of G.711 code words (the middle of each quantisation step)."""
    c = np.asarray(codes, dtype=np.int32)
    if law == "alaw":
        c = c ^ 0x55
        seg, mant = (c >> 4) & 7, c & 0x0F
        mag = np.where(seg == 0, 2 * mant + 1, (2 * mant + 33) << np.maximum(seg - 1, 0)) << 3
        return np.where(c & 0x80, mag, -mag).astype(np.int16)
    c = ~c & 0xFF
    seg, mant = (c >> 4) & 7, c & 0x0F
    mag = (((2 * mant + 33) << seg) - 33) << 2
    return np.where(c & 0x80, -mag, mag).astype(np.int16)


def _g711_roundtrip(src: Path, dst: Path, law: Literal["alaw", "ulaw"]) -> None:
    samples, rate = read_wav(src)
    if rate != 8000:
        raise AudioToolError(f"{src}: G.711 needs 8 kHz, not {rate} Hz")
    write_wav(dst, g711_decode(g711_encode(samples, law), law), rate)


def g711_fidelity(
    sent: npt.ArrayLike,
    received: npt.ArrayLike,
    law: Literal["alaw", "ulaw"],
    *,
    block: int = 160,
    min_rms: float = 50.0,
    max_shift_blocks: int = 5,
) -> float:
    """Share of the received blocks (20 ms at 8 kHz) that are what G.711 makes of the
    sent samples: every sample one of the law's 256 output levels, and within one
    quantisation step of the reference coding of the sample sent there.

    One step, because encoders differ on the exact boundaries (baresip's takes the
    magnitude of a negative sample by two's complement, the reference by one's). A
    block may sit a few whole blocks off the first one's alignment (the jitter buffer
    may add or drop a packet). Quiet blocks (``min_rms``) are left out: A-law's idle
    pattern is the same everywhere. A right decoder with nothing in between scores 1;
    a wrong table, an inverted bit, a gain or a concealment touching good frames, near 0.
    """
    levels = np.unique(g711_decode(np.arange(256), law))
    expected = g711_decode(g711_encode(sent, law), law)
    expected_rank = np.searchsorted(levels, expected)
    rec = np.asarray(received, dtype=np.int16)
    lag = find_delay(expected, rec)
    total = hits = 0
    for start in range(0, rec.size - block + 1, block):
        chunk = rec[start : start + block]
        if float(np.sqrt(np.mean(chunk.astype(np.float64) ** 2))) < min_rms:
            continue
        total += 1
        if not np.isin(chunk, levels).all():
            continue
        rank = np.searchsorted(levels, chunk)
        for shift in range(-max_shift_blocks, max_shift_blocks + 1):
            pos = start - lag + shift * block
            if 0 <= pos <= expected.size - block:
                if int(np.abs(rank - expected_rank[pos : pos + block]).max()) <= 1:
                    hits += 1
                    break
    if total == 0:
        raise AudioToolError("nothing above the quiet level was received")
    return hits / total


def _parley_roundtrip(
    key: str, src: Path, dst: Path, ptime_ms: int = 20, shift_ms: int = 0
) -> None:
    """Encode and decode frame by frame with parley.media.codecs; `shift_ms` of silence
    first moves where the frame boundaries fall in the speech."""
    from parley.media import codecs  # lazily: written in parallel with this module

    info = codecs.get_codec(key)
    # The same encoder settings a call starts with (RtpStream: no FEC hint until loss is
    # reported), so the ceiling is what a clean call can reach.
    encoder = codecs.make_encoder(info, **({"packet_loss_perc": 0} if key == "opus" else {}))
    decoder = codecs.make_decoder(info)
    samples, rate = read_wav(src)
    samples = resample(samples, rate, info.sample_rate)
    if shift_ms:
        lead = np.zeros(info.sample_rate * shift_ms // 1000, dtype=np.int16)
        samples = np.concatenate((lead, samples))
    step = info.sample_rate * ptime_ms // 1000
    usable = samples.size - samples.size % step
    out = [
        np.asarray(decoder.decode(encoder.encode(samples[i : i + step])), dtype=np.int16)
        for i in range(0, usable, step)
    ]
    write_wav(dst, np.concatenate(out), info.sample_rate)


def codec_roundtrip(codec: str, peak_dbfs: float = NORMAL_PEAK_DBFS) -> Path:
    """The test speech (peak at ``peak_dbfs``) after an offline encode/decode with
    ``codec`` (settings key)."""
    key = codec.lower()
    if key not in CODEC_SETUP:
        raise ValueError(f"unknown codec {codec!r}")
    rate, _ = CODEC_SETUP[key]
    src = speech_wav(rate, peak_dbfs)
    dst = session_dir() / f"roundtrip-{key}-peak{-peak_dbfs:g}.wav"
    if key in ("pcmu", "pcma"):
        _g711_roundtrip(src, dst, "ulaw" if key == "pcmu" else "alaw")
    else:
        _parley_roundtrip(key, src, dst)
    return dst


@cache
def codec_ceiling(codec: str, peak_dbfs: float = NORMAL_PEAK_DBFS) -> float:
    """PESQ of the test speech (peak at ``peak_dbfs``) through ``codec`` offline: the
    best a call can score.

    PCMU/PCMA are scored PESQ-NB (coded by the reference G.711 above), G.722 and Opus
    PESQ-WB at 16 kHz (coded by parley.media.codecs).
    """
    key = codec.lower()
    rate, mode = CODEC_SETUP[key] if key in CODEC_SETUP else (0, "nb")
    if not rate:
        raise ValueError(f"unknown codec {codec!r}")
    if key != "opus":
        return pesq_score(speech_wav(rate, peak_dbfs), codec_roundtrip(key, peak_dbfs), mode)
    # Opus's score depends on where the 20 ms frames fall in the speech (offline 3.58-3.67
    # over 0-17 ms shifts); a call starts at an arbitrary point, so the fair ceiling is
    # the mean over frame alignments, not the luckiest one.
    scores = []
    src = speech_wav(rate, peak_dbfs)
    for shift in (0, 5, 10, 15):
        dst = session_dir() / f"roundtrip-{key}-peak{-peak_dbfs:g}-shift{shift}.wav"
        _parley_roundtrip(key, src, dst, shift_ms=shift)
        scores.append(pesq_score(src, dst, mode))
    return float(np.mean(scores))


def pesq_mode(codec: str) -> PesqMode:
    """The PESQ mode used for ``codec`` (settings key or SDP name)."""
    key = {"g722": "g722", "opus": "opus", "pcmu": "pcmu", "pcma": "pcma"}[codec.lower()]
    return CODEC_SETUP[key][1]
