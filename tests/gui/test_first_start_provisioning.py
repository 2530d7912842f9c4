"""First start from a provisioning server in the desktop app: the wizard's "From a
provisioning server…" fetches the profile from nginx (HTTPS, Basic auth) and the
account it names registers at Kamailio; a wrong password is said in the person's words
and nothing is saved."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from parley.app import Application
from parley.gui.provision_dialog import ProvisionDialog
from parley.gui.wizard import AccountWizard
from parley.media.engine import AudioConfig
from parley.phone.events import AccountStateChanged, RegState
from parley.settings import Settings, load_settings, save_settings
from parley.settings.provisioning import ProvisioningSettings
from peers.certs import session_certs
from peers.kamailio import Kamailio
from peers.nginx import Nginx

pytestmark = pytest.mark.interop

USERS = {"anna": "s3cret"}


@pytest.fixture
def nginx(kamailio: Kamailio) -> Iterator[Nginx]:
    base = Path(tempfile.mkdtemp(prefix="parley-firststart-"))
    base.chmod(0o755)
    (base / "www" / "private").mkdir(parents=True)
    (base / "www" / "private" / "1001.toml").write_text(
        f'[[accounts]]\nname = "office"\ndomain = "127.0.0.1:{kamailio.udp_port}"\n'
        'username = "1001"\npassword = "pass1001"\n'
    )
    with Nginx(base / "nginx", root=base / "www", users=USERS, certs=session_certs()) as web:
        yield web
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Application]:
    # The CA of the test server is the administrator's: set as the provisioning CA.
    path = tmp_path / "settings.toml"
    certs = session_certs()
    save_settings(Settings(provisioning=ProvisioningSettings(ca_file=certs.ca_file)), path)
    application = Application(
        path, use_keyring=False, data_dir=tmp_path / "data", bind_host="127.0.0.1",
        audio=AudioConfig(input="null", output="null"),
    )  # fmt: skip
    application.start().result(20)
    yield application
    application.stop()


def run_provisioning(
    qtbot: Any, wizard: AccountWizard, fill: Callable[[ProvisionDialog], None]
) -> ProvisionDialog:
    """Click "From a provisioning server…", fill the dialog, fetch; returns the dialog."""
    seen: list[ProvisionDialog] = []

    def drive() -> None:
        dialog = wizard.provision_dialog
        seen.append(dialog)
        fill(dialog)
        dialog.fetch_button.click()

    QTimer.singleShot(0, drive)
    wizard.provision_button.click()  # runs the dialog's own loop until it closes
    return seen[0]


def test_first_start_from_the_server_registers(
    qtbot: Any, app: Application, nginx: Nginx, tmp_path: Path
) -> None:
    events: list[Any] = []
    app.subscribe(events.append)
    wizard = AccountWizard(app, None, first_start=True)
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.provision_button.isVisible()

    def fill(dialog: ProvisionDialog) -> None:
        dialog.url.setText(nginx.url("/private/1001.toml", tls=True))
        dialog.user.setText("anna")
        dialog.password.setText("s3cret")

    run_provisioning(qtbot, wizard, fill)
    qtbot.waitUntil(lambda: wizard.result() == wizard.DialogCode.Accepted.value, timeout=20_000)
    qtbot.waitUntil(
        lambda: any(
            isinstance(e, AccountStateChanged) and e.state is RegState.REGISTERED for e in events
        ),
        timeout=20_000,
    )
    saved = load_settings(tmp_path / "settings.toml")
    assert saved.account("office").username == "1001"
    assert "pass1001" not in (tmp_path / "settings.toml").read_text()


def test_a_refused_password_is_said_and_nothing_saved(
    qtbot: Any, app: Application, nginx: Nginx, tmp_path: Path
) -> None:
    before = (tmp_path / "settings.toml").read_bytes()
    wizard = AccountWizard(app, None, first_start=True)
    qtbot.addWidget(wizard)
    wizard.show()
    texts: list[str] = []

    def fill(dialog: ProvisionDialog) -> None:
        dialog.url.setText(nginx.url("/private/1001.toml", tls=True))
        dialog.user.setText("anna")
        dialog.password.setText("wrong")

        def look() -> None:
            if dialog.status.text() and "Fetching" not in dialog.status.text():
                texts.append(dialog.status.text())
                dialog.reject()
            else:
                QTimer.singleShot(100, look)

        QTimer.singleShot(100, look)

    run_provisioning(qtbot, wizard, fill)
    assert texts == ["The user name or password was refused."]
    assert (tmp_path / "settings.toml").read_bytes() == before
    assert QApplication.instance() is not None
