"""Codec registry, G.711 back-ends, G.722, Opus (PLC, FEC) and offline quality ceilings."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest
import soxr
from pesq import pesq

import audio_tools
from parley.media.codecs import (
    DEFAULT_ORDER,
    G722,
    OPUS,
    PCMA,
    PCMU,
    SUPPORTED,
    TELEPHONE_EVENT,
    CodecError,
    CodecInfo,
    codecs_in_order,
    g711,
    get_codec,
    make_decoder,
    make_encoder,
    opus,
    telephone_event,
)
from peers.common import require_binary

# -- signals and measures -------------------------------------------------------------


def speech_like(rate: int, seconds: float = 4.0, seed: int = 7) -> np.ndarray:
    """Voiced segments (gliding pitch, harmonics under two formant-like peaks) and pauses."""
    rng = np.random.default_rng(seed)
    n = int(rate * seconds)
    t = np.arange(n) / rate
    f0 = 120 + 30 * np.sin(2 * np.pi * 0.7 * t) + 10 * np.sin(2 * np.pi * 3.1 * t)
    phase = 2 * np.pi * np.cumsum(f0) / rate
    x = np.zeros(n)
    for k in range(1, 30):
        fk = k * f0
        gain = np.exp(-(((fk - 500) / 250) ** 2)) + 0.6 * np.exp(-(((fk - 1500) / 400) ** 2)) + 0.05
        x += np.where(fk < rate / 2 - 200, gain * np.sin(k * phase) / k**0.5, 0.0)
    syllables = 0.5 - 0.5 * np.cos(2 * np.pi * 2.5 * t)  # 200 ms-ish syllables
    x *= syllables * (np.sin(2 * np.pi * 0.25 * t) > -0.6)  # with pauses
    x += rng.normal(0, 0.002, n)
    return np.asarray(x / np.max(np.abs(x)) * 12000, dtype=np.int16)


def round_trip(info: CodecInfo, x: np.ndarray, lost: frozenset[int] = frozenset()) -> np.ndarray:
    n = info.samples_per_frame(20)
    enc, dec = make_encoder(info), make_decoder(info)
    out = []
    for i in range(len(x) // n):
        payload = enc.encode(x[i * n : (i + 1) * n])
        out.append(dec.conceal(n) if i in lost else dec.decode(payload))
    return np.concatenate(out)


def align(ref: np.ndarray, deg: np.ndarray, max_lag: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Remove the codec's algorithmic delay (lag of best correlation)."""
    m = min(len(ref), len(deg)) - max_lag
    a = ref[:m].astype(np.float64)
    scores = [float(np.dot(a, deg[lag : lag + m].astype(np.float64))) for lag in range(max_lag)]
    lag = int(np.argmax(scores))
    deg = deg[lag:]
    m = min(len(ref), len(deg))
    return ref[:m], deg[:m]


def snr_db(ref: np.ndarray, deg: np.ndarray) -> float:
    r = ref.astype(np.float64)
    noise = r - deg.astype(np.float64)
    return float(10 * np.log10(np.sum(r**2) / max(np.sum(noise**2), 1e-9)))


def pesq_score(info: CodecInfo, ref: np.ndarray, deg: np.ndarray) -> float:
    """NB PESQ at 8 kHz for narrowband codecs, WB PESQ at 16 kHz for the others."""
    if info.sample_rate == 8000:
        return float(pesq(8000, ref, deg, "nb"))
    r = soxr.resample(ref, info.sample_rate, 16000)
    d = soxr.resample(deg, info.sample_rate, 16000)
    return float(pesq(16000, r, d, "wb"))


# -- registry ----------------------------------------------------------------------


