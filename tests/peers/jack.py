"""A JACK server with the dummy backend for sound-device tests (`jackd -d dummy`).

Each test starts its own under a unique server name and stops it by pid. The dummy
driver is paced in real time like a sound card; `jack_connect` wires ports, and any
JACK client with ports (`jack_metro`, ...) is one more device to PortAudio's JACK host
API once PortAudio enumerates again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from peers.common import Process, require_binary, wait_until


@dataclasses.dataclass
class Jack:
    name: str
    process: Process
    env: dict[str, str]

    def run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [require_binary(argv[0]), "-s", self.name, *argv[1:]],
            capture_output=True,
            text=True,
            timeout=10,
            env={**os.environ, **self.env},
        )

    def ports(self, direction: str) -> list[str]:
        """Our client's ports of ``direction`` ("input"/"output")."""
        lines = self.run("jack_lsp", "-p").stdout.splitlines()
        found = []
        for name, props in zip(lines[::2], lines[1::2], strict=False):
            if not name.startswith("system:") and direction in props:
                found.append(name.strip())
        return found

    def all_ports(self) -> list[str]:
        return [p.strip() for p in self.run("jack_lsp").stdout.splitlines()]


def start_jack(tmp_path: Path, tag: str, period: int = 960) -> Jack:
    jackd = require_binary("jackd")
    require_binary("jack_lsp")
    name = f"parley-{tag}-{os.getpid()}"
    env = {"JACK_DEFAULT_SERVER": name, "JACK_NO_START_SERVER": "1"}
    argv = [jackd, "-n", name, "-r", "-d", "dummy", "-r", "48000", "-p", str(period)]
    process = Process(argv, log_path=tmp_path / f"jackd-{tag}.log", name="jackd", env=env)
    process.start()
    jack = Jack(name, process, env)
    if not wait_until(lambda: jack.run("jack_lsp").returncode == 0, timeout=15):
        process.stop()
        raise RuntimeError(f"jackd did not come up; log:\n{process.log_tail()}")
    return jack


@contextlib.contextmanager
def portaudio_on_jack(tmp_path: Path, tag: str, monkeypatch: Any) -> Iterator[Jack]:
    """A jackd for one test, with PortAudio in this process re-initialised to see it
    (the environment goes to libjack here and to child processes)."""
    from parley.media import devices
    from peers.common import missing_peer

    server = start_jack(tmp_path, tag)
    for key, value in server.env.items():
        monkeypatch.setenv(key, value)  # read by libjack when PortAudio initialises
    import sounddevice as sd

    devices.rescan()
    if "JACK" not in devices.portaudio_info():
        server.process.stop()
        missing_peer(f"PortAudio has no JACK host API: {devices.portaudio_info()}")
    try:
        yield server
    finally:
        # Leave PortAudio's JACK client while the server still runs (terminating it
        # against a dead server hangs) and no close runs in another thread, then come
        # back without JACK.
        assert devices.wait_for_closers(10.0), "a PortAudio stream close is stuck"
        sd._terminate()
        server.process.stop()
        monkeypatch.undo()
        sd._initialize()


def metronome(jack: Jack, log_dir: Path, name: str, hz: float) -> Process:
    """A JACK client `name` with one output port beeping at `hz` (half the time): to
    PortAudio, a new device with a microphone."""
    argv = [require_binary("jack_metro"), "-n", name, "-b", "300", "-D", "150", "-f", str(hz)]
    proc = Process(argv, log_path=log_dir / f"{name}.log", name=name, env=jack.env)
    proc.start()
    if not wait_until(lambda: any(p.startswith(f"{name}:") for p in jack.all_ports()), timeout=10):
        proc.stop()
        raise RuntimeError(f"jack_metro {name} did not come up: {proc.log_tail()}")
    return proc
