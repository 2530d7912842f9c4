"""The settings reference (docs/configuration.md), generated from the model itself so the
documentation cannot drift from what the code accepts. Run `python -m parley.settings.reference`
to print it; a unit test checks the committed file is current."""

from __future__ import annotations

from pydantic import BaseModel

from parley.contacts.outlook_fields import OUTLOOK_PROPERTIES
from parley.settings.automation import AutomationSettings, EventRule
from parley.settings.contact_sources import (
    ContactSourceSettings,
    LdapAttributes,
    OutlookAttributes,
)
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


# The keys of a contact source as the file spells them (issue #10), where they differ
# from the model's: model field -> (key shown, default shown, meaning); None: no row of
# its own (told in another key's row). The older names still load (source_keys).
SOURCE_FILE_ROWS: dict[str, tuple[str, str, str] | None] = {
    "kind": (
        "`type`",
        "required",
        "What the source is: local (Parley's own contacts, built in), csv (a CSV file, "
        "read-only), xml (an XML phone book, file or URL), windows (a folder of .contact "
        "files), ldap, carddav, google, outlook. Older files: `kind`.",
    ),
    "location": (
        "`url` / `path`",
        "empty",
        "xml: the phone book's http(s) address (`url`) or local file (`path`); carddav: "
        "the server's address (`url`); google: the CardDAV address (`url`; empty: Google's); "
        "csv: the file (`path`). Older files: `location`.",
    ),
    "host": (
        "`url` (ldap)",
        "empty",
        "ldap: the server as `ldap://HOST:PORT` (plain or StartTLS) or `ldaps://HOST:PORT` "
        "(TLS from the start); the port may be left out (389, 636); an IPv6 address in "
        "brackets. Older files: `host`, `port`, `security`.",
    ),
    "port": None,
    "security": (
        "`starttls`",
        "false",
        "ldap: with an `ldap://` url, start TLS on the plain connection (StartTLS); not "
        "with `ldaps://`.",
    ),
    "ignore_certificate": (
        "`verify_tls` (ldap)",
        "true",
        "ldap: check the server's certificate (LDAPS, StartTLS). False accepts any: the data "
        "is still encrypted, but anyone on the path can pose as the server. Older files: "
        "`ignore_certificate` (the opposite).",
    ),
    "search_filter": (
        "`filter`",
        '"(objectClass=*)"',
        "ldap: the LDAP filter of the entries that are contacts. Older files: `search_filter`.",
    ),
    "result_limit": (
        "`max_results`",
        "50",
        "ldap: the most search results to fetch and show (PBXs often stop at 50). Older "
        "files: `result_limit`.",
    ),
}


def _table(
    model: type[BaseModel],
    prefix: str,
    file_rows: dict[str, tuple[str, str, str] | None] | None = None,
) -> list[str]:
    lines = ["| key | default | meaning |", "|---|---|---|"]
    for name, field in model.model_fields.items():
        if isinstance(field.get_default(call_default_factory=True), BaseModel):
            continue
        key, default = f"`{name}`", _default(model, name)
        text = (field.description or "").replace("|", "\\|")
        if file_rows is not None and name in file_rows:
            row = file_rows[name]
            if row is None:
                continue
            key, default, text = row
        state = NOT_YET_EFFECTIVE.get(f"{prefix}{name}")
        if state:
            text += f" **Not used yet:** stored and validated; takes effect with {state}."
        lines.append(f"| {key} | {default} | {text} |")
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
        "renamed or deleted. A source has the common keys and those of its `type` (marked "
        "`xml:`, `ldap:`… below); a key of another type is an error. Passwords of sources "
        "normally live in the OS keyring (key `contact-source:<id>`); a `password` written "
        "here is handled as an account's: used as given, written back only to this file (or "
        "anywhere with `allow_plaintext_passwords`), and moved to the keyring when a new one "
        "is stored. Files of earlier versions (`kind`, `location`, `host`/`port`/`security`, "
        "`ignore_certificate`, `search_filter`, `result_limit`) still load; a table that "
        "gives one setting in both spellings with different values is refused.",
        "",
        "```toml",
        "[[contacts.sources]]",
        'id = "directory"',
        'name = "Company directory"',
        'type = "ldap"',
        'url = "ldaps://192.0.2.10:636"',
        'bind_dn = "telephoneNumber=201,dc=auerswald"',
        'base_dn = "dc=auerswald"',
        'filter = "(objectClass=inetOrgPerson)"',
        "max_results = 50",
        "",
        "[contacts.sources.attributes]",
        'mobile = "mobile"',
        "",
        "[[contacts.sources]]",
        'id = "book"',
        'name = "PBX phone book"',
        'type = "xml"',
        'url = "https://192.0.2.10/phonebook.xml"',
        'username = "201"',
        'auth = "digest"         # none | basic | digest; left out: what the server asks',
        "```",
        "",
        *_table(ContactSourceSettings, "contacts.sources.", SOURCE_FILE_ROWS),
        "",
        "### `[contacts.sources.attributes]` — LDAP attribute mapping (the Attribute page)",
        "",
        *_table(LdapAttributes, "contacts.sources.attributes."),
        "",
        "### `[contacts.sources.outlook_attributes]` — Outlook attribute mapping",
        "",
        "Names of Microsoft Graph's contact properties; on Windows the Outlook program reads "
        "the same fields under the object model's names (named below). Empty: not used. "
        "Allowed: " + ", ".join(sorted(OUTLOOK_PROPERTIES)) + ".",
        "",
        *_table(OutlookAttributes, "contacts.sources.outlook_attributes."),
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
