"""Shared helpers for running real peers (Kamailio, SIPp, ...) on 127.0.0.1.

Every peer binds to 127.0.0.1 only, is started by a test (or fixture) and is
stopped by its pid. A missing binary skips the test locally but fails it under
``CI=true``, where every peer must be present.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Literal

import pytest

LOOPBACK = "127.0.0.1"

PortKind = Literal["udp", "tcp", "both"]


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def missing_peer(reason: str) -> None:
    """Skip the running test because a peer is unavailable; fail under CI=true."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: a missing peer is a failure)", pytrace=False)
    pytest.skip(reason)


def require_binary(name: str) -> str:
    """Return the path of the program ``name``, or skip (fail under CI) when missing.

    The sbin directories are searched too: Kamailio lives in /usr/sbin, which is
    not on the PATH of unprivileged users.
    """
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/local/sbin", "/usr/sbin", "/sbin"])
    path = shutil.which(name, path=search)
    if path is None:
        missing_peer(f"{name} is not installed (run ./scripts/bootstrap.sh --peers)")
        raise AssertionError("unreachable")  # pytest.skip/fail raise
    return path


# Ports handed out in this process: two calls never return the same number,
# even though the probe socket is closed before the peer binds it.
_handed_out: set[int] = set()


def _port_is_free(port: int, kind: PortKind) -> bool:
    kinds = ["udp", "tcp"] if kind == "both" else [kind]
    for k in kinds:
        sock_type = socket.SOCK_DGRAM if k == "udp" else socket.SOCK_STREAM
        with socket.socket(socket.AF_INET, sock_type) as s:
            try:
                s.bind((LOOPBACK, port))
            except OSError:
                return False
    return True


# Ports handed to peers come from below the kernel's ephemeral range (32768-60999 on
# Linux), Parley's default RTP range (16384-32767) and baresip's (10000-20000): a port
# taken from the ephemeral range can be given, a moment later, to an outgoing TCP
# connection as its local port, and the peer that then binds it fails with "Address
# already in use" (seen with baresip's TCP listener). Only every fourth number is handed
# out, so the neighbours a peer binds beside its port (RTCP on +1, SIPp's video RTP and
# RTCP on +2 and +3) never meet another peer's port.
PEER_PORTS = range(6100, 10000, 4)


def free_port(kind: PortKind = "udp") -> int:
    """A port on 127.0.0.1 that is currently free for ``kind``.

    ``"both"`` gives a number free for UDP and TCP at once, so a peer can
    listen on the same port with both transports, as a PBX does on 5060.
    Each process draws from its own stretch of `PEER_PORTS` (by pid), so that
    parallel test runs rarely try the same numbers.
    """
    rng = random.Random(os.getpid() ^ int(time.monotonic_ns()))
    if len(_handed_out) > len(PEER_PORTS) * 3 // 4:
        # A long run (the whole suite in one process) hands out more numbers than the
        # stretch holds; the peers of earlier modules are gone, and the kernel check
        # below still refuses a port in use, so the memory can start afresh.
        _handed_out.clear()
    for _ in range(2000):
        port = rng.choice(PEER_PORTS)
        if port in _handed_out or not _port_is_free(port, kind):
            continue
        _handed_out.add(port)
        return port
    raise RuntimeError(f"no free {kind} port found on {LOOPBACK}")


def _proc_net_has(port: int, kind: Literal["udp", "tcp"], host: str) -> bool:
    """True when a socket is bound (UDP) or listening (TCP) on host:port (Linux)."""
    want_state = "07" if kind == "udp" else "0A"  # UNCONN / LISTEN
    if ":" in host:
        # /proc/net/*6 prints the address as four 32-bit words in host (little-endian) order.
        packed = socket.inet_pton(socket.AF_INET6, host)
        want_addr = "".join(packed[i : i + 4][::-1].hex().upper() for i in range(0, 16, 4))
        any_addr, table = "0" * 32, f"/proc/net/{kind}6"
    else:
        want_addr = "".join(f"{int(b):02X}" for b in reversed(host.split(".")))
        any_addr, table = "00000000", f"/proc/net/{kind}"
    try:
        lines = Path(table).read_text().splitlines()[1:]
    except OSError:
        return False
    for line in lines:
        fields = line.split()
        addr, hexport = fields[1].split(":")
        if int(hexport, 16) == port and fields[3] == want_state and addr in (want_addr, any_addr):
            return True
    return False


