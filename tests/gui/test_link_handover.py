"""Links dialled by the desktop app: the real app process (offscreen) registered at
Kamailio; `parley callto:1002` started beside it hands the link over and exits, and
the running app dials it — baresip (1002) answers. A link given to the first start is
dialled once the account is registered. The settings' "start with the operating
system" and "open links with Parley" write their files (in a temporary home)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from gui_rig import PASSWORDS

from parley.automation.desktop import URI_DESKTOP_FILE
from peers.baresip import Baresip
from peers.common import free_port
from peers.kamailio import Kamailio

pytestmark = pytest.mark.interop


def write_settings(path: Path, kam: Kamailio, **automation: bool) -> None:
    lines = [f"{k} = {'true' if v else 'false'}" for k, v in automation.items()]
    path.write_text(
        'allow_plaintext_passwords = true\n\n[media]\ninput_device = "null"\n'
        'output_device = "null"\n\n[gui]\nnotify_incoming_calls = false\n\n'
        "[automation]\n" + "\n".join(lines) + "\n\n"
        f'[[accounts]]\nname = "Office"\ndomain = "127.0.0.1:{kam.udp_port}"\n'
        f'username = "1001"\npassword = "{PASSWORDS["1001"]}"\ncodecs = ["pcmu"]\n'
    )


class App:
    """The desktop app as a process, with a temporary home for its desktop files."""

    def __init__(self, work: Path, kam: Kamailio, *args: str, **automation: bool) -> None:
        work.mkdir(exist_ok=True)
        self.work = work
        self.config = work / "settings.toml"
        write_settings(self.config, kam, **automation)
        self.home = work / "home"
        self.env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_DATA_HOME": str(self.home / ".local" / "share"),
            "XDG_RUNTIME_DIR": str(work),
        }
        self.stderr = (work / "stderr.txt").open("w")
        self.proc = subprocess.Popen(
            [*self.argv(), "--report-ready", *args],
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
            env=self.env,
        )

    def argv(self) -> list[str]:
        return [
            sys.executable, "-m", "parley.gui.app", "--config", str(self.config),
            "--data-dir", str(self.work / "data"), "--bind", "127.0.0.1", "--no-keyring",
        ]  # fmt: skip

    def wait_registered(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("registered"):
                return
        pytest.fail(f"the app ended before it registered: {(self.work / 'stderr.txt').read_text()}")

    def second_start(self, link: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.argv(), link], capture_output=True, text=True, env=self.env, timeout=60
        )

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.stderr.close()


@pytest.fixture
def far(kamailio: Kamailio, tmp_path: Path) -> Iterator[Baresip]:
    phone = Baresip(
        tmp_path / "baresip",
        sip_port=free_port("both"),
        user="1002",
        password=PASSWORDS["1002"],
        registrar=f"127.0.0.1:{kamailio.udp_port}",
        codecs=["PCMU/8000/1"],
        auto_answer=True,
    )
    phone.start(timeout=30)
    try:
        yield phone
    finally:
        phone.stop()


def test_a_second_start_hands_its_link_to_the_running_app(
    kamailio: Kamailio, far: Baresip, tmp_path: Path
) -> None:
    app = App(tmp_path / "app", kamailio)
    try:
        app.wait_registered()
        second = app.second_start("callto:1002")
        assert second.returncode == 0, second.stderr
        assert "handed to the running Parley" in second.stdout
        far.wait_call_state("CALL_ESTABLISHED", timeout=30)
        assert "1001" in str(far.events()), far.events()
    finally:
        app.stop()


def test_a_link_given_at_the_first_start_is_dialled_once_registered(
    kamailio: Kamailio, far: Baresip, tmp_path: Path
) -> None:
    app = App(tmp_path / "app", kamailio, f"sip:1002@127.0.0.1:{kamailio.udp_port}")
    try:
        app.wait_registered()
        far.wait_call_state("CALL_ESTABLISHED", timeout=30)
    finally:
        app.stop()


def test_a_link_that_is_no_phone_link_is_refused(kamailio: Kamailio, tmp_path: Path) -> None:
    app_dir = tmp_path / "x"
    app_dir.mkdir()
    config = app_dir / "settings.toml"
    write_settings(config, kamailio)
    out = subprocess.run(
        [sys.executable, "-m", "parley.gui.app", "--config", str(config), "http://evil/"],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=60,
    )
    assert out.returncode == 2
    assert "is not a sip:, sips:, tel: or callto: link" in out.stderr


def test_the_settings_write_the_autostart_and_link_files(
    kamailio: Kamailio, tmp_path: Path
) -> None:
    app = App(tmp_path / "app", kamailio, start_with_os=True, register_uri_handlers=True)
    try:
        app.wait_registered()
        autostart = app.home / ".config" / "autostart" / "parley.desktop"
        handler = app.home / ".local" / "share" / "applications" / URI_DESKTOP_FILE
        assert "Exec=" in autostart.read_text()
        assert "x-scheme-handler/callto;" in handler.read_text()
        mimeapps = (app.home / ".config" / "mimeapps.list").read_text()
        assert f"x-scheme-handler/sip={URI_DESKTOP_FILE}" in mimeapps
    finally:
        app.stop()
    # Switched off in the file: the next start removes them.
    again = App(tmp_path / "app", kamailio, start_with_os=False, register_uri_handlers=False)
    try:
        again.wait_registered()
        assert not (again.home / ".config" / "autostart" / "parley.desktop").exists()
        assert not (again.home / ".local" / "share" / "applications" / URI_DESKTOP_FILE).exists()
    finally:
        again.stop()
