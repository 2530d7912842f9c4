"""SIPp 3.6 as a scripted (and misbehaving) peer on 127.0.0.1.

Usage::

    sipp = Sipp(SCENARIOS / "reg_401_then_407.xml", local_port=free_port("udp"),
                media_port=free_port("udp"), workdir=tmp_path)
    sipp.start()
    ... let the client register against 127.0.0.1:sipp.local_port ...
    assert sipp.wait(timeout=30) == 0     # 0: every call of the scenario passed
    sipp.messages()                        # what went over the wire

SIPp's exit codes: 0 all calls passed, 1 at least one call failed, 97 exit on
internal command, 99 normal exit without calls processed, 255/254 fatal errors.
Debian's build has no TLS: use "udp" or "tcp".
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

from peers.common import LOOPBACK, Process, require_binary, wait_for_port

# The scenarios of misbehaving registrars and other scripted peers.
SCENARIOS = Path(__file__).resolve().parent.parent / "interop" / "sipp"

_TRANSPORT_FLAG = {"udp": "u1", "tcp": "t1"}


class Sipp:
    """One SIPp process running ``scenario``; a UAS when ``remote`` is None."""

    def __init__(
        self,
        scenario: Path,
        *,
        local_port: int,
        remote: str | None = None,
        media_port: int,
        transport: Literal["udp", "tcp"] = "udp",
        calls: int = 1,
        keys: Mapping[str, str] | None = None,
        extra_args: Sequence[str] = (),
        workdir: Path | None = None,
    ) -> None:
        self.binary = require_binary("sipp")
        self.scenario = Path(scenario)
        if not self.scenario.is_file():
            raise FileNotFoundError(self.scenario)
        self.local_port = local_port
        self.remote = remote
        self.media_port = media_port
        self.transport = transport
        self.calls = calls
        self.keys = dict(keys or {})
        self.extra_args = list(extra_args)
        self.workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="sipp-"))
        stem = f"{self.scenario.stem}-{local_port}"
        self.message_log = self.workdir / f"{stem}-messages.log"
        self.error_log = self.workdir / f"{stem}-errors.log"
        self.log_path = self.workdir / f"{stem}.log"
        self.process: Process | None = None

    @property
    def address(self) -> tuple[str, int]:
        return (LOOPBACK, self.local_port)

    def argv(self) -> list[str]:
        argv = [self.binary]
        if self.remote is not None:
            argv.append(self.remote)
        argv += ["-sf", str(self.scenario)]
        argv += ["-i", LOOPBACK, "-mi", LOOPBACK, "-p", str(self.local_port)]
        argv += ["-mp", str(self.media_port), "-t", _TRANSPORT_FLAG[self.transport]]
        argv += ["-m", str(self.calls), "-nostdin"]
        argv += ["-trace_msg", "-message_file", str(self.message_log)]
        argv += ["-trace_err", "-error_file", str(self.error_log)]
        for key, value in self.keys.items():
            argv += ["-key", key, value]
        return argv + self.extra_args

    def start(self, timeout: float = 10.0) -> Sipp:
        self.process = Process(
            self.argv(), log_path=self.log_path, name=f"sipp {self.scenario.name}", cwd=self.workdir
        )
        self.process.start()
        if self.remote is None:
            # A UAS is ready once its signalling port is bound.
            try:
                wait_for_port(
                    self.local_port, self.transport, timeout=timeout, process=self.process
                )
            except BaseException:
                self.stop()
                raise
        return self

    def wait(self, timeout: float) -> int:
        """Wait for SIPp to finish its calls; return its exit code.

        On timeout SIPp is stopped and ``subprocess.TimeoutExpired`` raised.
        """
        if self.process is None:
            raise RuntimeError("SIPp was not started")
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise

    def stop(self) -> int | None:
        return self.process.stop() if self.process else None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.running

    def messages(self) -> str:
        """The message trace: every message SIPp sent and received."""
        try:
            return self.message_log.read_text(errors="replace")
        except OSError:
            return ""

    def errors(self) -> str:
        try:
            return self.error_log.read_text(errors="replace")
        except OSError:
            return ""

    def received_count(self, method: str) -> int:
        """How many ``method`` requests SIPp received (retransmissions included)."""
        return len(received(self, f"{method} "))

    def __enter__(self) -> Sipp:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def received(sipp: Sipp, start: str) -> list[str]:
    """The messages SIPp received (its message trace) whose first line starts with `start`."""
    out = []
    for block in sipp.messages().split("message received")[1:]:
        lines = [line for line in block.splitlines()[1:] if line.strip()]
        if lines and lines[0].startswith(start):
            out.append("\n".join(lines))
    return out


def header(message: str, name: str) -> str:
    """The value of the header `name` in a traced `message` (asserted to be there)."""
    match = re.search(rf"^{name}:\s*(.*)$", message, re.MULTILINE | re.IGNORECASE)
    assert match, f"no {name} in\n{message}"
    return match.group(1).strip()
