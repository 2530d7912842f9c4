"""Account passwords: in the OS keyring, or in the settings file only by explicit consent.

Where a password is looked for, in order:

1. ``account.password`` — a password written in the settings file itself. That is how a
   file given on the command line carries its passwords; such a password is used as given
   and never copied to the keyring or to another file.
2. The OS keyring, service ``"parley"``, user name = the account's name.

Where ``set_password`` puts a password: in the keyring when one is usable; otherwise in the
settings file (in plain text) only when ``allow_plaintext_passwords`` is on, with a warning
logged every time; otherwise it refuses with ``SecretStoreError`` saying what to do.
Headless Linux usually has no keyring backend at all (no Secret Service / KWallet), which
``keyring`` reports as its "fail" backend.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from pydantic import SecretStr

from parley.settings.model import AccountSettings, Settings

log = logging.getLogger(__name__)

SERVICE = "parley"

_NO_KEYRING_HELP = (
    "install and unlock a keyring (GNOME Keyring, KWallet, or the keyrings.alt package), "
    "or set allow_plaintext_passwords = true in the settings file to keep passwords there "
    "in plain text"
)


class PasswordLocation(StrEnum):
    """Where ``set_password`` stored a password."""

    KEYRING = "keyring"
    SETTINGS_FILE = "settings file"


class SecretStoreError(Exception):
    """A password could not be stored, read or deleted; the message says what to do."""


@dataclass(frozen=True)
class KeyringStatus:
    """Whether the OS keyring can be used, and if not, why (for people)."""

    usable: bool
    backend: str
    reason: str


def _backend_name(backend: KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def keyring_status() -> KeyringStatus:
    """Check the keyring backend ``keyring`` chose (or was given with ``set_keyring``)."""
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # backend discovery runs third-party plugins
        return KeyringStatus(False, "unknown", f"the keyring could not be set up ({exc})")
    name = _backend_name(backend)
    if isinstance(backend, fail.Keyring):
        return KeyringStatus(
            False, name, "no keyring service was found (no Secret Service, KWallet or similar)"
        )
    if isinstance(backend, null.Keyring):
        return KeyringStatus(False, name, "the keyring is switched off (null backend)")
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return KeyringStatus(False, name, "no keyring service was found")
    try:
        priority = float(backend.priority)
    except Exception as exc:  # a backend signals "not viable" by raising here
        return KeyringStatus(False, name, f"the keyring backend is not usable ({exc})")
    if priority <= 0:
        return KeyringStatus(False, name, "only an unusable keyring backend is available")
    return KeyringStatus(True, name, "")


def get_password(account: AccountSettings) -> str | None:
    """The account's password, or None when none is stored or no keyring is usable.

    A password in the settings file wins over the keyring. A keyring that exists but fails
    (locked, D-Bus error) raises ``SecretStoreError`` rather than pretending there is no
    password.
    """
    if account.password is not None:
        return account.password.get_secret_value()
    status = keyring_status()
    if not status.usable:
        log.warning(
            "No password for account %r: %s. To fix: %s.",
            account.name,
            status.reason,
            _NO_KEYRING_HELP,
        )
        return None
    try:
        return keyring.get_password(SERVICE, account.name)
    except keyring.errors.KeyringError as exc:
        raise SecretStoreError(
            f"Could not read the password of account {account.name!r} from the keyring "
            f"({exc}); unlock the keyring and try again"
        ) from exc


def set_password(account: AccountSettings, password: str, settings: Settings) -> PasswordLocation:
    """Store a new password for ``account`` and return where it went.

    In the keyring, any copy in ``account.password`` is dropped so it is not written to
    the settings file. Without a usable keyring the password goes to ``account.password``
    (saved by the next ``save_settings``) only if ``settings.allow_plaintext_passwords``;
    otherwise ``SecretStoreError`` is raised and nothing is stored.
    """
    status = keyring_status()
    failure = status.reason
    if status.usable:
        try:
            keyring.set_password(SERVICE, account.name, password)
        except keyring.errors.KeyringError as exc:
            failure = f"the keyring refused to store it ({exc})"
        else:
            account.password = None
            account._password_file = None
            return PasswordLocation.KEYRING
    if not settings.allow_plaintext_passwords:
        raise SecretStoreError(
            f"The password of account {account.name!r} was not stored: {failure}. "
            f"To fix: {_NO_KEYRING_HELP}."
        )
    log.warning(
        "Keeping the password of account %r in plain text in the settings file, because %s "
        "and allow_plaintext_passwords = true. Anyone who can read the file can read it.",
        account.name,
        failure,
    )
    account.password = SecretStr(password)
    return PasswordLocation.SETTINGS_FILE


def delete_password(account: AccountSettings) -> None:
    """Forget the account's password, in the settings model and in the keyring.

    A keyring that has no entry for the account, or no keyring at all, is not an error.
    """
    account.password = None
    account._password_file = None
    if not keyring_status().usable:
        return
    try:
        keyring.delete_password(SERVICE, account.name)
    except keyring.errors.PasswordDeleteError:
        pass  # nothing was stored: the goal is reached
    except keyring.errors.KeyringError as exc:
        raise SecretStoreError(
            f"Could not delete the password of account {account.name!r} from the keyring "
            f"({exc}); unlock the keyring and try again"
        ) from exc
