"""First start from a provisioning server: the URL, user name and password the
administrator gave, "remember me"; the profile is fetched off the GUI thread and the
outcome said in the person's language."""

from __future__ import annotations

import concurrent.futures

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from parley.app.application import Application
from parley.app.provisioning import ProvisioningChanged, ProvisioningResult
from parley.gui.i18n import N_, tr

PROBLEMS = {
    "no_url": N_("Enter the provisioning URL."),
    "insecure": N_("The URL starts with http://: use https:// (ask your administrator)."),
    "bad_url": N_("This is not a web address (https://…)."),
    "unreachable": N_("The server could not be reached: check the address and the network."),
    "timeout": N_("The server did not answer in time; try again later."),
    "tls_failed": N_("The server's certificate is not trusted; ask your administrator."),
    "auth_failed": N_("The user name or password was refused."),
    "not_found": N_("The server has no profile at this address."),
    "http_status": N_("The server answered with an error; try again later."),
    "redirect_loop": N_("The server redirects in a loop; tell your administrator."),
    "too_large": N_("The profile is too large; tell your administrator."),
    "not_text": N_("The profile is not text; tell your administrator."),
    "bad_toml": N_("The profile is broken; tell your administrator."),
    "bad_profile_table": N_("The profile is broken; tell your administrator."),
    "invalid": N_("The profile has settings Parley cannot use; tell your administrator."),
    "not_saved": N_("The settings could not be saved."),
}


def outcome_text(event: ProvisioningChanged) -> str:
    if event.state is ProvisioningResult.FAILED:
        return tr(PROBLEMS.get(event.problem or "", N_("Provisioning failed.")))
    return tr("Your settings were fetched.")


class ProvisionDialog(QDialog):
    def __init__(self, application: Application, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.application = application
        self.setWindowTitle(tr("Settings from a provisioning server"))
        conf = application.settings.provisioning
        self.url = QLineEdit(conf.url or "")
        self.url.setPlaceholderText("https://")
        self.user = QLineEdit(conf.username)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox(tr("Remember me"))
        self.remember.setChecked(conf.remember)
        form = QFormLayout()
        form.addRow(tr("Provisioning URL"), self.url)
        form.addRow(tr("User name"), self.user)
        form.addRow(tr("Password"), self.password)
        form.addRow(self.remember)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.fetch_button = QPushButton(tr("Fetch settings"))
        self.fetch_button.setDefault(True)
        cancel = QPushButton(tr("Cancel"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.fetch_button)
        layout = QVBoxLayout(self)
        intro = QLabel(
            tr("Your administrator may have given you an address to fetch all your settings from.")
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.fetch_button.clicked.connect(self.fetch)
        cancel.clicked.connect(self.reject)
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="provision")
        self._future: concurrent.futures.Future[ProvisioningChanged] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._check)
        self.result_event: ProvisioningChanged | None = None

    def fetch(self) -> None:
        if self._future is not None:
            return
        url = self.url.text().strip()
        self.status.setText(tr("Fetching your settings…"))
        self.fetch_button.setEnabled(False)
        self._future = self._pool.submit(
            self.application.provisioning.provision,
            url or None,
            username=self.user.text().strip(),
            password=self.password.text() or None,
            remember=self.remember.isChecked(),
        )
        self._timer.start()

    def _check(self) -> None:
        if self._future is None or not self._future.done():
            return
        self._timer.stop()
        future, self._future = self._future, None
        self.fetch_button.setEnabled(True)
        try:
            event = future.result()
        except Exception as exc:  # never expected: provision reports, it does not raise
            self.status.setText(tr("Provisioning failed.") + f" ({exc})")
            return
        self.result_event = event
        self.status.setText(outcome_text(event))
        if event.state is not ProvisioningResult.FAILED and self.application.settings.accounts:
            self.accept()

    def done(self, result: int) -> None:
        self._timer.stop()
        self._pool.shutdown(wait=False)
        super().done(result)
