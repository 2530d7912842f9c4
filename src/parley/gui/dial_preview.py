"""The "try a number" row under an account's phone number modification: what the
account would dial for a number the user types, with the current (unsaved) settings."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from parley.contacts.dial_rules import DialRules, NumberKind, apply
from parley.gui.i18n import N_, tr
from parley.settings.model import AccountSettings

# Why a number was not changed, for the kinds the rules never touch.
_LEFT_ALONE = {
    NumberKind.EXTENSION: N_("an internal extension: dialled as it is"),
    NumberKind.EMERGENCY: N_("an emergency number: always dialled as it is"),
    NumberKind.SERVICE: N_("a service number or code: dialled as it is"),
    NumberKind.ADDRESS: N_("not a phone number: dialled as it is"),
}


def rules_of(account: AccountSettings) -> DialRules:
    return DialRules(
        remove_chars=account.remove_dial_chars,
        use_country_code=account.use_country_code,
        country=account.default_country,
        prefix=account.dial_prefix,
    )


def preview_text(typed: str, account: AccountSettings | None) -> str:
    """The sentence shown for `typed` ("" when nothing is typed)."""
    if not typed.strip() or account is None:
        return ""
    out = apply(typed, rules_of(account))
    reason = _LEFT_ALONE.get(out.kind)
    if reason is not None:
        return tr("Dialled as {number} — {reason}", number=out.number, reason=tr(reason))
    return tr("Dialled as {number}", number=out.number)


class DialPreview(QWidget):
    """A line to type a number in and the number the account would dial."""

    def __init__(
        self,
        get_account: Callable[[], AccountSettings | None],
        changes: Iterable[SignalInstance],
    ) -> None:
        super().__init__()
        self._get_account = get_account
        self.label = QLabel(tr("Try a number"))
        self.input = QLineEdit()
        self.input.setPlaceholderText(tr("e.g. 030 1234567"))
        self.input.setAccessibleName(tr("Try a number"))
        self.result = QLabel()
        self.result.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.input, 1)
        layout.addWidget(self.result, 2)
        self.input.textChanged.connect(self.refresh)
        # The rows commit into the model first (connected earlier), then this reads it.
        for changed in changes:
            changed.connect(self.refresh)

    def refresh(self) -> None:
        self.result.setText(preview_text(self.input.text(), self._get_account()))
