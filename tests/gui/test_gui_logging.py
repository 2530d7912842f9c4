"""The desktop app writes its log as `[log]` says: the level and the SIP trace.

The app runs as the real process (`python -m parley.gui.app`, offscreen), registers at
Kamailio and is stopped; what it wrote to stderr and to `parley.log` in its data folder
is read back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from gui_rig import PASSWORDS

from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop


def run_app_until_registered(
    kam: Kamailio, work: Path, *, log_level: str, sip_trace: bool
) -> tuple[str, str]:
    """Start the app, wait for "registered", stop it; (stderr, log file)."""
    work.mkdir()
    config = work / "settings.toml"
    config.write_text(
        f"""allow_plaintext_passwords = true

[log]
log_level = "{log_level}"
sip_trace = {"true" if sip_trace else "false"}

[media]
input_device = "null"
output_device = "null"

[gui]
notify_incoming_calls = false

[[accounts]]
name = "Office"
domain = "127.0.0.1:{kam.udp_port}"
username = "1001"
password = "{PASSWORDS["1001"]}"
codecs = ["pcmu"]
"""
    )
    argv = [sys.executable, "-m", "parley.gui.app", "--config", str(config)]
    argv += ["--data-dir", str(work / "data"), "--bind", "127.0.0.1", "--no-keyring"]
    argv += ["--report-ready"]
    stderr_path = work / "stderr.txt"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    with open(stderr_path, "w") as stderr:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=stderr, text=True, env=env)
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.startswith("registered"):
                    break
            else:
                pytest.fail(f"the app ended before it registered: {stderr_path.read_text()}")
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    log_file = work / "data" / "parley.log"
    return stderr_path.read_text(), log_file.read_text() if log_file.exists() else ""


def test_sip_trace_and_debug_level_reach_the_log(kamailio: Kamailio, tmp_path: Path) -> None:
    stderr, log_file = run_app_until_registered(
        kamailio, tmp_path / "on", log_level="debug", sip_trace=True
    )
    for text in (stderr, log_file):
        # The REGISTER as sent, the 200 OK as received, and the debug lines.
        assert f"REGISTER sip:127.0.0.1:{kamailio.udp_port}" in text
        assert "SIP/2.0 200 OK" in text
        assert " DEBUG " in text


def test_without_trace_at_warning_no_sip_and_no_info(kamailio: Kamailio, tmp_path: Path) -> None:
    stderr, log_file = run_app_until_registered(
        kamailio, tmp_path / "off", log_level="warning", sip_trace=False
    )
    for text in (stderr, log_file):
        assert "REGISTER sip:" not in text
        assert " DEBUG " not in text and " INFO " not in text
