"""Call transfer (REFER, RFC 3515) between Parley and real phones through a real Kamailio.

Each phone plays its own tone (Parley consoles with ``--play``, baresip with its aufile
source) and records what it hears (Parley with ``--record-dir``, baresip through its
paced speaker). After a transfer, the two remaining parties must hear each other's tone
in their recordings, and the transferor's call must have ended as transferred.

- Parley transfers baresip (``call_transfer`` on) to a second Parley;
- Parley transfers a second Parley to baresip;
- baresip transfers Parley to another baresip (Parley as transferee).
"""

from __future__ import annotations

import time
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from parley_console import Event, ParleyConsole
from test_calls_baresip import Rig

from audio_tools import read_wav
from peers.baresip import Baresip
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop

TONES = {"1001": 500.0, "1002": 700.0, "1003": 1100.0}
LISTEN_SECONDS = 4.0


def tone_wav(path: Path, freq: float, seconds: float = 6.0, rate: int = 8000) -> Path:
    t = np.arange(int(rate * seconds)) / rate
    samples = (6000 * np.sin(2 * np.pi * freq * t)).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    return path


def tone_seconds(path: Path, freq: float) -> float:
    """Seconds of `path` (50 ms windows) whose energy is mostly within 30 Hz of `freq`."""
    samples, rate = read_wav(path)
    step = rate // 20
    freqs = np.fft.rfftfreq(step, 1.0 / rate)
    count = 0
    for start in range(0, samples.size - step + 1, step):
        window = samples[start : start + step].astype(np.float64)
        if np.sqrt(np.mean(window**2)) < 200:
            continue
        spectrum = np.abs(np.fft.rfft(window * np.hanning(step))) ** 2
        total = spectrum[freqs > 60].sum()
        inside = spectrum[np.abs(freqs - freq) <= 30].sum()
        if total > 0 and inside / total > 0.6:
            count += 1
    print(f"{path.name}: {count * 0.05:.2f} s of {freq:.0f} Hz")
    return count * 0.05


def is_call(state: str, **match: object):  # type: ignore[no-untyped-def]
    def predicate(e: Event) -> bool:
        return (
            e.get("event") == "call"
            and e.get("state") == state
            and all(e.get(k) == v for k, v in match.items())
        )

    return predicate


def is_transfer(state: str):  # type: ignore[no-untyped-def]
    return lambda e: e.get("event") == "transfer" and e.get("state") == state


@pytest.fixture
def rig(kamailio: Kamailio, tmp_path: Path) -> Iterator[Rig]:
    r = Rig(kamailio, tmp_path)
    try:
        yield r
    finally:
        r.close()


def parley(rig: Rig, tmp_path: Path, user: str, **kw: object) -> tuple[ParleyConsole, Path]:
    records = tmp_path / f"heard-{user}"
    console = rig.parley(
        user=user,
        codecs=["pcmu"],
        play=tone_wav(tmp_path / f"tone-{user}.wav", TONES[user]),
        record_dir=records,
        **kw,  # type: ignore[arg-type]
    )
    return console, records


def baresip(rig: Rig, tmp_path: Path, user: str, **kw: object) -> Baresip:
    return rig.baresip(
        user=user,
        play_wav=tone_wav(tmp_path / f"tone-{user}.wav", TONES[user]),
        play_loop=True,
        record_wav=tmp_path / f"heard-{user}.wav",
        record_rate=8000,
        **kw,  # type: ignore[arg-type]
    )


def newest(records: Path) -> Path:
    files = sorted(records.glob("*.wav"), key=lambda p: p.stat().st_mtime)
    assert files, f"no recording in {records}"
    return files[-1]


