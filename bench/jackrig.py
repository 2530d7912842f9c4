"""A JACK dummy server, a measuring client on it, and baresip on JACK: the rig of
``bench_mouth_to_ear.py``.

- ``JackServer``: ``jackd -d dummy`` under its own name, stopped by pid; ``jack_lsp``
  and ``jack_connect`` against it.
- ``Probe``: a PortAudio duplex stream in this process. Its output plays a click
  track from the first frame on (who hears it is decided by connections); its input
  is recorded into one buffer indexed by the same frame counter, and each callback
  notes the wall clock, so a frame index can be put on the wall clock of tshark.
- ``JackBaresip``: the test rig's baresip with its ``jack`` module as microphone and
  speaker (float samples at the server's rate, no automatic connections).

Benchmark support only: nothing here asserts anything.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from callrig import ROOT, which

from peers.baresip import Baresip
from peers.common import Process, wait_until

RATE = 48000


class JackServer:
    def __init__(self, workdir: Path, period: int, *, realtime: bool = False) -> None:
        self.name = f"parley-m2e-{os.getpid()}"
        self.period = period
        self.env = {"JACK_DEFAULT_SERVER": self.name, "JACK_NO_START_SERVER": "1"}
        # Real-time scheduling (-R) keeps the dummy driver on time on a busy machine;
        # without it (-r) the clients' cycles run late and the driver loses time.
        argv = [which("jackd"), "-n", self.name, "-R" if realtime else "-r"]
        argv += ["-d", "dummy", "-r", str(RATE)]
        argv += ["-p", str(period)]
        self.process = Process(argv, log_path=workdir / "jackd.log", name="jackd", env=self.env)

    def start(self) -> JackServer:
        self.process.start()
        if not wait_until(lambda: self.run("jack_lsp").returncode == 0, timeout=15):
            self.process.stop()
            raise RuntimeError(f"jackd did not come up:\n{self.process.log_tail()}")
        os.environ.update(self.env)  # for PortAudio here and every phone started after
        return self

    def stop(self) -> None:
        self.process.stop()

    def run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [which(argv[0]), "-s", self.name, *argv[1:]],
            capture_output=True,
            text=True,
            timeout=10,
            env={**os.environ, **self.env},
        )

    def ports(self) -> dict[str, str]:
        """Every port with its direction: "input" (it receives) or "output"."""
        lines = self.run("jack_lsp", "-p").stdout.splitlines()
        out = {}
        for name, props in zip(lines[::2], lines[1::2], strict=False):
            out[name.strip()] = "input" if "input" in props else "output"
        return out

    def connect(self, source: str, dest: str) -> None:
        result = self.run("jack_connect", source, dest)
        if result.returncode != 0:
            raise RuntimeError(f"jack_connect {source} {dest}: {result.stderr.strip()}")

    def disconnect(self, source: str, dest: str) -> None:
        self.run("jack_disconnect", source, dest)


def new_ports(before: dict[str, str], server: JackServer, timeout: float = 10.0) -> dict[str, str]:
    """Ports that appeared since ``before`` (waits until some did)."""
    found: dict[str, str] = {}

    def appeared() -> bool:
        nonlocal found
        found = {k: v for k, v in server.ports().items() if k not in before}
        return bool(found) and "input" in found.values() and "output" in found.values()

    wait_until(appeared, timeout=timeout, interval=0.1)
    return found


class Probe:
    """Plays ``track`` (48 kHz int16) from frame 0 on; records its input for ``seconds``."""

    def __init__(self, track: npt.NDArray[np.int16], seconds: float) -> None:
        import sounddevice as sd

        from parley.media import devices

        devices.rescan()  # PortAudio must see the JACK server started after import
        size = int(seconds * RATE)
        self.track = np.zeros(size, dtype=np.float32)
        self.track[: min(size, len(track))] = track[:size] / 32768.0
        self.recorded = np.zeros(size, dtype=np.float32)
        self.frame = 0
        self.stamps = np.zeros((int(seconds * RATE / 32) + 1, 2), dtype=np.float64)
        self.n_stamps = 0
        self.xruns = 0
        self._lock = threading.Lock()
        self.stream = sd.Stream(
            device=("system", "system"),
            samplerate=RATE,
            channels=1,
            dtype="float32",
            latency="low",
            callback=self._callback,
        )

    def _callback(self, indata: Any, outdata: Any, frames: int, when: Any, status: Any) -> None:
        now = time.time()
        if status:
            self.xruns += 1
        f = self.frame
        end = min(f + frames, len(self.track))
        outdata[:, 0] = 0.0
        if end > f:
            outdata[: end - f, 0] = self.track[f:end]
            self.recorded[f:end] = indata[: end - f, 0]
        if self.n_stamps < len(self.stamps):
            self.stamps[self.n_stamps] = (f, now)
            self.n_stamps += 1
        self.frame = f + frames

    def start(self) -> None:
        self.stream.start()

    def close(self) -> None:
        self.stream.stop()
        self.stream.close()

    def rate_vs_wall(self) -> float:
        """Frames the JACK clock counted per wall-clock second (48000 when it kept time;
        less when an overloaded dummy driver lost time at its xruns)."""
        stamps = self.stamps[: self.n_stamps]
        if len(stamps) < 2:
            return float("nan")
        return float((stamps[-1, 0] - stamps[0, 0]) / (stamps[-1, 1] - stamps[0, 1]))

    def wall_time(self, frame: float, window: float = 0.25) -> float:
        """Wall time at which the JACK cycle holding ``frame`` began, plus the frame's
        place in it.

        Callbacks run late, never early: the smallest ``time - frame / RATE`` among the
        cycles within ``window`` s of ``frame`` is the cycle start's offset. Local,
        because the dummy driver skips time at an xrun (the offset steps).
        """
        stamps = self.stamps[: self.n_stamps]
        frames, times = stamps[:, 0], stamps[:, 1]
        near = np.abs(frames - frame) <= window * RATE
        if not near.any():
            near = np.ones(len(frames), dtype=bool)
        offset = float(np.min(times[near] - frames[near] / RATE))
        return offset + frame / RATE


class JackBaresip(Baresip):
    """baresip with its ``jack`` module as microphone and speaker."""

    def __init__(self, *args: Any, client: str, **kwargs: Any) -> None:
        self.client = client
        super().__init__(*args, **kwargs)

    def config_text(self) -> str:
        swap = {
            "audio_player": f"audio_player jack,{self.client}",
            "audio_source": f"audio_source jack,{self.client}",
            "ausrc_srate": f"ausrc_srate {RATE}",
            "auplay_srate": f"auplay_srate {RATE}",
        }
        lines = []
        for line in super().config_text().splitlines():
            key = line.split(" ", 1)[0]
            lines.append(swap.get(key, line))
        lines += [
            "module jack.so",
            "ausrc_format float",
            "auplay_format float",
            f"jack_client_name {self.client}",
            "jack_connect_ports no",
        ]
        return "\n".join(lines) + "\n"


def python_env() -> dict[str, str]:
    """The environment a Parley process of this tree needs."""
    return {"PYTHONPATH": str(ROOT / "src")}


def udp_end(role: str, port: int, seconds: float) -> None:
    """A "phone" with no delay of its own, for checking the rig: ``tx`` sends each block
    its JACK input gets over UDP at once; ``rx`` plays what arrived at its next cycle."""
    import socket

    import sounddevice as sd

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    pending = np.zeros(0, dtype=np.float32)
    if role == "rx":
        sock.bind(("127.0.0.1", port))
        sock.setblocking(False)

    def callback(indata: Any, outdata: Any, frames: int, when: Any, status: Any) -> None:
        nonlocal pending
        outdata[:] = 0
        if role == "tx":
            sock.sendto(indata[:, 0].tobytes(), ("127.0.0.1", port))
            return
        while True:
            try:
                data = sock.recv(65536)
            except BlockingIOError:
                break
            pending = np.concatenate([pending, np.frombuffer(data, dtype=np.float32)])
        n = min(frames, len(pending))
        outdata[:n, 0] = pending[:n]
        pending = pending[n:]

    with sd.Stream(
        device=("system", "system"),
        samplerate=RATE,
        channels=1,
        dtype="float32",
        latency="low",
        callback=callback,
    ):
        print("open", flush=True)
        time.sleep(seconds)


if __name__ == "__main__":
    import sys

    udp_end(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))
