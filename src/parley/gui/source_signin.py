"""The "Generate token" box of the settings' Contacts page for the sources that sign in
with OAuth 2.0: Google (the browser opens Google's page; the answer comes back to a
loopback port of this computer) and Outlook through Microsoft Graph (a code to type on
Microsoft's page, shown here with the page's address).

The flow runs in a thread of its own; its end comes back to the GUI thread as a queued
signal. The tokens go into the registry's token store (the keyring; without one they are
kept in memory and the box says so) under the source's id, where the fetches find and
refresh them. A source already saved is synchronised at once after a good sign-in.
"""

from __future__ import annotations

import logging
import sys
import threading
import webbrowser
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QComboBox,
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
from parley.contacts.cloud_sources import provider_of
from parley.contacts.oauth_device import (
    DeviceCode,
    OAuthError,
    PollOutcome,
    PollResult,
    TokenLocation,
)
from parley.contacts.source import SourceKind
from parley.gui.i18n import N_, tr
from parley.settings.contact_sources import WITH_SIGN_IN, ContactSourceSettings

log = logging.getLogger(__name__)

# How the page opens a web page (tests put a stand-in browser here).
open_browser: Callable[[str], object] = webbrowser.open

OAUTH_TEXTS: dict[str, str] = {
    "unreachable": N_("The sign-in server did not answer; check the network and try again."),
    "bad_answer": N_("The sign-in server's answer could not be read."),
    "invalid_client": N_(
        "The provider does not accept this client id (or client secret); check them."
    ),
    "invalid_grant": N_("The sign-in is no longer valid; sign in again."),
    "invalid_scope": N_("The provider refused the access Parley asks for."),
    "refused": N_("The provider refused the sign-in."),
    "no_tokens": N_("Not signed in yet."),
}
SIGN_IN_AGAIN = N_(
    "Not signed in, or the sign-in is no longer valid: sign in again (Generate token)."
)
ACCESS_NAMES = {
    "auto": N_("Automatic"),
    "graph": N_("Microsoft Graph (Microsoft 365, Outlook.com)"),
    "desktop": N_("Outlook program (Windows only)"),
}


class _Relay(QObject):
    """Carries a thread's results to the GUI thread (queued: it lives in the GUI's)."""

    code = Signal(object)
    done = Signal(object)


