"""The account wizard (first start, and "Add…" in the settings): domain, user name and
password, then Parley registers and waits for the server's answer, saying plainly why a
registration failed.

``first_start`` runs the wizard and then the audio assistant when the settings have no
account yet; the desktop app calls it once its Application has started.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from parley.app import Application
from parley.gui.bridge import EngineBridge
from parley.gui.i18n import tr
from parley.gui.settings_fields import TRANSPORTS
from parley.gui.texts import account_text, issue_text
from parley.phone.events import AccountStateChanged
from parley.settings import ConfigError, SecretStoreError, keyring_status
from parley.settings.errors import describe_validation_error
from parley.settings.model import AccountSettings

_ERROR = "color: #c0392b;"
_GOOD = "color: #2e9d4f;"
SLOW_ANSWER_MS = 15_000


def explain_failure(status: int | None, text: str) -> str:
    """A short sentence for a failed registration in the current language, with the
    detailed one of `gui.texts.account_text` (also translated) below it."""
    if status in (401, 403, 407):
        head = tr("The server did not accept the user name or the password.")
    elif status == 404:
        head = tr("The server does not know this user name at this domain.")
    elif status is None or status == 408:
        head = tr("The server did not answer. Check the domain, the port and the transport.")
    elif status in (480, 500, 503):
        head = tr("The server cannot register you right now; Parley keeps trying.")
    else:
        head = tr("The registration failed.")
    return head + ("\n" + tr("Details: {text}", text=text) if text else "")


def _unique_name(wanted: str, taken: set[str]) -> str:
    name = wanted[:64]
    number = 2
    while name.casefold() in taken:
        suffix = f" ({number})"
        name = wanted[: 64 - len(suffix)] + suffix
        number += 1
    return name


class AccountWizard(QDialog):
    """Set up one SIP account and register it. ``account_name`` is the saved account's
    name once the wizard has saved it; the dialog is accepted once it registered (or the
    user keeps an account that did not register yet, with "Keep anyway")."""

    def __init__(
        self, application: Application, parent: QWidget | None = None, *, first_start: bool = False
    ) -> None:
        super().__init__(parent)
        self.app = application
        self.account_name: str | None = None
        self.registered = False
        self.setWindowTitle(tr("Set up an account"))
        self.setMinimumWidth(560)
        self.bridge = EngineBridge(application, self)
        self.bridge.event.connect(self._on_event)
        self.finished.connect(lambda _r: self.bridge.close())

        intro = QLabel(
            tr("Welcome to Parley. Enter the SIP account your PBX or provider gave you.")
            if first_start
            else tr("Enter the SIP account your PBX or provider gave you.")
        )
        intro.setWordWrap(True)
        self.domain = QLineEdit()
        self.domain.setPlaceholderText(tr("e.g. pbx.example.com or 192.0.2.10:5060"))
        self.username = QLineEdit()
        self.username.setPlaceholderText(tr("e.g. 1001"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.auth_username = QLineEdit()
        self.auth_username.setPlaceholderText(tr("only if different from the user name"))
        self.transport = QComboBox()
        for value, label in TRANSPORTS.items():
            self.transport.addItem(tr(label), value)
        self.name = QLineEdit()
        self.name.setPlaceholderText(tr("filled in from user name and domain"))
        self.errors: dict[str, QLabel] = {}

        form = QFormLayout()
        required: tuple[tuple[str, str, QWidget], ...] = (
            ("domain", tr("Domain"), self.domain),
            ("username", tr("User name"), self.username),
            ("password", tr("Password"), self.password),
        )
        for key, label, field in required:
            form.addRow(label, self._with_error(key, field))
        advanced = QGroupBox(tr("Optional"))
        more = QFormLayout(advanced)
        optional: tuple[tuple[str, str, QWidget], ...] = (
            ("auth_username", tr("Authentication user name"), self.auth_username),
            ("transport", tr("Transport"), self.transport),
            ("name", tr("Account name"), self.name),
        )
        for key, label, field in optional:
            more.addRow(label, self._with_error(key, field))

        self.plaintext = QCheckBox(
            tr("No keyring is available: keep the password in the settings file (plain text)")
        )
        self.plaintext.setVisible(False)
        if application.uses_keyring and not application.settings.allow_plaintext_passwords:
            self.plaintext.setVisible(not keyring_status().usable)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.register_button = QPushButton(tr("Register"))
        self.register_button.setDefault(True)
        self.keep_button = QPushButton(tr("Keep anyway"))
        self.keep_button.setVisible(False)
        self.finish_button = QPushButton(tr("Next") if first_start else tr("Finish"))
        self.finish_button.setVisible(False)
        self.cancel_button = QPushButton(tr("Skip") if first_start else tr("Cancel"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (
            self.cancel_button,
            self.keep_button,
            self.register_button,
            self.finish_button,
        ):
            buttons.addWidget(button)
        self.register_button.clicked.connect(self.register_account)
        self.finish_button.clicked.connect(self.accept)
        self.keep_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(advanced)
        layout.addWidget(self.plaintext)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self._slow = QTimer(self)
        self._slow.setSingleShot(True)
        self._slow.timeout.connect(self._still_waiting)

    def _with_error(self, key: str, widget: QWidget) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        error = QLabel()
        error.setStyleSheet(_ERROR)
        error.setWordWrap(True)
        error.hide()
        column.addWidget(error)
        self.errors[key] = error
        return box

    def _set_error(self, key: str, text: str) -> None:
        label = self.errors.get(key)
        if label is None:
            self._say(text, _ERROR)
            return
        label.setText(text)
        label.setVisible(bool(text))

    def _say(self, text: str, style: str = "") -> None:
        self.status.setText(text)
        self.status.setStyleSheet(style)

    def error_text(self, key: str) -> str:
        return self.errors[key].text() if not self.errors[key].isHidden() else ""

    def _account(self) -> AccountSettings | None:
        """The account as entered, or None (with the faults shown under the fields)."""
        for key in self.errors:
            self._set_error(key, "")
        domain, user = self.domain.text().strip(), self.username.text().strip()
        empty = [key for key, text in (("domain", domain), ("username", user)) if not text]
        if not self.password.text():
            empty.append("password")
        for key in empty:
            self._set_error(key, tr("Please fill this in."))
        if self.account_name is not None:
            name = self.account_name
        else:
            taken = {a.name.casefold() for a in self.app.settings.accounts}
            wanted = self.name.text().strip() or (f"{user}@{domain}" if user and domain else "")
            name = _unique_name(wanted, taken) if wanted else ""
        try:
            account = AccountSettings(
                name=name or "?",
                domain=domain,
                username=user,
                auth_username=self.auth_username.text().strip() or None,
                transport=self.transport.currentData(),
            )
        except ValidationError as exc:
            for issue in describe_validation_error(exc, AccountSettings):
                if issue.key not in empty:
                    self._set_error(issue.key or "", issue_text(issue))
            return None
        return None if empty else account

    def register_account(self) -> bool:
        """Save the account (replacing the one saved by an earlier try) and register it;
        False when nothing was saved (the reason is shown)."""
        account = self._account()
        if account is None:
            return False
        new = self.app.settings.model_copy(deep=True)
        if self.plaintext.isVisible() and self.plaintext.isChecked():
            new.allow_plaintext_passwords = True
        new.accounts = [a for a in new.accounts if a.name != account.name] + [account]
        try:
            self.app.validate_settings(new)
            self.app.stage_account_password(new, account.name, self.password.text())
            future = self.app.update_settings(new)
        except ConfigError as exc:
            for issue in exc.issues:
                self._set_error((issue.key or "").rpartition(".")[2], issue_text(issue))
            return False
        except SecretStoreError as exc:
            self._set_error("password", str(exc))
            self.plaintext.setVisible(True)
            return False
        self.account_name = account.name
        self.name.setText(account.name)
        self.name.setEnabled(False)  # the saved account keeps its name on a retry
        self.registered = False
        self.keep_button.setVisible(False)
        self._say(tr("Registering at {domain}…", domain=account.domain))
        self.register_button.setEnabled(False)
        self._slow.start(SLOW_ANSWER_MS)
        self.bridge.run(future, None, self._apply_failed)
        return True

    def _apply_failed(self, exc: BaseException) -> None:
        self.register_button.setEnabled(True)
        self._say(tr("The account was saved but could not be used: {error}", error=exc), _ERROR)
        self.keep_button.setVisible(True)

    def _still_waiting(self) -> None:
        if not self.registered and self.account_name is not None:
            self._say(tr("Still waiting for an answer from the server…"))

    def _on_event(self, event: object) -> None:
        if not isinstance(event, AccountStateChanged) or event.account != self.account_name:
            return
        if event.state == "registered":
            self.registered = True
            self._slow.stop()
            self._say(tr("Registered. The account is ready."), _GOOD)
            self.register_button.setVisible(False)
            self.keep_button.setVisible(False)
            self.finish_button.setVisible(True)
            self.finish_button.setDefault(True)
            self.cancel_button.setVisible(False)
        elif event.state == "failed":
            self._slow.stop()
            self._say(explain_failure(event.status, account_text(event)), _ERROR)
            self.register_button.setEnabled(True)
            self.register_button.setText(tr("Try again"))
            self.keep_button.setVisible(True)

    def reject(self) -> None:
        """Cancel: an account saved by this wizard that never registered is removed
        again, so a typo does not keep retrying in the background."""
        if self.account_name is not None and not self.registered:
            self._remove_saved()
        super().reject()

    def _remove_saved(self) -> None:
        name = self.account_name
        new = self.app.settings.model_copy(deep=True)
        gone = [a for a in new.accounts if a.name == name]
        new.accounts = [a for a in new.accounts if a.name != name]
        try:
            self.app.update_settings(new)
            for account in gone:
                self.app.forget_account_password(account)
        except (ConfigError, SecretStoreError):
            pass  # it stays in the settings, where it can be fixed or deleted
        self.account_name = None


def first_start(
    application: Application,
    parent: QWidget | None = None,
    *,
    run: Callable[[QDialog], int] | None = None,
) -> bool:
    """When the settings have no account: the account wizard, then (unless skipped) the
    audio assistant. Returns True when this was a first start. ``run`` shows a dialog
    and returns its result (default: ``exec()``); call after ``application.start()``."""
    from parley.gui.audio_assistant import AudioAssistant

    if application.settings.accounts:
        return False
    show = run or (lambda dialog: dialog.exec())
    wizard = AccountWizard(application, parent, first_start=True)
    if show(wizard) != QDialog.DialogCode.Accepted.value:
        return True
    show(AudioAssistant(application, parent))
    return True
