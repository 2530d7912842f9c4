"""Runs `parley console --json` as a real process and reads its events, as a user's
script would: a config file in, JSON lines out, commands on stdin."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

Event = dict[str, Any]


def write_config(path: Path, accounts: list[dict[str, Any]], **top: Any) -> Path:
    """A settings TOML with `accounts` (dicts of account keys) and optional sections."""
    import tomli_w

    data: dict[str, Any] = dict(top)
    data["accounts"] = accounts
    path.write_text(tomli_w.dumps(data))
    path.chmod(0o600)
    return path


class ParleyConsole:
    def __init__(
        self,
        config: Path,
        *,
        log_dir: Path,
        extra: list[str] | None = None,
        bind: str = "127.0.0.1",
        prefix: list[str] | None = None,
        netns: str | None = None,
    ) -> None:
        """`prefix` runs the console under another command (`ip netns exec NS`), `bind`
        is then the namespace's own address."""
        self.config = config
        self.stderr_path = log_dir / "parley-console.stderr"
        self.events: list[Event] = []
        self.lines: list[str] = []
        self._queue: queue.Queue[Event | None] = queue.Queue()
        argv = [
            *(prefix or []),
            sys.executable,
            "-m",
            "parley.cli.main",
            "console",
            "--config",
            str(config),
            "--json",
            "--bind",
            bind,
            "--trace",
            "--data-dir",
            str(log_dir / f"data-{config.stem}"),
            *(extra or []),
        ]
        if netns is not None:  # run inside that network namespace (test_ipv6_netns.py)
            argv = ["ip", "netns", "exec", netns, *argv]
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self._stderr = self.stderr_path.open("wb")
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").strip()
            self.lines.append(line)
            try:
                event = json.loads(line)
            except ValueError:
                continue
            self._queue.put(event)
        self._queue.put(None)

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def wait_for(self, predicate: Callable[[Event], bool], timeout: float = 20.0) -> Event:
        """The first event from now on matching `predicate` (earlier ones are kept too)."""
        for event in self.events:
            if predicate(event) and not event.get("_seen"):
                event["_seen"] = True
                return event
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"no matching event within {timeout} s; events so far: {self.events}\n"
                    f"stderr tail:\n{self.stderr_tail()}"
                )
            try:
                event = self._queue.get(timeout=left)
            except queue.Empty:
                continue
            if event is None:
                raise AssertionError(
                    f"parley exited ({self.proc.poll()}) before a matching event; "
                    f"events: {self.events}\nstderr tail:\n{self.stderr_tail()}"
                )
            self.events.append(event)
            if predicate(event):
                event["_seen"] = True
                return event

    def wait_state(self, state: str, account: str = "office", timeout: float = 20.0) -> Event:
        return self.wait_for(
            lambda e: (
                e.get("event") == "account"
                and e.get("account") == account
                and e.get("state") == state
            ),
            timeout,
        )

    def quit(self, timeout: float = 15.0) -> int:
        if self.proc.poll() is None:
            try:
                self.send("quit")
                assert self.proc.stdin is not None
                self.proc.stdin.close()
            except (BrokenPipeError, OSError):
                pass
        try:
            return self.proc.wait(timeout)
        finally:
            self._drain()

    def _drain(self) -> None:
        while True:
            try:
                event = self._queue.get_nowait()
            except queue.Empty:
                return
            if event is not None:
                self.events.append(event)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self._stderr.close()

    def stderr_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.stderr_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""
