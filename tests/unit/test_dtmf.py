"""DTMF: RFC 4733 payloads, sender/receiver state machines, SIP INFO bodies, in-band."""

from __future__ import annotations

import numpy as np
import pytest

from parley.media.dtmf import (
    DIGITS,
    INFO_DTMF,
    INFO_RELAY,
    DtmfEvent,
    DtmfParseError,
    DtmfReceiver,
    DtmfSender,
    InbandDetector,
    digit_packets,
    digit_to_event,
    dtmf_body,
    dtmf_relay_body,
    dtmf_tone,
    event_to_digit,
    parse_info_body,
    tone_frequencies,
)

# -- mapping and payload ----------------------------------------------------------


def test_digit_event_mapping() -> None:
    assert [digit_to_event(d) for d in "0123456789*#ABCD"] == list(range(16))
    assert digit_to_event("b") == 13
    assert event_to_digit(11) == "#" and event_to_digit(16) is None
    with pytest.raises(ValueError, match="not a DTMF digit"):
        digit_to_event("E")
    assert tone_frequencies("5") == (770.0, 1336.0)
    assert tone_frequencies("D") == (941.0, 1633.0)


def test_event_payload_wire_format() -> None:
    # RFC 4733 §2.3: event, E|R|volume, duration
    ev = DtmfEvent(event=5, end=True, volume=10, duration=800)
    assert ev.to_bytes() == bytes([5, 0x80 | 10, 0x03, 0x20])
    assert DtmfEvent.parse(ev.to_bytes()) == ev
    assert DtmfEvent.parse(bytes([11, 0x40 | 7, 0, 160])) == DtmfEvent(
        11, False, 7, 160
    )  # R ignored


@pytest.mark.parametrize("payload", [b"", b"\x01", b"\x01\x02\x03"])
def test_event_payload_too_short(payload: bytes) -> None:
    with pytest.raises(DtmfParseError):
        DtmfEvent.parse(payload)


def test_event_field_ranges() -> None:
    with pytest.raises(ValueError):
        DtmfEvent(5, volume=64)
    with pytest.raises(ValueError):
        DtmfEvent(5, duration=70000)


# -- sender -------------------------------------------------------------------------


def test_digit_packet_sequence() -> None:
    pkts = digit_packets("7", 1000, clock_rate=8000, ptime_ms=20, duration_ms=100)
    assert [p.marker for p in pkts] == [True] + [False] * (len(pkts) - 1)
    assert {p.timestamp for p in pkts} == {1000}
    assert [p.event.duration for p in pkts] == [160, 320, 480, 640, 800, 800, 800]
    assert [p.event.end for p in pkts] == [False] * 4 + [True] * 3
    assert all(p.event.event == 7 and p.payload == p.event.to_bytes() for p in pkts)


def test_digit_packets_at_48k_cap_duration() -> None:
    pkts = digit_packets("1", 0, clock_rate=48000, duration_ms=5000)
    assert pkts[-1].event.duration == 0xFFFF and pkts[-1].event.end


def test_sender_ticks_and_gap_between_digits() -> None:
    s = DtmfSender(clock_rate=8000, ptime_ms=20, duration_ms=60, min_gap_ms=40)
    s.send("1#")
    ts = 5000
    sent: list[tuple[int, bool, int, bool]] = []
    for _ in range(20):
        p = s.tick(ts)
        sent.append((ts, p is not None, p.timestamp if p else -1, bool(p and p.marker)))
        ts += 160
    flags = [x[1] for x in sent]
    # digit 1: 3 packets (60 ms) + 2 more end repeats = 5, then 2 audio ticks (40 ms gap)
    assert flags[:5] == [True] * 5 and flags[5:7] == [False, False]
    assert flags[7:12] == [True] * 5 and not any(flags[12:])
    assert sent[0][2] == 5000 and sent[7][2] == 5000 + 7 * 160  # new event, new timestamp
    assert sent[0][3] and sent[7][3]
    assert not s.pending and not s.active


def test_sender_rejects_bad_digits_atomically() -> None:
    s = DtmfSender()
    with pytest.raises(ValueError):
        s.send("12x")
    assert not s.pending


# -- receiver -----------------------------------------------------------------------


def test_sender_to_receiver_once_per_digit() -> None:
    s = DtmfSender(duration_ms=100)
    r = DtmfReceiver()
    s.send("42")
    got = []
    ts, now = 0, 0.0
    for _ in range(30):
        p = s.tick(ts)
        if p is not None:
            got += r.feed(p.payload, p.timestamp, now)
            got += r.feed(p.payload, p.timestamp, now)  # duplicated by the network
        ts += 160
        now += 0.02
    assert [(d.digit, d.phase) for d in got] == [
        ("4", "start"),
        ("4", "end"),
        ("2", "start"),
        ("2", "end"),
    ]
    assert got[1].duration_ms == 100


def test_receiver_end_by_timeout_and_by_next_event() -> None:
    r = DtmfReceiver(timeout=0.5)
    start = DtmfEvent(9, duration=160).to_bytes()
    assert [d.phase for d in r.feed(start, 100, 0.0)] == ["start"]
    assert r.poll(0.3) == []
    ended = r.poll(0.6)
    assert [(d.digit, d.phase, d.duration_ms) for d in ended] == [("9", "end", 20)]
    assert r.poll(2.0) == []
    assert r.feed(DtmfEvent(9, end=True, duration=800).to_bytes(), 100, 2.1) == []  # late, same ts
    r.feed(DtmfEvent(1).to_bytes(), 900, 3.0)
    nxt = r.feed(DtmfEvent(2).to_bytes(), 1900, 3.02)
    assert [(d.digit, d.phase) for d in nxt] == [("1", "end"), ("2", "start")]


