"""The settings-and-accounts facade (`Configuration`): the settings in use and their file,
the accounts' passwords (given, inline, keyring), settings changes applied to the running
phone, and registering or unregistering an account."""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Mapping
from pathlib import Path

from pydantic import SecretStr, ValidationError

from parley.app.context import AppContext, AppError, done
from parley.app.events import SettingsApplied
from parley.app.logs import apply_log_settings
from parley.phone.events import PhoneError, PhoneErrorCode
from parley.phone.phone import Phone, listen_ports
from parley.settings import (
    ConfigError,
    PasswordLocation,
    SecretStoreError,
    Settings,
    delete_password,
    get_password,
    save_settings,
    set_password,
)
from parley.settings.errors import describe_validation_error
from parley.settings.model import AccountSettings

log = logging.getLogger(__name__)

# Settings read only when the phone starts (devices, DSP, SIP timers): a change to
# them is saved at once but applies at the next start.
MEDIA_RESTART = (
    "input_device",
    "output_device",
    "speaker_input_device",
    "speaker_output_device",
    "ring_device",
    "echo_cancellation",
    "auto_gain_control",
    "noise_suppression",
    "tone_region",
    "disable_dtmf_sounds",
)
SIP_RESTART = ("t1", "t2", "t4")


def listen_plan(settings: Settings) -> tuple[list[int], bool]:
    """What `Phone` listens on: each enabled account's local port, and TCP or not."""
    return (listen_ports(settings), any(a.transport == "tcp" for a in settings.accounts))


