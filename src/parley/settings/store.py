"""Reading and writing ``settings.toml``.

Loading never half-succeeds: the file is parsed and validated as a whole, and any fault
raises ``ConfigError`` naming the file, the setting and the problem. Saving writes a
temporary file next to the target and renames it over the old one, so a failure at any
point leaves the old file as it was.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w
from pydantic import ValidationError

from parley.settings.errors import (
    WRITE_FAILED,
    ConfigError,
    ConfigIssue,
    describe_validation_error,
)
from parley.settings.model import Settings

log = logging.getLogger(__name__)

APP_NAME = "parley"
FILE_NAME = "settings.toml"
_HEADER = "# Parley settings. Passwords normally live in the OS keyring, not here.\n\n"


def default_config_path() -> Path:
    """Where the settings live by default: the platform's user config dir + settings.toml."""
    return Path(platformdirs.user_config_dir(APP_NAME)) / FILE_NAME


def load_settings(path: Path, *, missing_ok: bool = False) -> Settings:
    """Read and validate a settings file.

    ``missing_ok=True`` turns a missing file into the default settings (first start);
    otherwise a missing file is a ``ConfigError`` like any other fault. Passwords written
    inline in the file are kept in memory only and are never copied elsewhere.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if missing_ok:
            return Settings()
        raise ConfigError(
            path, ConfigIssue(None, "the file does not exist", "check the path and start again")
        ) from None
    except IsADirectoryError:
        raise ConfigError(
            path, ConfigIssue(None, "this is a folder, not a file", "give the path of the file")
        ) from None
    except OSError as exc:
        raise ConfigError(
            path,
            ConfigIssue(
                None,
                f"the file cannot be read ({exc.strerror or exc})",
                "check that it exists and that you may read it",
            ),
        ) from exc

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            path,
            ConfigIssue(
                None,
                f"the file is not UTF-8 text (bad byte at offset {exc.start})",
                "save it as UTF-8 and start again",
            ),
        ) from None

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = re.search(r"\(at line (\d+), column (\d+)\)", message)
        detail = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
        if where is not None:
            line, column = int(where.group(1)), int(where.group(2))
        else:  # tomllib says "at end of document" for a fault at the very end
            line = text.count("\n") + 1
            column = len(text) - (text.rfind("\n") + 1) + 1
        raise ConfigError(
            path,
            ConfigIssue(None, f"invalid TOML: {detail}", "fix the syntax and start again"),
            line=line,
            column=column,
        ) from None

    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(path, describe_validation_error(exc, Settings)) from None

    _note_inline_passwords(settings, path)
    return settings


def _note_inline_passwords(settings: Settings, path: Path) -> None:
    inline = [account for account in settings.accounts if account.password is not None]
    sources = [s for s in settings.contacts.sources if s.password is not None]
    if not inline and not sources:
        return
    resolved = path.resolve()
    for account in inline:
        account._password_file = resolved
    for source in sources:
        source._password_file = resolved
    names = ", ".join(
        [repr(account.name) for account in inline]
        + [f"contact source {source.name!r}" for source in sources]
    )
    log.info("%s holds plain-text passwords for %s; they are used as given", path, names)
    with contextlib.suppress(OSError):
        if os.name == "posix" and path.stat().st_mode & 0o077:
            log.warning(
                "%s holds plain-text passwords and other users may read it; "
                "restrict it with: chmod 600 %s",
                path,
                path,
            )


def settings_to_dict(settings: Settings, path: Path) -> dict[str, Any]:
    """The plain data ``save_settings`` writes to ``path``, passwords decided per account.

    An inline password is written only when ``allow_plaintext_passwords`` is on, or when it
    was read from this very file (saving must not lose what the user wrote there).
    """
    data = settings.model_dump(
        mode="json",
        exclude_none=True,
        exclude={
            "accounts": {"__all__": {"password"}},
            "contacts": {"sources": {"__all__": {"password"}}},
        },
    )
    target = path.resolve()
    _source_passwords(settings, data, path)
    for account, stored in zip(settings.accounts, data.get("accounts", []), strict=True):
        if account.password is None:
            continue
        if settings.allow_plaintext_passwords or account._password_file == target:
            if settings.allow_plaintext_passwords:
                log.warning(
                    "Writing the password of account %r in plain text to %s "
                    "(allow_plaintext_passwords = true); anyone who can read the file can read it",
                    account.name,
                    path,
                )
            items = list(stored.items())
            stored.clear()
            for key, value in items:
                stored[key] = value
                if key == "username":
                    stored["password"] = account.password.get_secret_value()
        else:
            log.warning(
                "Not writing the password of account %r to %s: plain-text passwords are off "
                "(allow_plaintext_passwords = false); store it in the keyring instead",
                account.name,
                path,
            )
    return data


def _source_passwords(settings: Settings, data: dict[str, Any], path: Path) -> None:
    """Contact sources' inline passwords, by the accounts' rule (after the user name)."""
    target = path.resolve()
    stored_sources = data.get("contacts", {}).get("sources", [])
    for source, stored in zip(settings.contacts.sources, stored_sources, strict=True):
        if source.password is None:
            continue
        if settings.allow_plaintext_passwords or source._password_file == target:
            if settings.allow_plaintext_passwords:
                log.warning(
                    "Writing the password of contact source %r in plain text to %s "
                    "(allow_plaintext_passwords = true); anyone who can read the file can "
                    "read it",
                    source.name,
                    path,
                )
            items = list(stored.items())
            stored.clear()
            for key, value in items:
                stored[key] = value
                if key in ("username", "bind_dn"):
                    stored["password"] = source.password.get_secret_value()
            stored.setdefault("password", source.password.get_secret_value())
        else:
            log.warning(
                "Not writing the password of contact source %r to %s: plain-text passwords "
                "are off (allow_plaintext_passwords = false); store it in the keyring instead",
                source.name,
                path,
            )


def save_settings(settings: Settings, path: Path) -> None:
    """Write ``settings`` to ``path`` atomically (temporary file + ``os.replace``).

    The data is validated again before anything is written, so a model changed in place
    (e.g. a list appended to) can never produce a file that would not load. On any error
    a ``ConfigError`` is raised and the old file is left untouched. The file is created
    with mode 0600 because it may hold passwords.
    """
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()
    not_saved = "the settings were not saved and the old file is unchanged"
    data = settings_to_dict(settings, path)
    try:
        Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(
            path, describe_validation_error(exc, Settings, f"fix the value; {not_saved}")
        ) from None
    try:
        text = _HEADER + tomli_w.dumps(data)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            path,
            ConfigIssue(
                None,
                f"the settings cannot be written as TOML ({exc})",
                not_saved,
                kind=WRITE_FAILED,
            ),
        ) from exc

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise ConfigError(
            path,
            ConfigIssue(
                None,
                f"cannot write in {path.parent} ({exc.strerror or exc})",
                not_saved,
                kind=WRITE_FAILED,
            ),
        ) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if isinstance(exc, OSError):
            raise ConfigError(
                path,
                ConfigIssue(
                    None, f"writing failed ({exc.strerror or exc})", not_saved, kind=WRITE_FAILED
                ),
            ) from exc
        raise
    _sync_dir(path.parent)
    # The file now holds exactly what is in memory, so inline passwords belong to it.
    target = path.resolve()
    for account in settings.accounts:
        if account.password is not None and (
            settings.allow_plaintext_passwords or account._password_file == target
        ):
            account._password_file = target
    for source in settings.contacts.sources:
        if source.password is not None and (
            settings.allow_plaintext_passwords or source._password_file == target
        ):
            source._password_file = target


def _sync_dir(directory: Path) -> None:
    """Make the rename durable (POSIX); harmless to skip where directories cannot be opened."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
