"""`parley call TARGET`: one call from the command line, exit codes and recording."""

from __future__ import annotations

import subprocess
import sys
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from parley_console import ParleyConsole, write_config

from audio_tools import find_delay, read_wav, write_wav
from peers.baresip import Baresip
from peers.common import free_port
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop


def account(kam: Kamailio, user: str, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "domain": f"127.0.0.1:{kam.udp_port}",
        "username": user,
        "password": f"pass{user}",
        "codecs": ["pcmu"],
    }


def tone_wav(path: Path, freq: float = 700.0, seconds: float = 4.0) -> Path:
    t = np.arange(int(8000 * seconds)) / 8000
    samples = (8000 * np.sin(2 * np.pi * freq * t)).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(samples.tobytes())
    return path


def parley_call(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "parley.cli.main",
            "call",
            *args,
            "--config",
            str(config),
            "--bind",
            "127.0.0.1",
        ],
        capture_output=True,
        text=True,
        timeout=90,
    )


def test_answered_call_exits_0_and_records(kamailio: Kamailio, tmp_path: Path) -> None:
    callee_cfg = write_config(tmp_path / "callee.toml", [account(kamailio, "1002", "home")])
    callee = ParleyConsole(callee_cfg, log_dir=tmp_path, extra=["--auto-answer"])
    try:
        callee.wait_state("registered", "home")
        caller_cfg = write_config(tmp_path / "caller.toml", [account(kamailio, "1001", "office")])
        played = tone_wav(tmp_path / "tone.wav")
        heard = tmp_path / "heard.wav"
        # The callee plays nothing; what we record is its silence — the point is the file.
        done = parley_call(
            caller_cfg,
            "1002",
            "--play",
            str(played),
            "--record",
            str(heard),
            "--duration",
            "3",
            "--dtmf",
            "42",
        )
        assert done.returncode == 0, done.stderr
        assert heard.is_file()
        with wave.open(str(heard)) as w:
            assert w.getnframes() > w.getframerate()  # more than a second of call audio
        callee.wait_for(lambda e: e.get("event") == "dtmf" and e.get("digit") == "2")
        digits = [e["digit"] for e in callee.events if e.get("event") == "dtmf"]
        assert digits == ["4", "2"]
    finally:
        callee.quit()
        callee.stop()


def test_unknown_number_exits_1_with_the_reason(kamailio: Kamailio, tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "caller.toml", [account(kamailio, "1001", "office")])
    done = parley_call(cfg, "1999", "--duration", "1")
    assert done.returncode == 1
    assert "Not found" in done.stderr and "404" in done.stderr


def test_wrong_password_exits_3(kamailio: Kamailio, tmp_path: Path) -> None:
    data = account(kamailio, "1001", "office")
    data["password"] = "wrong"
    cfg = write_config(tmp_path / "caller.toml", [data])
    done = parley_call(cfg, "1002", "--duration", "1")
    assert done.returncode == 3
    assert "password" in done.stderr


# --- --play: the far end hears the file from its first sample ------------------------------


def chirp_then_silence(
    rate: int = 8000, chirp_s: float = 1.0, silence_s: float = 1.5
) -> np.ndarray:
    """A linear chirp (300 Hz to 3 kHz) loud from sample 0, then silence.

    Its frequency never repeats, so any stretch of it lines up at one lag only, and
    a missing head shows as a negative lag.
    """
    t = np.arange(int(rate * chirp_s)) / rate
    f0, f1 = 300.0, 3000.0
    phase = 2 * np.pi * (f0 * t + (f1 - f0) * t**2 / (2 * chirp_s)) + np.pi / 2  # starts at peak
    chirp = 8000 * np.sin(phase)
    return np.concatenate([chirp, np.zeros(int(rate * silence_s))]).astype(np.int16)


def test_play_reaches_the_far_end_from_its_first_sample(kamailio: Kamailio, tmp_path: Path) -> None:
    rate = 8000
    signal = chirp_then_silence(rate)
    played = write_wav(tmp_path / "chirp.wav", signal, rate)
    heard = tmp_path / "heard-by-baresip.wav"
    far = Baresip(
        tmp_path / "baresip",
        sip_port=free_port("both"),
        user="1002",
        password="pass1002",
        registrar=f"127.0.0.1:{kamailio.udp_port}",
        codecs=["PCMU/8000/1"],
        record_wav=heard,
        record_rate=rate,
        auto_answer=True,
    )
    far.start(timeout=30)
    try:
        cfg = write_config(tmp_path / "caller.toml", [account(kamailio, "1001", "office")])
        done = parley_call(cfg, "1002", "--play", str(played), "--duration", "2")
        assert done.returncode == 0, done.stderr
        far.wait_call_state("CALL_CLOSED", timeout=30)
    finally:
        far.stop()
    recorded, rec_rate = read_wav(heard)
    assert rec_rate == rate
    loud = np.flatnonzero(np.abs(recorded.astype(np.int32)) > 2000)
    assert loud.size, "baresip heard nothing"
    # Where in the file is the first sound the far end played? Line up 50 ms from there.
    first = int(loud[0])
    heard_head = recorded[first : first + rate // 20]
    offset = find_delay(heard_head, signal)  # file sample at the recording's first sound
    lost_ms = offset * 1000 / rate
    print(f"--play: the far end's first sound is file sample {offset} ({lost_ms:.1f} ms in)")
    # Within 2 ms (the bridge's resampler), not a packet (20 ms) or more into the file.
    assert offset <= rate * 2 // 1000, f"the first {lost_ms:.1f} ms of the file never arrived"
    # And it is the file's head, not a stretch that merely correlates.
    start = max(offset, 0)
    ref = signal[start : start + heard_head.size].astype(np.float64)
    got = heard_head[: ref.size].astype(np.float64)
    similarity = float(np.dot(ref, got) / (np.linalg.norm(ref) * np.linalg.norm(got) + 1e-9))
    assert similarity > 0.8, similarity


def test_play_of_a_broken_wav_exits_2_naming_the_file(kamailio: Kamailio, tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "caller.toml", [account(kamailio, "1001", "office")])
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF\x04\x00\x00\x00WAVE")
    done = parley_call(cfg, "1002", "--play", str(broken), "--duration", "1")
    assert done.returncode == 2, done.stderr
    assert str(broken) in done.stderr and "fmt" in done.stderr, done.stderr