class Configuration:
    """The settings and the accounts' passwords. `passwords` (given by the caller) win
    over the settings file's inline ones and the keyring (`use_keyring=False` never
    touches the keyring). Problems found with passwords collect in `problems`."""

    def __init__(
        self,
        ctx: AppContext,
        settings: Settings,
        settings_path: Path | None,
        *,
        passwords: Mapping[str, str],
        use_keyring: bool,
    ) -> None:
        self._ctx = ctx
        self.settings = settings
        self.settings_path = settings_path
        self._given_passwords = dict(passwords)
        self.use_keyring = use_keyring
        # The very dict the phone reads an account's password from when it adds it.
        self.passwords: dict[str, str] = {}
        self._applied_passwords: dict[str, str] = {}  # what each account registered with
        # Contact sources' passwords given for this run only (a profile's, without a
        # keyring), by source id; the contact sources read them before the keyring.
        self.source_passwords: dict[str, str] = {}
        # Problems with passwords, as the events told at start (`problems`: their text).
        self.problem_events: list[PhoneError] = self._collect_passwords(settings.accounts)

    @property
    def problems(self) -> list[str]:
        return [event.text for event in self.problem_events]

    def _collect_passwords(self, accounts: list[AccountSettings]) -> list[PhoneError]:
        """Fill in passwords: given ones, then the file's inline ones, then the keyring."""
        problems: list[PhoneError] = []
        for account in accounts:
            if account.name in self._given_passwords:
                self.passwords[account.name] = self._given_passwords[account.name]
                continue
            if account.password is not None:
                self.passwords[account.name] = account.password.get_secret_value()
                continue
            if not self.use_keyring:
                continue
            try:
                secret = get_password(account)
            except SecretStoreError as exc:
                problems.append(
                    PhoneError(
                        text=f"Account {account.name}: {exc}",
                        account=account.name,
                        code=PhoneErrorCode.KEYRING_FAILED,
                        subject=account.name,
                        detail=str(exc),
                    )
                )
                continue
            if secret is None:
                problems.append(
                    PhoneError(
                        text=f"Account {account.name}: no password in the settings file or "
                        "the keyring — registration fails if the server asks for one; enter "
                        "the password in the account settings",
                        account=account.name,
                        code=PhoneErrorCode.PASSWORD_MISSING,
                        subject=account.name,
                    )
                )
            else:
                self.passwords[account.name] = secret
        return problems

    def phone_started(self) -> None:
        """The phone has been made with the settings in use: remember the passwords its
        accounts register with (a change of one re-registers the account)."""
        for account in self.settings.accounts:
            if account.enabled:
                self._applied_passwords[account.name] = self.passwords.get(account.name, "")

    # -- the settings file

    def save_settings(self) -> None:
        """Write the settings in use to their file (atomically); ConfigError on failure."""
        if self.settings_path is None:
            raise AppError("these settings have no file to be saved to")
        save_settings(self.settings, self.settings_path)

    def validate_settings(self, new: Settings) -> None:
        """Raise `ConfigError` (with every problem) when `new` could not be saved and
        loaded back."""
        try:
            Settings.model_validate(new.model_dump())
        except ValidationError as exc:
            raise ConfigError(
                self.settings_path or Path("settings"),
                describe_validation_error(exc, Settings, "fix the value; nothing was saved"),
            ) from None

    def update_settings(self, new: Settings) -> concurrent.futures.Future[None]:
        """Validate `new`, save it (atomically) and apply it to the running phone.

        Validation and saving happen now, on the caller's thread: a `ConfigError` is
        raised and nothing changes when either fails. Applying happens on the engine:
        an account that was added, changed or given a new password is (re-)registered,
        a removed or disabled one unregistered. Devices and SIP timers take effect at the
        next start; a `SettingsApplied` event names them.
        """
        self.validate_settings(new)
        if self.settings_path is not None:
            save_settings(new, self.settings_path)
        old = self.settings
        self.settings = new
        if old.log != new.log:  # the log is the process's, phone or not
            apply_log_settings(new.log)
        fresh = [a for a in new.accounts if a.name not in self.passwords or a.password]
        self.problem_events.extend(self._collect_passwords(fresh))
        try:
            self._ctx.phone()
            running = self._ctx.engine.running
        except AppError:
            running = False
        if not running:
            # No phone yet (e.g. provisioned before the start): the phone will start with
            # `new`, but the facades that follow the settings (contact sources, update
            # check, voicemail) were made with the old ones and must hear of it now.
            self._settings_applied_without_phone()
            return done()
        return self._ctx.engine.call(self._apply, old, new)

    def _settings_applied_without_phone(self) -> None:
        event = SettingsApplied(restart_needed=())
        if self._ctx.engine.running:
            self._ctx.engine.submit(self._ctx.dispatch, event)
        else:
            self._ctx.dispatch(event)

    async def _apply(self, old: Settings, new: Settings) -> None:
        phone = self._ctx.phone()
        phone.apply_settings(new)
        restart = [
            f"media.{name}"
            for name in MEDIA_RESTART
            if getattr(old.media, name) != getattr(new.media, name)
        ]
        restart += [
            f"sip.{name}"
            for name in SIP_RESTART
            if getattr(old.sip, name) != getattr(new.sip, name)
        ]
        wanted = {a.name: a for a in new.accounts if a.enabled}
        # The phone opens its SIP listeners at start: a new port or a first TCP account
        # needs a restart to be listened on.
        if listen_plan(old) != listen_plan(new):
            restart.append("accounts.listen")
        failures: list[str] = []
        failed: list[str] = []  # the accounts concerned
        for name, account in list(phone.accounts.items()):
            target = wanted.get(name)
            if (
                target is None
                or account.settings.model_dump() != target.model_dump()
                or self.passwords.get(name, "") != self._applied_passwords.get(name, "")
            ):
                try:
                    await self._remove_account(phone, name)
                except Exception as exc:
                    log.exception("removing account %s", name)
                    failures.append(f"{name}: {exc}")
                    failed.append(name)
        for name, target in wanted.items():
            if name in phone.accounts:
                continue
            self._applied_passwords[name] = self.passwords.get(name, "")
            try:
                added = phone.add_account(target)
                if target.register_on_startup:
                    await added.register()
            except Exception as exc:
                log.exception("adding account %s", name)
                failures.append(f"{name}: {exc}")
                failed.append(name)
        self._ctx.dispatch(SettingsApplied(restart_needed=tuple(restart)))
        if failures:
            text = "Some account changes could not be applied: " + "; ".join(failures)
            self._ctx.dispatch(
                PhoneError(
                    text=text,
                    code=PhoneErrorCode.SETTINGS_NOT_APPLIED,
                    subject=", ".join(dict.fromkeys(failed)),
                    detail="; ".join(failures),
                )
            )
            raise AppError(text)

    async def _remove_account(self, phone: Phone, name: str) -> None:
        self._applied_passwords.pop(name, None)
        try:
            await phone.remove_account(name)
        finally:
            self._ctx.tracker.forget_account(name)

    # -- registration

    def register(self, account: str) -> concurrent.futures.Future[None]:
        return self._ctx.engine.call(self._register, account, True)

    def unregister(self, account: str) -> concurrent.futures.Future[None]:
        return self._ctx.engine.call(self._register, account, False)

    async def _register(self, name: str, on: bool) -> None:
        account = self._ctx.phone().accounts.get(name)
        if account is None:
            raise AppError(f"no account named {name!r} is in use (is it enabled?)")
        if on:
            await account.register()
        else:
            await account.unregister()

    # -- passwords

    def set_account_password(self, account: str, password: str) -> PasswordLocation:
        """Store an account's password (keyring, or the settings file only when
        plain-text passwords are allowed) and use it from the next registration; apply
        with `update_settings(app.settings)` or `register`. Raises `SecretStoreError`."""
        settings = self.settings.account(account)  # KeyError for an unknown account
        location = set_password(settings, password, self.settings)
        self.passwords[settings.name] = password
        if self.settings_path is not None:
            save_settings(self.settings, self.settings_path)
        return location

    def stage_account_password(
        self, settings: Settings, account: str, password: str
    ) -> PasswordLocation | None:
        """Store a new password for `account` of `settings` — a copy about to be passed
        to `update_settings`, which then (re-)registers with it.

        With the keyring in use it goes there; otherwise into `settings` (saved in the
        file) when plain-text passwords are allowed; otherwise (`use_keyring=False`) it
        is kept in memory for this run only and None is returned. Raises
        `SecretStoreError` (keyring unusable and no consent to plain text) and KeyError
        (no such account in `settings`)."""
        target = settings.account(account)
        location: PasswordLocation | None
        if self.use_keyring:
            location = set_password(target, password, settings)
        elif settings.allow_plaintext_passwords:
            target.password = SecretStr(password)
            location = PasswordLocation.SETTINGS_FILE
        else:
            location = None
        self.passwords[target.name] = password
        return location

    def forget_account_password(self, account: AccountSettings) -> None:
        """Forget a deleted account's password: in memory, and in the keyring when the
        keyring is in use. Raises `SecretStoreError` when the keyring refuses."""
        self.passwords.pop(account.name, None)
        self._given_passwords.pop(account.name, None)
        account.password = None
        if self.use_keyring:
            delete_password(account)