def test_default_order_and_supported() -> None:
    assert DEFAULT_ORDER == ["opus", "g722", "pcma", "pcmu"]
    assert [c.key for c in SUPPORTED] == DEFAULT_ORDER


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("opus", OPUS),
        ("OPUS", OPUS),
        ("g722", G722),
        ("G722", G722),
        ("pcma", PCMA),
        ("PCMU", PCMU),
        ("telephone-event", TELEPHONE_EVENT),
        ("Telephone-Event", TELEPHONE_EVENT),
    ],
)
def test_get_codec_by_key_or_name(query: str, expected: CodecInfo) -> None:
    assert get_codec(query) is expected


def test_get_codec_unknown() -> None:
    with pytest.raises(KeyError, match="GSM"):
        get_codec("GSM")


def test_codec_facts() -> None:
    assert (PCMU.static_pt, PCMA.static_pt, G722.static_pt, OPUS.static_pt) == (0, 8, 9, None)
    # RFC 3551 §4.5.2: G.722 RTP clock is 8000 although it samples at 16 kHz.
    assert (G722.clock_rate, G722.sample_rate) == (8000, 16000)
    assert G722.samples_per_frame(20) == 320 and G722.rtp_ticks(20) == 160
    assert OPUS.rtpmap == "opus/48000/2"  # RFC 7587 §7
    assert PCMU.rtpmap == "PCMU/8000"
    assert "useinbandfec=1" in OPUS.fmtp
    assert TELEPHONE_EVENT.fmtp == "0-16" and not TELEPHONE_EVENT.is_audio
    te48 = telephone_event(48000)
    assert te48.rtpmap == "telephone-event/48000" and te48.key == "telephone-event"
    assert telephone_event(8000) is TELEPHONE_EVENT


def test_codecs_in_order_follows_setting() -> None:
    assert codecs_in_order(["pcmu", "OPUS", "nonsense", "pcmu"]) == [PCMU, OPUS]


def test_telephone_event_has_no_encoder() -> None:
    with pytest.raises(CodecError):
        make_encoder(TELEPHONE_EVENT)
    with pytest.raises(CodecError):
        make_decoder(TELEPHONE_EVENT)


# -- G.711 --------------------------------------------------------------------------


def test_g711_numpy_tables_match_audioop_bit_for_bit() -> None:
    if not hasattr(g711, "audioop_lin2ulaw"):
        pytest.skip("audioop is not available on this Python (>= 3.13): numpy is the only backend")
    every = np.arange(-32768, 32768, dtype=np.int16)
    # µ-law encoding: equal for every sample >= 0; for negative ones audioop keeps Sun's
    # two's-complement magnitude where the ITU reference (and numpy) take the one's
    # complement (test_g711_matches_the_itu_reference_coding).
    positive = every[every >= 0]
    assert g711.numpy_lin2ulaw(positive) == g711.audioop_lin2ulaw(positive)
    assert g711.numpy_lin2alaw(every) == g711.audioop_lin2alaw(every)
    codes = bytes(range(256))
    assert np.array_equal(g711.numpy_ulaw2lin(codes), g711.audioop_ulaw2lin(codes))
    assert np.array_equal(g711.numpy_alaw2lin(codes), g711.audioop_alaw2lin(codes))


def test_g711_matches_the_itu_reference_coding() -> None:
    """Every 16-bit sample codes, and every code word decodes, as G.711's reference
    software does (tests/audio_tools.py, written from the segment rules); the encoders
    in use are the ones the codec classes call."""
    every = np.arange(-32768, 32768, dtype=np.int16)
    codes = np.arange(256)
    for info, law in ((PCMU, "ulaw"), (PCMA, "alaw")):
        encoded = np.frombuffer(make_encoder(info).encode(every), dtype=np.uint8)
        assert np.array_equal(encoded, audio_tools.g711_encode(every, law)), info.name
        decoded = make_decoder(info).decode(bytes(range(256)))
        assert np.array_equal(decoded, audio_tools.g711_decode(codes, law)), info.name


