"""coturn's `turnserver` as a plain STUN server (RFC 5389) for the NAT tests.

    with Coturn(tmp_path, "127.0.0.1") as stun:
        ...  # Binding requests to (stun.host, stun.port)

STUN only (`--stun-only`), no TLS, no CLI, no config file (`-n`), its SQLite file and pid
file in the work dir; bound to one address only. Given `netns`, it runs inside that
network namespace (`ip netns exec NS turnserver ...`: `ip` execs, so the pid is
turnserver's own) and readiness is read from that namespace's socket table.
"""

from __future__ import annotations

import time
from pathlib import Path
from types import TracebackType

from peers.common import Process, free_port, require_binary


class Coturn:
    def __init__(
        self,
        workdir: Path | str,
        host: str = "127.0.0.1",
        port: int | None = None,
        *,
        netns: str | None = None,
    ) -> None:
        self.workdir = Path(workdir)
        self.host = host
        self.port = port if port is not None else free_port("udp")
        self.netns = netns
        self.process: Process | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def command(self, binary: str) -> list[str]:
        prefix = ["ip", "netns", "exec", self.netns] if self.netns else []
        return [
            *prefix,
            binary,
            "-n",
            "--stun-only",
            "-L",
            self.host,
            "-p",
            str(self.port),
            "--no-cli",
            "--no-tls",
            "--no-dtls",
            "--no-tcp",
            "--log-file",
            "stdout",
            "--simple-log",
            "--pidfile",
            str(self.workdir / "turnserver.pid"),
            "-b",
            str(self.workdir / "turndb"),
        ]

    def start(self) -> Coturn:
        binary = require_binary("turnserver")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = Process(
            self.command(binary), log_path=self.workdir / "turnserver.log", name="turnserver"
        ).start()
        try:
            self._wait_bound(timeout=15.0)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_bound(self, timeout: float) -> None:
        """The UDP socket is bound: read the socket table of turnserver's own namespace."""
        assert self.process is not None
        want_addr = "".join(f"{int(b):02X}" for b in reversed(self.host.split(".")))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.process.running:
                raise RuntimeError(f"turnserver exited; log tail:\n{self.process.log_tail()}")
            try:
                lines = Path(f"/proc/{self.process.pid}/net/udp").read_text().splitlines()[1:]
            except OSError:
                lines = []
            for line in lines:
                addr, hexport = line.split()[1].split(":")
                if int(hexport, 16) == self.port and addr == want_addr:
                    return
            time.sleep(0.05)
        raise TimeoutError(f"turnserver not bound to udp {self.host}:{self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    def __enter__(self) -> Coturn:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
