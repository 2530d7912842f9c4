"""The settings reference (docs/configuration.md), generated from the model itself so the
documentation cannot drift from what the code accepts. Run `python -m parley.settings.reference`
to print it; a unit test checks the committed file is current."""

from __future__ import annotations

from pydantic import BaseModel

from parley.settings.automation import AutomationSettings, EventRule
from parley.settings.contact_sources import ContactSourceSettings, LdapAttributes
from parley.settings.model import (
    AccountSettings,
    FunctionsSettings,
    GuiSettings,
    LogSettings,
    MediaSettings,
    Settings,
    SipSettings,
)
from parley.settings.network import StunSettings, TlsSettings
from parley.settings.provisioning import ProvisioningSettings

# Settings the model accepts and stores, but which no code acts on yet: the table says so
# plainly instead of pretending (and names the issue that brings them).
NOT_YET_EFFECTIVE: dict[str, str] = {}

HEADER = """# Settings reference

Parley's settings are one TOML file: `settings.toml` in the user's config directory
(`~/.config/parley/` on Linux), or any file given with `parley console --config FILE`.
Unknown keys are errors; a wrong value stops the start with a message naming the file, the
key and the problem, and exit code 2. Passwords normally live in the OS keyring (service
`parley`, key = account name); a file given on the command line may carry them inline
(`password = "..."`), and Parley never copies them anywhere.

This page is generated from the settings model (`python -m parley.settings.reference`).

A minimal file:

```toml
[[accounts]]
name = "office"
domain = "127.0.0.1:5060"
username = "1001"
password = "pass1001"
transport = "udp"        # udp | tcp | tls | auto
```
"""


def _default(model: type[BaseModel], name: str) -> str:
    field = model.model_fields[name]
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return "—"
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value).replace("'", '"')


def _table(model: type[BaseModel], prefix: str) -> list[str]:
    lines = ["| key | default | meaning |", "|---|---|---|"]
    for name, field in model.model_fields.items():
        if isinstance(field.get_default(call_default_factory=True), BaseModel):
            continue
        text = (field.description or "").replace("|", "\\|")
        state = NOT_YET_EFFECTIVE.get(f"{prefix}{name}")
        if state:
            text += f" **Not used yet:** stored and validated; takes effect with {state}."
        lines.append(f"| `{name}` | {_default(model, name)} | {text} |")
    return lines


def render() -> str:
    parts = [HEADER]
    parts += ["## Top level", "", *_table(Settings, ""), ""]
    parts += [
        "## `[[accounts]]` — one table per SIP account",
        "",
        *_table(AccountSettings, "accounts."),
    ]
    parts += [
        "",
        "## `[[contacts.sources]]` — one table per contact source",
        "",
        "The built-in `local` source (Parley's own contacts) is always there and cannot be "
        "renamed or deleted. A source has the common keys and those of its `kind` (marked "
        "`xml:`, `ldap:`… below); a key of another kind is an error. Passwords of sources are "
        "kept in the OS keyring (key `contact-source:<id>`), never in this file.",
        "",
        *_table(ContactSourceSettings, "contacts.sources."),
        "",
        "### `[contacts.sources.attributes]` — LDAP attribute mapping (the Attribute page)",
        "",
        *_table(LdapAttributes, "contacts.sources.attributes."),
    ]
    parts += ["", "## `[sip]` — protocol timers", "", *_table(SipSettings, "sip."), ""]
    parts += [
        "## `[media]` — audio devices and call audio",
        "",
        *_table(MediaSettings, "media."),
        "",
    ]
    parts += ["## `[functions]`", "", *_table(FunctionsSettings, "functions."), ""]
    parts += [
        "## `[stun]` — global STUN (Functions › Advanced › Global STUN)",
        "",
        *_table(StunSettings, "stun."),
        "",
    ]
    parts += ["## `[gui]` — the desktop app", "", *_table(GuiSettings, "gui."), ""]
    parts += ["## `[tls]` — TLS for every account", "", *_table(TlsSettings, "tls."), ""]
    parts += [
        "## `[automation]` and `[[automation.rules]]` — event rules (Automation › Event rules)",
        "",
        *_table(AutomationSettings, "automation."),
        "",
        "Each `[[automation.rules]]` table is one rule. Values filled into placeholders are "
        "percent-encoded in URLs, JSON-escaped in JSON bodies, stripped of line breaks in "
        "headers, and passed to programs as separate arguments (never through a shell).",
        "",
        "```toml",
        "[[automation.rules]]",
        'name = "open the caller in the CRM"',
        'event = "call"',
        'state = "ringing"',
        'direction = "incoming"',
        'action = "url"',
        'address = "https://crm.example.com/search?phone={number}&name={name}"',
        "```",
        "",
        *_table(EventRule, "automation.rules[]."),
        "",
    ]
    parts += [
        "## `[provisioning]` — settings from a server (Functions › Provisioning)",
        "",
        *_table(ProvisioningSettings, "provisioning."),
        "",
        "The profile format is in `docs/provisioning.md`.",
        "",
    ]
    parts += ["## `[log]`", "", *_table(LogSettings, "log."), ""]
    return "\n".join(parts)


if __name__ == "__main__":
    print(render(), end="")
