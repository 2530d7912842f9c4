"""Provisioned settings in the desktop app: after a real provisioning run (a local HTTP
server serves the profile), the keys the profile locks are read-only in the settings
dialog and marked "provisioned" (in German too); the others stay editable."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from parley.app import Application
from parley.gui.i18n import set_language
from parley.gui.settings_dialog import SettingsDialog
from parley.settings import Settings
from parley.settings.provisioning import ProvisioningSettings

PROFILE = """
[profile]
locked = ["accounts.office.domain", "media.echo_cancellation"]

[media]
echo_cancellation = false
noise_suppression = false

[[accounts]]
name = "office"
domain = "127.0.0.1:5999"
username = "1001"
register_on_startup = false
"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    root = tmp_path / "www"
    root.mkdir()
    (root / "office.toml").write_text(PROFILE)

    class Quiet(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/office.toml"
    finally:
        httpd.shutdown()
        httpd.server_close()


def provisioned_app(make_app: Callable[..., Application], url: str) -> Application:
    app = make_app(Settings(provisioning=ProvisioningSettings(allow_http=True)))
    event = app.provisioning.provision(url)
    assert event.state == "applied", event
    return app


def test_locked_keys_are_read_only_and_marked(
    qtbot: Any, make_app: Callable[..., Application], server: str
) -> None:
    app = provisioned_app(make_app, server)
    dialog = SettingsDialog(app, devices={"input": [], "output": []})
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.select_account("office")
    domain = dialog.rows["account.domain"]
    assert domain.label is not None and domain.label.text() == "Domain (provisioned)"
    assert not domain.container.isEnabled()
    assert "provisioning server" in domain.container.toolTip()
    echo = dialog.rows["media.echo_cancellation"]
    assert not echo.container.isEnabled()
    assert "(provisioned)" in echo.editor.text_widget.property("text")
    # Set by the profile but not locked: editable (the next run writes it back).
    assert dialog.rows["media.noise_suppression"].container.isEnabled()
    assert dialog.rows["account.username"].container.isEnabled()


def test_the_mark_in_german(qtbot: Any, make_app: Callable[..., Application], server: str) -> None:
    app = provisioned_app(make_app, server)
    set_language("de")
    try:
        dialog = SettingsDialog(app, devices={"input": [], "output": []})
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.select_account("office")
        label = dialog.rows["account.domain"].label
        assert label is not None and label.text().endswith("(provisioniert)")
    finally:
        set_language("en")