def test_g711_ulaw_codes_the_faintest_negative_samples_as_zero() -> None:
    """-1..-4 is negative zero (0x7F), not -8 (0x7E, Sun's code): a quiet line's noise
    must not become a rattle at the far end."""
    faint = np.array([-4, -3, -2, -1, 0, 1, 2, 3], dtype=np.int16)
    assert make_encoder(PCMU).encode(faint) == b"\x7f" * 4 + b"\xff" * 4
    assert not np.any(g711.ulaw2lin(make_encoder(PCMU).encode(faint)))


def test_g711_known_code_points() -> None:
    silence = np.zeros(4, dtype=np.int16)
    assert g711.numpy_lin2ulaw(silence) == b"\xff" * 4  # µ-law zero
    assert g711.numpy_lin2alaw(silence) == b"\xd5" * 4  # A-law zero (even bits inverted)
    assert g711.numpy_ulaw2lin(b"\x00\x80").tolist() == [-32124, 32124]
    assert g711.numpy_alaw2lin(b"\x2a\xaa").tolist() == [-32256, 32256]


@pytest.mark.parametrize("info", [PCMU, PCMA])
def test_g711_frame_sizes_and_snr(info: CodecInfo) -> None:
    x = speech_like(8000)
    enc = make_encoder(info)
    assert len(enc.encode(x[:160])) == 160 and len(enc.encode(x[:80])) == 80  # 20 and 10 ms
    y = round_trip(info, x)
    assert y.dtype == np.int16 and y.shape == (len(x) // 160 * 160,)
    assert snr_db(x[: len(y)], y) > 30  # G.711 gives ~38 dB on speech


def test_g711_plc_continues_a_voiced_sound() -> None:
    """One lost 20 ms frame of a steady vowel is rebuilt far better than silence."""
    rate, pitch = 8000, 64  # 125 Hz
    t = np.arange(rate)
    vowel = np.sum([np.sin(2 * np.pi * k * t / pitch) / k for k in range(1, 8)], axis=0) * 6000
    x = vowel.astype(np.int16)
    dec = make_decoder(PCMU)
    enc = make_encoder(PCMU)
    for i in range(10):
        dec.decode(enc.encode(x[i * 160 : (i + 1) * 160]))
    hidden = dec.conceal(160)
    truth = x[1600:1760]
    assert hidden.shape == (160,)
    assert snr_db(truth, hidden) > 12  # silence would score 0 dB


def test_plc_fades_to_silence_and_recovers_smoothly() -> None:
    x = speech_like(8000)
    dec = make_decoder(PCMA)
    enc = make_encoder(PCMA)
    for i in range(20):
        dec.decode(enc.encode(x[i * 160 : (i + 1) * 160]))
    gap = [dec.conceal(160) for _ in range(4)]  # 80 ms
    assert np.count_nonzero(gap[0]) > 100  # first 20 ms: full-level stand-in
    assert not np.any(gap[3])  # after 60 ms: silence (G.711 App. I)
    back = dec.decode(enc.encode(x[24 * 160 : 25 * 160]))
    assert abs(int(back[0])) < 2000  # faded in from silence, no click
    again = dec.decode(enc.encode(x[25 * 160 : 26 * 160]))
    assert np.array_equal(again, g711.alaw2lin(g711.lin2alaw(x[25 * 160 : 26 * 160])))


def test_g711_decodes_any_bytes() -> None:
    rng = np.random.default_rng(3)
    dec = make_decoder(PCMU)
    for size in (0, 1, 7, 160, 1400):
        assert dec.decode(rng.bytes(size)).shape == (size,)


# -- G.722 ------------------------------------------------------------------------------


def test_g722_sizes_snr_and_plc() -> None:
    x = speech_like(16000)
    enc, dec = make_encoder(G722), make_decoder(G722)
    payload = enc.encode(x[:320])
    assert len(payload) == 160
    assert dec.decode(payload).shape == (320,)
    assert dec.conceal(320).shape == (320,)
    assert dec.decode_fec(payload, 320) is None
    ref, deg = align(x, round_trip(G722, x))
    assert snr_db(ref, deg) > 18


def test_g722_encoder_coerces_float_frames() -> None:
    """Frames are coerced to int16, so a float frame encodes like its int16 twin."""
    x = speech_like(16000)[:320]
    a = make_encoder(G722).encode(x)
    b = make_encoder(G722).encode(x.astype(np.float64))
    assert a == b


# -- Opus ---------------------------------------------------------------------------


needs_opus = pytest.mark.skipif(not opus.available(), reason="libopus not found (PyAV wheel)")


@needs_opus
def test_opus_frames_10_and_20_ms() -> None:
    x = speech_like(48000)
    enc, dec = make_encoder(OPUS), make_decoder(OPUS)
    for n in (960, 480):
        payload = enc.encode(x[:n])
        assert 0 < len(payload) < 400
        assert dec.decode(payload).shape == (n,)
    assert dec.conceal(960).shape == (960,)
    assert dec.decode(b"").shape == (480,)  # empty payload: conceal the last frame size
    assert opus.version().startswith("libopus")


@needs_opus
def test_opus_fmtp_bitrate_cap() -> None:
    x = speech_like(48000)
    low = make_encoder(OPUS, maxaveragebitrate="12000")
    high = make_encoder(OPUS)
    assert isinstance(low, opus.OpusEncoder) and low.bitrate == 12000
    assert isinstance(high, opus.OpusEncoder) and high.bitrate == opus.DEFAULT_BITRATE
    frames = [x[i * 960 : (i + 1) * 960] for i in range(100)]
    size_low = sum(len(low.encode(f)) for f in frames)
    size_high = sum(len(high.encode(f)) for f in frames)
    assert size_low < size_high * 0.6


@needs_opus
def test_opus_bad_packets_raise_codec_error_only() -> None:
    rng = np.random.default_rng(11)
    dec = make_decoder(OPUS)
    errors = 0
    for _ in range(300):
        payload = rng.bytes(int(rng.integers(1, 200)))
        try:
            assert dec.decode(payload).dtype == np.int16
        except CodecError:
            errors += 1
    # TOC code 3 with zero frames is invalid (RFC 6716 §3.2.5)
    with pytest.raises(CodecError):
        dec.decode(b"\x03\x00")
    assert errors > 0


@needs_opus
def test_opus_fec_recovers_a_lost_packet_better_than_plc() -> None:
    x = speech_like(48000, seconds=6)
    n = 960
    enc = make_encoder(OPUS)
    packets = [enc.encode(x[i * n : (i + 1) * n]) for i in range(len(x) // n)]
    lbrr = [i for i, p in enumerate(packets) if i > 50 and opus._HAS_LBRR and p and p[0] >> 3 < 16]
    fec_better = 0
    tried = 0
    for lost in range(60, len(packets) - 1, 17):
        ref_dec, plc_dec, fec_dec = make_decoder(OPUS), make_decoder(OPUS), make_decoder(OPUS)
        for p in packets[:lost]:
            ref_dec.decode(p)
            plc_dec.decode(p)
            fec_dec.decode(p)
        truth = ref_dec.decode(packets[lost])
        plc = plc_dec.conceal(n)
        fec = fec_dec.decode_fec(packets[lost + 1], n)
        if fec is None:
            continue
        tried += 1
        assert fec.shape == (n,)
        if snr_db(truth, fec) > snr_db(truth, plc):
            fec_better += 1
    assert lbrr, "the encoder produced no SILK/hybrid packets"
    assert tried >= 5, "no packet carried in-band FEC"
    assert fec_better >= tried * 0.8


@needs_opus
def test_opus_decode_fec_without_data_is_none() -> None:
    assert make_decoder(OPUS).decode_fec(b"", 960) is None


# -- quality ceilings -------------------------------------------------------------------

# Lenient floors: they catch a broken codec path (wrong rate, byte order, delay), while the
# exact scores are printed for the record.
PESQ_FLOOR = {"pcmu": 3.7, "pcma": 3.7, "g722": 2.8, "opus": 3.4}
SPEECH_TEXT = (
    "Good morning. Please call me back tomorrow at nine thirty, "
    "the meeting about the new offices has been moved to Thursday."
)


def _round_trip_quality(info: CodecInfo, source: np.ndarray, rate: int) -> tuple[float, float]:
    x = soxr.resample(source, rate, info.sample_rate).astype(np.int16)
    ref, deg = align(x, round_trip(info, x))
    return snr_db(ref, deg), pesq_score(info, ref, deg)


@pytest.mark.parametrize("info", SUPPORTED, ids=lambda c: c.key)
def test_quality_synthetic_speech(info: CodecInfo) -> None:
    if info is OPUS and not opus.available():
        pytest.skip("libopus not found")
    snr, score = _round_trip_quality(info, speech_like(48000, seconds=6), 48000)
    print(f"{info.key}: synthetic SNR {snr:.1f} dB, PESQ {score:.2f}")
    assert score > 2.5
    if info.key in ("pcmu", "pcma"):
        assert snr > 30


@pytest.fixture(scope="module")
def espeak_speech(tmp_path_factory: pytest.TempPathFactory) -> tuple[np.ndarray, int]:
    exe = require_binary("espeak-ng")
    path = Path(tmp_path_factory.mktemp("speech")) / "speech.wav"
    subprocess.run([exe, "-w", str(path), SPEECH_TEXT], check=True, capture_output=True, timeout=60)
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16), w.getframerate()


@pytest.mark.parametrize("info", SUPPORTED, ids=lambda c: c.key)
def test_quality_real_speech_pesq(info: CodecInfo, espeak_speech: tuple[np.ndarray, int]) -> None:
    if info is OPUS and not opus.available():
        pytest.skip("libopus not found")
    source, rate = espeak_speech
    snr, score = _round_trip_quality(info, source, rate)
    print(f"{info.key}: espeak-ng speech SNR {snr:.1f} dB, PESQ {score:.2f}")
    assert score >= PESQ_FLOOR[info.key]


@pytest.mark.parametrize("info", SUPPORTED, ids=lambda c: c.key)
def test_concealment_beats_silence_under_loss(info: CodecInfo) -> None:
    """5 % random loss: the decoder's PLC must score better than zero-filling the gaps."""
    if info is OPUS and not opus.available():
        pytest.skip("libopus not found")
    x = soxr.resample(speech_like(48000, seconds=6), 48000, info.sample_rate).astype(np.int16)
    n = info.samples_per_frame(20)
    rng = np.random.default_rng(5)
    lost = frozenset(int(i) for i in np.flatnonzero(rng.random(len(x) // n) < 0.05))
    concealed = round_trip(info, x, lost)
    zeroed = round_trip(info, x).copy()
    for i in lost:
        zeroed[i * n : (i + 1) * n] = 0
    ref, deg = align(x, concealed)
    ref2, deg2 = align(x, zeroed)
    plc_score, zero_score = pesq_score(info, ref, deg), pesq_score(info, ref2, deg2)
    print(f"{info.key}: 5 % loss PESQ with PLC {plc_score:.2f}, zero-filled {zero_score:.2f}")
    assert plc_score > zero_score


def test_opus_fec_gets_more_bits_while_loss_is_reported() -> None:
    from parley.media.codecs import OPUS, make_encoder

    enc = make_encoder(OPUS, packet_loss_perc=0)
    base = enc.bitrate  # type: ignore[attr-defined]
    enc.set_packet_loss(10)  # type: ignore[attr-defined]
    assert enc.bitrate == 48000 > base  # type: ignore[attr-defined]
    enc.set_packet_loss(0)  # type: ignore[attr-defined]
    assert enc.bitrate == base  # type: ignore[attr-defined]
    capped = make_encoder(OPUS, packet_loss_perc=0, maxaveragebitrate=24000)
    capped.set_packet_loss(10)  # type: ignore[attr-defined]
    assert capped.bitrate == 24000  # type: ignore[attr-defined]  # the far end's cap holds
