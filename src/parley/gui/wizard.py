"""The account wizard (first start, and "Add…" in the settings): domain, user name and
password, then Parley registers and waits for the server's answer, saying plainly why a
registration failed and putting the cursor on the field at fault.

``first_start`` runs the wizard and then the audio assistant when the settings have no
account yet; the desktop app calls it once its Application has started.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import ValidationError
from PySide6.QtCore import Qt, QTimer
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
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from parley.app import Application
from parley.gui.bridge import EngineBridge
from parley.gui.i18n import tr
from parley.gui.settings_account_fields import TRANSPORTS
from parley.gui.texts import issue_text, net_problem_text
from parley.phone.events import AccountStateChanged, NetProblem, RegCause, RegState
from parley.settings import ConfigError, SecretStoreError, keyring_status
from parley.settings.errors import describe_validation_error
from parley.settings.model import AccountSettings

_ERROR = "color: #c0392b;"
_GOOD = "color: #2e9d4f;"
_NOTE = "color: #b9770e;"
# A first registration that has had no answer for this long is reported as "no answer"
# (the SIP transaction itself waits 32 s, Timer F; the engine keeps trying behind it).
FIRST_ANSWER_MS = 8_000


@dataclass(frozen=True)
class Failure:
    """Why a registration failed, in one message, and the field the user should fix
    ("" when no field is at fault)."""

    text: str
    field: str = ""


def _where(event: AccountStateChanged) -> str:
    """host:port the REGISTER went to (from ``server``, "udp:host:port"), else the domain."""
    if event.server:
        return event.server.partition(":")[2]
    return event.domain or "?"


def explain_failure(event: AccountStateChanged) -> Failure:
    """One message for a failed registration, whose headline matches its cause: the
    user's input (password, user name, domain) or the server's state."""
    user, domain = event.user or "?", event.domain or "?"
    transport = (
        event.server.partition(":")[0] if event.server else event.transport or "udp"
    ).upper()
    answer = f"{event.status} {event.reason}".strip() if event.status else ""
    cause, status = event.cause, event.status or 0
    if cause is RegCause.WRONG_PASSWORD or (cause is RegCause.REFUSED and status in (401, 407)):
        return Failure(
            tr(
                "The server did not accept the password for user {user}. Check the password "
                "and its capitalisation.",
                user=user,
            ),
            "password",
        )
    if cause is RegCause.REFUSED and status == 403:
        return Failure(
            tr(
                "The server refused user {user} (403 Forbidden). Check the user name and the "
                "password.",
                user=user,
            ),
            "password",
        )
    if cause is RegCause.REFUSED and status in (404, 604):
        return Failure(
            tr(
                "The server at {domain} does not know the user name {user}. Check the user "
                "name and the domain.",
                domain=domain,
                user=user,
            ),
            "username",
        )
    if cause is RegCause.NO_RESPONSE:  # Timer F: a 408 made up here, not the server's
        return no_answer(_where(event), transport)
    if cause is RegCause.UNREACHABLE and (
        event.problem in _NOT_FOUND or (event.problem is None and not event.server)
    ):
        # The REGISTER never had a server to go to: the name lookup (RFC 3263) failed.
        return Failure(
            tr(
                "Parley cannot find a server named {domain}. Check the domain for typing errors.",
                domain=domain,
            )
            + _details(event),
            "domain",
        )
    if cause is RegCause.UNREACHABLE and transport == "TLS":
        return Failure(
            tr(
                "Parley could not set up a secure (TLS) connection to {where}. Check the "
                "domain, the port and the server's certificate.",
                where=_where(event),
            )
            + _details(event),
            "domain",
        )
    if cause is RegCause.UNREACHABLE:
        return Failure(
            tr(
                "Parley could not connect to {where} over {transport}. Check the domain, "
                "the port and the transport.",
                where=_where(event),
                transport=transport,
            )
            + _details(event),
            "domain",
        )
    if cause is RegCause.EXPIRY_TOO_BRIEF:
        return Failure(
            tr(
                "The server wants a longer registration interval. Raise the expiry in the "
                "account's settings."
            )
        )
    if status in (480, 486, 500, 502, 503, 504) or status >= 500:
        return Failure(
            tr(
                "The server at {domain} cannot register you right now ({answer}). Parley "
                "keeps trying; you can keep the account.",
                domain=domain,
                answer=answer,
            )
        )
    return Failure(
        tr(
            "The server refused the registration ({answer}). Check the account details.",
            answer=answer or "?",
        )
    )


def no_answer(where: str, transport: str) -> Failure:
    return Failure(
        tr(
            "No answer from {where} over {transport}. Check the domain, the port and the "
            "transport, and that the PBX is running.",
            where=where,
            transport=transport,
        ),
        "domain",
    )


# Network problems that mean the domain's name led nowhere.
_NOT_FOUND = (NetProblem.NO_SUCH_DOMAIN, NetProblem.NO_ADDRESS, NetProblem.NO_SERVER)


def _details(event: AccountStateChanged) -> str:
    """What the network layer found, in our words when it gave a code (its own else)."""
    if event.problem is NetProblem.NO_SUCH_DOMAIN:
        return ""  # the headline says it all
    if event.problem is not None:
        return "\n" + tr("Details: {text}", text=net_problem_text(event.problem, event.where))
    # The engine's detail repeats "Registration failed: ", which the headline says.
    detail = event.detail.removeprefix("Registration failed: ")
    return "\n" + tr("Details: {text}", text=detail) if detail else ""


def _same_account(a: AccountSettings, b: AccountSettings) -> bool:
    """The same account settings, whatever the password field holds."""
    return a.model_copy(update={"password": None}) == b.model_copy(update={"password": None})


def _unique_name(wanted: str, taken: set[str]) -> str:
    name = wanted[:64]
    number = 2
    while name.casefold() in taken:
        suffix = f" ({number})"
        name = wanted[: 64 - len(suffix)] + suffix
        number += 1
    return name


def _wrapped(text: str = "", style: str = "") -> QLabel:
    """A label that wraps and asks for the height its text needs (never elided)."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(style)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    return label


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
        self._tried_password = ""  # the password of the last try
        self.setWindowTitle(tr("Set up an account"))
        self.setMinimumWidth(560)
        self.bridge = EngineBridge(application, self)
        self.bridge.event.connect(self._on_event)
        self.finished.connect(lambda _r: self.bridge.close())

        intro = _wrapped(
            tr("Welcome to Parley. Enter the SIP account your PBX or provider gave you.")
            if first_start
            else tr("Enter the SIP account your PBX or provider gave you.")
        )
        # The manual's warning, once, where a new user reads first.
        self.emergency = _wrapped(
            tr(
                "Parley cannot place emergency calls. Make sure you can call emergency "
                "services another way, for example from a landline or a mobile phone."
            ),
            "font-weight: bold;",
        )
        self.emergency.setVisible(first_start)
        self.domain = QLineEdit()
        self.domain.setPlaceholderText(tr("e.g. pbx.example.com or 192.0.2.10:5060"))
        self.username = QLineEdit()
        self.username.setPlaceholderText(tr("e.g. 1001"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.show_password = QCheckBox(tr("Show password"))
        self.show_password.toggled.connect(
            lambda on: self.password.setEchoMode(
                QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password
            )
        )
        password_row = QWidget()
        password_line = QHBoxLayout(password_row)
        password_line.setContentsMargins(0, 0, 0, 0)
        password_line.addWidget(self.password, 1)
        password_line.addWidget(self.show_password)
        self.auth_username = QLineEdit()
        self.auth_username.setPlaceholderText(tr("only if different from the user name"))
        self.transport = QComboBox()
        for value, label in TRANSPORTS.items():
            self.transport.addItem(tr(label), value)
        self.name = QLineEdit()
        self.name.setPlaceholderText(tr("filled in from user name and domain"))
        self.errors: dict[str, QLabel] = {}
        self.fields: dict[str, QWidget] = {
            "domain": self.domain,
            "username": self.username,
            "password": self.password,
            "auth_username": self.auth_username,
            "transport": self.transport,
            "name": self.name,
        }

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        required: tuple[tuple[str, str, QWidget], ...] = (
            ("domain", tr("Domain"), self.domain),
            ("username", tr("User name"), self.username),
            ("password", tr("Password"), password_row),
        )
        for key, label, field in required:
            form.addRow(label, self._with_error(key, field))
            self.fields[key].setAccessibleName(label)
        self.optional = QGroupBox(tr("Optional"))
        more = QFormLayout(self.optional)
        optional: tuple[tuple[str, str, QWidget], ...] = (
            ("auth_username", tr("Authentication user name"), self.auth_username),
            ("transport", tr("Transport"), self.transport),
            ("name", tr("Account name"), self.name),
        )
        for key, label, field in optional:
            more.addRow(label, self._with_error(key, field))
            field.setAccessibleName(label)
        for field in self.fields.values():  # long messages grow the dialog, not squash these
            field.setSizePolicy(field.sizePolicy().horizontalPolicy(), QSizePolicy.Policy.Fixed)

        # Without a keyring the password can only be kept in the settings file: say so in
        # full and offer it ticked (a keyring, when there is one, stays the only place).
        self.keyring_note = _wrapped(style=_NOTE)
        self.plaintext = QCheckBox(tr("Keep the password in the settings file (plain text)"))
        self.keyring_note.hide()
        self.plaintext.hide()
        if application.uses_keyring and not application.settings.allow_plaintext_passwords:
            if not keyring_status().usable:
                self._offer_plaintext(
                    tr(
                        "This computer has no keyring, the safe store where programs keep "
                        "passwords. Parley can keep the password in its settings file "
                        "instead, in plain text: anyone who can read your files can read "
                        "it. To keep it safe instead, install a keyring (for example GNOME "
                        "Keyring or KWallet) and start Parley again."
                    ),
                    ticked=True,
                )

        self.status = _wrapped()
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.register_button = QPushButton(tr("Register"))
        self.register_button.setDefault(True)
        self.keep_button = QPushButton(tr("Keep anyway"))
        self.keep_button.setVisible(False)
        self.finish_button = QPushButton(tr("Next") if first_start else tr("Finish"))
        self.finish_button.setVisible(False)
        self.cancel_button = QPushButton(tr("Skip") if first_start else tr("Cancel"))
        buttons = QHBoxLayout()
        # First start: everything may come from the company's provisioning server.
        self.provision_button = QPushButton(tr("From a provisioning server…"))
        self.provision_button.setVisible(first_start)
        self.provision_button.clicked.connect(self._provision)
        buttons.addWidget(self.provision_button)
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
        layout.addWidget(self.emergency)
        layout.addLayout(form)
        layout.addWidget(self.optional)
        layout.addWidget(self.keyring_note)
        layout.addWidget(self.plaintext)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self._waiting = QTimer(self)
        self._waiting.setSingleShot(True)
        self._waiting.timeout.connect(self._gave_up)
        self._server = ""  # where the current attempt's REGISTER goes ("udp:host:port")
        self._answered = False  # the current attempt has its outcome

    def _provision(self) -> None:
        from parley.gui.provision_dialog import ProvisionDialog

        dialog = ProvisionDialog(self.app, self)
        self.provision_dialog = dialog  # for tests and screenshots
        if dialog.exec() == QDialog.DialogCode.Accepted.value:
            self.accept()

    def _offer_plaintext(self, why: str, *, ticked: bool) -> None:
        self.keyring_note.setText(why)
        self.keyring_note.show()
        self.plaintext.setChecked(ticked)
        self.plaintext.show()
        self._fit()

    def _with_error(self, key: str, widget: QWidget) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        error = _wrapped(style=_ERROR)
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
        self._fit()

    def _say(self, text: str, style: str = "") -> None:
        self.status.setText(text)
        self.status.setStyleSheet(style)
        self._fit()

    def _fit(self) -> None:
        """Grow the dialog to what its wrapped texts need at its width (a top-level
        window does not do that by itself), so no field is squashed."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        need = (
            layout.totalHeightForWidth(self.width())
            if layout.hasHeightForWidth()
            else layout.totalSizeHint().height()
        )
        need = max(need, layout.totalMinimumSize().height())
        self.setMinimumHeight(need)
        if need > self.height():
            self.resize(self.width(), need)

    def _focus(self, key: str) -> None:
        field = self.fields.get(key)
        if field is None:
            return
        field.setFocus()
        if isinstance(field, QLineEdit):
            field.selectAll()

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
        if empty:
            self._focus(empty[0])
        # Named by the user, or after what is tried now (a corrected typo renames the
        # account saved by the earlier try).
        taken = {
            a.name.casefold() for a in self.app.settings.accounts if a.name != self.account_name
        }
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
            faults = []
            for issue in describe_validation_error(exc, AccountSettings):
                if issue.key not in empty:
                    self._set_error(issue.key or "", issue_text(issue))
                    faults.append(issue.key or "")
            if not empty and faults:
                self._focus(faults[0])
            return None
        return None if empty else account

    def register_account(self) -> bool:
        """Save the account (replacing the one saved by an earlier try) and register it;
        False when nothing was saved (the reason is shown)."""
        account = self._account()
        if account is None:
            return False
        if self.plaintext.isVisible() and not self.plaintext.isChecked():
            self.keyring_note.setText(
                tr(
                    "Without a keyring the password can only be kept in the settings file. "
                    "Tick the box below to keep it there, or install a keyring and start "
                    "Parley again."
                )
            )
            self.keyring_note.setStyleSheet(_ERROR)
            self._fit()
            self.plaintext.setFocus()
            return False
        previous = self.account_name
        new = self.app.settings.model_copy(deep=True)
        if self.plaintext.isVisible() and self.plaintext.isChecked():
            new.allow_plaintext_passwords = True
        old = [a for a in new.accounts if a.name in (previous, account.name)]
        # "Try again" with nothing changed: the settings change applies nothing, so the
        # account must be told to register anew (the server may have come up since).
        unchanged = (
            previous == account.name
            and self.password.text() == self._tried_password
            and any(_same_account(a, account) for a in old)
        )
        new.accounts = [a for a in new.accounts if a.name not in (previous, account.name)]
        new.accounts.append(account)
        try:
            self.app.validate_settings(new)
            self.app.stage_account_password(new, account.name, self.password.text())
            future = self.app.update_settings(new)
        except ConfigError as exc:
            for issue in exc.issues:
                self._set_error((issue.key or "").rpartition(".")[2], issue_text(issue))
            return False
        except SecretStoreError:
            # A keyring exists but did not take the password (locked, refused).
            self._offer_plaintext(
                tr(
                    "The keyring did not store the password (it may be locked). Unlock it "
                    "and try again, or keep the password in the settings file (plain text)."
                ),
                ticked=False,
            )
            self.plaintext.setFocus()
            return False
        for gone in old:
            if gone.name != account.name:  # renamed: its stored password goes with it
                try:
                    self.app.forget_account_password(gone)
                except SecretStoreError:
                    pass
        self.account_name = account.name
        self._tried_password = self.password.text()
        if unchanged:
            name = account.name
            future = self._then(future, lambda: self.app.register(name))
        self.registered = False
        self._answered = False
        self._server = ""
        self.keep_button.setVisible(False)
        self._say(tr("Looking for the server of {domain}…", domain=account.domain))
        self.register_button.setEnabled(False)
        self._waiting.start(FIRST_ANSWER_MS)
        self.bridge.run(future, None, self._apply_failed)
        return True

    @staticmethod
    def _then(
        first: concurrent.futures.Future[None],
        start: Callable[[], concurrent.futures.Future[None]],
    ) -> concurrent.futures.Future[None]:
        """A future of `first` followed by the one `start` gives (started when `first`
        is done, on any thread: the application's calls may be made from any)."""
        done: concurrent.futures.Future[None] = concurrent.futures.Future()

        def finish(f: concurrent.futures.Future[None]) -> None:
            exc = f.exception()
            if exc is not None:
                done.set_exception(exc)
            else:
                done.set_result(None)

        def chain(f: concurrent.futures.Future[None]) -> None:
            if f.exception() is not None:
                finish(f)
            else:
                start().add_done_callback(finish)

        first.add_done_callback(chain)
        return done

    def _apply_failed(self, exc: BaseException) -> None:
        self._waiting.stop()
        self.register_button.setEnabled(True)
        self._say(tr("The account was saved but could not be used: {error}", error=exc), _ERROR)
        self.keep_button.setVisible(True)

    def _gave_up(self) -> None:
        """No answer in time to the first REGISTER: say so now instead of after the
        transaction's 32 s; the engine keeps trying, and a late success still counts."""
        if self.registered or self._answered or self.account_name is None:
            return
        where = self._server.partition(":")[2] or self.domain.text().strip()
        transport = (self._server.partition(":")[0] or self.transport.currentData()).upper()
        self._failed(no_answer(where, "UDP" if transport == "AUTO" else transport))

    def _failed(self, failure: Failure) -> None:
        if self._answered and self.status.text() == failure.text:
            return  # the transaction's own timeout after the give-up: nothing new to say
        self._answered = True
        self._waiting.stop()
        self._say(failure.text, _ERROR)
        self.register_button.setEnabled(True)
        self.register_button.setText(tr("Try again"))
        self.keep_button.setVisible(True)
        self._focus(failure.field)

    def _on_event(self, event: object) -> None:
        if not isinstance(event, AccountStateChanged) or event.account != self.account_name:
            return
        if event.state == RegState.REGISTERING and event.server and not self._answered:
            self._server = event.server
            transport, _, where = event.server.partition(":")
            self._say(
                tr(
                    "Contacting {where} over {transport}…",
                    where=where,
                    transport=transport.upper(),
                )
            )
        elif event.state == RegState.REGISTERED:
            self.registered = True
            self._answered = True
            self._waiting.stop()
            self._say(tr("Registered. The account is ready."), _GOOD)
            self.register_button.setVisible(False)
            self.keep_button.setVisible(False)
            self.finish_button.setVisible(True)
            self.finish_button.setDefault(True)
            self.finish_button.setFocus()
            self.cancel_button.setVisible(False)
        elif event.state == RegState.FAILED:
            self._failed(explain_failure(event))

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
    show(AudioAssistant(application, parent, first_start=True))
    return True