def test_receiver_only_end_packets_seen() -> None:
    r = DtmfReceiver()
    got = r.feed(DtmfEvent(0, end=True, duration=1600).to_bytes(), 42, 0.0)
    assert [(d.digit, d.phase, d.duration_ms) for d in got] == [
        ("0", "start", 0),
        ("0", "end", 200),
    ]


def test_receiver_ignores_garbage() -> None:
    r = DtmfReceiver()
    assert r.feed(b"\x01", 0, 0.0) == [] and r.malformed == 1
    assert r.feed(DtmfEvent(16).to_bytes(), 0, 0.0) == []  # flash is not a key


# -- SIP INFO -------------------------------------------------------------------------


def test_info_bodies_round_trip() -> None:
    assert dtmf_relay_body("5") == "Signal=5\r\nDuration=160\r\n"
    assert dtmf_relay_body("#", 250) == "Signal=#\r\nDuration=250\r\n"
    assert dtmf_body("c") == "C"
    got = parse_info_body(INFO_RELAY, dtmf_relay_body("*", 100).encode())
    assert (got.digit, got.duration_ms) == ("*", 100)
    assert parse_info_body(INFO_DTMF + "; charset=utf-8", b"7\r\n").digit == "7"


@pytest.mark.parametrize(
    ("body", "digit", "duration"),
    [
        ("signal= 11 \nduration=300", "#", 300),
        ("Signal=10\r\n", "*", None),
        ("Signal=a\r\nDuration=\r\n", "A", None),
    ],
)
def test_info_relay_variants(body: str, digit: str, duration: int | None) -> None:
    got = parse_info_body("Application/DTMF-Relay", body)
    assert (got.digit, got.duration_ms) == (digit, duration)


@pytest.mark.parametrize(
    ("ctype", "body"),
    [
        (INFO_RELAY, "Duration=100"),
        (INFO_RELAY, "Signal=Z"),
        (INFO_RELAY, "Signal=1\nDuration=long"),
        (INFO_RELAY, "Signal=1\nDuration=-5"),
        (INFO_DTMF, "12"),
        ("text/plain", "Signal=1"),
        (INFO_RELAY, b"\xff\xfe"),
    ],
)
def test_info_bad_bodies(ctype: str, body: str | bytes) -> None:
    with pytest.raises(DtmfParseError):
        parse_info_body(ctype, body)


# -- in-band --------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [8000, 16000, 48000])
def test_inband_all_digits_detected_once(rate: int) -> None:
    parts = []
    for d in DIGITS:
        parts += [dtmf_tone(d, rate, 60), np.zeros(rate * 50 // 1000, dtype=np.int16)]
    signal = np.concatenate(parts)
    det = InbandDetector(rate)
    found = []
    frame = rate // 50
    for i in range(0, len(signal), frame):
        found += det.feed(signal[i : i + frame])
    assert "".join(found) == DIGITS


def test_inband_long_press_reported_once_and_with_noise() -> None:
    rng = np.random.default_rng(2)
    tone = dtmf_tone("8", 8000, 400, level_dbfs=-20)
    noisy = (tone + rng.normal(0, 300, tone.size)).astype(np.int16)  # ~20 dB SNR
    det = InbandDetector(8000)
    assert det.feed(noisy) == ["8"]


def test_inband_rejects_speech_like_and_single_tones_and_bad_twist() -> None:
    rate = 8000
    t = np.arange(rate) / rate
    det = InbandDetector(rate)
    single = (8000 * np.sin(2 * np.pi * 770 * t)).astype(np.int16)
    assert det.feed(single) == []
    harmonics = np.sum([np.sin(2 * np.pi * k * 140 * t) for k in range(1, 12)], axis=0) * 2000
    assert det.feed(harmonics.astype(np.int16)) == []
    twisted = 9000 * np.sin(2 * np.pi * 770 * t) + 1000 * np.sin(2 * np.pi * 1336 * t)  # 19 dB
    assert det.feed(twisted.astype(np.int16)) == []
    quiet = dtmf_tone("5", rate, 200, level_dbfs=-60)
    assert det.feed(quiet) == []


def test_inband_too_short_tone_is_ignored() -> None:
    det = InbandDetector(8000)
    blip = np.concatenate(
        [np.zeros(100, dtype=np.int16), dtmf_tone("3", 8000, 15), np.zeros(400, dtype=np.int16)]
    )
    assert det.feed(blip) == []


def test_dtmf_tone_level_and_shape() -> None:
    x = dtmf_tone("1", 8000, 100, level_dbfs=-10)
    assert x.shape == (800,) and x.dtype == np.int16
    peak_each = 32767 * 10 ** (-10 / 20)
    assert 1.5 * peak_each < np.max(np.abs(x)) <= 2 * peak_each + 1
    assert abs(int(x[0])) < 50 and abs(int(x[-1])) < 50  # ramped ends
    spectrum = np.abs(np.fft.rfft(x.astype(float)))
    freqs = np.fft.rfftfreq(800, 1 / 8000)
    top = sorted(freqs[np.argsort(spectrum)[-2:]])
    assert top == [700.0, 1210.0]  # bins nearest 697 and 1209 Hz
