"""Shared rig of the call benchmarks: Parley as a process, Kamailio in a namespace, a lossy link.

- ``ParleyPhone``: ``parley console --json`` as a separate process (optionally inside a
  network namespace), with its own settings file; events are JSON lines stamped with
  ``time.time()`` when read.
- ``NsKamailio``: the test fixture's Kamailio listening on a namespace's address
  instead of 127.0.0.1 (the template is rewritten, nothing in tests/ changes).
- ``LossyLink``: ``ImpairedLink`` with ``bench/rtp_relay.py`` as its relay (the same
  loss pattern per RTP packet index for every phone).
- ``cpu_seconds(pid)``: user + system time of a process from ``/proc/PID/stat``.

Benchmark support only: nothing here asserts anything.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT / "tests"))

from peers.common import LOOPBACK, Process, wait_until  # noqa: E402
from peers.impair import ImpairedLink, ImpairError  # noqa: E402
from peers.kamailio import Kamailio  # noqa: E402

Event = dict[str, Any]
USERS = {"1001": "pass1001", "1002": "pass1002", "1003": "pass1003", "1004": "pass1004"}
SBIN_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/local/sbin", "/usr/sbin", "/sbin"])


def which(name: str) -> str:
    path = shutil.which(name, path=SBIN_PATH)
    if path is None:
        sys.exit(f"bench: {name} is not installed (./scripts/bootstrap.sh --peers)")
    return path


def in_netns(ns: str, argv: list[str]) -> list[str]:
    """``argv`` run inside namespace ``ns`` (``ip netns exec`` execs: same pid)."""
    return ["ip", "netns", "exec", ns, *[str(a) for a in argv]]


def python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` (its threads included), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ParleyPhone:
    """One ``parley console --json`` process."""

    def __init__(
        self,
        workdir: Path,
        *,
        user: str,
        registrar: str,
        bind: str = LOOPBACK,
        codecs: list[str] | None = None,
        play: Path | None = None,
        record_dir: Path | None = None,
        auto_answer: bool = False,
        netns: str | None = None,
        media: dict[str, Any] | None = None,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.user = user
        self.registrar = registrar
        self.bind = bind
        self.codecs = codecs or ["pcmu"]
        self.play = play
        self.record_dir = record_dir
        self.auto_answer = auto_answer
        self.netns = netns
        self.media = media or {}
        self.extra_args = extra_args
        self.events: list[Event] = []
        self._cond = threading.Condition()
        self.proc: subprocess.Popen[bytes] | None = None
        self._stdin_lock = threading.Lock()
        self._replies: queue.Queue[Event] = queue.Queue()

    def config(self) -> Path:
        import tomli_w

        account = {
            "name": "bench",
            "domain": self.registrar,
            "username": self.user,
            "password": USERS[self.user],
            "transport": "udp",
            "codecs": self.codecs,
        }
        media = {"call_waiting": True, **self.media}
        data = {"media": media, "accounts": [account]}
        path = self.workdir / "parley.toml"
        path.write_text(tomli_w.dumps(data))
        path.chmod(0o600)
        return path

    def start(self, timeout: float = 20.0) -> ParleyPhone:
        argv = [python(), "-m", "parley.cli.main", "console", "--config", str(self.config())]
        argv += ["--json", "--bind", self.bind, "--log-level", "warning"]
        if self.play is not None:
            argv += ["--play", str(self.play)]
        if self.record_dir is not None:
            argv += ["--record-dir", str(self.record_dir)]
        if self.auto_answer:
            argv.append("--auto-answer")
        argv += self.extra_args
        if self.netns is not None:
            argv = in_netns(self.netns, argv)
        self.stderr = (self.workdir / "parley.stderr").open("ab")
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
            cwd=ROOT,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()
        ok = self.wait_event(
            lambda e: e.get("event") == "account" and e.get("state") == "registered", timeout
        )
        if ok is None:
            self.stop()
            raise RuntimeError(f"Parley {self.user} did not register; see {self.workdir}")
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for raw in self.proc.stdout:
            try:
                event = json.loads(raw)
            except ValueError:
                continue
            event["at"] = time.time()
            if event.get("event") == "reply":
                self._replies.put(event)
            with self._cond:
                self.events.append(event)
                self._cond.notify_all()

    def send(self, line: str) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        with self._stdin_lock:
            self.proc.stdin.write((line + "\n").encode())
            self.proc.stdin.flush()

    def ask(self, line: str, timeout: float = 5.0) -> str:
        """A command whose answer is one reply line (``stats``)."""
        while not self._replies.empty():
            self._replies.get_nowait()
        self.send(line)
        return str(self._replies.get(timeout=timeout).get("text", ""))

    def mark(self) -> int:
        with self._cond:
            return len(self.events)

    def wait_event(
        self, predicate: Callable[[Event], bool], timeout: float = 15.0, since: int = 0
    ) -> Event | None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for event in self.events[since:]:
                    if predicate(event):
                        return event
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)

    def wait_call(self, state: str, timeout: float = 15.0, since: int = 0) -> Event | None:
        return self.wait_event(
            lambda e: e.get("event") == "call" and e.get("state") == state, timeout, since
        )

    def connected_calls(self) -> int:
        with self._cond:
            return sum(
                1 for e in self.events if e.get("event") == "call" and e.get("state") == "connected"
            )

    def stop(self) -> None:
        """``quit`` (hangs up and unregisters), then by pid if it lingers."""
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(OSError):
                self.send("quit")
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(5)
        self.stderr.close()
        self.proc = None

    def recordings(self) -> list[Path]:
        if self.record_dir is None:
            return []
        return sorted(self.record_dir.glob("call-*.wav"), key=lambda p: p.stat().st_mtime)


class NsKamailio(Kamailio):
    """The fixture's Kamailio, listening on ``address`` inside namespace ``netns``."""

    def __init__(self, workdir: Path, address: str, netns: str, port: int, tls_port: int) -> None:
        self.address = address
        self.netns = netns
        super().__init__(workdir, USERS, udp_port=port, tcp_port=port, tls_port=tls_port)
        text = self.config_path.read_text().replace(LOOPBACK, address)
        self.config_path.write_text(text)

    @property
    def host(self) -> str:
        return getattr(self, "address", LOOPBACK)

    def argv(self) -> list[str]:
        return in_netns(self.netns, super().argv())

    def start(self, timeout: float = 15.0) -> Kamailio:
        # Its ports are in another namespace: /proc/net of ours cannot show them.
        self.ctl_socket.unlink(missing_ok=True)
        self.process = Process(self.argv(), log_path=self.log_path, name="kamailio")
        self.process.start()
        if not wait_until(self.ctl_socket.exists, timeout=timeout):
            self.stop()
            raise TimeoutError(f"Kamailio in {self.netns}: no ctl socket; see {self.log_path}")
        time.sleep(0.5)
        return self


class LossyLink(ImpairedLink):
    """``ImpairedLink`` whose relay is ``bench/rtp_relay.py`` (same config file)."""

    def _start_relay(self, timeout: float) -> None:
        assert self.server is not None
        config = {
            "hosts": {h.ns: h.address for h in self.hosts},
            "impaired": [self.a.address, self.b.address],
            "loss": self.loss,
            "delay_ms": self.delay_ms,
            "jitter_ms": self.jitter_ms,
            "seed": self.seed,
            "reorder": self.reorder,
            "stats": str(self.stats_path),
        }
        config_path = self.workdir / "relay.json"
        config_path.write_text(json.dumps(config))
        self.stats_path.unlink(missing_ok=True)
        with open(self.log_path, "ab") as log:
            self._relay = subprocess.Popen(
                [python(), str(BENCH / "rtp_relay.py"), str(config_path)],
                stdout=subprocess.PIPE,
                stderr=log,
                start_new_session=True,
            )
        assert self._relay.stdout is not None
        ready, _, _ = select.select([self._relay.stdout], [], [], timeout)
        line = self._relay.stdout.readline() if ready else b""
        if line.strip() != b"ready":
            raise ImpairError(f"relay did not start: {line!r}; see {self.log_path}")
