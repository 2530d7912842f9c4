"""A provisioning profile: our settings format (TOML) plus a `[profile]` table, read,
checked and merged into the local settings — all or nothing (sans-IO).

    [profile]
    locked = ["accounts.office.domain", "media.echo_cancellation"]

    [media]
    echo_cancellation = true

    [[accounts]]
    name = "office"
    domain = "pbx.example.com"
    username = "1001"
    password = "s3cret"      # taken out: it goes to the keyring, never to the file

Every key the profile sets is provisioned: it is written again at every provisioning,
so a value changed by hand lasts until the next one (as the manual says). `locked` keys
are also shown read-only. Accounts are matched by name; local accounts the profile does
not name stay as they are.
"""

from __future__ import annotations

import copy
import enum
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from parley.settings.errors import ConfigIssue, describe_validation_error
from parley.settings.model import Settings

MAX_PROFILE_BYTES = 1_000_000


class ProfileProblem(enum.StrEnum):
    TOO_LARGE = "too_large"
    NOT_TEXT = "not_text"  # not UTF-8
    BAD_TOML = "bad_toml"
    BAD_PROFILE_TABLE = "bad_profile_table"  # [profile] malformed (locked not a list...)
    INVALID = "invalid"  # the merged settings break the settings' rules (issues say which)


class ProfileError(Exception):
    """The profile is refused as a whole; nothing of it is applied."""

    def __init__(
        self, problem: ProfileProblem, detail: str = "", issues: tuple[ConfigIssue, ...] = ()
    ) -> None:
        self.problem = problem
        self.detail = detail
        self.issues = issues
        super().__init__(f"{problem.value}: {detail}" if detail else problem.value)


@dataclass(frozen=True)
class Profile:
    """What a profile says: the settings part (without passwords), the passwords by
    account name, the keys it locks, every key it sets (dotted, accounts by name), and
    the contact sources' passwords by source id."""

    data: Mapping[str, Any]
    passwords: Mapping[str, str] = field(default_factory=dict)
    locked: frozenset[str] = frozenset()
    keys: frozenset[str] = frozenset()
    source_passwords: Mapping[str, str] = field(default_factory=dict)  # by source id


def parse_profile(body: bytes) -> Profile:
    """Read a profile; `ProfileError` for anything that is not a well-formed one."""
    if len(body) > MAX_PROFILE_BYTES:
        raise ProfileError(
            ProfileProblem.TOO_LARGE, f"{len(body)} bytes, at most {MAX_PROFILE_BYTES}"
        )
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProfileError(ProfileProblem.NOT_TEXT, str(exc)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(ProfileProblem.BAD_TOML, str(exc)) from None
    meta = data.pop("profile", {})
    if not isinstance(meta, dict):
        raise ProfileError(ProfileProblem.BAD_PROFILE_TABLE, "[profile] must be a table")
    unknown = set(meta) - {"locked", "name", "version"}
    if unknown:
        raise ProfileError(
            ProfileProblem.BAD_PROFILE_TABLE, f"unknown key(s) in [profile]: {sorted(unknown)}"
        )
    locked = meta.get("locked", [])
    if not isinstance(locked, list) or not all(isinstance(k, str) for k in locked):
        raise ProfileError(
            ProfileProblem.BAD_PROFILE_TABLE, "[profile] locked must be a list of key names"
        )
    passwords: dict[str, str] = {}
    accounts = data.get("accounts", [])
    if not isinstance(accounts, list) or not all(isinstance(a, dict) for a in accounts):
        raise ProfileError(ProfileProblem.INVALID, "accounts must be [[accounts]] tables")
    for account in accounts:
        name = account.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ProfileError(ProfileProblem.INVALID, "every [[accounts]] table needs a name")
        secret = account.pop("password", None)
        if secret is not None:
            if not isinstance(secret, str):
                raise ProfileError(ProfileProblem.INVALID, f"account {name}: password must be text")
            passwords[name] = secret
    source_passwords: dict[str, str] = {}
    contacts = data.get("contacts", {})
    sources = contacts.get("sources", []) if isinstance(contacts, dict) else []
    for source in sources if isinstance(sources, list) else []:
        if isinstance(source, dict) and "password" in source:
            # Taken out like an account's: to the keyring (or memory), never the file.
            secret = source.pop("password")
            source_id = source.get("id")
            label = source.get("name", source_id or "?")
            if not isinstance(source_id, str) or not source_id:
                raise ProfileError(
                    ProfileProblem.INVALID,
                    f"contact source {label}: a source with a password needs an id",
                )
            if not isinstance(secret, str):
                raise ProfileError(
                    ProfileProblem.INVALID, f"contact source {label}: password must be text"
                )
            source_passwords[source_id] = secret
    keys = frozenset(_keys(data))
    missing = [k for k in locked if k not in keys]
    if missing:
        raise ProfileError(
            ProfileProblem.BAD_PROFILE_TABLE, f"locked key(s) the profile does not set: {missing}"
        )
    return Profile(data, passwords, frozenset(locked), keys, source_passwords)


def _keys(data: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    for section, value in data.items():
        if section == "accounts":
            for account in value:
                out += [f"accounts.{account['name']}.{k}" for k in account if k != "name"]
        elif isinstance(value, dict):
            out += [f"{section}.{k}" for k in value]
        else:
            out.append(section)
    return out


def merge(local: Settings, profile: Profile) -> Settings:
    """The local settings with everything the profile sets; `ProfileError(INVALID)`
    naming every problem when the result breaks the settings' rules (nothing changes)."""
    merged: dict[str, Any] = local.model_dump()
    data = copy.deepcopy(dict(profile.data))
    for section, value in data.items():
        if section == "accounts":
            continue
        if isinstance(value, dict) and isinstance(merged.get(section), dict):
            merged[section].update(value)
        else:
            merged[section] = value
    accounts: list[dict[str, Any]] = merged.get("accounts", [])
    by_name = {a["name"]: a for a in accounts}
    for account in data.get("accounts", []):
        existing = by_name.get(account["name"])
        if existing is None:
            accounts.append(account)
        else:
            existing.update(account)
    merged["accounts"] = accounts
    try:
        result = Settings.model_validate(merged)
    except ValidationError as exc:
        issues = describe_validation_error(exc, Settings, "the profile was not applied")
        text = "; ".join(f"{i.key}: {i.problem}" if i.key else i.problem for i in issues)
        raise ProfileError(ProfileProblem.INVALID, text, tuple(issues)) from None
    return result
