"""Provisioning as the application does it: fetch the profile, merge it into the
settings, store its passwords like account passwords, save and apply — or refuse the
whole profile and keep the last good settings. Reported as `ProvisioningChanged`.

Blocking (HTTP): call `provision` off the engine loop (a front-end's worker thread or
before the phone starts); `start_interval` runs it again every `interval_minutes`.
"""

from __future__ import annotations

import enum
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import keyring
import keyring.errors

from parley.app.accounts import Configuration
from parley.phone.events import PhoneEvent
from parley.provisioning.fetch import Fetched, fetch_profile
from parley.provisioning.profile import Profile, ProfileError, merge, parse_profile
from parley.settings.contact_sources import set_source_password
from parley.settings.errors import ConfigError
from parley.settings.model import Settings
from parley.settings.secrets import SERVICE, SecretStoreError, keyring_status

log = logging.getLogger(__name__)

STATE_FILE = "provisioning.json"


class ProvisioningResult(enum.StrEnum):
    APPLIED = "applied"
    UNCHANGED = "unchanged"
    FAILED = "failed"


@dataclass(frozen=True)
class ProvisioningChanged(PhoneEvent):
    """A provisioning run ended. `problem`: a `FetchProblem` or `ProfileProblem` value (or
    "not_saved" when the settings could not be written); `locked`: the keys shown
    read-only; `changed`: the keys whose values the profile changed."""

    state: ProvisioningResult
    url: str = ""
    problem: str | None = None
    status: int | None = None
    detail: str = ""
    locked: tuple[str, ...] = ()
    changed: tuple[str, ...] = field(default=())

    @property
    def kind(self) -> str:
        return "provisioning"