class SignInBox(QGroupBox):
    """OAuth settings and sign-in of the selected Google or Outlook source."""

    def __init__(
        self,
        application: Application,
        selected: Callable[[], ContactSourceSettings | None],
        applied: Callable[[ContactSourceSettings], bool],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(tr("Generate token"), parent)
        self.app = application
        self._selected = selected
        self._applied = applied
        self._loading = False
        self._cancel = threading.Event()
        self._running = False
        self._source_id = ""
        self._relay = _Relay(self)
        self._relay.code.connect(self._show_code)
        self._relay.done.connect(self._finished)

        # Wrapped labels in a box layout (a form layout's rows misjudge their height).
        outer = QVBoxLayout(self)
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        outer.addWidget(self.explain)
        form = QFormLayout()
        outer.addLayout(form)
        self.access = QComboBox()
        for value, name in ACCESS_NAMES.items():
            self.access.addItem(tr(name), value)
        self.access.setToolTip(
            tr("Automatic: the Outlook program on Windows when it is there, else Microsoft Graph.")
        )
        form.addRow(tr("Contacts from"), self.access)
        self.fields: dict[str, QLineEdit] = {}
        for key, label, help_text in (
            ("client_id", N_("Client id"), N_("The OAuth client id of the app registered.")),
            ("client_secret", N_("Client secret"), N_("Google's desktop clients have one.")),
            ("tenant", N_("Tenant"), N_("common, organizations, consumers or your tenant.")),
        ):
            edit = QLineEdit()
            edit.setToolTip(tr(help_text))
            edit.setPlaceholderText(tr(help_text))
            edit.editingFinished.connect(lambda k=key: self._text_changed(k))
            self.fields[key] = edit
            form.addRow(tr(label), edit)
        self.platform_note = QLabel()
        self.platform_note.setWordWrap(True)
        outer.addWidget(self.platform_note)
        buttons = QHBoxLayout()
        self.sign_in_button = QPushButton(tr("Sign in"))
        self.open_page_button = QPushButton(tr("Open the page"))
        self.open_page_button.setVisible(False)
        buttons.addWidget(self.sign_in_button)
        buttons.addWidget(self.open_page_button)
        buttons.addStretch(1)
        outer.addLayout(buttons)
        self.code_label = QLabel()
        self.code_label.setWordWrap(True)
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code_label.setVisible(False)
        outer.addWidget(self.code_label)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        outer.addWidget(self.result_label)
        self._form = form
        self._page_url = ""

        self.sign_in_button.clicked.connect(self.sign_in)
        self.open_page_button.clicked.connect(lambda: open_browser(self._page_url))
        self.access.currentIndexChanged.connect(lambda _i: self._access_changed())

    # ------------------------------------------------------------------ showing

    def show_source(self, source: ContactSourceSettings | None) -> None:
        """Show the box for a sign-in source, hide it for the others."""
        visible = source is not None and source.kind in WITH_SIGN_IN
        self.setVisible(visible)
        if not visible or source is None:
            return
        if self._running and self._source_id != source.id:
            self.cancel()
        self._loading = True
        try:
            google = source.kind is SourceKind.GOOGLE
            self.explain.setText(
                tr(
                    "Sign in opens your browser at Google's page; after you agree, the "
                    "browser comes back to Parley. The token is kept in the keyring."
                )
                if google
                else tr(
                    "Sign in shows a code: open Microsoft's page, enter the code and agree. "
                    "The token is kept in the keyring."
                )
            )
            self._form.setRowVisible(self.access, not google)
            self._form.setRowVisible(self.fields["client_secret"], google)
            self._form.setRowVisible(self.fields["tenant"], not google)
            self.access.setCurrentIndex(max(0, self.access.findData(source.outlook_access)))
            for key, edit in self.fields.items():
                value = getattr(source, key)
                edit.setText("" if value is None else str(value))
            self._show_platform(source)
            if not self._running:
                self.code_label.setVisible(False)
                self.open_page_button.setVisible(False)
                self._say_stored(source)
        finally:
            self._loading = False

    @staticmethod
    def explain_fields(fields: dict[str, QLineEdit], source: ContactSourceSettings) -> None:
        """The access-data fields' hints where a sign-in source reads them differently."""
        hints = {
            "location": (
                N_("Empty: Google's CardDAV address."),
                N_("The XML file, or its http(s) address."),
            ),
            "username": (
                N_("The account to sign in with (e-mail address)."),
                N_("Leave empty when the phone book needs no log-in."),
            ),
        }
        for key, (signing_in, usual) in hints.items():
            text = tr(signing_in if source.kind in WITH_SIGN_IN else usual)
            fields[key].setPlaceholderText(text)
            fields[key].setToolTip(text)

    def _show_platform(self, source: ContactSourceSettings) -> None:
        windows = sys.platform.startswith("win")
        note = ""
        if source.kind is SourceKind.OUTLOOK and not windows:
            note = tr(
                "On this computer Outlook contacts come from Microsoft Graph (Microsoft 365 "
                "and Outlook.com accounts, after signing in). The Outlook program's own "
                "contacts can be read on Windows only."
            )
        self.platform_note.setText(note)
        self.platform_note.setVisible(bool(note))
        graph = source.kind is SourceKind.GOOGLE or source.outlook_access != "desktop"
        self.sign_in_button.setEnabled(graph or self._running)

    def _say_stored(self, source: ContactSourceSettings) -> None:
        try:
            tokens = self.app.contact_sources.token_store.load(provider_of(source), source.id)
        except Exception:  # a broken keyring: the sign-in says more
            tokens = None
        self._say(tr("Signed in.") if tokens is not None else tr("Not signed in yet."))

    def _say(self, text: str, *, error: bool = False) -> None:
        self.result_label.setText(text)
        self.result_label.setStyleSheet("color: #c0392b;" if error else "")

    # ------------------------------------------------------------------ editing

    def _text_changed(self, key: str) -> None:
        source = self._selected()
        if self._loading or source is None:
            return
        try:
            value = self.fields[key].text().strip()
            setattr(source, key, value or ("common" if key == "tenant" else None))
        except ValidationError as exc:
            self._say(str(exc.errors()[0].get("msg", exc)), error=True)

    def _access_changed(self) -> None:
        source = self._selected()
        if self._loading or source is None:
            return
        source.outlook_access = self.access.currentData()
        self._show_platform(source)

    # ------------------------------------------------------------------ signing in

    def forget_tokens(self, source: ContactSourceSettings) -> None:
        """A deleted source's tokens leave the keyring with it."""
        if source.kind in WITH_SIGN_IN:
            self.app.contact_sources.token_store.delete(provider_of(source), source.id)

    def sign_in(self) -> None:
        """Start the source's sign-in flow (or, while one runs, cancel it)."""
        if self._running:
            self.cancel()
            return
        source = self._selected()
        if source is None or source.kind not in WITH_SIGN_IN:
            return
        for key, edit in self.fields.items():
            if edit.isVisible() or key == "client_id":
                self._text_changed(key)
        if not source.client_id:
            self._say(tr("Give the client id of the app registered for Parley first."), error=True)
            return
        chosen = source.model_copy(deep=True)
        self._source_id = chosen.id
        self._cancel = threading.Event()
        self._running = True
        self.sign_in_button.setText(tr("Cancel"))
        self.sign_in_button.setEnabled(True)
        if chosen.kind is SourceKind.GOOGLE:
            self._say(tr("Waiting for you to sign in in the browser…"))
        else:
            self._say(tr("Asking for a code…"))
        threading.Thread(
            target=self._run, args=(chosen, self._cancel), name="parley-sign-in", daemon=True
        ).start()

    def cancel(self) -> None:
        self._cancel.set()

    def hideEvent(self, event: QHideEvent) -> None:
        # The dialog closed or another kind of source is shown: a flow under way stops.
        self.cancel()
        super().hideEvent(event)

    def _emit(self, signal: Any, value: object) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # the dialog is gone: nobody to tell
            log.debug("sign-in finished after its settings page closed")

    def _run(self, source: ContactSourceSettings, cancel: threading.Event) -> None:
        from parley.contacts import cloud_sources

        store = self.app.contact_sources.token_store
        proxy = self.app.contact_sources.http_proxy  # [automation] http_proxy: token requests
        outcome: Any
        try:
            if source.kind is SourceKind.GOOGLE:
                outcome = cloud_sources.sign_in_with_browser_for(
                    source, store, open_browser, cancelled=cancel.is_set, proxy=proxy
                )
            else:
                code = cloud_sources.start_device_sign_in(source, proxy)
                self._emit(self._relay.code, code)
                outcome = cloud_sources.finish_device_sign_in(
                    source, store, code, cancelled=cancel.is_set, proxy=proxy
                )
        except OAuthError as exc:
            outcome = exc
        except Exception as exc:  # the box reports; the thread never dies silently
            log.exception("sign-in failed")
            outcome = exc
        self._emit(self._relay.done, (source, outcome, cancel.is_set()))

    def _show_code(self, code: DeviceCode) -> None:
        self._page_url = code.verification_uri_complete or code.verification_uri
        self.code_label.setText(
            tr(
                "Open {url} and enter the code {code}.",
                url=code.verification_uri,
                code=code.user_code,
            )
        )
        self.code_label.setVisible(True)
        self.open_page_button.setVisible(True)
        self._say(tr("Waiting for you to enter the code…"))

    def _finished(self, result: tuple[ContactSourceSettings, object, bool]) -> None:
        source, outcome, cancelled = result
        self._running = False
        self.sign_in_button.setText(tr("Sign in"))
        self.open_page_button.setVisible(False)
        self.code_label.setVisible(False)
        if cancelled:
            self._say(tr("Sign-in cancelled."))
            return
        location: TokenLocation | None = None
        if isinstance(outcome, TokenLocation):
            location = outcome
        elif isinstance(outcome, PollResult) and outcome.outcome is PollOutcome.SUCCESS:
            location = self.app.contact_sources.token_store.status().location
        if location is None:
            self._say(tr("Sign-in failed: {reason}", reason=_reason(outcome)), error=True)
            return
        self._say(
            tr("Signed in. The token is kept in the keyring.")
            if location is TokenLocation.KEYRING
            else tr("Signed in. Without a keyring the token is kept only until Parley ends.")
        )
        if self._applied(source):
            self.app.contact_sources.sync(source.id)


def _reason(outcome: object) -> str:
    if isinstance(outcome, OAuthError):
        text = tr(OAUTH_TEXTS.get(outcome.problem.value, OAUTH_TEXTS["refused"]))
        return f"{text} ({outcome.detail})" if outcome.detail else text
    if isinstance(outcome, PollResult):
        if outcome.outcome is PollOutcome.DENIED:
            return tr("the access was refused on the provider's page.")
        if outcome.outcome is PollOutcome.EXPIRED:
            return tr("the code expired; sign in again.")
        text = tr(
            OAUTH_TEXTS.get(
                outcome.problem.value if outcome.problem else "", OAUTH_TEXTS["refused"]
            )
        )
        return f"{text} ({outcome.detail})" if outcome.detail else text
    return str(outcome)
