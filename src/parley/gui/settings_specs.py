"""The shapes of the settings dialog's tables: a row (`FieldSpec`), a group of rows and
a page; `settings_fields.py` and `settings_account_fields.py` fill them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldSpec:
    """One setting row. ``kind`` overrides the editor chosen from the model's type:
    "input-device", "output-device", "codecs", "password", "path", "percent".
    ``zero_text`` is what a number field shows for 0 when 0 means something else
    ("automatic", "off"); the value stays 0."""

    key: str
    label: str
    help: str = ""
    kind: str = "auto"
    choices: dict[str, str] = field(default_factory=dict)
    zero_text: str = ""


@dataclass(frozen=True)
class GroupSpec:
    title: str
    fields: tuple[FieldSpec, ...]
    # A widget shown under the rows (settings_pages.GROUP_EXTRAS), e.g. "dial-preview".
    extra: str = ""


@dataclass(frozen=True)
class PageSpec:
    name: str
    title: str
    groups: tuple[GroupSpec, ...]


F = FieldSpec
