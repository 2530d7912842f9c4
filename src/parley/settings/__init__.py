"""Parley's settings: typed models, TOML storage and password storage.

Typical use::

    path = default_config_path()
    settings = load_settings(path, missing_ok=True)   # ConfigError explains any fault
    password = get_password(settings.accounts[0])     # settings file first, then keyring
    save_settings(settings, path)                     # atomic; never loses the old file
"""

from parley.settings.errors import ConfigError, ConfigIssue
from parley.settings.model import (
    AccountSettings,
    FunctionsSettings,
    GuiSettings,
    LogSettings,
    MediaSettings,
    Settings,
    SipSettings,
)
from parley.settings.network import TlsSettings
from parley.settings.secrets import (
    SERVICE,
    KeyringStatus,
    PasswordLocation,
    SecretStoreError,
    delete_password,
    get_password,
    keyring_status,
    set_password,
)
from parley.settings.store import default_config_path, load_settings, save_settings
from parley.settings.types import DEFAULT_CODECS, Codec, DtmfMode, LogLevel, Transport

__all__ = [
    "DEFAULT_CODECS",
    "SERVICE",
    "AccountSettings",
    "Codec",
    "ConfigError",
    "ConfigIssue",
    "DtmfMode",
    "FunctionsSettings",
    "GuiSettings",
    "KeyringStatus",
    "LogLevel",
    "LogSettings",
    "MediaSettings",
    "PasswordLocation",
    "SecretStoreError",
    "Settings",
    "SipSettings",
    "TlsSettings",
    "Transport",
    "default_config_path",
    "delete_password",
    "get_password",
    "keyring_status",
    "load_settings",
    "save_settings",
    "set_password",
]