def port_is_open(port: int, kind: Literal["udp", "tcp"] = "tcp", host: str = LOOPBACK) -> bool:
    if kind == "tcp":
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            return s.connect_ex((host, port)) == 0
    # A UDP socket cannot be probed without talking to it: ask the kernel.
    return _proc_net_has(port, "udp", host)


def wait_for_port(
    port: int,
    kind: Literal["udp", "tcp"] = "tcp",
    *,
    host: str = LOOPBACK,
    timeout: float = 15.0,
    process: Process | None = None,
) -> None:
    """Wait until something serves ``host:port``; raise if ``process`` dies first."""
    deadline = time.monotonic() + timeout
    while True:
        if port_is_open(port, kind, host):
            return
        if process is not None and not process.running:
            raise RuntimeError(
                f"{process.name} exited with {process.returncode} before {kind} port "
                f"{port} opened; log tail:\n{process.log_tail()}"
            )
        if time.monotonic() > deadline:
            tail = f"; log tail:\n{process.log_tail()}" if process else ""
            raise TimeoutError(f"nothing on {kind} {host}:{port} after {timeout} s{tail}")
        time.sleep(0.02)


def wait_until(
    condition: Callable[[], bool], *, timeout: float = 10.0, interval: float = 0.05
) -> bool:
    """Poll ``condition`` until it is true or ``timeout`` passes; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)


# Processes started while the current test ran; conftest prints their log
# tails when the test fails and stops any a test forgot to stop.
_current_test: str | None = None
_started: list[Process] = []


def set_current_test(nodeid: str | None) -> None:
    global _current_test
    _current_test = nodeid


def processes_for(nodeid: str) -> list[Process]:
    """Processes started during the test ``nodeid`` or still running."""
    return [p for p in _started if p.started_in == nodeid or p.running]


def forget_stopped() -> None:
    _started[:] = [p for p in _started if p.running]


class Process:
    """A background peer whose stdout and stderr go to ``log_path``.

    It runs in its own process group so that stopping it also stops the
    children it forked (Kamailio forks its workers); it is stopped by pid only.
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        log_path: Path,
        name: str | None = None,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        stdin: int | None = subprocess.DEVNULL,
    ) -> None:
        self.argv = [str(a) for a in argv]
        self.log_path = Path(log_path)
        self.name = name or Path(self.argv[0]).name
        self.cwd = cwd
        self.env = dict(env) if env is not None else None
        self.stdin = stdin
        self.started_in: str | None = None
        self._popen: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._popen.pid if self._popen else None

    @property
    def popen(self) -> subprocess.Popen[bytes]:
        if self._popen is None:
            raise RuntimeError(f"{self.name} was not started")
        return self._popen

    @property
    def running(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    @property
    def returncode(self) -> int | None:
        return self._popen.poll() if self._popen else None

    def start(self) -> Process:
        if self.running:
            raise RuntimeError(f"{self.name} is already running (pid {self.pid})")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = None
        if self.env is not None:
            env = {**os.environ, **self.env}
        with open(self.log_path, "ab") as log:
            log.write(f"--- start: {' '.join(self.argv)}\n".encode())
            log.flush()
            self._popen = subprocess.Popen(
                self.argv,
                stdin=self.stdin,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.cwd,
                env=env,
                start_new_session=True,
            )
        self.started_in = _current_test
        _started.append(self)
        return self

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the process to end by itself and return its exit code."""
        return self.popen.wait(timeout=timeout)

    def stop(self, grace: float = 5.0) -> int | None:
        """Terminate by pid (SIGTERM to its group), SIGKILL after ``grace`` seconds."""
        popen = self._popen
        if popen is None:
            return None
        if popen.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                popen.wait(timeout=grace)
        else:
            # The leader is gone; make sure no forked child outlives it.
            self._signal_group(signal.SIGKILL)
        return popen.returncode

    def _signal_group(self, sig: signal.Signals) -> None:
        assert self._popen is not None
        # start_new_session made the child the leader of a group whose id is its pid.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._popen.pid, sig)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def __enter__(self) -> Process:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