def test_parley_transfers_baresip_to_a_second_parley(rig: Rig, tmp_path: Path) -> None:
    alice, _ = parley(rig, tmp_path, "1001")
    carol, carol_heard = parley(rig, tmp_path, "1003", auto_answer=True)
    bob = baresip(rig, tmp_path, "1002", auto_answer=True, call_transfer=True)

    alice.send(f"dial {rig.uri('1002')}")
    first = alice.wait_for(is_call("connected"), timeout=20)
    alice.send(f"transfer 1003 {first['call']}")
    alice.wait_for(is_transfer("trying"), timeout=10)
    done = alice.wait_for(is_transfer("done"), timeout=30)
    assert done["call"] == first["call"] and done["status"] == 200
    ended = alice.wait_for(is_call("ended", call=first["call"]), timeout=20)
    assert ended["note"] == "transferred"
    carol.wait_for(is_call("connected"), timeout=20)
    time.sleep(LISTEN_SECONDS)
    carol.send("hangup")
    carol.wait_for(is_call("ended"), timeout=20)
    bob.stop()
    assert bob.record_wav is not None
    assert tone_seconds(newest(carol_heard), TONES["1002"]) > 1.5
    assert tone_seconds(bob.record_wav, TONES["1003"]) > 1.5


def test_parley_transfers_a_second_parley_to_baresip(rig: Rig, tmp_path: Path) -> None:
    alice, _ = parley(rig, tmp_path, "1001")
    bob, bob_heard = parley(rig, tmp_path, "1002", auto_answer=True)
    carol = baresip(rig, tmp_path, "1003", auto_answer=True)

    alice.send(f"dial {rig.uri('1002')}")
    first = alice.wait_for(is_call("connected"), timeout=20)
    bob_first = bob.wait_for(is_call("connected"), timeout=20)
    alice.send("transfer 1003")
    bob.wait_for(is_transfer("accepted"), timeout=20)
    alice.wait_for(is_transfer("done"), timeout=30)
    ended = alice.wait_for(is_call("ended", call=first["call"]), timeout=20)
    assert ended["note"] == "transferred"
    bob.wait_for(is_transfer("done"), timeout=20)
    old = bob.wait_for(is_call("ended", call=bob_first["call"]), timeout=20)
    assert old["note"] == "transferred"
    carol.wait_call_state("CALL_ESTABLISHED", timeout=20)
    time.sleep(LISTEN_SECONDS)
    bob.send("hangup")
    bob.wait_for(is_call("ended"), timeout=20)
    carol.stop()
    assert carol.record_wav is not None
    assert tone_seconds(newest(bob_heard), TONES["1003"]) > 1.5
    assert tone_seconds(carol.record_wav, TONES["1002"]) > 1.5
    # The new call's INVITE told who referred it (RFC 3892).
    assert "Referred-By: <sip:1001@" in bob.stderr_path.read_text(errors="replace")


def test_baresip_transfers_parley_to_another_baresip(rig: Rig, tmp_path: Path) -> None:
    bob, bob_heard = parley(rig, tmp_path, "1002", auto_answer=True)
    alice = baresip(rig, tmp_path, "1001")
    carol = baresip(rig, tmp_path, "1003", auto_answer=True)

    alice.dial(rig.uri("1002"))
    first = bob.wait_for(is_call("connected"), timeout=20)
    alice.wait_call_state("CALL_ESTABLISHED", timeout=20)
    alice.command("transfer", rig.uri("1003"))
    bob.wait_for(is_transfer("accepted"), timeout=20)
    bob.wait_for(is_transfer("done"), timeout=30)
    old = bob.wait_for(is_call("ended", call=first["call"]), timeout=20)
    assert old["note"] == "transferred"
    carol.wait_call_state("CALL_ESTABLISHED", timeout=20)
    time.sleep(LISTEN_SECONDS)
    bob.send("hangup")
    bob.wait_for(is_call("ended"), timeout=20)
    carol.stop()
    assert carol.record_wav is not None
    assert tone_seconds(newest(bob_heard), TONES["1003"]) > 1.5
    assert tone_seconds(carol.record_wav, TONES["1002"]) > 1.5
