"""`scripts/pbx`: the test PBX stops its Kamailio when it is itself stopped.

Kamailio runs in a session of its own, so a signal sent to the script reaches only the
script's process; it must stop the child itself (SIGTERM, SIGHUP, and SIGINT also when
started in the background, where SIGINT arrives ignored)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from peers.common import free_port, require_binary, wait_until

pytestmark = pytest.mark.interop

ROOT = Path(__file__).resolve().parents[2]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _run_pbx(tmp_path: Path, preexec: Callable[[], None] | None = None) -> subprocess.Popen[str]:
    require_binary("kamailio")
    port, tls = free_port("both"), free_port("tcp")
    argv = [str(ROOT / "scripts" / "pbx"), "--port", str(port), "--tls-port", str(tls)]
    argv += ["--workdir", str(tmp_path / "pbx")]
    return subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PARLEY_PYTHON": sys.executable},
        preexec_fn=preexec,
    )


def _ignore_sigint() -> None:
    # What a shell does to a command it starts in the background ("./scripts/pbx &").
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize(
    ("sig", "preexec"),
    [
        (signal.SIGTERM, None),
        (signal.SIGHUP, None),
        (signal.SIGINT, _ignore_sigint),
    ],
    ids=["sigterm", "sighup", "sigint-in-background"],
)
def test_signal_stops_kamailio_with_the_script(
    tmp_path: Path, sig: signal.Signals, preexec: Callable[[], None] | None
) -> None:
    pbx = _run_pbx(tmp_path, preexec)
    kamailio: list[int] = []
    try:
        assert pbx.stdout is not None
        for line in pbx.stdout:
            if "Ctrl-C stops it" in line:
                break
        else:
            pytest.fail(f"scripts/pbx ended before Kamailio ran (exit {pbx.wait()})")
        kamailio = _children(pbx.pid)
        assert kamailio, "no Kamailio child of scripts/pbx"
        assert all(_alive(pid) for pid in kamailio)
        pbx.send_signal(sig)
        pbx.wait(timeout=20)
        assert wait_until(lambda: not any(_alive(pid) for pid in kamailio), timeout=10), (
            f"Kamailio {kamailio} still runs after scripts/pbx got {sig.name}"
        )
    finally:
        if pbx.poll() is None:
            pbx.kill()
            pbx.wait()
        for pid in kamailio:  # a failed run must not leave Kamailio behind
            if _alive(pid):
                os.killpg(pid, signal.SIGKILL)
