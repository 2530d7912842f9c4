"""A throwaway dnsmasq on 127.0.0.1 serving the records a test needs (RFC 3263 tests).

    with Dnsmasq(tmp_path, port, ["--host-record=pbx.test,127.0.0.1"]) as dns_server:
        resolver = make_resolver([dns_server.nameserver])

Records are dnsmasq options (with or without the leading "--"): `host-record=`,
`srv-host=`, `naptr-record=`, `local=/test/` (answer NXDOMAIN for unknown names in
.test instead of REFUSED). dnsmasq never reads /etc: no upstream servers, no hosts
file, no config file, and it only binds 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from peers.common import Process, free_port, require_binary, wait_for_port


class Dnsmasq:
    """dnsmasq in the foreground on 127.0.0.1:`port`; stopped by pid."""

    def __init__(
        self, workdir: Path | str, port: int | None = None, records: list[str] | None = None
    ) -> None:
        self.workdir = Path(workdir)
        self.port = port if port is not None else free_port("udp")
        self.records = ["--" + r.removeprefix("--") for r in (records or [])]
        self.process: Process | None = None

    @property
    def nameserver(self) -> str:
        """ "127.0.0.1:PORT", as `parley.net.dns.make_resolver` takes it."""
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def command(self, binary: str) -> list[str]:
        return [
            binary,
            "--keep-in-foreground",
            "--no-resolv",
            "--no-hosts",
            "--no-poll",
            "--conf-file=/dev/null",
            f"--port={self.port}",
            "--listen-address=127.0.0.1",
            "--bind-interfaces",
            f"--pid-file={self.workdir / 'dnsmasq.pid'}",
            "--log-facility=-",
            "--cache-size=0",
            *self.records,
        ]

    def start(self) -> Dnsmasq:
        """Start and wait until the UDP port is bound; skips (fails under CI) without dnsmasq."""
        binary = require_binary("dnsmasq")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = Process(
            self.command(binary), log_path=self.workdir / "dnsmasq.log", name="dnsmasq"
        ).start()
        try:
            wait_for_port(self.port, "udp", process=self.process, timeout=10.0)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop by pid (SIGTERM, then SIGKILL)."""
        if self.process is not None:
            self.process.stop()

    def __enter__(self) -> Dnsmasq:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
