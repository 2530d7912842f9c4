"""Settings › Automation › "Local control API" in the desktop app: switched on in the
settings dialog, the running app starts serving (control.json appears beside the
settings file and a client gets in with its token); switched off, it stops (the file is
gone, the port closed). The switch reads in German too."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from parley.app import Application
from parley.gui.control_api import GuiControl
from parley.gui.i18n import set_language
from parley.gui.settings_dialog import SettingsDialog
from parley.gui.settings_editors import BoolEditor
from parley.settings import Settings, load_settings


def open_dialog(qtbot: Any, app: Application) -> SettingsDialog:
    dialog = SettingsDialog(app, devices={"input": [], "output": []})
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def greeting(port: int, token: str) -> dict[str, Any]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(json.dumps({"token": token}).encode() + b"\n")
        reply: dict[str, Any] = json.loads(sock.makefile("rb").readline())
        return reply


def test_the_switch_starts_and_stops_the_control_api(
    qtbot: Any, make_app: Callable[..., Application], tmp_path: Path
) -> None:
    app = make_app(Settings())
    app.start().result(20)
    control = GuiControl(app)
    try:
        assert control.start() is None
        control_file = tmp_path / "control.json"
        assert not control_file.exists()  # off by default

        dialog = open_dialog(qtbot, app)
        editor = dialog.rows["automation.control_api"].editor
        assert isinstance(editor, BoolEditor)
        assert editor.box.text() == "Local control API"
        editor.box.setChecked(True)
        assert dialog.apply(), dialog.message.text()
        assert load_settings(tmp_path / "settings.toml").automation.control_api
        qtbot.waitUntil(control_file.exists, timeout=10_000)
        info = json.loads(control_file.read_text())
        assert "ready" in greeting(info["port"], info["token"])["text"]

        editor.box.setChecked(False)
        assert dialog.apply(), dialog.message.text()
        qtbot.waitUntil(lambda: not control_file.exists(), timeout=10_000)
        refused = False
        try:
            greeting(info["port"], info["token"])
        except (OSError, ValueError):
            refused = True
        assert refused, "the port still answers"
    finally:
        control.close()


def test_the_switch_in_german(qtbot: Any, make_app: Callable[..., Application]) -> None:
    set_language("de")
    try:
        dialog = open_dialog(qtbot, make_app(Settings()))
        editor = dialog.rows["automation.control_api"].editor
        assert isinstance(editor, BoolEditor)
        assert editor.box.text() == "Lokale Steuerschnittstelle"
    finally:
        set_language("en")