class Provisioning:
    def __init__(
        self,
        configuration: Configuration,
        dispatch: Callable[[PhoneEvent], None],
        data_dir: Path,
    ) -> None:
        self._configuration = configuration
        self._dispatch = dispatch
        self._state_path = data_dir / STATE_FILE
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._stopped = False
        # This run's provisioning passwords (the keyring keeps them across runs).
        self._passwords: dict[tuple[str, str], str] = {}
        self._ca_file: Path | None = None
        self._remember_choice: bool | None = None  # this run's "remember me", if given

    # -- state kept between runs

    def _state(self) -> dict[str, object]:
        try:
            data = json.loads(self._state_path.read_text())
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def _save_state(self, data: dict[str, object]) -> None:
        self._state_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        tmp.replace(self._state_path)

    @property
    def locked(self) -> frozenset[str]:
        """The keys the last applied profile locked ("media.echo_cancellation",
        "accounts.office.domain")."""
        value = self._state().get("locked", [])
        return (
            frozenset(k for k in value if isinstance(k, str))
            if isinstance(value, list)
            else frozenset()
        )

    # -- the provisioning password

    def _stored_password(self, url: str, username: str) -> str:
        if not username or not keyring_status().usable:
            return ""
        try:
            return keyring.get_password(SERVICE, f"provisioning:{_origin(url)}:{username}") or ""
        except keyring.errors.KeyringError:
            return ""

    def _remember(self, url: str, username: str, password: str) -> None:
        if not username or not keyring_status().usable:
            return
        try:
            keyring.set_password(SERVICE, f"provisioning:{_origin(url)}:{username}", password)
        except keyring.errors.KeyringError as exc:
            log.warning("the provisioning password was not kept: %s", exc)

    # -- a run

    def provision(
        self,
        url: str | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
        ca_file: Path | None = None,
        force: bool = False,
        remember: bool | None = None,
    ) -> ProvisioningChanged:
        """Fetch and apply the profile (the settings' URL unless `url` is given); the
        outcome is returned and dispatched. `force` ignores the ETag of the last run;
        `remember` overrides the settings' "remember me" (and is saved with the profile)."""
        with self._lock:
            self._remember_choice = remember
            event = self._run(url, username, password, ca_file, force)
        self._dispatch(event)
        return event

    def _run(
        self,
        url: str | None,
        username: str | None,
        password: str | None,
        ca_file: Path | None,
        force: bool,
    ) -> ProvisioningChanged:
        settings = self._configuration.settings
        conf = settings.provisioning
        self._ca_file = ca_file
        url = url or conf.url or ""
        if not url:
            return ProvisioningChanged(ProvisioningResult.FAILED, problem="no_url")
        username = conf.username if username is None else username
        if password is None:
            password = self._passwords.get((_origin(url), username)) or self._stored_password(
                url, username
            )
        state = self._state() if not force and self._state().get("url") == url else {}
        if self._passwords_missing(state):
            state = {}  # passwords only come with the whole profile: ask for it whole
        fetched = fetch_profile(
            url,
            username=username,
            password=password,
            ca_file=ca_file or conf.ca_file,
            allow_http=conf.allow_http,
            proxy=settings.automation.http_proxy,
            etag=_text(state.get("etag")),
            last_modified=_text(state.get("last_modified")),
        )
        if fetched.problem is not None:
            return ProvisioningChanged(
                ProvisioningResult.FAILED,
                url,
                problem=fetched.problem.value,
                status=fetched.status,
                detail=fetched.detail,
            )
        if fetched.not_modified or fetched.body is None:
            # Unchanged on the server: values changed here by hand are still written back.
            cached = state.get("profile")
            if not isinstance(cached, dict) or not isinstance(cached.get("data"), dict):
                return ProvisioningChanged(ProvisioningResult.UNCHANGED, url, status=fetched.status)
            profile = Profile(
                cached["data"],
                {},
                frozenset(cached.get("locked", [])),
                frozenset(cached.get("keys", [])),
            )
            try:
                new = merge(settings, profile)
            except ProfileError as exc:
                return ProvisioningChanged(
                    ProvisioningResult.FAILED, url, problem=exc.problem.value, detail=exc.detail
                )
            if new.model_dump() == settings.model_dump():
                return ProvisioningChanged(
                    ProvisioningResult.UNCHANGED,
                    url,
                    status=fetched.status,
                    locked=tuple(sorted(profile.locked)),
                )
            return self._apply(url, username, password, settings, new, profile, fetched, state)
        try:
            profile = parse_profile(fetched.body)
            new = merge(settings, profile)
        except ProfileError as exc:
            return ProvisioningChanged(
                ProvisioningResult.FAILED, url, problem=exc.problem.value, detail=exc.detail
            )
        return self._apply(url, username, password, settings, new, profile, fetched, state)

    def _apply(
        self,
        url: str,
        username: str,
        password: str,
        settings: Settings,
        new: Settings,
        profile: Profile,
        fetched: Fetched,
        state: dict[str, object],
    ) -> ProvisioningChanged:
        conf = settings.provisioning
        # Where the profile came from is kept, so the next start provisions again.
        new.provisioning.url = url
        new.provisioning.username = username
        if self._remember_choice is not None:
            new.provisioning.remember = self._remember_choice
        if self._ca_file is not None:
            new.provisioning.ca_file = self._ca_file
        changed = _changed_keys(settings.model_dump(), new.model_dump())
        try:
            for name, secret in profile.passwords.items():
                if secret != self._configuration.passwords.get(name):
                    changed.append(f"accounts.{name}.password")
                self._keep_password(new, name, secret)
            for source_id, secret in profile.source_passwords.items():
                if secret != self._configuration.source_passwords.get(source_id):
                    changed.append(f"contacts.sources.{source_id}.password")
                self._keep_source_password(new, source_id, secret)
            future = self._configuration.update_settings(new)
        except (ConfigError, OSError, Exception) as exc:  # the last good settings stay
            return ProvisioningChanged(
                ProvisioningResult.FAILED, url, problem="not_saved", detail=str(exc)
            )
        remember = conf.remember if self._remember_choice is None else self._remember_choice
        if password:
            self._passwords[(_origin(url), username)] = password
            if remember:
                self._remember(url, username, password)
        self._save_state(
            {
                "url": url,
                "etag": fetched.etag or _text(state.get("etag")),
                "last_modified": fetched.last_modified or _text(state.get("last_modified")),
                "applied_at": time.time(),
                "locked": sorted(profile.locked),
                "keys": sorted(profile.keys),
                # Without passwords: to write hand-changed values back on a 304.
                "profile": {
                    "data": dict(profile.data),
                    "locked": sorted(profile.locked),
                    "keys": sorted(profile.keys),
                },
            }
        )
        try:
            future.result(30)
        except Exception as exc:  # applied to the file; the phone says what failed
            log.warning("provisioned settings not fully applied: %s", exc)
        return ProvisioningChanged(
            ProvisioningResult.APPLIED,
            url,
            status=fetched.status,
            locked=tuple(sorted(profile.locked)),
            changed=tuple(changed),
        )

    def _passwords_missing(self, state: dict[str, object]) -> bool:
        """Whether an account of the last profile has no password in this run (no
        keyring: they live in memory only)."""
        cached = state.get("profile")
        if not isinstance(cached, dict):
            return False
        accounts = cached.get("data", {}).get("accounts", [])
        known = self._configuration.passwords
        return any(isinstance(a, dict) and a.get("name") not in known for a in accounts)

    def _keep_password(self, new: Settings, name: str, secret: str) -> None:
        """A profile's password: in the keyring when there is one, else in memory for
        this run (the next start provisions it again) — never in the settings file."""
        account = new.account(name)
        account.password = None
        if keyring_status().usable:
            try:
                keyring.set_password(SERVICE, account.name, secret)
            except keyring.errors.KeyringError as exc:
                log.warning("the password of %s stays in memory only: %s", name, exc)
        self._configuration.passwords[account.name] = secret

    def _keep_source_password(self, new: Settings, source_id: str, secret: str) -> None:
        """A contact source's password from the profile: as an account's (keyring when
        there is one, and memory for this run), never in the settings file."""
        try:
            source = new.contacts.source(source_id)
        except KeyError:
            return  # the profile's password names no source of the merged list
        if self._configuration.use_keyring and keyring_status().usable:
            try:
                set_source_password(source, secret)
            except SecretStoreError as exc:
                log.warning("the password of source %s stays in memory only: %s", source_id, exc)
        self._configuration.source_passwords[source_id] = secret

    # -- again and again

    def start_interval(self) -> None:
        """Provision every `interval_minutes` (from the settings, read at each run)."""
        minutes = self._configuration.settings.provisioning.interval_minutes
        if self._stopped or minutes <= 0:
            return

        def again() -> None:
            if self._stopped:
                return
            try:
                self.provision()
            finally:
                self.start_interval()

        self._timer = threading.Timer(minutes * 60, again)
        self._timer.daemon = True
        self._timer.start()

    def stop(self) -> None:
        self._stopped = True
        if self._timer is not None:
            self._timer.cancel()


def _origin(url: str) -> str:
    """scheme://host:port of a URL: one password per server and user, not per file."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _changed_keys(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    """The dotted keys whose values differ (accounts by name)."""
    out: list[str] = []
    for key, value in new.items():
        if key == "accounts" and not prefix:
            olds = {a["name"]: a for a in old.get("accounts", [])}
            for account in value:
                name = account["name"]
                out += _changed_keys(olds.get(name, {}), account, f"accounts.{name}.")
            continue
        if isinstance(value, dict):
            sub = old.get(key, {})
            out += _changed_keys(sub if isinstance(sub, dict) else {}, value, f"{prefix}{key}.")
        elif old.get(key) != value:
            out.append(prefix + key)
    return out
