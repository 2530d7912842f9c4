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
