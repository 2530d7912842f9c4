"""A JACK server with the dummy backend for sound-device tests (`jackd -d dummy`).

Each test starts its own under a unique server name and stops it by pid. The dummy
driver is paced in real time like a sound card; `jack_connect` wires ports, and any
JACK client with ports (`jack_metro`, ...) is one more device to PortAudio's JACK host
API once PortAudio enumerates again.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
from pathlib import Path

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
